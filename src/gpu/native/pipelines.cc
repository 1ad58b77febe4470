// Pipelines: compile Kernels' WGSL into compute pipelines with explicit bind group layouts (storage
// bindings 0..n-1 as each kernel declares them, then the uniform block at n); the cache by pipeline
// identity is BackendDevice's (pipeline_cache.h).
// A batch compiles in two steps. First each shader module is created (Dawn parses and validates the WGSL
// on this thread; a compile error comes back as a Status that names the kernel and quotes the offending
// WGSL line) with its layouts. Then every pipeline is requested with CreateComputePipelineAsync, which
// lets Dawn generate SPIR-V and have the driver compile it on its worker threads, all at once; the
// waits follow in order. WEBCONV_SERIAL_COMPILE=1 creates them one by one instead (for comparisons).
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "gpu/compile_message.h"
#include "gpu/native/abi_check.h"
#include "gpu/native/native_device.h"

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

// A shader module and the layouts of one kernel, made before its pipeline is requested.
struct Staged {
  abi::WGPUShaderModule module = nullptr;
  abi::WGPUPipelineLayout pipeline_layout = nullptr;
};

// Creates the kernel's shader module (with its compilation messages) and layouts into `out` and `staged`.
Status StageKernel(Core& core, const Kernel& kernel, Pipeline* out, Staged* staged) {
  const DawnProcs& p = *core.p;
  const std::string who = "kernel '" + kernel.name + "': ";
  core.PushScopes();
  abi::WGPUShaderSourceWGSL source{};
  source.chain.sType = abi::SType::kShaderSourceWGSL;
  source.code = abi::View(kernel.wgsl);
  abi::WGPUShaderModuleDescriptor module_desc{};
  module_desc.nextInChain = &source.chain;
  module_desc.label = abi::View(kernel.name);
  staged->module = p.DeviceCreateShaderModule(core.device, &module_desc);
  auto compiled = std::make_unique<CompileResult>();
  abi::WGPUCompilationInfoCallbackInfo info{};
  info.mode = abi::CallbackMode::kWaitAnyOnly;
  info.callback = OnCompilationInfo;
  info.userdata1 = compiled.get();
  Status waited =
      core.waiter->WaitFor(p.ShaderModuleGetCompilationInfo(staged->module, info), compiled, "WGSL compilation");
  if (!waited.ok()) {
    (void)core.PopScopes("");
    return waited.Prefixed(who);
  }
  Status scope = core.PopScopes(who + "creating the shader module: ");
  std::string errors;
  int shown = 0;
  for (const CompileMessage& m : compiled->messages) {
    if (m.type < abi::CompilationMessageType::kError || m.type > abi::CompilationMessageType::kInfo) {
      return DeviceError("ABI mismatch: a WGPUCompilationMessage from '", p.path, "' has type ", m.type);
    }
    if (m.type == abi::CompilationMessageType::kError && shown++ < 3) {
      errors += "\n" + FormatCompileMessage(m.line, m.column, m.text, kernel.wgsl);
    }
  }
  if (!errors.empty()) return DeviceError(who, "WGSL compile error", shown > 1 ? "s" : "", ":", errors);
  WC_RETURN_IF_ERROR(scope);

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
  core.PushScopes();
  abi::WGPUBindGroupLayoutDescriptor layout_desc{};
  layout_desc.label = abi::View(kernel.name);
  layout_desc.entryCount = entries.size();
  layout_desc.entries = entries.data();
  out->layout = p.DeviceCreateBindGroupLayout(core.device, &layout_desc);
  abi::WGPUPipelineLayoutDescriptor pl_desc{};
  pl_desc.label = abi::View(kernel.name);
  pl_desc.bindGroupLayoutCount = 1;
  pl_desc.bindGroupLayouts = &out->layout;
  staged->pipeline_layout = p.DeviceCreatePipelineLayout(core.device, &pl_desc);
  return core.PopScopes(who + "creating the pipeline layout: ");
}

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

bool SerialCompile() {
  const char* env = std::getenv("WEBCONV_SERIAL_COMPILE");
  return env && *env && std::string(env) != "0";
}

}  // namespace

Status NativeDevice::CompileBatch(const std::vector<const Kernel*>& kernels, const ProgressFn& progress,
                                  std::vector<std::shared_ptr<Pipeline>>* out) {
  const DawnProcs& p = *core_->p;
  WC_RETURN_IF_ERROR(core_->TakeErrors("before compiling kernel '" + kernels.front()->name + "': "));
  const size_t n = kernels.size();
  std::vector<Staged> staged(n);
  auto release_staged = [&]() {
    for (Staged& s : staged) {
      if (s.pipeline_layout) p.PipelineLayoutRelease(s.pipeline_layout);
      if (s.module) p.ShaderModuleRelease(s.module);
      s = Staged{};
    }
  };
  out->clear();
  for (size_t i = 0; i < n; ++i) {
    auto pipe = std::make_shared<Pipeline>();
    pipe->core = core_;
    pipe->SetSource(*kernels[i]);
    out->push_back(pipe);
    Status st = StageKernel(*core_, *kernels[i], pipe.get(), &staged[i]);
    if (!st.ok()) {
      release_staged();
      return st;
    }
  }

  auto describe = [&](size_t i) {
    abi::WGPUComputePipelineDescriptor d{};
    d.label = abi::View((*out)[i]->name);
    d.layout = staged[i].pipeline_layout;
    d.compute.module = staged[i].module;
    d.compute.entryPoint = abi::View("main");  // KernelBuilder's convention
    return d;
  };
  Status result;
  if (SerialCompile()) {
    for (size_t i = 0; i < n && result.ok(); ++i) {
      const std::string who = "kernel '" + kernels[i]->name + "': ";
      core_->PushScopes();
      const abi::WGPUComputePipelineDescriptor d = describe(i);
      (*out)[i]->pipeline = p.DeviceCreateComputePipeline(core_->device, &d);
      result = core_->PopScopes(who + "creating the compute pipeline: ");
      if (result.ok() && !(*out)[i]->pipeline) result = DeviceError(who, "creating the compute pipeline failed");
      if (result.ok() && progress) progress(i + 1, n);
    }
    release_staged();
    return result;
  }
  // All requests first, so the driver compiles them side by side; then the waits, in order.
  std::vector<std::unique_ptr<PipelineReply>> replies(n);
  std::vector<abi::WGPUFuture> futures(n);
  for (size_t i = 0; i < n; ++i) {
    replies[i] = std::make_unique<PipelineReply>();
    abi::WGPUCreateComputePipelineAsyncCallbackInfo info{};
    info.mode = abi::CallbackMode::kWaitAnyOnly;
    info.callback = OnPipeline;
    info.userdata1 = replies[i].get();
    const abi::WGPUComputePipelineDescriptor d = describe(i);
    futures[i] = p.DeviceCreateComputePipelineAsync(core_->device, &d, info);
  }
  release_staged();  // the requests hold what they need
  for (size_t i = 0; i < n; ++i) {
    const std::string who = "kernel '" + kernels[i]->name + "': ";
    if (!result.ok()) {
      // After a failure the rest are still waited for (their callbacks write into `replies`), but
      // their pipelines are released rather than kept.
      Status waited = core_->waiter->WaitFor(futures[i], replies[i], "a pipeline compile");
      if (waited.ok() && replies[i]->pipeline) p.ComputePipelineRelease(replies[i]->pipeline);
      continue;
    }
    Status waited = core_->waiter->WaitFor(futures[i], replies[i], "the compile of " + who);
    if (!waited.ok()) {
      result = waited.Prefixed(who);
      continue;
    }
    const PipelineReply& r = *replies[i];
    if (r.status != abi::kSuccess || !r.pipeline) {
      if (r.pipeline) p.ComputePipelineRelease(r.pipeline);
      result = DeviceError(who, "creating the compute pipeline failed (status ", r.status, "): ", r.message);
      continue;
    }
    (*out)[i]->pipeline = r.pipeline;
    if (progress) progress(i + 1, n);
  }
  if (result.ok()) result = core_->TakeErrors("compiling pipelines: ");
  return result;
}

}  // namespace webconv::gpu::native
