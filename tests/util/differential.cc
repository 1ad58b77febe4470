#include "differential.h"

#include <cstdio>
#include <cstdlib>

#include "onnx/loader.h"
#include "runtime/tuning_env.h"

namespace webconv::testing {
namespace {

// The tests run the tuned kernels unless WEBCONV_FIRST_RUN says otherwise: left to choose (FirstRun::kAuto),
// a session would give the small models of the tests their first run on the quick tier, and most tests run
// a model once. The quick tier's own ctest entries (*.quick_tier) set WEBCONV_FIRST_RUN=quick-only.
const bool kTunedUnlessAsked = [] {
  setenv("WEBCONV_FIRST_RUN", "tuned", 0);
  return true;
}();

// The harness starts from the WEBCONV_CONV_* / WEBCONV_NO_* variables, as the CLI does: ctest entries run
// a suite again with one of them set (the software adapter's workgroup-memory GEMM: WEBCONV_QUAD_GEMM=0).
TestTuning& MutableTuning() {
  static TestTuning tuning = [] {
    runtime::SessionOptions o;
    const Status s = runtime::ApplyTuningEnvironment(&o);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      std::abort();
    }
    return TestTuning{o.kernel_tuning, o.fusion};
  }();
  return tuning;
}

}  // namespace

const TestTuning& CurrentTuning() {
  return MutableTuning();
}

ScopedTuning::ScopedTuning() : saved_(MutableTuning()) {}
ScopedTuning::~ScopedTuning() {
  MutableTuning() = saved_;
}
ops::KernelTuning& ScopedTuning::kernels() {
  return MutableTuning().kernels;
}
ir::FusionOptions& ScopedTuning::fusion() {
  return MutableTuning().fusion;
}

void ApplyTestTuning(runtime::SessionOptions* options) {
  options->kernel_tuning = CurrentTuning().kernels;
  options->fusion = CurrentTuning().fusion;
}

std::shared_ptr<gpu::Device> SharedDevice() {
  static std::shared_ptr<gpu::Device> device = [] {
    auto d = gpu::Device::Create({});
    if (!d.ok()) {
      ADD_FAILURE() << "no WebGPU device: " << d.status().ToString();
      return std::shared_ptr<gpu::Device>();
    }
    return std::shared_ptr<gpu::Device>(std::move(d).value());
  }();
  return device;
}

HostTensor RandomTensor(DType t, const Shape& shape, std::mt19937_64& rng, double lo, double hi) {
  HostTensor out(t, shape);
  std::uniform_real_distribution<double> uni(lo, hi);
  for (int64_t i = 0; i < out.num_elements(); ++i) {
    if (IsFloat(t)) out.SetDouble(i, uni(rng));
    else out.SetInt(i, static_cast<int64_t>(std::floor(uni(rng))));
  }
  return out;
}

Result<std::map<std::string, HostTensor>> RunOn(runtime::Backend backend, const std::vector<uint8_t>& model,
                                                const std::map<std::string, HostTensor>& feeds) {
  WC_ASSIGN_OR_RETURN(auto loaded, onnx::LoadModelBytes(model));
  runtime::SessionOptions o;
  o.backend = backend;
  ApplyTestTuning(&o);
  if (backend == runtime::Backend::kWebGpu) {
    o.shared_device = SharedDevice();
    if (!o.shared_device) return Error(StatusCode::kDevice, "no WebGPU device");
  } else if (backend == runtime::Backend::kReference) {
    o.fuse = false;  // the oracle runs the model as written
  }
  WC_ASSIGN_OR_RETURN(auto session, runtime::Session::FromModel(loaded, o));
  return session->Run(feeds);
}

::testing::AssertionResult FailsAlikeOnEveryBackend(const std::vector<uint8_t>& model,
                                                    const std::map<std::string, HostTensor>& feeds,
                                                    const std::vector<std::string>& expect) {
  auto loaded = onnx::LoadModelBytes(model);
  if (!loaded.ok()) return ::testing::AssertionFailure() << "load: " << loaded.status().ToString();
  std::string first;
  for (runtime::Backend backend : {runtime::Backend::kReference, runtime::Backend::kCpu, runtime::Backend::kWebGpu}) {
    runtime::SessionOptions o;
    o.backend = backend;
    ApplyTestTuning(&o);
    if (backend == runtime::Backend::kWebGpu) o.shared_device = SharedDevice();
    auto session = runtime::Session::FromModel(*loaded, o);
    if (!session.ok())
      return ::testing::AssertionFailure() << runtime::BackendName(backend) << " session: " << session.status().ToString();
    auto got = (*session)->Run(feeds);
    if (got.ok()) return ::testing::AssertionFailure() << runtime::BackendName(backend) << " accepted the run";
    const std::string text = got.status().ToString();
    for (const std::string& e : expect)
      if (text.find(e) == std::string::npos)
        return ::testing::AssertionFailure() << runtime::BackendName(backend) << ": '" << e << "' not in: " << text;
    if (first.empty()) first = text;
    if (text != first)
      return ::testing::AssertionFailure() << runtime::BackendName(backend) << " says: " << text << "; ref says: " << first;
  }
  return ::testing::AssertionSuccess();
}

HostTensor RandomIntegers(DType t, const Shape& shape, std::mt19937_64& rng, int64_t lo, int64_t hi) {
  HostTensor v(t, shape);
  for (int64_t i = 0; i < v.num_elements(); ++i) v.SetInt(i, std::uniform_int_distribution<int64_t>(lo, hi)(rng));
  return v;
}

::testing::AssertionResult MatchesReference(const std::vector<uint8_t>& model,
                                            const std::map<std::string, HostTensor>& feeds,
                                            const runtime::Tolerance& tol) {
  auto want = RunOn(runtime::Backend::kReference, model, feeds);
  if (!want.ok()) return ::testing::AssertionFailure() << "ref: " << want.status().ToString();
  // Both float32 backends, each with its fusions, against the float64 reference of the graph as written.
  for (runtime::Backend backend : {runtime::Backend::kWebGpu, runtime::Backend::kCpu}) {
    auto got = RunOn(backend, model, feeds);
    if (!got.ok())
      return ::testing::AssertionFailure() << runtime::BackendName(backend) << ": " << got.status().ToString();
    for (const auto& [name, expected] : *want) {
      const auto c = runtime::Compare(got->at(name), expected, tol);
      if (!c.ok)
        return ::testing::AssertionFailure() << runtime::BackendName(backend) << " output '" << name
                                             << "': " << c.message;
    }
  }
  return ::testing::AssertionSuccess();
}

int SweepCount(int ci, int full) {
  const char* v = std::getenv("WEBCONV_FULL_SWEEP");
  return v && std::string(v) == "1" ? full : ci;
}

uint64_t BaseSeed(uint64_t def) {
  const char* v = std::getenv("WEBCONV_SEED");
  return v ? std::strtoull(v, nullptr, 10) : def;
}

}  // namespace webconv::testing
