// The browser implementation of gpu::Device, over the JS bridge to navigator.gpu (bridge.h). The
// WebAssembly module has one WebGPU device, held by the bridge; BrowserDevice objects (normally one,
// shared by all sessions) are views of it. Methods are split by topic like the native backend's:
//   browser_device.cc  creation, adapter facts, errors; buffers (pool in the bridge) Write / Read
//   pipelines.cc       CompileBatch (the cache: backend_device.h): concurrent compiles, compile errors;
//                      StartCompile: compiles in the background
//   program.cc         CreateProgram / Program::Run, timestamps
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gpu/backend_device.h"
#include "gpu/device.h"

namespace webconv::gpu::browser {

// The device's errors so far (uncaptured errors, device loss) as one kDevice Status prefixed by
// `context`; OK when there are none.
Status TakeErrors(const std::string& context);

class BrowserBuffer final : public Buffer {
 public:
  BrowserBuffer(int handle, uint64_t size) : handle_(handle), size_(size) {}
  ~BrowserBuffer() override;  // returns the buffer to the bridge's pool
  uint64_t size() const override { return size_; }
  int handle() const { return handle_; }

 private:
  int handle_;
  uint64_t size_;
};

// An application's GPUBuffer (a 'gpu-buffer' input of the JS API), entered in the bridge's table by
// Module.wcgpuImportBuffer as `handle`: usable wherever the device's own buffers are; releasing it only
// drops the handle.
inline BufferPtr AdoptBrowserBuffer(int handle, uint64_t size) { return std::make_shared<BrowserBuffer>(handle, size); }

// A compiled kernel, shared by the cache and the programs that use it.
struct Pipeline : PipelineSource {
  int handle = 0;
  ~Pipeline();
};

class BrowserDevice final : public BackendDevice<BrowserDevice, Pipeline> {
 public:
  explicit BrowserDevice(AdapterInfo info) : info_(std::move(info)) {}
  const AdapterInfo& info() const override { return info_; }
  Status Write(const Buffer& buffer, uint64_t offset, const void* data, uint64_t size) override;
  Status Read(const Buffer& buffer, uint64_t offset, void* data, uint64_t size) override;
  Status Copy(const Buffer& from, uint64_t from_offset, const Buffer& to, uint64_t to_offset,
              uint64_t size) override;
  Result<std::unique_ptr<Program>> CreateProgram(std::vector<Dispatch> dispatches) override;
  std::unique_ptr<CompileJob> StartCompile(const std::vector<const Kernel*>& kernels) override;
  bool compiles_in_background() const override { return true; }

  // `buffer` as a BrowserBuffer, or an error naming `what`.
  static Result<const BrowserBuffer*> Browser(const Buffer& buffer, const std::string& what);

 private:
  friend class BackendDevice<BrowserDevice, Pipeline>;
  friend class BrowserCompileJob;
  Result<BufferPtr> Allocate(uint64_t size, const std::string& label);
  Status CompileBatch(const std::vector<const Kernel*>& kernels, const ProgressFn& progress,
                      const std::function<Status()>& meanwhile, std::vector<std::shared_ptr<Pipeline>>* out);
  AdapterInfo info_;
};

}  // namespace webconv::gpu::browser
