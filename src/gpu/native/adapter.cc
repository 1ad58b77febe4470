#include "gpu/native/adapter.h"

#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "gpu/native/wait.h"

namespace webconv::gpu::native {
namespace {

struct Candidate {
  abi::WGPUAdapter adapter = nullptr;
  AdapterFacts facts;
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool IsSwiftShader(const AdapterFacts& f) {
  return f.vendor_id == 0x1AE0 || Lower(f.Name()).find("swiftshader") != std::string::npos;
}
// The Null backend is Dawn's no-op stand-in: it accepts work and computes nothing.
bool Usable(const AdapterFacts& f) {
  return f.backend != abi::BackendType::kNull && f.backend != abi::BackendType::kUndefined;
}
bool IsHardware(const AdapterFacts& f) {
  return Usable(f) && f.type != abi::AdapterType::kCPU && !IsSwiftShader(f);
}

std::string Describe(const AdapterFacts& f) {
  return StrCat("'", f.Name(), "' (", AdapterTypeName(f.type), ", ", BackendName(f.backend), ")");
}

bool IcdVariableSet() {
  for (const char* v : {"VK_ICD_FILENAMES", "VK_DRIVER_FILES"}) {
    const char* s = std::getenv(v);
    if (s && *s) return true;
  }
  return false;
}

struct Attempt {
  abi::WGPUInstance instance = nullptr;
  std::vector<Candidate> found;
  void Release(const DawnProcs& p, abi::WGPUAdapter keep) {
    for (Candidate& c : found) {
      if (c.adapter != keep) p.AdapterRelease(c.adapter);
    }
    found.clear();
  }
  std::string Seen() const {
    if (found.empty()) return "no adapter";
    std::string s;
    for (const Candidate& c : found) s += (s.empty() ? "" : ", ") + Describe(c.facts);
    return s;
  }
};

Result<Attempt> Enumerate(const DawnProcs& p, bool timed) {
  Attempt a;
  abi::WGPUInstanceDescriptor desc{};
  desc.capabilities.timedWaitAnyEnable = timed ? 1 : 0;
  desc.capabilities.timedWaitAnyMaxCount = timed ? 1 : 0;
  a.instance = p.CreateInstance(&desc);
  if (!a.instance) return DeviceError("wgpuCreateInstance failed ('", p.path, "')");
  Waiter waiter(&p, a.instance, timed);
  // Vulkan first (hardware drivers and SwiftShader both come through it on Linux): asking for one backend
  // lets Dawn skip connecting to the others (OpenGL ES through EGL, which loads and initialises the GL
  // driver) on the path to a first result. Any backend only when Vulkan offers nothing.
  struct Ask {
    abi::WGPUEnum backend, preference;
  };
  const Ask asks[] = {{abi::BackendType::kVulkan, abi::PowerPreference::kHighPerformance},
                      {abi::BackendType::kVulkan, abi::PowerPreference::kLowPower},
                      {abi::BackendType::kUndefined, abi::PowerPreference::kHighPerformance},
                      {abi::BackendType::kUndefined, abi::PowerPreference::kLowPower}};
  for (const Ask& ask : asks) {
    if (ask.backend == abi::BackendType::kUndefined && !a.found.empty()) break;
    abi::WGPURequestAdapterOptions options{};
    options.featureLevel = abi::FeatureLevel::kCore;
    options.powerPreference = ask.preference;
    options.backendType = ask.backend;
    auto got = std::make_unique<abi::WGPUAdapter>(nullptr);
    abi::WGPURequestAdapterCallbackInfo info{};
    info.mode = abi::CallbackMode::kWaitAnyOnly;
    info.callback = [](abi::WGPUEnum status, abi::WGPUAdapter adapter, abi::WGPUStringView, void* u1, void*) {
      if (status == abi::kSuccess) *static_cast<abi::WGPUAdapter*>(u1) = adapter;
    };
    info.userdata1 = got.get();
    Status s = waiter.WaitFor(p.InstanceRequestAdapter(a.instance, &options, info), got, "an adapter");
    if (!s.ok()) {
      a.Release(p, nullptr);
      p.InstanceRelease(a.instance);
      return s.Prefixed("requesting an adapter: ");
    }
    if (!*got) continue;  // "no adapter for this preference" is not an error by itself
    Candidate c{*got, {}};
    s = GetAdapterFacts(p, c.adapter, &c.facts);
    if (!s.ok()) {
      p.AdapterRelease(c.adapter);
      a.Release(p, nullptr);
      p.InstanceRelease(a.instance);
      return s;
    }
    const bool dup = std::any_of(a.found.begin(), a.found.end(), [&](const Candidate& o) {
      return o.facts.Name() == c.facts.Name() && o.facts.backend == c.facts.backend &&
             o.facts.device_id == c.facts.device_id && o.facts.vendor_id == c.facts.vendor_id;
    });
    if (dup) {
      p.AdapterRelease(c.adapter);
    } else {
      a.found.push_back(std::move(c));
    }
  }
  return a;
}

// Best candidate for `mode`, or null. `allow_software`: whether auto mode may settle for a CPU adapter.
const Candidate* Select(const std::vector<Candidate>& found, const std::string& mode, bool allow_software) {
  auto rank = [](const AdapterFacts& f) {  // lower is better
    return f.type == abi::AdapterType::kDiscreteGPU ? 0 : f.type == abi::AdapterType::kIntegratedGPU ? 1 : 2;
  };
  const Candidate* best = nullptr;
  for (const Candidate& c : found) {
    const AdapterFacts& f = c.facts;
    if (!Usable(f)) continue;
    bool ok;
    if (mode.empty()) {
      ok = IsHardware(f) || allow_software;
    } else if (mode == "gpu") {
      ok = IsHardware(f);
    } else if (mode == "swiftshader") {
      ok = IsSwiftShader(f);
    } else {
      ok = Lower(f.Name()).find(mode) != std::string::npos ||
           Lower(f.description).find(mode) != std::string::npos;
    }
    if (!ok) continue;
    if (!best || (IsHardware(f) && !IsHardware(best->facts)) ||
        (IsHardware(f) == IsHardware(best->facts) && rank(f) < rank(best->facts))) {
      best = &c;
    }
  }
  return best;
}

// Why no adapter was found, as far as can be told from here.
std::string Hint(const std::string& mode, const std::string& icd, bool icd_exists) {
  void* loader = dlopen("libvulkan.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (!loader) return " (the Vulkan loader libvulkan.so.1 is missing: on Debian, apt-get install libvulkan1)";
  dlclose(loader);
  std::string hint;
  for (const char* v : {"VK_ICD_FILENAMES", "VK_DRIVER_FILES"}) {
    const char* s = std::getenv(v);
    if (s && *s) hint += StrCat("; ", v, "=", s);
  }
  if (!hint.empty()) hint = " (the Vulkan driver list was preset" + hint + ")";
  if (!icd_exists && mode != "gpu")
    hint += " (SwiftShader's ICD " + icd + " is missing: install Debian's chromium)";
  if (mode == "gpu") hint += " (no GPU driver answered: check the GPU's Vulkan ICD)";
  return hint;
}

}  // namespace

// Whether any Vulkan ICD manifest is installed where the loader looks by default.
static bool SystemIcdPresent() {
  std::error_code ec;
  for (const char* dir : {"/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d",
                          "/usr/local/etc/vulkan/icd.d"}) {
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
      if (e.path().extension() == ".json") return true;
  }
  return false;
}

std::string SwiftShaderIcdPath() {
  const char* env = std::getenv("WEBCONV_SWIFTSHADER_ICD");
  return (env && *env) ? env : "/usr/lib/chromium/vk_swiftshader_icd.json";
}

Result<ChosenAdapter> ChooseAdapter(const DawnProcs& p, const std::string& mode_in) {
  const std::string mode = Lower(mode_in);
  abi::WGPUInstanceCapabilities caps{};
  WC_RETURN_IF_ERROR(GetInstanceCapabilities(p, &caps));
  // WEBCONV_GPU_WAIT=poll forces the polling wait (to test it, or for a library whose timed waits misbehave).
  const char* wait_env = std::getenv("WEBCONV_GPU_WAIT");
  const bool poll = wait_env && std::string(wait_env) == "poll";
  const bool timed = !poll && caps.timedWaitAnyEnable != 0 && caps.timedWaitAnyMaxCount >= 1;

  const std::string icd = SwiftShaderIcdPath();
  std::error_code ec;
  const bool icd_exists = std::filesystem::exists(icd, ec);
  bool we_set_icd = false;
  auto set_icd = [&] {
    setenv("VK_ICD_FILENAMES", icd.c_str(), 1);
    we_set_icd = true;
  };
  // Asked for SwiftShader by name, or no Vulkan driver is installed at all: probing the default
  // drivers would only make the Vulkan loader print warnings.
  const bool no_system_driver = !SystemIcdPresent();
  if ((mode == "swiftshader" || (mode.empty() && no_system_driver)) && !IcdVariableSet() && icd_exists) set_icd();
  const bool can_retry = mode != "gpu" && !IcdVariableSet() && icd_exists;

  WC_ASSIGN_OR_RETURN(Attempt attempt, Enumerate(p, timed));
  const std::string first_seen = attempt.Seen();
  std::string seen = first_seen;
  const Candidate* pick = Select(attempt.found, mode, /*allow_software=*/!can_retry);
  if (!pick && can_retry) {
    attempt.Release(p, nullptr);
    p.InstanceRelease(attempt.instance);
    set_icd();
    WC_ASSIGN_OR_RETURN(attempt, Enumerate(p, timed));
    pick = Select(attempt.found, mode, /*allow_software=*/true);
    seen += "; with VK_ICD_FILENAMES=" + icd + ": " + attempt.Seen();
  }
  if (!pick) {
    attempt.Release(p, nullptr);
    p.InstanceRelease(attempt.instance);
    std::string want = mode.empty()    ? "any usable adapter"
                       : mode == "gpu" ? "a hardware GPU adapter"
                                       : "an adapter matching '" + mode + "'";
    return DeviceError("no WebGPU adapter: wanted ", want, ", Dawn found ", seen,
                       Hint(mode, icd, icd_exists));
  }

  ChosenAdapter out;
  out.instance = attempt.instance;
  out.adapter = pick->adapter;
  out.timed_wait = timed;
  out.facts = pick->facts;
  out.software = !IsHardware(pick->facts);
  attempt.Release(p, pick->adapter);  // `pick` dangles from here on
  Status s = GetAdapterLimits(p, out.adapter, &out.limits);
  if (!s.ok()) {
    p.AdapterRelease(out.adapter);
    p.InstanceRelease(out.instance);
    return s;
  }
  const std::string what = Describe(out.facts);
  if (mode.empty()) {
    const std::string looked = no_system_driver && we_set_icd ? "no Vulkan driver is installed"
                                                                : "Dawn saw " + first_seen;
    out.why = out.software ? (we_set_icd ? "no hardware GPU adapter was found (" + looked +
                                               "), so " + what + " was used through VK_ICD_FILENAMES=" + icd +
                                               ", a CPU implementation of Vulkan"
                                         : "no hardware GPU adapter was found, so the software adapter " +
                                               what + " from the preset Vulkan driver variables was used")
                           : what + " is a hardware GPU adapter, preferred over software ones";
  } else {
    out.why = "the adapter '" + mode + "' was requested (DeviceOptions::adapter or WEBCONV_ADAPTER) and " +
              what + " matches it" + (we_set_icd ? ", found through VK_ICD_FILENAMES=" + icd : "");
  }
  return out;
}

}  // namespace webconv::gpu::native
