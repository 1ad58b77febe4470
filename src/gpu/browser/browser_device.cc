// Device::Create for the browser backend (the adapter and device are requested by the bridge), the
// adapter facts, error collection, and buffers: creation from the bridge's pool, writes through the
// queue, reads through a mapped staging buffer. Offsets and sizes handed to WebGPU are multiples of 4;
// callers may pass any size.
#include "gpu/compute_units.h"
#include "gpu/browser/browser_device.h"

#include <cstdlib>
#include <cstring>

#include "gpu/browser/bridge.h"
#include "gpu/buffer_limits.h"

namespace webconv::gpu {
namespace browser {

std::string TakeBridgeString(char* s) {
  if (!s) return "";
  std::string out(s);
  std::free(s);
  return out;
}

Status TakeErrors(const std::string& context) {
  const std::string text = TakeBridgeString(wcgpu_take_error());
  if (text.empty()) return OkStatus();
  return DeviceError(context, text);
}

BrowserBuffer::~BrowserBuffer() {
  wcgpu_buffer_release(handle_);
}

Result<const BrowserBuffer*> BrowserDevice::Browser(const Buffer& buffer, const std::string& what) {
  const auto* b = dynamic_cast<const BrowserBuffer*>(&buffer);
  if (!b) return DeviceError(what, ": the buffer was not created by the browser device");
  return b;
}

Result<BufferPtr> BrowserDevice::Allocate(uint64_t size, const std::string& label) {
  WC_RETURN_IF_ERROR(TakeErrors("before creating buffer '" + label + "': "));
  const int handle = wcgpu_buffer_create(static_cast<double>(size), label.c_str());
  return BufferPtr(std::make_shared<BrowserBuffer>(handle, size));
}

Status BrowserDevice::Write(const Buffer& buffer, uint64_t offset, const void* data, uint64_t size) {
  WC_ASSIGN_OR_RETURN(const BrowserBuffer* b, Browser(buffer, "Write"));
  WC_RETURN_IF_ERROR(CheckWrite(b->size(), offset, size));
  if (size == 0) return OkStatus();
  const WordWrite w = SplitWrite(data, size);
  if (w.body > 0)
    wcgpu_buffer_write(b->handle(), static_cast<double>(offset), data, static_cast<double>(w.body));
  if (w.has_tail) wcgpu_buffer_write(b->handle(), static_cast<double>(offset + w.body), w.tail, 4);
  return TakeErrors("Write: ");
}

Status BrowserDevice::Copy(const Buffer& from, uint64_t from_offset, const Buffer& to, uint64_t to_offset,
                           uint64_t size) {
  WC_ASSIGN_OR_RETURN(const BrowserBuffer* src, Browser(from, "Copy"));
  WC_ASSIGN_OR_RETURN(const BrowserBuffer* dst, Browser(to, "Copy"));
  WC_RETURN_IF_ERROR(CheckCopy(src->size(), from_offset, dst->size(), to_offset, size));
  if (size == 0) return OkStatus();
  wcgpu_buffer_copy(src->handle(), static_cast<double>(from_offset), dst->handle(), static_cast<double>(to_offset),
                    static_cast<double>(size));
  return TakeErrors("Copy: ");
}

Status BrowserDevice::Read(const Buffer& buffer, uint64_t offset, void* data, uint64_t size) {
  WC_ASSIGN_OR_RETURN(const BrowserBuffer* b, Browser(buffer, "Read"));
  WC_RETURN_IF_ERROR(CheckRange(b->size(), offset, size, "Read"));
  if (size == 0) return OkStatus();
  WC_RETURN_IF_ERROR(TakeErrors("before a read: "));
  const WordRange range = CoveringWords(offset, size);  // inside the buffer: its size is a multiple of 16
  const uint64_t begin = range.begin, len = range.length;
  // The bridge copies whole words; the caller's range may start or end inside one.
  std::vector<uint8_t> words;
  uint8_t* dst = static_cast<uint8_t*>(data);
  const bool aligned = begin == offset && len == size;
  if (!aligned) {
    words.resize(len);
    dst = words.data();
  }
  if (!wcgpu_read(b->handle(), static_cast<double>(begin), dst, static_cast<double>(len))) {
    Status s = TakeErrors("Read: ");
    return s.ok() ? DeviceError("Read: the readback failed") : s;
  }
  if (!aligned) std::memcpy(data, words.data() + (offset - begin), size);
  return TakeErrors("Read: ");
}

}  // namespace browser

Result<std::unique_ptr<Device>> Device::Create(const DeviceOptions& options) {
  if (!options.adapter.empty()) {
    return UsageError("choosing an adapter ('", options.adapter,
                      "') is not possible in a browser: the browser picks the adapter");
  }
  if (!wcgpu_init(options.want_timestamps ? 1 : 0)) {
    const std::string why = browser::TakeBridgeString(wcgpu_take_error());
    return DeviceError(why.empty() ? std::string("WebGPU is missing: no device") : why);
  }
  AdapterInfo ai;
  ai.name = browser::TakeBridgeString(wcgpu_info_string(0));
  ai.backend = browser::TakeBridgeString(wcgpu_info_string(1));
  ai.adapter_type = browser::TakeBridgeString(wcgpu_info_string(2));
  ai.driver = browser::TakeBridgeString(wcgpu_info_string(3));
  ai.why = "the browser's choice (navigator.gpu.requestAdapter, high-performance)";
  ai.max_buffer_size = static_cast<uint64_t>(wcgpu_info_number(0));
  ai.max_storage_binding_size = static_cast<uint64_t>(wcgpu_info_number(1));
  ai.max_storage_buffers_per_stage = static_cast<uint32_t>(wcgpu_info_number(2));
  ai.max_workgroup_invocations = static_cast<uint32_t>(wcgpu_info_number(3));
  ai.max_workgroups_per_dim = static_cast<uint32_t>(wcgpu_info_number(4));
  ai.max_workgroup_storage = static_cast<uint32_t>(wcgpu_info_number(5));
  ai.compute_units = ComputeUnitsOf(ai.name);
  ai.has_timestamps = wcgpu_info_number(6) != 0;
  ai.is_software = wcgpu_info_number(7) != 0;
  ai.has_subgroups = wcgpu_info_number(8) != 0;
  ai.fixed_subgroup_size = static_cast<uint32_t>(wcgpu_info_number(9));
  WC_RETURN_IF_ERROR(browser::TakeErrors("creating the device: "));
  return std::unique_ptr<Device>(new browser::BrowserDevice(std::move(ai)));
}

}  // namespace webconv::gpu
