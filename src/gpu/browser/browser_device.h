// The browser implementation of gpu::Device, over the JS bridge to navigator.gpu (bridge.h). The
// WebAssembly module has one WebGPU device, held by the bridge; BrowserDevice objects (normally one,
// shared by all sessions) are views of it. Methods are split by topic like the native backend's:
//   browser_device.cc  creation, adapter facts, errors; buffers (pool in the bridge) Write / Read
//   pipelines.cc       Prepare: pipeline cache, explicit bind group layouts, compile errors
//   program.cc         CreateProgram / Program::Run, timestamps
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

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

// A compiled kernel, shared by the cache and the programs that use it.
struct Pipeline {
  int handle = 0;
  std::string name;
  std::string wgsl;
  std::vector<bool> read_only;
  bool has_uniforms = false;
  ~Pipeline();
};

class BrowserDevice final : public Device {
 public:
  explicit BrowserDevice(AdapterInfo info) : info_(std::move(info)) {}
  const AdapterInfo& info() const override { return info_; }
  Result<BufferPtr> CreateBuffer(uint64_t bytes, const std::string& label) override;
  Status Write(const Buffer& buffer, uint64_t offset, const void* data, uint64_t size) override;
  Status Read(const Buffer& buffer, uint64_t offset, void* data, uint64_t size) override;
  Status Prepare(const Kernel& kernel) override;
  Result<std::unique_ptr<Program>> CreateProgram(std::vector<Dispatch> dispatches) override;
  size_t pipeline_cache_size() const override { return cache_.size(); }

  Result<std::shared_ptr<Pipeline>> GetPipeline(const Kernel& kernel);
  // `buffer` as a BrowserBuffer, or an error naming `what`.
  static Result<const BrowserBuffer*> Browser(const Buffer& buffer, const std::string& what);

 private:
  Result<std::shared_ptr<Pipeline>> Compile(const Kernel& kernel);
  AdapterInfo info_;
  std::unordered_map<std::string, std::shared_ptr<Pipeline>> cache_;
};

}  // namespace webconv::gpu::browser
