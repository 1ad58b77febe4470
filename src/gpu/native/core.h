// State shared by a native Device and everything created from it (buffers, programs, pipelines). It is
// reference-counted so that a Buffer or Program outliving its Device stays valid: the WGPUDevice is
// destroyed only when the last holder goes. Not thread-safe except where noted.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "gpu/device.h"
#include "gpu/native/dawn_procs.h"
#include "gpu/native/disk_cache.h"
#include "gpu/native/wait.h"

namespace webconv::gpu::native {

struct Core {
  // Declared first so it is destroyed last: Dawn may store into it until the device is gone.
  std::unique_ptr<DiskCache> disk_cache;  // the persistent pipeline cache, or nullptr when off
  const DawnProcs* p = nullptr;
  abi::WGPUInstance instance = nullptr;
  abi::WGPUAdapter adapter = nullptr;
  abi::WGPUDevice device = nullptr;
  abi::WGPUQueue queue = nullptr;
  std::unique_ptr<Waiter> waiter;
  AdapterInfo info;
  abi::WGPULimits limits{};  // the device's (not the adapter's) limits

  ~Core();

  // ---- Errors. The device-lost and uncaptured-error callbacks record here (thread-safe: they may fire
  // on another thread). TakeErrors returns and clears them as one kDevice Status prefixed by `context`.
  void RecordError(const std::string& message);
  void RecordLost(const std::string& message);
  Status TakeErrors(const std::string& context);
  bool lost() const;

  // Error scopes for validation, out-of-memory and internal errors around a group of calls; PopScopes
  // waits for all three and returns the first error as a kDevice Status prefixed by `context`.
  void PushScopes();
  Status PopScopes(const std::string& context);
  // The same in two steps: PopScopesLater pops now (scopes are a stack, so the order of pops matters)
  // and WaitScopes waits for the answers, so that other work can go on in between.
  struct ScopeAnswer {
    bool called = false;
    abi::WGPUEnum status = 0, type = 0;
    std::string message;
  };
  struct PendingScopes {
    abi::WGPUFuture futures[3] = {};
    std::unique_ptr<ScopeAnswer> answers[3];
  };
  PendingScopes PopScopesLater();
  Status WaitScopes(PendingScopes& pending, const std::string& context);

  // ---- Raw buffer pool, keyed by (usage, size). Thread-safe (buffers are released from any thread).
  Result<abi::WGPUBuffer> AcquireBuffer(abi::WGPUFlags usage, uint64_t size, const std::string& label);
  void RecycleBuffer(abi::WGPUFlags usage, uint64_t size, abi::WGPUBuffer buffer);

 private:
  mutable std::mutex mu_;
  std::vector<std::string> errors_;
  bool lost_ = false;
  std::string lost_message_;
  std::multimap<std::pair<abi::WGPUFlags, uint64_t>, abi::WGPUBuffer> free_;
};

// A GPU buffer from the pool. Its destructor returns the WGPUBuffer to the pool.
class NativeBuffer final : public Buffer {
 public:
  NativeBuffer(std::shared_ptr<Core> core, abi::WGPUBuffer handle, uint64_t size)
      : core_(std::move(core)), handle_(handle), size_(size) {}
  ~NativeBuffer() override;
  uint64_t size() const override { return size_; }
  abi::WGPUBuffer handle() const { return handle_; }
  const Core* core() const { return core_.get(); }

  // Every tensor buffer: bound as storage, and copied to/from for Write and Read.
  static constexpr abi::WGPUFlags kUsage =
      abi::BufferUsage::kStorage | abi::BufferUsage::kCopySrc | abi::BufferUsage::kCopyDst;

 private:
  std::shared_ptr<Core> core_;
  abi::WGPUBuffer handle_;
  uint64_t size_;
};

}  // namespace webconv::gpu::native
