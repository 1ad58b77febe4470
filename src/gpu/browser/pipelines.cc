// Pipelines: Kernels' WGSL compiled by the bridge into compute pipelines with explicit bind group layouts
// (storage bindings 0..n-1 as each kernel declares them, then the uniform block at n), a batch at a time
// and concurrently (createComputePipelineAsync); the cache by pipeline identity is BackendDevice's
// (pipeline_cache.h). Compile errors come back as a Status that names the kernel and quotes the
// offending WGSL line, in the native backend's format.
#include <memory>
#include <vector>

#include "gpu/browser/bridge.h"
#include "gpu/browser/browser_device.h"
#include "gpu/compile_message.h"

namespace webconv::gpu::browser {

Pipeline::~Pipeline() {
  if (handle) wcgpu_pipeline_release(handle);
}

namespace {

// The error of a failed wcgpu_compile_finish: the compile messages, else the bridge's error.
Status CompileFailure(const Kernel& kernel) {
  const std::string who = "kernel '" + kernel.name + "': ";
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

}  // namespace

Status BrowserDevice::CompileBatch(const std::vector<const Kernel*>& kernels, const ProgressFn& progress,
                                   const std::function<Status()>& meanwhile,
                                   std::vector<std::shared_ptr<Pipeline>>* out) {
  WC_RETURN_IF_ERROR(TakeErrors("before compiling kernel '" + kernels.front()->name + "': "));
  // Every compile is started before the first wait, so the browser compiles them side by side.
  std::vector<int> pending;
  for (const Kernel* k : kernels) {
    std::vector<uint8_t> read_only;
    for (const BindingDecl& b : k->bindings) read_only.push_back(b.read_only ? 1 : 0);
    pending.push_back(wcgpu_compile_begin(k->name.c_str(), k->wgsl.c_str(), read_only.data(),
                                          static_cast<int>(read_only.size()), k->has_uniforms ? 1 : 0));
  }
  out->clear();
  if (meanwhile) {
    Status st = meanwhile();
    if (!st.ok()) {
      for (int h : pending) wcgpu_compile_abandon(h);
      return st;
    }
  }
  for (size_t i = 0; i < kernels.size(); ++i) {
    auto pipe = std::make_shared<Pipeline>();
    pipe->SetSource(*kernels[i]);
    pipe->handle = wcgpu_compile_finish(pending[i]);
    if (!pipe->handle) {
      Status failure = CompileFailure(*kernels[i]);
      for (size_t j = i + 1; j < kernels.size(); ++j) wcgpu_compile_abandon(pending[j]);
      return failure;
    }
    out->push_back(std::move(pipe));
    if (progress) progress(i + 1, kernels.size());
  }
  return OkStatus();
}

}  // namespace webconv::gpu::browser
