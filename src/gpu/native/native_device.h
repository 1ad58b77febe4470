// The native (Dawn) implementation of gpu::Device. Its methods are split by topic:
//   native_device.cc  creation: adapter choice, device request, error callbacks, ABI checks
//   buffers.cc        Allocate (CreateBuffer's size checks: backend_device.h) / Write / Read, staging
//   pipelines.cc      CompileBatch (the cache: backend_device.h): bind group layouts, compile errors,
//                     concurrent pipeline creation
//   program.cc        CreateProgram / Program::Run, timestamps
// A Device is not thread-safe: use it from one thread at a time (buffers may be released anywhere).
//
// Environment:
//   WEBCONV_DAWN_LIB         the webgpu.h library to load (default: the CMake variable WEBCONV_DAWN_LIB)
//   WEBCONV_ADAPTER          adapter choice when DeviceOptions::adapter is empty: gpu | swiftshader | name part
//   WEBCONV_GPU_TIMEOUT_S    the longest any wait may take, in seconds (default 60)
//   WEBCONV_GPU_WAIT=poll    poll instead of blocking in WaitAny (a fallback; tests use it too)
//   WEBCONV_PIPELINE_CACHE=0 no persistent pipeline cache (DeviceOptions::pipeline_cache); its folder:
//   WEBCONV_CACHE_DIR        (else $XDG_CACHE_HOME/webconv, else ~/.cache/webconv; see disk_cache.h)
//   WEBCONV_SERIAL_COMPILE=1 create pipelines one at a time instead of concurrently (comparisons)
//   WEBCONV_GPU_MAX_BUFFER_BYTES  test hook: lowers maxBufferSize / maxStorageBufferBindingSize to this
//   WEBCONV_SWIFTSHADER_ICD  SwiftShader's ICD manifest (default /usr/lib/chromium/vk_swiftshader_icd.json)
//   VK_ICD_FILENAMES / VK_DRIVER_FILES  honoured as set; when neither is set and no hardware adapter
//                            exists, VK_ICD_FILENAMES is set to SwiftShader's ICD (see adapter.h)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gpu/backend_device.h"
#include "gpu/device.h"
#include "gpu/native/core.h"

namespace webconv::gpu::native {

// A compiled kernel. Shared by the cache and by the programs that use it.
struct Pipeline : PipelineSource {
  std::shared_ptr<Core> core;
  abi::WGPUBindGroupLayout layout = nullptr;
  abi::WGPUComputePipeline pipeline = nullptr;
  ~Pipeline();
};

class NativeDevice final : public BackendDevice<NativeDevice, Pipeline> {
 public:
  explicit NativeDevice(std::shared_ptr<Core> core) : core_(std::move(core)) {}
  const AdapterInfo& info() const override { return core_->info; }
  Status ForceLossForTesting() override;
  Status Write(const Buffer& buffer, uint64_t offset, const void* data, uint64_t size) override;
  Status Read(const Buffer& buffer, uint64_t offset, void* data, uint64_t size) override;
  Status Copy(const Buffer& from, uint64_t from_offset, const Buffer& to, uint64_t to_offset,
              uint64_t size) override;
  Result<std::unique_ptr<Program>> CreateProgram(std::vector<Dispatch> dispatches) override;
  CompileStats compile_stats() const override;
  std::unique_ptr<CompileJob> StartCompile(const std::vector<const Kernel*>& kernels) override;
  bool compiles_in_background() const override { return true; }

  // `buffer` as a NativeBuffer of this device, or an error naming `what`.
  Result<const NativeBuffer*> Native(const Buffer& buffer, const std::string& what) const;

 private:
  friend class BackendDevice<NativeDevice, Pipeline>;
  friend class NativeCompileJob;
  Result<BufferPtr> Allocate(uint64_t size, const std::string& label);
  Status CompileBatch(const std::vector<const Kernel*>& kernels, const ProgressFn& progress,
                      const std::function<Status()>& meanwhile, std::vector<std::shared_ptr<Pipeline>>* out);
  std::shared_ptr<Core> core_;
};

}  // namespace webconv::gpu::native
