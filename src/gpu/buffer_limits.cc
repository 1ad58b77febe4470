// Buffer sizes, limits and word splitting shared by the gpu backends (see buffer_limits.h).
#include "gpu/buffer_limits.h"

#include <cstring>

namespace webconv::gpu {

Result<uint64_t> BufferAllocationSize(uint64_t bytes, const std::string& label, const AdapterInfo& info) {
  const uint64_t size = bytes <= 16 ? 16 : RoundUp(bytes, 16);
  if (size > info.max_buffer_size) {
    return DeviceError("buffer '", label, "' needs ", bytes, " bytes, more than the device's maxBufferSize (",
                       info.max_buffer_size, " bytes)");
  }
  if (size > info.max_storage_binding_size) {
    return DeviceError("buffer '", label, "' needs ", bytes,
                       " bytes, more than the device's maxStorageBufferBindingSize (",
                       info.max_storage_binding_size, " bytes), the largest buffer a kernel can bind");
  }
  return size;
}

Status CheckRange(uint64_t buffer_size, uint64_t offset, uint64_t size, const char* op) {
  if (offset > buffer_size || size > buffer_size - offset) {
    return DeviceError(op, ": bytes [", offset, ", ", offset + size, ") are outside the ", buffer_size,
                       "-byte buffer");
  }
  return OkStatus();
}

Status CheckWrite(uint64_t buffer_size, uint64_t offset, uint64_t size) {
  if (offset % 4 != 0) return DeviceError("Write: offset ", offset, " is not a multiple of 4");
  return CheckRange(buffer_size, offset, size, "Write");
}

Status CheckCopy(uint64_t from_size, uint64_t from_offset, uint64_t to_size, uint64_t to_offset, uint64_t size) {
  if (from_offset % 4 != 0 || to_offset % 4 != 0 || size % 4 != 0) {
    return DeviceError("Copy: offsets ", from_offset, " and ", to_offset, " and size ", size,
                       " must be multiples of 4");
  }
  WC_RETURN_IF_ERROR(CheckRange(from_size, from_offset, size, "Copy (source)"));
  return CheckRange(to_size, to_offset, size, "Copy (destination)");
}

WordWrite SplitWrite(const void* data, uint64_t size) {
  WordWrite w;
  w.body = size & ~uint64_t{3};
  if (size > w.body) {
    w.has_tail = true;
    std::memcpy(w.tail, static_cast<const uint8_t*>(data) + w.body, size - w.body);
  }
  return w;
}

WordRange CoveringWords(uint64_t offset, uint64_t size) {
  WordRange r;
  r.begin = offset & ~uint64_t{3};
  r.length = RoundUp(offset + size, 4) - r.begin;
  return r;
}

}  // namespace webconv::gpu
