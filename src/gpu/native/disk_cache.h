// The persistent pipeline cache of the native backend: the store behind Dawn's blob cache
// (abi::DawnCacheDeviceDescriptor). Dawn keeps there what it compiled: the SPIR-V it generated from WGSL
// and the driver's pipeline cache data (VkPipelineCache), so a second process skips both compiles.
//
// One file per entry, in a folder per adapter, driver and Dawn library (the isolation key names them;
// `about.txt` there says which). An entry is written to a temporary file and renamed into place, so a
// reader never sees half of one. Each file carries a magic, a version, the full key and a checksum of key
// and value: an entry that is truncated, corrupt or for another key is refused with a warning on
// stderr and removed, and Dawn compiles as if it were missing. The folder stops growing at a size cap.
// Dawn may call from its worker threads: every method is thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace webconv::gpu::native {

class DiskCache {
 public:
  // The cache under `root` for `isolation` (adapter, driver and library facts, one per line). nullptr,
  // after a warning, when the folder cannot be made.
  static std::unique_ptr<DiskCache> Open(const std::string& root, const std::string& isolation,
                                         uint64_t max_bytes = uint64_t{1} << 30);
  // The folder the root resolves to from the environment (see DeviceOptions::cache_dir); "" when no
  // home or cache folder is known.
  static std::string DefaultRoot();

  // Dawn's load: the size of the value for `key` when `value` is null, else copies it and returns its
  // size; 0 when there is no (valid) entry.
  size_t Load(const void* key, size_t key_size, void* value, size_t value_size);
  void Store(const void* key, size_t key_size, const void* value, size_t value_size);

  const std::string& dir() const { return dir_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t stores() const { return stores_; }
  uint64_t rejected() const { return rejected_; }

 private:
  DiskCache(std::string dir, uint64_t used, uint64_t max_bytes) : dir_(std::move(dir)), used_(used), max_(max_bytes) {}
  std::string PathFor(const void* key, size_t key_size) const;
  void Warn(const std::string& message);

  const std::string dir_;
  std::mutex mu_;
  uint64_t used_;  // bytes in the folder (at open, plus what was stored since)
  const uint64_t max_;
  bool warned_full_ = false;
  std::atomic<uint64_t> hits_{0}, misses_{0}, stores_{0}, rejected_{0}, temp_counter_{0};
};

}  // namespace webconv::gpu::native
