// Pipelines: compile a Kernel's WGSL into a compute pipeline with an explicit bind group layout (storage
// bindings 0..n-1 as the kernel declares them, then the uniform block at n); the cache by Kernel::CacheKey()
// is BackendDevice's (pipeline_cache.h).
// Compile errors come back as a Status that names the kernel and quotes the offending WGSL line.
#include <algorithm>
#include <memory>
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

Result<std::shared_ptr<Pipeline>> NativeDevice::Compile(const Kernel& kernel) {
  const DawnProcs& p = *core_->p;
  const std::string who = "kernel '" + kernel.name + "': ";
  WC_RETURN_IF_ERROR(core_->TakeErrors("before compiling " + who));
  auto out = std::make_shared<Pipeline>();
  out->core = core_;
  out->SetSource(kernel);

  // 1. The shader module, and its compilation messages.
  core_->PushScopes();
  abi::WGPUShaderSourceWGSL source{};
  source.chain.sType = abi::SType::kShaderSourceWGSL;
  source.code = abi::View(kernel.wgsl);
  abi::WGPUShaderModuleDescriptor module_desc{};
  module_desc.nextInChain = &source.chain;
  module_desc.label = abi::View(kernel.name);
  abi::WGPUShaderModule module = p.DeviceCreateShaderModule(core_->device, &module_desc);
  auto compiled = std::make_unique<CompileResult>();
  abi::WGPUCompilationInfoCallbackInfo info{};
  info.mode = abi::CallbackMode::kWaitAnyOnly;
  info.callback = OnCompilationInfo;
  info.userdata1 = compiled.get();
  Status waited =
      core_->waiter->WaitFor(p.ShaderModuleGetCompilationInfo(module, info), compiled, "WGSL compilation");
  if (!waited.ok()) {
    p.ShaderModuleRelease(module);
    (void)core_->PopScopes("");
    return waited.Prefixed(who);
  }
  Status scope = core_->PopScopes(who + "creating the shader module: ");
  std::string errors;
  int shown = 0;
  for (const CompileMessage& m : compiled->messages) {
    if (m.type < abi::CompilationMessageType::kError || m.type > abi::CompilationMessageType::kInfo) {
      p.ShaderModuleRelease(module);
      return DeviceError("ABI mismatch: a WGPUCompilationMessage from '", p.path, "' has type ", m.type);
    }
    if (m.type == abi::CompilationMessageType::kError && shown++ < 3) {
      errors += "\n" + FormatCompileMessage(m.line, m.column, m.text, kernel.wgsl);
    }
  }
  if (!errors.empty()) {
    p.ShaderModuleRelease(module);
    return DeviceError(who, "WGSL compile error", shown > 1 ? "s" : "", ":", errors);
  }
  if (!scope.ok()) {
    p.ShaderModuleRelease(module);
    return scope;
  }

  // 2. The explicit layout: read-only or read-write storage per binding, then the uniform block.
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
  core_->PushScopes();
  abi::WGPUBindGroupLayoutDescriptor layout_desc{};
  layout_desc.label = abi::View(kernel.name);
  layout_desc.entryCount = entries.size();
  layout_desc.entries = entries.data();
  out->layout = p.DeviceCreateBindGroupLayout(core_->device, &layout_desc);
  abi::WGPUPipelineLayoutDescriptor pl_desc{};
  pl_desc.label = abi::View(kernel.name);
  pl_desc.bindGroupLayoutCount = 1;
  pl_desc.bindGroupLayouts = &out->layout;
  abi::WGPUPipelineLayout pipeline_layout = p.DeviceCreatePipelineLayout(core_->device, &pl_desc);

  // 3. The pipeline; entry point `main` (KernelBuilder's convention).
  abi::WGPUComputePipelineDescriptor pipe_desc{};
  pipe_desc.label = abi::View(kernel.name);
  pipe_desc.layout = pipeline_layout;
  pipe_desc.compute.module = module;
  pipe_desc.compute.entryPoint = abi::View("main");
  out->pipeline = p.DeviceCreateComputePipeline(core_->device, &pipe_desc);
  p.PipelineLayoutRelease(pipeline_layout);
  p.ShaderModuleRelease(module);
  WC_RETURN_IF_ERROR(core_->PopScopes(who + "creating the compute pipeline: "));
  if (!out->pipeline) return DeviceError(who, "creating the compute pipeline failed");
  return out;
}

}  // namespace webconv::gpu::native
