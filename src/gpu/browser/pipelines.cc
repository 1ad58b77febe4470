// Pipelines: Kernels' WGSL compiled by the bridge into compute pipelines with explicit bind group layouts
// (storage bindings 0..n-1 as each kernel declares them, then the uniform block at n), a batch at a time
// and concurrently (createComputePipelineAsync); the cache by pipeline identity is BackendDevice's
// (pipeline_cache.h); StartCompile's job compiles in the background, polled between runs. Compile errors come back as a Status that names the kernel and quotes the
// offending WGSL line, in the native backend's format.
#include <chrono>
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

// Starts every kernel's compile without waiting: the pending handles, in order.
std::vector<int> IssueCompiles(const std::vector<const Kernel*>& kernels) {
  std::vector<int> pending;
  for (const Kernel* k : kernels) {
    std::vector<uint8_t> read_only;
    for (const BindingDecl& b : k->bindings) read_only.push_back(b.read_only ? 1 : 0);
    pending.push_back(wcgpu_compile_begin(k->name.c_str(), k->wgsl.c_str(), read_only.data(),
                                          static_cast<int>(read_only.size()), k->has_uniforms ? 1 : 0));
  }
  return pending;
}

void AbandonCompiles(const std::vector<int>& pending, size_t from) {
  for (size_t i = from; i < pending.size(); ++i) wcgpu_compile_abandon(pending[i]);
}

// Waits for the issued compiles in order: their pipelines, or the first failure (the rest abandoned).
Status FinishCompiles(const std::vector<const Kernel*>& kernels, const std::vector<int>& pending,
                      const ProgressFn& progress, std::vector<std::shared_ptr<Pipeline>>* out) {
  out->clear();
  for (size_t i = 0; i < kernels.size(); ++i) {
    auto pipe = std::make_shared<Pipeline>();
    pipe->SetSource(*kernels[i]);
    pipe->handle = wcgpu_compile_finish(pending[i]);
    if (!pipe->handle) {
      Status failure = CompileFailure(*kernels[i]);
      AbandonCompiles(pending, i + 1);
      return failure;
    }
    out->push_back(std::move(pipe));
    if (progress) progress(i + 1, kernels.size());
  }
  return OkStatus();
}

}  // namespace

Status BrowserDevice::CompileBatch(const std::vector<const Kernel*>& kernels, const ProgressFn& progress,
                                   const std::function<Status()>& meanwhile,
                                   std::vector<std::shared_ptr<Pipeline>>* out) {
  WC_RETURN_IF_ERROR(TakeErrors("before compiling kernel '" + kernels.front()->name + "': "));
  // Every compile is started before the first wait, so the browser compiles them side by side.
  const std::vector<int> pending = IssueCompiles(kernels);
  out->clear();
  if (meanwhile) {
    Status st = meanwhile();
    if (!st.ok()) {
      AbandonCompiles(pending, 0);
      return st;
    }
  }
  return FinishCompiles(kernels, pending, progress, out);
}

// The background form. The browser compiles in its GPU process while the page goes on; Poll asks the
// bridge, without suspending the module, whether every compile has settled, and only then takes the
// answers (each wcgpu_compile_finish then resumes at once).
class BrowserCompileJob final : public CompileJob {
 public:
  BrowserCompileJob(BrowserDevice* device, std::vector<const Kernel*> misses)
      : device_(device), kernels_(std::move(misses)) {
    if (kernels_.empty()) {
      finished_ = true;
      return;
    }
    status_ = TakeErrors("before compiling kernel '" + kernels_.front()->name + "': ");
    if (!status_.ok()) {
      finished_ = true;
      return;
    }
    t0_ = std::chrono::steady_clock::now();
    pending_ = IssueCompiles(kernels_);
  }
  ~BrowserCompileJob() override {
    if (!finished_) AbandonCompiles(pending_, 0);  // the promises settle into nothing
  }
  Result<bool> Poll() override {
    if (!finished_ && AllSettled()) Finish();
    WC_RETURN_IF_ERROR(status_);
    return finished_;
  }
  Status Wait() override {
    if (!finished_) Finish();
    return status_;
  }

 private:
  bool AllSettled() const {
    for (int h : pending_)
      if (!wcgpu_compile_settled(h)) return false;
    return true;
  }
  void Finish() {
    finished_ = true;
    std::vector<std::shared_ptr<Pipeline>> pipes;
    status_ = FinishCompiles(kernels_, pending_, nullptr, &pipes);
    if (status_.ok()) {
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0_).count();
      device_->AddCompiled(kernels_, pipes, ms);
    }
  }
  BrowserDevice* device_;
  std::vector<const Kernel*> kernels_;
  std::vector<int> pending_;
  bool finished_ = false;
  Status status_;
  std::chrono::steady_clock::time_point t0_;
};

std::unique_ptr<CompileJob> BrowserDevice::StartCompile(const std::vector<const Kernel*>& kernels) {
  return std::make_unique<BrowserCompileJob>(this, Misses(kernels));
}

}  // namespace webconv::gpu::browser
