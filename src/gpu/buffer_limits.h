// Buffer sizes and ranges as both backends enforce them: the size CreateBuffer allocates and the error
// when it exceeds the adapter's limits, the bounds check of a Write or Read, and how a write or read of
// any byte range is carried out in whole 4-byte words, which is all WebGPU's queue writes and buffer
// copies accept. Kept here so that the native and the browser backend fail with the same messages.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "gpu/device.h"

namespace webconv::gpu {

inline uint64_t RoundUp(uint64_t v, uint64_t m) {
  return (v + m - 1) / m * m;
}

// The size a buffer of `bytes` gets: rounded up to 16, at least 16. Fails with a message naming `label`
// and both sizes when it exceeds the adapter's maxBufferSize or maxStorageBufferBindingSize.
Result<uint64_t> BufferAllocationSize(uint64_t bytes, const std::string& label, const AdapterInfo& info);

// Fails when bytes [offset, offset + size) are not inside a buffer of `buffer_size` bytes; `op` is
// "Write" or "Read".
Status CheckRange(uint64_t buffer_size, uint64_t offset, uint64_t size, const char* op);
// CheckRange, and the offset of a write must be a multiple of 4.
Status CheckWrite(uint64_t buffer_size, uint64_t offset, uint64_t size);
// Device::Copy's checks: both ranges inside their buffers, offsets and size multiples of 4.
Status CheckCopy(uint64_t from_size, uint64_t from_offset, uint64_t to_size, uint64_t to_offset, uint64_t size);

// A write of `size` bytes split into whole words: `body` bytes taken as they are, then, when `size` is
// not a multiple of 4, one more word (`tail`) holding the last bytes padded with zeros. The padded word
// stays inside the buffer because buffer sizes are multiples of 16.
struct WordWrite {
  uint64_t body = 0;
  bool has_tail = false;
  uint8_t tail[4] = {0, 0, 0, 0};
};
WordWrite SplitWrite(const void* data, uint64_t size);

// The whole words that cover bytes [offset, offset + size): a read copies `length` bytes from `begin`
// and hands the caller the part it asked for, at `offset - begin`.
struct WordRange {
  uint64_t begin = 0;
  uint64_t length = 0;
};
WordRange CoveringWords(uint64_t offset, uint64_t size);

}  // namespace webconv::gpu
