// Pipelines: a Kernel's WGSL compiled by the bridge into a compute pipeline with an explicit bind group
// layout (storage bindings 0..n-1 as the kernel declares them, then the uniform block at n); the cache by
// Kernel::CacheKey() is BackendDevice's (pipeline_cache.h). Compile errors come back as a Status that names
// the kernel and quotes the offending WGSL line, in the native backend's format.
#include <memory>
#include <vector>

#include "gpu/browser/bridge.h"
#include "gpu/browser/browser_device.h"
#include "gpu/compile_message.h"

namespace webconv::gpu::browser {

Pipeline::~Pipeline() {
  if (handle) wcgpu_pipeline_release(handle);
}

Result<std::shared_ptr<Pipeline>> BrowserDevice::Compile(const Kernel& kernel) {
  const std::string who = "kernel '" + kernel.name + "': ";
  WC_RETURN_IF_ERROR(TakeErrors("before compiling " + who));
  auto out = std::make_shared<Pipeline>();
  out->SetSource(kernel);
  std::vector<uint8_t> read_only;
  for (const BindingDecl& b : kernel.bindings) read_only.push_back(b.read_only ? 1 : 0);
  out->handle = wcgpu_compile(kernel.name.c_str(), kernel.wgsl.c_str(), read_only.data(),
                              static_cast<int>(read_only.size()), kernel.has_uniforms ? 1 : 0);
  if (out->handle) return out;
  const int count = wcgpu_compile_message_count();
  if (count > 0) {
    std::string errors;
    for (int i = 0; i < count && i < 3; ++i) {
      int line = 0, column = 0;
      const std::string text = TakeBridgeString(wcgpu_compile_message(i, &line, &column));
      errors += "\n" + FormatCompileMessage(static_cast<uint64_t>(line), static_cast<uint64_t>(column), text,
                                            kernel.wgsl);
    }
    return DeviceError(who, "WGSL compile error", count > 1 ? "s" : "", ":", errors);
  }
  Status s = TakeErrors(who);
  return s.ok() ? DeviceError(who, "compiling the pipeline failed") : s;
}

}  // namespace webconv::gpu::browser
