// Pipelines: compile Kernels' WGSL into compute pipelines with explicit bind group layouts (storage
// bindings 0..n-1 as each kernel declares them, then the uniform block at n); the cache by pipeline
// identity is BackendDevice's (pipeline_cache.h).
// A batch compiles in two steps. First each shader module is created (Dawn parses and validates the WGSL
// on this thread; a compile error comes back as a Status that names the kernel and quotes the offending
// WGSL line) with its layouts. Then every pipeline is requested with CreateComputePipelineAsync, which
// lets Dawn generate SPIR-V and have the driver compile it on its worker threads, all at once; the
// waits follow in order. WEBCONV_SERIAL_COMPILE=1 creates them one by one instead (for comparisons).
// WEBCONV_COMPILE_TRACE=1 prints, per pipeline, its WGSL size, the time its creation took on this thread
// and when its answer had arrived, to find the pipelines a first result waits for.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "gpu/compile_message.h"
#include "gpu/native/abi_check.h"
#include "gpu/native/native_device.h"
#include "gpu/native/trace.h"

namespace webconv::gpu::native {
namespace {

struct CompileMessage {
  abi::WGPUEnum type = 0;
  uint64_t line = 0, column = 0;
  std::string text;
};

struct CompileResult {
  bool called = false;
  abi::WGPUEnum status = 0;
  std::vector<CompileMessage> messages;
};

void OnCompilationInfo(abi::WGPUEnum status, const abi::WGPUCompilationInfo* info, void* u1, void*) {
  auto* r = static_cast<CompileResult*>(u1);
  r->called = true;
  r->status = status;
  if (!info) return;
  for (size_t i = 0; i < info->messageCount && i < 64; ++i) {
    const abi::WGPUCompilationMessage& m = info->messages[i];
    r->messages.push_back({m.type, m.lineNum, m.linePos, StringOf(m.message)});
  }
}

}  // namespace

Pipeline::~Pipeline() {
  if (pipeline) core->p->ComputePipelineRelease(pipeline);
  if (layout) core->p->BindGroupLayoutRelease(layout);
}

namespace {

// Where an asynchronous pipeline creation reports. Heap-allocated and leaked if its wait fails, since
// Dawn may still call back later.
struct PipelineReply {
  bool called = false;
  abi::WGPUEnum status = 0;
  abi::WGPUComputePipeline pipeline = nullptr;
  std::string message;
};

void OnPipeline(abi::WGPUEnum status, abi::WGPUComputePipeline pipeline, abi::WGPUStringView message, void* u1,
                void*) {
  auto* r = static_cast<PipelineReply*>(u1);
  r->called = true;
  r->status = status;
  r->pipeline = pipeline;
  r->message = StringOf(message);
}

// One kernel's compile in flight: every answer it waits for.
struct InFlight {
  Core::PendingScopes scopes;  // around the shader module and layouts
  abi::WGPUFuture info_future{};
  std::unique_ptr<CompileResult> info;
  abi::WGPUFuture pipeline_future{};
  std::unique_ptr<PipelineReply> reply;
  abi::WGPUComputePipeline serial_pipeline = nullptr;  // WEBCONV_SERIAL_COMPILE
};

// Creates the kernel's shader module (Dawn parses and validates the WGSL here) and layouts, and requests
// its compilation messages and its pipeline; waits for none of them.
void Issue(Core& core, const Kernel& kernel, bool serial, Pipeline* out, InFlight* f) {
  const DawnProcs& p = *core.p;
  core.PushScopes();
  abi::WGPUShaderSourceWGSL source{};
  source.chain.sType = abi::SType::kShaderSourceWGSL;
  source.code = abi::View(kernel.wgsl);
  abi::WGPUShaderModuleDescriptor module_desc{};
  module_desc.nextInChain = &source.chain;
  module_desc.label = abi::View(kernel.name);
  abi::WGPUShaderModule module = p.DeviceCreateShaderModule(core.device, &module_desc);

  // The explicit layout: read-only or read-write storage per binding, then the uniform block.
  std::vector<abi::WGPUBindGroupLayoutEntry> entries(kernel.bindings.size() + (kernel.has_uniforms ? 1 : 0));
  for (size_t i = 0; i < entries.size(); ++i) {
    abi::WGPUBindGroupLayoutEntry& e = entries[i];
    e = abi::WGPUBindGroupLayoutEntry{};
    e.binding = static_cast<uint32_t>(i);
    e.visibility = abi::ShaderStage::kCompute;
    if (i < kernel.bindings.size()) {
      e.buffer.type = kernel.bindings[i].read_only ? abi::BufferBindingType::kReadOnlyStorage
                                                   : abi::BufferBindingType::kStorage;
    } else {
      e.buffer.type = abi::BufferBindingType::kUniform;
    }
  }
  abi::WGPUBindGroupLayoutDescriptor layout_desc{};
  layout_desc.label = abi::View(kernel.name);
  layout_desc.entryCount = entries.size();
  layout_desc.entries = entries.data();
  out->layout = p.DeviceCreateBindGroupLayout(core.device, &layout_desc);
  abi::WGPUPipelineLayoutDescriptor pl_desc{};
  pl_desc.label = abi::View(kernel.name);
  pl_desc.bindGroupLayoutCount = 1;
  pl_desc.bindGroupLayouts = &out->layout;
  abi::WGPUPipelineLayout pipeline_layout = p.DeviceCreatePipelineLayout(core.device, &pl_desc);
  f->scopes = core.PopScopesLater();

  f->info = std::make_unique<CompileResult>();
  abi::WGPUCompilationInfoCallbackInfo info{};
  info.mode = abi::CallbackMode::kWaitAnyOnly;
  info.callback = OnCompilationInfo;
  info.userdata1 = f->info.get();
  f->info_future = p.ShaderModuleGetCompilationInfo(module, info);

  abi::WGPUComputePipelineDescriptor d{};
  d.label = abi::View(kernel.name);
  d.layout = pipeline_layout;
  d.compute.module = module;
  d.compute.entryPoint = abi::View("main");  // KernelBuilder's convention
  if (serial) {
    f->serial_pipeline = p.DeviceCreateComputePipeline(core.device, &d);
  } else {
    f->reply = std::make_unique<PipelineReply>();
    abi::WGPUCreateComputePipelineAsyncCallbackInfo cb{};
    cb.mode = abi::CallbackMode::kWaitAnyOnly;
    cb.callback = OnPipeline;
    cb.userdata1 = f->reply.get();
    f->pipeline_future = p.DeviceCreateComputePipelineAsync(core.device, &d, cb);
  }
  // The requests hold what they need.
  p.PipelineLayoutRelease(pipeline_layout);
  p.ShaderModuleRelease(module);
}

// Waits for one kernel's answers, in the order that gives the clearest message: WGSL errors (with the
// offending line), then errors creating the module or layouts, then the pipeline's own.
Status Settle(Core& core, const Kernel& kernel, bool serial, InFlight* f, abi::WGPUComputePipeline* pipeline) {
  const DawnProcs& p = *core.p;
  const std::string who = "kernel '" + kernel.name + "': ";
  Status result = core.waiter->WaitFor(f->info_future, f->info, "WGSL compilation").Prefixed(who);
  if (result.ok()) {
    std::string errors;
    int shown = 0;
    for (const CompileMessage& m : f->info->messages) {
      if (m.type < abi::CompilationMessageType::kError || m.type > abi::CompilationMessageType::kInfo) {
        result = DeviceError("ABI mismatch: a WGPUCompilationMessage from '", p.path, "' has type ", m.type);
        break;
      }
      if (m.type == abi::CompilationMessageType::kError && shown++ < 3) {
        errors += "\n" + FormatCompileMessage(m.line, m.column, m.text, kernel.wgsl);
      }
    }
    if (result.ok() && !errors.empty())
      result = DeviceError(who, "WGSL compile error", shown > 1 ? "s" : "", ":", errors);
  }
  Status scopes = core.WaitScopes(f->scopes, who + "creating the shader module: ");
  if (result.ok()) result = scopes;
  abi::WGPUComputePipeline made = nullptr;
  if (serial) {
    made = f->serial_pipeline;
  } else {
    Status waited = core.waiter->WaitFor(f->pipeline_future, f->reply, "the compile of " + who);
    if (!waited.ok()) {
      if (result.ok()) result = waited.Prefixed(who);
    } else {
      made = f->reply->pipeline;
      if (result.ok() && (f->reply->status != abi::kSuccess || !made)) {
        result = DeviceError(who, "creating the compute pipeline failed (status ", f->reply->status,
                             "): ", f->reply->message);
      }
    }
  }
  if (result.ok() && !made) result = DeviceError(who, "creating the compute pipeline failed");
  if (!result.ok()) {
    if (made) p.ComputePipelineRelease(made);
    return result;
  }
  *pipeline = made;
  return OkStatus();
}

}  // namespace

// A batch of compiles in flight: every request issued, answers not yet taken.
struct NativeBatch {
  std::vector<const Kernel*> kernels;
  std::vector<std::shared_ptr<Pipeline>> pipes;
  std::vector<InFlight> flights;
  std::vector<double> issue_ms;
  bool serial = false, trace = false;
  std::chrono::steady_clock::time_point t0;
};

namespace {

// Every request first, so the driver compiles them side by side on Dawn's worker threads; only the
// parsing of each WGSL happens on this thread.
std::unique_ptr<NativeBatch> IssueBatch(const std::shared_ptr<Core>& core, const std::vector<const Kernel*>& kernels) {
  auto b = std::make_unique<NativeBatch>();
  const size_t n = kernels.size();
  b->kernels = kernels;
  b->serial = EnvFlag("WEBCONV_SERIAL_COMPILE");
  b->trace = TraceOn();
  b->t0 = std::chrono::steady_clock::now();
  b->issue_ms.resize(n);
  b->flights.resize(n);
  for (size_t i = 0; i < n; ++i) {
    auto pipe = std::make_shared<Pipeline>();
    pipe->core = core;
    pipe->SetSource(*kernels[i]);
    b->pipes.push_back(pipe);
    const auto ti = std::chrono::steady_clock::now();
    Issue(*core, *kernels[i], b->serial, pipe.get(), &b->flights[i]);
    b->issue_ms[i] = MsBetween(ti, std::chrono::steady_clock::now());
  }
  return b;
}

// Whether every answer of the batch has arrived; never waits.
bool BatchAnswered(const Core& core, const NativeBatch& b) {
  for (const InFlight& f : b.flights) {
    if (!core.waiter->Done(f.info_future)) return false;
    if (!b.serial && !core.waiter->Done(f.pipeline_future)) return false;
  }
  return true;
}

// Takes the answers in the kernels' order; the pipelines of a failed batch are released.
Status SettleBatch(Core& core, NativeBatch& b, const ProgressFn& progress, Status first) {
  const size_t n = b.kernels.size();
  for (size_t i = 0; i < n; ++i) {
    abi::WGPUComputePipeline made = nullptr;
    Status st = Settle(core, *b.kernels[i], b.serial, &b.flights[i], &made);
    if (b.trace) {
      std::fprintf(stderr, "compile trace: %3zu %-48s wgsl %6zu B  issue %6.1f ms  answered by %7.1f ms\n", i,
                   b.kernels[i]->name.c_str(), b.kernels[i]->wgsl.size(), b.issue_ms[i],
                   MsBetween(b.t0, std::chrono::steady_clock::now()));
    }
    if (!st.ok()) {
      if (first.ok()) first = st;
      continue;  // the rest are still waited for: their callbacks write into `flights`
    }
    if (first.ok()) {
      b.pipes[i]->pipeline = made;
      if (progress) progress(i + 1, n);
    } else {
      core.p->ComputePipelineRelease(made);
    }
  }
  if (first.ok()) first = core.TakeErrors("compiling pipelines: ");
  return first;
}

}  // namespace

Status NativeDevice::CompileBatch(const std::vector<const Kernel*>& kernels, const ProgressFn& progress,
                                  const std::function<Status()>& meanwhile,
                                  std::vector<std::shared_ptr<Pipeline>>* out) {
  WC_RETURN_IF_ERROR(core_->TakeErrors("before compiling kernel '" + kernels.front()->name + "': "));
  std::unique_ptr<NativeBatch> b = IssueBatch(core_, kernels);
  const auto t_issued = std::chrono::steady_clock::now();
  Status first = meanwhile ? meanwhile() : OkStatus();
  if (b->trace) {
    std::fprintf(stderr, "compile trace: %zu pipelines issued in %.1f ms, then %.1f ms of other work\n",
                 kernels.size(), MsBetween(b->t0, t_issued), MsBetween(t_issued, std::chrono::steady_clock::now()));
  }
  first = SettleBatch(*core_, *b, progress, first);
  *out = std::move(b->pipes);
  return first;
}

// The background form: issued when made, answers taken by Poll (once all have arrived) or Wait.
class NativeCompileJob final : public CompileJob {
 public:
  NativeCompileJob(NativeDevice* device, std::vector<const Kernel*> misses) : device_(device) {
    if (misses.empty()) {
      finished_ = true;
      return;
    }
    status_ = device_->core_->TakeErrors("before compiling kernel '" + misses.front()->name + "': ");
    if (!status_.ok()) {
      finished_ = true;
      return;
    }
    t0_ = std::chrono::steady_clock::now();
    batch_ = IssueBatch(device_->core_, misses);
  }
  ~NativeCompileJob() override {
    // Answers still owed write into the batch: take them before it goes.
    if (!finished_) (void)Wait();
  }
  Result<bool> Poll() override {
    if (!finished_ && BatchAnswered(*device_->core_, *batch_)) Finish();
    WC_RETURN_IF_ERROR(status_);
    return finished_;
  }
  Status Wait() override {
    if (!finished_) Finish();
    return status_;
  }

 private:
  void Finish() {
    finished_ = true;
    status_ = SettleBatch(*device_->core_, *batch_, nullptr, OkStatus());
    if (status_.ok())
      device_->AddCompiled(batch_->kernels, batch_->pipes, MsBetween(t0_, std::chrono::steady_clock::now()));
  }
  NativeDevice* device_;
  std::unique_ptr<NativeBatch> batch_;
  bool finished_ = false;
  Status status_;
  std::chrono::steady_clock::time_point t0_;
};

std::unique_ptr<CompileJob> NativeDevice::StartCompile(const std::vector<const Kernel*>& kernels) {
  return std::make_unique<NativeCompileJob>(this, Misses(kernels));
}

}  // namespace webconv::gpu::native
