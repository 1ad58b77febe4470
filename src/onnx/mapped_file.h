// Read-only memory mapping of a whole file, unmapped when the last reference goes away.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace webconv::onnx {

class MappedFile {
 public:
  // Maps `path` read-only. Only regular files are accepted: opening a FIFO or a device could block or
  // yield endless bytes. Files larger than `max_bytes` are refused. An unreadable file is a usage error
  // when `missing_is_usage_error` (a path the user gave), otherwise a bad-model error (a path a model gave).
  static Result<std::shared_ptr<const MappedFile>> Open(const std::string& path, int64_t max_bytes,
                                                        bool missing_is_usage_error);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  MappedFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  const uint8_t* data_;  // nullptr for an empty file, which mmap cannot map
  size_t size_;
};

}  // namespace webconv::onnx
