#include "gpu/native/abi_check.h"

#include <cstring>
#include <memory>

namespace webconv::gpu::native {
namespace {

constexpr unsigned char kGuardByte = 0xA5;

// An out-struct followed by a guard band; the struct's own bytes are pre-filled too, so fields that the
// library does not write stand out. The chain pointer at offset 0 must stay null.
template <typename T>
struct Guarded {
  T value;
  unsigned char guard[256];
  Guarded() {
    std::memset(static_cast<void*>(this), kGuardByte, sizeof(*this));
    std::memset(static_cast<void*>(&value), 0, sizeof(void*));  // nextInChain = nullptr
  }
  bool Intact() const {
    for (unsigned char b : guard) {
      if (b != kGuardByte) return false;
    }
    return true;
  }
};

Status Overrun(const DawnProcs& p, const char* fn, const char* type, size_t size) {
  return DeviceError("ABI mismatch: ", fn, " in '", p.path, "' wrote past the ", size, "-byte ", type,
                     " declared in src/gpu/webgpu_abi.h; the library is not the webgpu.h revision the "
                     "project was written for");
}

Status CheckString(const DawnProcs& p, abi::WGPUStringView v, const char* field) {
  if (v.length == abi::kStrlen) return OkStatus();  // NUL-terminated (allowed)
  if (v.length > (1u << 16) || (v.length > 0 && v.data == nullptr)) {
    return DeviceError("ABI mismatch: WGPUAdapterInfo.", field, " from '", p.path,
                       "' is not a valid string view (length ", v.length, ")");
  }
  return OkStatus();
}

}  // namespace

std::string StringOf(abi::WGPUStringView v) {
  if (!v.data) return "";
  if (v.length == abi::kStrlen) return std::string(v.data);
  return std::string(v.data, v.length);
}

const char* BackendName(abi::WGPUEnum backend) {
  switch (backend) {
    case abi::BackendType::kNull:
      return "Null";
    case abi::BackendType::kWebGPU:
      return "WebGPU";
    case abi::BackendType::kD3D11:
      return "D3D11";
    case abi::BackendType::kD3D12:
      return "D3D12";
    case abi::BackendType::kMetal:
      return "Metal";
    case abi::BackendType::kVulkan:
      return "Vulkan";
    case abi::BackendType::kOpenGL:
      return "OpenGL";
    case abi::BackendType::kOpenGLES:
      return "OpenGLES";
    default:
      return "unknown";
  }
}

const char* AdapterTypeName(abi::WGPUEnum type) {
  switch (type) {
    case abi::AdapterType::kDiscreteGPU:
      return "discrete GPU";
    case abi::AdapterType::kIntegratedGPU:
      return "integrated GPU";
    case abi::AdapterType::kCPU:
      return "CPU";
    default:
      return "unknown";
  }
}

Status GetInstanceCapabilities(const DawnProcs& p, abi::WGPUInstanceCapabilities* out) {
  Guarded<abi::WGPUInstanceCapabilities> g;
  const abi::WGPUEnum st = p.GetInstanceCapabilities(&g.value);
  if (!g.Intact()) return Overrun(p, "wgpuGetInstanceCapabilities", "WGPUInstanceCapabilities", sizeof(*out));
  if (st != abi::kSuccess || g.value.timedWaitAnyEnable > 1 || g.value.timedWaitAnyMaxCount > (1u << 20)) {
    return DeviceError("ABI mismatch: wgpuGetInstanceCapabilities in '", p.path, "' returned status ", st,
                       ", timedWaitAnyEnable ", g.value.timedWaitAnyEnable, ", timedWaitAnyMaxCount ",
                       g.value.timedWaitAnyMaxCount);
  }
  *out = g.value;
  return OkStatus();
}

Status GetAdapterFacts(const DawnProcs& p, abi::WGPUAdapter adapter, AdapterFacts* out) {
  Guarded<abi::WGPUAdapterInfo> g;
  const abi::WGPUEnum st = p.AdapterGetInfo(adapter, &g.value);
  if (!g.Intact()) return Overrun(p, "wgpuAdapterGetInfo", "WGPUAdapterInfo", sizeof(abi::WGPUAdapterInfo));
  const abi::WGPUAdapterInfo& i = g.value;
  if (st != abi::kSuccess)
    return DeviceError("wgpuAdapterGetInfo failed (status ", st, ") in '", p.path, "'");
  WC_RETURN_IF_ERROR(CheckString(p, i.vendor, "vendor"));
  WC_RETURN_IF_ERROR(CheckString(p, i.architecture, "architecture"));
  WC_RETURN_IF_ERROR(CheckString(p, i.device, "device"));
  WC_RETURN_IF_ERROR(CheckString(p, i.description, "description"));
  if (i.backendType > abi::BackendType::kOpenGLES || i.adapterType < abi::AdapterType::kDiscreteGPU ||
      i.adapterType > abi::AdapterType::kUnknown) {
    return DeviceError("ABI mismatch: WGPUAdapterInfo from '", p.path, "' has backendType ", i.backendType,
                       " and adapterType ", i.adapterType, " (outside the enums of webgpu_abi.h)");
  }
  out->vendor = StringOf(i.vendor);
  out->architecture = StringOf(i.architecture);
  out->device = StringOf(i.device);
  out->description = StringOf(i.description);
  out->backend = i.backendType;
  out->type = i.adapterType;
  out->vendor_id = i.vendorID;
  out->device_id = i.deviceID;
  out->subgroup_min_size = i.subgroupMinSize;
  out->subgroup_max_size = i.subgroupMaxSize;
  p.AdapterInfoFreeMembers(i);
  return OkStatus();
}

Status GetAdapterLimits(const DawnProcs& p, abi::WGPUAdapter adapter, abi::WGPULimits* out) {
  Guarded<abi::WGPULimits> g;
  const abi::WGPUEnum st = p.AdapterGetLimits(adapter, &g.value);
  if (!g.Intact()) return Overrun(p, "wgpuAdapterGetLimits", "WGPULimits", sizeof(abi::WGPULimits));
  if (st != abi::kSuccess) return DeviceError("wgpuAdapterGetLimits failed (status ", st, ")");
  *out = g.value;
  return CheckLimitsSane(*out, p.path);
}

Status GetDeviceLimits(const DawnProcs& p, abi::WGPUDevice device, abi::WGPULimits* out) {
  Guarded<abi::WGPULimits> g;
  const abi::WGPUEnum st = p.DeviceGetLimits(device, &g.value);
  if (!g.Intact()) return Overrun(p, "wgpuDeviceGetLimits", "WGPULimits", sizeof(abi::WGPULimits));
  if (st != abi::kSuccess) return DeviceError("wgpuDeviceGetLimits failed (status ", st, ")");
  *out = g.value;
  return CheckLimitsSane(*out, p.path);
}

Status CheckLimitsSane(const abi::WGPULimits& l, const std::string& library) {
  auto pow2 = [](uint64_t v) { return v != 0 && (v & (v - 1)) == 0; };
  // WebGPU's default limits are guaranteed minimums (maxima for the alignments). Upper bounds are kept
  // loose: real GPUs report large values (NVIDIA's storage-buffer counts, for one), garbage is larger.
  const bool ok = l.maxBindGroups >= 4 && l.maxBindGroups <= 1024 && l.maxStorageBuffersPerShaderStage >= 8 &&
                  l.maxUniformBufferBindingSize >= 65536 && l.maxStorageBufferBindingSize >= (128ull << 20) &&
                  l.maxBufferSize >= (256ull << 20) && pow2(l.minUniformBufferOffsetAlignment) &&
                  l.minUniformBufferOffsetAlignment <= 256 && pow2(l.minStorageBufferOffsetAlignment) &&
                  l.minStorageBufferOffsetAlignment <= 256 && l.maxComputeWorkgroupStorageSize >= 16384 &&
                  l.maxComputeWorkgroupStorageSize <= (1u << 30) &&
                  l.maxComputeInvocationsPerWorkgroup >= 256 &&
                  l.maxComputeInvocationsPerWorkgroup <= (1u << 20) && l.maxComputeWorkgroupSizeX >= 256 &&
                  l.maxComputeWorkgroupSizeZ >= 64 && l.maxComputeWorkgroupSizeZ <= (1u << 20) &&
                  l.maxComputeWorkgroupsPerDimension >= 65535;
  if (ok) return OkStatus();
  return DeviceError("ABI mismatch: WGPULimits from '", library, "' fail sanity checks (maxBindGroups ",
                     l.maxBindGroups, ", maxStorageBuffersPerShaderStage ", l.maxStorageBuffersPerShaderStage,
                     ", maxStorageBufferBindingSize ", l.maxStorageBufferBindingSize, ", maxBufferSize ",
                     l.maxBufferSize, ", minUniformBufferOffsetAlignment ", l.minUniformBufferOffsetAlignment,
                     ", maxComputeWorkgroupStorageSize ", l.maxComputeWorkgroupStorageSize,
                     ", maxComputeInvocationsPerWorkgroup ", l.maxComputeInvocationsPerWorkgroup,
                     ", maxComputeWorkgroupSizeX/Z ", l.maxComputeWorkgroupSizeX, "/",
                     l.maxComputeWorkgroupSizeZ, ", maxComputeWorkgroupsPerDimension ",
                     l.maxComputeWorkgroupsPerDimension,
                     "): src/gpu/webgpu_abi.h does not match this library");
}

Status CheckWorkDoneCallback(const DawnProcs& p, const Waiter& waiter, abi::WGPUQueue queue) {
  struct Seen {
    abi::WGPUEnum status = 0;
    void* u1 = nullptr;
    void* u2 = nullptr;
    bool called = false;
  };
  auto seen = std::make_unique<Seen>();
  static int marker;  // its address marks userdata2
  abi::WGPUQueueWorkDoneCallbackInfo info{};
  info.mode = abi::CallbackMode::kWaitAnyOnly;
  info.callback = [](abi::WGPUEnum status, abi::WGPUStringView, void* u1, void* u2) {
    // If the argument order were wrong, u1 would not be &seen: look it up through u2 only after checking.
    if (u2 != &marker) return;
    Seen* s = static_cast<Seen*>(u1);
    s->status = status;
    s->u1 = u1;
    s->u2 = u2;
    s->called = true;
  };
  info.userdata1 = seen.get();
  info.userdata2 = &marker;
  WC_RETURN_IF_ERROR(
      waiter.WaitFor(p.QueueOnSubmittedWorkDone(queue, info), seen, "an empty queue (start-up check)"));
  if (!seen->called || seen->status != abi::kSuccess) {
    return DeviceError("ABI mismatch: the queue-work-done callback of '", p.path,
                       "' did not receive (status, message, userdata1, userdata2) as webgpu_abi.h declares");
  }
  return OkStatus();
}

}  // namespace webconv::gpu::native
