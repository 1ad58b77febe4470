// The WebGPU layer as the runtime sees it. The native backend implements it with the webgpu.h C API on
// Dawn (webgpu_abi.h declares the subset used); a browser backend implements it in JS.
// Every tensor on the GPU is an array of 4-byte words (f32, i32 or u32); see runtime/ for the dtype mapping.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "gpu/kernel.h"

namespace webconv::gpu {

struct AdapterInfo {
  std::string name;          // e.g. "NVIDIA H100 80GB HBM3" or "SwiftShader Device (Subzero)"
  std::string backend;       // "Vulkan", ...
  std::string adapter_type;  // "discrete GPU", "integrated GPU", "CPU", "unknown"
  std::string driver;        // driver description/version as reported
  std::string why;           // why this adapter was chosen, one sentence
  bool is_software = false;  // SwiftShader or another CPU adapter
  bool has_timestamps = false;
  bool has_shader_f16 = false;  // the adapter offers WebGPU's "shader-f16" (reported, not requested)
  bool has_subgroups = false;   // the device has WebGPU's "subgroups" feature
  uint64_t max_buffer_size = 0;
  uint64_t max_storage_binding_size = 0;
  uint32_t max_storage_buffers_per_stage = 0;
  uint32_t max_workgroup_invocations = 0;
  uint32_t max_workgroups_per_dim = 0;
  uint32_t max_workgroup_storage = 0;
};

struct DeviceOptions {
  // "" (auto), "gpu" (a hardware adapter through Vulkan; fail if none), "swiftshader", or a
  // case-insensitive substring of the adapter name. Defaults to env WEBCONV_ADAPTER when empty.
  std::string adapter;
  bool want_timestamps = true;
};

// A GPU buffer (storage | copy src | copy dst). Move-only; released on destruction (returned to the pool).
class Buffer {
 public:
  Buffer() = default;
  virtual ~Buffer() = default;
  virtual uint64_t size() const = 0;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
};
using BufferPtr = std::shared_ptr<Buffer>;

// One dispatch, fully resolved: the runtime builds these once per plan.
struct Dispatch {
  std::shared_ptr<const Kernel> kernel;   // its bindings match kernel->bindings in order
  std::vector<BufferPtr> buffers;         // one per storage binding, in binding order
  std::vector<uint8_t> uniforms;          // packed by kernel->uniforms (empty when none)
  uint32_t groups[3] = {1, 1, 1};
  std::string label;                      // node name, for the profile
};

struct DispatchTiming {
  std::string label;
  std::string kernel;
  double ms = 0;
};

// Dispatches prepared once (bind groups and uniform buffers created up front) and submitted many times.
class Program {
 public:
  virtual ~Program() = default;
  // Submits all dispatches in order and waits for completion. When `timings` is non-null and the
  // adapter has timestamp queries, fills per-dispatch GPU times; otherwise leaves it empty.
  virtual Status Run(std::vector<DispatchTiming>* timings) = 0;
};

class Device {
 public:
  virtual ~Device() = default;
  // Picks an adapter per options (see DeviceOptions::adapter) and creates the device.
  static Result<std::unique_ptr<Device>> Create(const DeviceOptions& options = {});

  virtual const AdapterInfo& info() const = 0;
  // A buffer of at least `bytes` (rounded up to 16, min 16) from the pool. Fails with a message naming
  // `label` and both sizes when it exceeds the adapter's limits. A recycled buffer keeps the contents it
  // had when released: it is not zeroed.
  virtual Result<BufferPtr> CreateBuffer(uint64_t bytes, const std::string& label) = 0;
  virtual Status Write(const Buffer& buffer, uint64_t offset, const void* data, uint64_t size) = 0;
  // Blocking readback.
  virtual Status Read(const Buffer& buffer, uint64_t offset, void* data, uint64_t size) = 0;
  // Compiles (or fetches from the pipeline cache, keyed by kernel.CacheKey()) the kernel's pipeline.
  // A WGSL compile or validation error is returned as a Status naming the kernel, with the WGSL line.
  virtual Status Prepare(const Kernel& kernel) = 0;
  // Builds a program; compiles any kernel not yet prepared; validates every binding.
  virtual Result<std::unique_ptr<Program>> CreateProgram(std::vector<Dispatch> dispatches) = 0;
  virtual size_t pipeline_cache_size() const = 0;
  // Tests: makes the device behave as if it were lost (driver reset, GPU removed). Fails when the
  // WebGPU library cannot simulate it.
  virtual Status ForceLossForTesting() { return DeviceError("this device cannot simulate a device loss"); }
};

}  // namespace webconv::gpu
