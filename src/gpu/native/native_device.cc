// Device::Create for the native backend: load Dawn, choose the adapter, request the device with the
// adapter's maximum limits for what kernels need, hook up error callbacks, and check the ABI on the way.
#include "gpu/compute_units.h"
#include "gpu/native/native_device.h"

#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <vector>

#include "gpu/native/abi_check.h"
#include "gpu/native/adapter.h"

namespace webconv::gpu {

using native::Core;

namespace {

void OnDeviceLost(const abi::WGPUDevice*, abi::WGPUEnum reason, abi::WGPUStringView message, void* core,
                  void*) {
  // Destroyed: our own ~Core. CallbackCancelled: the instance went away first. Neither is a failure.
  if (reason == abi::DeviceLostReason::kDestroyed || reason == abi::DeviceLostReason::kCallbackCancelled)
    return;
  static_cast<Core*>(core)->RecordLost(StrCat(native::StringOf(message), " (reason ", reason, ")"));
}

void OnUncapturedError(const abi::WGPUDevice*, abi::WGPUEnum type, abi::WGPUStringView message, void* core,
                       void*) {
  const char* kind = type == abi::ErrorType::kValidation    ? "validation error: "
                     : type == abi::ErrorType::kOutOfMemory ? "out-of-memory error: "
                                                            : "internal error: ";
  static_cast<Core*>(core)->RecordError(kind + native::StringOf(message));
}

// Limits the kernels care about are raised to the adapter's maximum; every other field stays
// "undefined" (all bits set, as WGPU_LIMITS_INIT does), meaning WebGPU's default.
abi::WGPULimits RequiredLimits(const abi::WGPULimits& adapter) {
  abi::WGPULimits l;
  std::memset(static_cast<void*>(&l), 0xFF, sizeof(l));
  l.nextInChain = nullptr;
  l.maxStorageBufferBindingSize = adapter.maxStorageBufferBindingSize;
  l.maxBufferSize = adapter.maxBufferSize;
  l.maxStorageBuffersPerShaderStage = adapter.maxStorageBuffersPerShaderStage;
  l.maxComputeWorkgroupStorageSize = adapter.maxComputeWorkgroupStorageSize;
  l.maxComputeInvocationsPerWorkgroup = adapter.maxComputeInvocationsPerWorkgroup;
  l.maxComputeWorkgroupSizeX = adapter.maxComputeWorkgroupSizeX;
  l.maxComputeWorkgroupSizeY = adapter.maxComputeWorkgroupSizeY;
  l.maxComputeWorkgroupSizeZ = adapter.maxComputeWorkgroupSizeZ;
  l.maxComputeWorkgroupsPerDimension = adapter.maxComputeWorkgroupsPerDimension;
  return l;
}

// Test hook: WEBCONV_GPU_MAX_BUFFER_BYTES lowers the device's buffer limits (never raises them), so
// that the "tensor larger than the device allows" path can be tested on adapters whose limits are
// large (SwiftShader's are gigabytes). Unset or not a positive number: no effect.
void ApplyForcedBufferLimit(abi::WGPULimits* l) {
  const char* env = std::getenv("WEBCONV_GPU_MAX_BUFFER_BYTES");
  if (!env || !*env) return;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(env, &end, 10);
  if (*end != '\0' || v == 0) return;
  if (v < l->maxBufferSize) l->maxBufferSize = v;
  if (v < l->maxStorageBufferBindingSize) l->maxStorageBufferBindingSize = v;
}

size_t LoadCacheData(const void* key, size_t key_size, void* value, size_t value_size, void* cache) {
  return static_cast<native::DiskCache*>(cache)->Load(key, key_size, value, value_size);
}

void StoreCacheData(const void* key, size_t key_size, const void* value, size_t value_size, void* cache) {
  static_cast<native::DiskCache*>(cache)->Store(key, key_size, value, value_size);
}

bool CacheWanted(const DeviceOptions& options) {
  if (!options.pipeline_cache) return false;
  const char* env = std::getenv("WEBCONV_PIPELINE_CACHE");
  return !(env && (std::string(env) == "0" || std::string(env) == "off"));
}

// What compiled code depends on besides the shader: the adapter, its driver, and the Dawn library
// (path, size and modification time stand for its version). Each becomes part of the cache folder's name.
std::string CacheIsolation(const native::DawnProcs& p, const native::ChosenAdapter& chosen) {
  struct stat st {};
  const bool have = stat(p.path.c_str(), &st) == 0;
  return StrCat("adapter: ", chosen.facts.Name(), "\nbackend: ", native::BackendName(chosen.facts.backend),
                "\ndriver: ", chosen.facts.description, "\nvendor/device: ", chosen.facts.vendor_id, "/",
                chosen.facts.device_id, "\nlibrary: ", p.path, " (", have ? st.st_size : 0, " bytes, mtime ",
                have ? static_cast<long long>(st.st_mtime) : 0, ")\nformat: 1");
}

}  // namespace

Result<std::unique_ptr<Device>> Device::Create(const DeviceOptions& options) {
  WC_ASSIGN_OR_RETURN(const native::DawnProcs* p, native::LoadDawnProcs());
  std::string mode = options.adapter;
  if (mode.empty()) {
    const char* env = std::getenv("WEBCONV_ADAPTER");
    if (env) mode = env;
  }
  WC_ASSIGN_OR_RETURN(native::ChosenAdapter chosen, native::ChooseAdapter(*p, mode));

  // From here on `core` owns the handles, and its destructor releases them on every error path.
  auto core = std::make_shared<Core>();
  core->p = p;
  core->instance = chosen.instance;
  core->adapter = chosen.adapter;
  core->waiter = std::make_unique<native::Waiter>(p, chosen.instance, chosen.timed_wait);

  const bool timestamps =
      options.want_timestamps && p->AdapterHasFeature(chosen.adapter, abi::FeatureName::kTimestampQuery);
  // Subgroups are requested whenever offered: the optional subgroup Conv kernel (WEBCONV_CONV_SUBGROUPS)
  // needs them, and an unused feature costs nothing.
  std::vector<abi::WGPUEnum> features;
  if (timestamps) features.push_back(abi::FeatureName::kTimestampQuery);
  if (p->AdapterHasFeature(chosen.adapter, abi::FeatureName::kSubgroups))
    features.push_back(abi::FeatureName::kSubgroups);
  const abi::WGPULimits required = RequiredLimits(chosen.limits);
  // Dawn rounds timestamps to a coarse quantum by default (a browser anti-fingerprinting measure); a
  // profiler of sub-100 µs kernels needs the raw values.
  const char* disabled_toggles[] = {"timestamp_quantization"};
  abi::DawnTogglesDescriptor toggles{};
  toggles.chain.sType = abi::SType::kDawnTogglesDescriptor;
  toggles.disabledToggleCount = 1;
  toggles.disabledToggles = disabled_toggles;

  // The persistent pipeline cache: Dawn's blob cache, backed by files (disk_cache.h).
  abi::DawnCacheDeviceDescriptor cache_desc{};
  const std::string isolation = CacheIsolation(*p, chosen);
  if (CacheWanted(options)) {
    const std::string root = options.cache_dir.empty() ? native::DiskCache::DefaultRoot() : options.cache_dir;
    core->disk_cache = native::DiskCache::Open(root, isolation);
  }
  if (core->disk_cache) {
    cache_desc.chain.sType = abi::SType::kDawnCacheDeviceDescriptor;
    cache_desc.isolationKey = abi::View(isolation);
    cache_desc.loadDataFunction = LoadCacheData;
    cache_desc.storeDataFunction = StoreCacheData;
    cache_desc.functionUserdata = core->disk_cache.get();
    cache_desc.chain.next = timestamps ? &toggles.chain : nullptr;
  }

  abi::WGPUDeviceDescriptor desc{};
  desc.nextInChain = core->disk_cache ? &cache_desc.chain : timestamps ? &toggles.chain : nullptr;
  desc.label = abi::View("webconv");
  desc.requiredFeatureCount = features.size();
  desc.requiredFeatures = features.data();
  desc.requiredLimits = &required;
  desc.deviceLostCallbackInfo.mode = abi::CallbackMode::kAllowSpontaneous;
  desc.deviceLostCallbackInfo.callback = OnDeviceLost;
  desc.deviceLostCallbackInfo.userdata1 = core.get();
  desc.uncapturedErrorCallbackInfo.callback = OnUncapturedError;
  desc.uncapturedErrorCallbackInfo.userdata1 = core.get();

  struct Got {
    abi::WGPUDevice device = nullptr;
    std::string message;
  };
  auto got = std::make_unique<Got>();
  abi::WGPURequestDeviceCallbackInfo info{};
  info.mode = abi::CallbackMode::kWaitAnyOnly;
  info.callback = [](abi::WGPUEnum status, abi::WGPUDevice device, abi::WGPUStringView message, void* u1,
                     void*) {
    auto* g = static_cast<Got*>(u1);
    if (status == abi::kSuccess) g->device = device;
    g->message = StrCat(native::StringOf(message), " (status ", status, ")");
  };
  info.userdata1 = got.get();
  const std::string adapter_name = chosen.facts.Name();
  WC_RETURN_IF_ERROR(core->waiter->WaitFor(p->AdapterRequestDevice(chosen.adapter, &desc, info), got,
                                           "a device on '" + adapter_name + "'"));
  if (!got->device && core->disk_cache) {
    // A WebGPU library without Dawn's cache descriptor refuses the chain: go on without the cache.
    std::cerr << "webconv: warning: pipeline cache off: '" << p->path
              << "' refused Dawn's cache descriptor (" << got->message << ")\n";
    core->disk_cache.reset();
    desc.nextInChain = timestamps ? &toggles.chain : nullptr;
    got = std::make_unique<Got>();
    info.userdata1 = got.get();
    WC_RETURN_IF_ERROR(core->waiter->WaitFor(p->AdapterRequestDevice(chosen.adapter, &desc, info), got,
                                             "a device on '" + adapter_name + "'"));
  }
  if (!got->device) return DeviceError("requesting a device on '", adapter_name, "' failed: ", got->message);
  core->device = got->device;
  core->queue = p->DeviceGetQueue(core->device);
  WC_RETURN_IF_ERROR(native::CheckWorkDoneCallback(*p, *core->waiter, core->queue));
  WC_RETURN_IF_ERROR(native::GetDeviceLimits(*p, core->device, &core->limits));
  ApplyForcedBufferLimit(&core->limits);
  WC_RETURN_IF_ERROR(core->TakeErrors("creating the device on '" + adapter_name + "': "));

  AdapterInfo& ai = core->info;
  ai.name = adapter_name;
  ai.backend = native::BackendName(chosen.facts.backend);
  ai.adapter_type = native::AdapterTypeName(chosen.facts.type);
  ai.driver = chosen.facts.description;
  ai.why = chosen.why;
  ai.is_software = chosen.software;
  ai.has_timestamps = timestamps && p->DeviceHasFeature(core->device, abi::FeatureName::kTimestampQuery);
  // Reported, not requested: no kernel uses f16 arithmetic (see ConvMath in ops/conv/conv_tiling.h).
  ai.has_shader_f16 = p->AdapterHasFeature(chosen.adapter, abi::FeatureName::kShaderF16);
  ai.has_subgroups = p->DeviceHasFeature(core->device, abi::FeatureName::kSubgroups);
  if (ai.has_subgroups && chosen.facts.subgroup_min_size == chosen.facts.subgroup_max_size)
    ai.fixed_subgroup_size = chosen.facts.subgroup_max_size;
  const abi::WGPULimits& l = core->limits;
  ai.max_buffer_size = l.maxBufferSize;
  ai.max_storage_binding_size = l.maxStorageBufferBindingSize;
  ai.max_storage_buffers_per_stage = l.maxStorageBuffersPerShaderStage;
  ai.max_workgroup_invocations = l.maxComputeInvocationsPerWorkgroup;
  ai.max_workgroups_per_dim = l.maxComputeWorkgroupsPerDimension;
  ai.max_workgroup_storage = l.maxComputeWorkgroupStorageSize;
  ai.compute_units = ComputeUnitsOf(ai.name);
  return std::unique_ptr<Device>(new native::NativeDevice(std::move(core)));
}

CompileStats native::NativeDevice::compile_stats() const {
  CompileStats s = stats_;
  if (const native::DiskCache* c = core_->disk_cache.get()) {
    s.disk_dir = c->dir();
    s.disk_hits = c->hits();
    s.disk_misses = c->misses();
    s.disk_stores = c->stores();
    s.disk_rejected = c->rejected();
  }
  return s;
}

Status native::NativeDevice::ForceLossForTesting() {
  if (!core_->p->DeviceForceLoss) return DeviceError("the WebGPU library cannot simulate a device loss");
  const char kMessage[] = "simulated device loss";
  core_->p->DeviceForceLoss(core_->device, abi::DeviceLostReason::kUnknown, abi::WGPUStringView{kMessage, sizeof(kMessage) - 1});
  return OkStatus();
}

}  // namespace webconv::gpu
