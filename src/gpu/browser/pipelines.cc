// Pipelines: a Kernel's WGSL compiled by the bridge into a compute pipeline with an explicit bind group
// layout (storage bindings 0..n-1 as the kernel declares them, then the uniform block at n), cached by
// Kernel::CacheKey(). Compile errors come back as a Status that names the kernel and quotes the
// offending WGSL line, in the native backend's format.
#include <memory>
#include <vector>

#include "gpu/browser/bridge.h"
#include "gpu/browser/browser_device.h"

namespace webconv::gpu::browser {
namespace {

std::string LineOf(const std::string& src, uint64_t line) {
  size_t start = 0;
  for (uint64_t l = 1; l < line; ++l) {
    start = src.find('\n', start);
    if (start == std::string::npos) return "";
    ++start;
  }
  const size_t end = src.find('\n', start);
  return src.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// "line 12:9: unresolved identifier 'x'" followed by the quoted line and a caret under the column.
std::string Format(uint64_t line, uint64_t column, const std::string& text, const std::string& src) {
  std::string s = StrCat("line ", line, ":", column, ": ", text);
  const std::string quoted = LineOf(src, line);
  if (line > 0 && !quoted.empty()) {
    const std::string num = std::to_string(line);
    s += "\n  " + num + " | " + quoted;
    if (column > 0 && column <= quoted.size() + 1) {
      s += "\n  " + std::string(num.size(), ' ') + " | " + std::string(column - 1, ' ') + "^";
    }
  }
  return s;
}

}  // namespace

Pipeline::~Pipeline() {
  if (handle) wcgpu_pipeline_release(handle);
}

Status BrowserDevice::Prepare(const Kernel& kernel) {
  return GetPipeline(kernel).status();
}

Result<std::shared_ptr<Pipeline>> BrowserDevice::GetPipeline(const Kernel& kernel) {
  const std::string key = kernel.CacheKey();
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    WC_ASSIGN_OR_RETURN(std::shared_ptr<Pipeline> compiled, Compile(kernel));
    return cache_.emplace(key, std::move(compiled)).first->second;
  }
  const Pipeline& hit = *it->second;
  bool same_bindings =
      hit.read_only.size() == kernel.bindings.size() && hit.has_uniforms == kernel.has_uniforms;
  for (size_t i = 0; same_bindings && i < hit.read_only.size(); ++i) {
    same_bindings = hit.read_only[i] == kernel.bindings[i].read_only;
  }
  if (hit.wgsl != kernel.wgsl || !same_bindings) {
    return DeviceError("internal error: kernel '", kernel.name, "': pipeline cache key '", key,
                       "' was first compiled from different WGSL or bindings; the kernel's specialization "
                       "must name everything that its WGSL depends on");
  }
  return it->second;
}

Result<std::shared_ptr<Pipeline>> BrowserDevice::Compile(const Kernel& kernel) {
  const std::string who = "kernel '" + kernel.name + "': ";
  WC_RETURN_IF_ERROR(TakeErrors("before compiling " + who));
  auto out = std::make_shared<Pipeline>();
  out->name = kernel.name;
  out->wgsl = kernel.wgsl;
  std::vector<uint8_t> read_only;
  for (const BindingDecl& b : kernel.bindings) {
    out->read_only.push_back(b.read_only);
    read_only.push_back(b.read_only ? 1 : 0);
  }
  out->has_uniforms = kernel.has_uniforms;
  out->handle = wcgpu_compile(kernel.name.c_str(), kernel.wgsl.c_str(), read_only.data(),
                              static_cast<int>(read_only.size()), kernel.has_uniforms ? 1 : 0);
  if (out->handle) return out;
  const int count = wcgpu_compile_message_count();
  if (count > 0) {
    std::string errors;
    for (int i = 0; i < count && i < 3; ++i) {
      int line = 0, column = 0;
      const std::string text = TakeBridgeString(wcgpu_compile_message(i, &line, &column));
      errors += "\n" + Format(static_cast<uint64_t>(line), static_cast<uint64_t>(column), text, kernel.wgsl);
    }
    return DeviceError(who, "WGSL compile error", count > 1 ? "s" : "", ":", errors);
  }
  Status s = TakeErrors(who);
  return s.ok() ? DeviceError(who, "compiling the pipeline failed") : s;
}

}  // namespace webconv::gpu::browser
