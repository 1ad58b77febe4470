// The WebGPU layer as the runtime sees it. The native backend implements it with the webgpu.h C API on
// Dawn (webgpu_abi.h declares the subset used); a browser backend implements it in JS.
// Every tensor on the GPU is an array of 4-byte words (f32, i32 or u32); see runtime/ for the dtype mapping.
#pragma once

#include <cstdint>
#include <functional>
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
  // Its subgroup size when every subgroup has the same one (the adapter's min and max agree), else 0.
  // SwiftShader's is 4: its SIMD width, one invocation per lane.
  uint32_t fixed_subgroup_size = 0;
  uint64_t max_buffer_size = 0;
  uint64_t max_storage_binding_size = 0;
  uint32_t max_storage_buffers_per_stage = 0;
  uint32_t max_workgroup_invocations = 0;
  uint32_t max_workgroups_per_dim = 0;
  uint32_t max_workgroup_storage = 0;
  uint32_t compute_units = 132;  // SMs or CUs, by name (gpu/compute_units.h); what tile choices fill
};

struct DeviceOptions {
  // "" (auto), "gpu" (a hardware adapter through Vulkan; fail if none), "swiftshader", or a
  // case-insensitive substring of the adapter name. Defaults to env WEBCONV_ADAPTER when empty.
  std::string adapter;
  bool want_timestamps = true;
  // The persistent pipeline cache (native backend: Dawn's blob cache in files, gpu/native/disk_cache.h),
  // so a second process skips shader compilation. Off when false, or when env WEBCONV_PIPELINE_CACHE is
  // "0" or "off". Its folder: `cache_dir` when set, else env WEBCONV_CACHE_DIR, else
  // $XDG_CACHE_HOME/webconv, else ~/.cache/webconv. The browser backend has the browser's own cache.
  bool pipeline_cache = true;
  std::string cache_dir;
};

// Progress of a step made of units (pipelines to compile): `done` of `total`.
using ProgressFn = std::function<void(size_t done, size_t total)>;

// What compiling cost this device so far.
struct CompileStats {
  size_t pipelines_compiled = 0;  // distinct pipelines compiled
  size_t pipelines_reused = 0;    // requests served by a pipeline already compiled in this process
  double compile_ms = 0;          // wall time of the compiles (a batch's pipelines compile concurrently)
  // The persistent cache (native): entries read back, looked up and not found, written, and found but
  // refused (corrupt, truncated or from another key), each with a warning on stderr.
  size_t disk_hits = 0, disk_misses = 0, disk_stores = 0, disk_rejected = 0;
  std::string disk_dir;           // the cache's folder; empty when it is off
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

// Bytes to write at the start of a buffer before a program runs (a size that is a multiple of 4).
struct WriteRequest {
  const Buffer* buffer = nullptr;
  const void* data = nullptr;
  uint64_t size = 0;
};

// A range of a buffer to copy to host memory after a program runs.
struct ReadRequest {
  const Buffer* buffer = nullptr;
  uint64_t offset = 0;
  void* data = nullptr;
  uint64_t size = 0;
};

// Dispatches prepared once (bind groups and uniform buffers created up front) and submitted many times.
class Program {
 public:
  virtual ~Program() = default;
  // Submits all dispatches in order and waits for completion. When `timings` is non-null and the
  // adapter has timestamp queries, fills per-dispatch GPU times; otherwise leaves it empty.
  Status Run(std::vector<DispatchTiming>* timings) { return RunAndRead({}, timings, {}); }
  // The writes, then Run, then the reads: the reads' copies go into the same submission as the
  // dispatches and one wait covers all of them, so a run costs one round trip to the GPU however many
  // outputs it has. The native backend writes through staging buffers the program keeps mapped between
  // runs (a large input is then one memcpy, not a fresh staging allocation per run).
  // (Code built for the browser calls this directly: Asyncify follows the runtime's virtual calls only.)
  virtual Status RunAndRead(const std::vector<WriteRequest>& writes, std::vector<DispatchTiming>* timings,
                            const std::vector<ReadRequest>& reads) = 0;
};

// Pipelines compiling in the background (Device::StartCompile), while the caller goes on with other work.
class CompileJob {
 public:
  virtual ~CompileJob() = default;
  // True once every pipeline has compiled (they are then the device's, as if prepared); never waits. The
  // first compile error once all have answered.
  virtual Result<bool> Poll() = 0;
  // Waits for every pipeline; the first compile error.
  virtual Status Wait() = 0;
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
  // Copies `size` bytes (a multiple of 4; offsets too) from one buffer of this device to another on the
  // GPU, in queue order: after everything submitted before and before everything submitted after (a
  // program's run included), without waiting. Inputs and outputs that stay on the GPU (runtime::DeviceIo)
  // go through it.
  virtual Status Copy(const Buffer& from, uint64_t from_offset, const Buffer& to, uint64_t to_offset,
                      uint64_t size) = 0;
  // Compiles (or fetches from the pipeline cache, by pipeline identity: kernel.h) the kernel's pipeline.
  // A WGSL compile or validation error is returned as a Status naming the kernel, with the WGSL line.
  virtual Status Prepare(const Kernel& kernel) = 0;
  // Prepare for many kernels at once: kernels with the same identity compile once, and the pipelines
  // not yet compiled are compiled concurrently where the backend can (native: Dawn's asynchronous
  // pipeline creation on its worker threads; browser: createComputePipelineAsync). `progress`, when
  // set, is called as pipelines complete (done of the number to compile). `meanwhile`, when set, runs
  // once every compile has been requested and before the first wait (the runtime uploads weights there),
  // so that its work overlaps the compiles; its error fails the call.
  virtual Status PrepareAll(const std::vector<const Kernel*>& kernels, const ProgressFn& progress,
                            const std::function<Status()>& meanwhile = nullptr) = 0;
  virtual CompileStats compile_stats() const = 0;
  // Starts compiling the kernels not compiled yet (as PrepareAll, without `meanwhile` or progress) and
  // returns without waiting: the native backend parses each WGSL here and the driver compiles on Dawn's
  // worker threads. nullptr when the backend cannot compile in the background (the browser build, whose
  // compiles suspend the WebAssembly module).
  virtual std::unique_ptr<CompileJob> StartCompile(const std::vector<const Kernel*>& kernels) {
    (void)kernels;
    return nullptr;
  }
  virtual bool compiles_in_background() const { return false; }  // StartCompile gives a job
  // Builds a program; compiles any kernel not yet prepared; validates every binding.
  virtual Result<std::unique_ptr<Program>> CreateProgram(std::vector<Dispatch> dispatches) = 0;
  virtual size_t pipeline_cache_size() const = 0;
  // Tests: makes the device behave as if it were lost (driver reset, GPU removed). Fails when the
  // WebGPU library cannot simulate it.
  virtual Status ForceLossForTesting() { return DeviceError("this device cannot simulate a device loss"); }
};

}  // namespace webconv::gpu
