// Buffers: creation from the pool, writes through the queue, and blocking reads through a mapped
// staging buffer. Offsets and sizes handed to WebGPU must be multiples of 4; callers may pass any size.
#include <cstring>
#include <memory>

#include "gpu/buffer_limits.h"
#include "gpu/native/abi_check.h"
#include "gpu/native/native_device.h"

namespace webconv::gpu::native {
namespace {

// Returns a pooled staging buffer when it goes out of scope. After a failed map it is released instead:
// a map may still be pending on it.
struct StagingGuard {
  Core* core;
  abi::WGPUFlags usage;
  uint64_t size;
  abi::WGPUBuffer buffer;
  bool reusable = false;
  ~StagingGuard() {
    if (reusable) {
      core->RecycleBuffer(usage, size, buffer);
    } else {
      core->p->BufferRelease(buffer);
    }
  }
};

}  // namespace

Result<const NativeBuffer*> NativeDevice::Native(const Buffer& buffer, const std::string& what) const {
  const auto* nb = dynamic_cast<const NativeBuffer*>(&buffer);
  if (!nb || nb->core() != core_.get()) {
    return DeviceError(what, ": the buffer was not created by this device");
  }
  return nb;
}

Result<BufferPtr> NativeDevice::Allocate(uint64_t size, const std::string& label) {
  WC_RETURN_IF_ERROR(core_->TakeErrors("before creating buffer '" + label + "': "));
  WC_ASSIGN_OR_RETURN(abi::WGPUBuffer handle, core_->AcquireBuffer(NativeBuffer::kUsage, size, label));
  return BufferPtr(std::make_shared<NativeBuffer>(core_, handle, size));
}

Status NativeDevice::Write(const Buffer& buffer, uint64_t offset, const void* data, uint64_t size) {
  WC_ASSIGN_OR_RETURN(const NativeBuffer* nb, Native(buffer, "Write"));
  WC_RETURN_IF_ERROR(CheckWrite(nb->size(), offset, size));
  if (size == 0) return OkStatus();
  const WordWrite w = SplitWrite(data, size);
  // WriteBuffer copies the data before returning, so the caller's memory is free to go afterwards.
  if (w.body > 0) core_->p->QueueWriteBuffer(core_->queue, nb->handle(), offset, data, w.body);
  if (w.has_tail) core_->p->QueueWriteBuffer(core_->queue, nb->handle(), offset + w.body, w.tail, 4);
  return core_->TakeErrors("Write: ");
}

Status NativeDevice::Copy(const Buffer& from, uint64_t from_offset, const Buffer& to, uint64_t to_offset,
                          uint64_t size) {
  WC_ASSIGN_OR_RETURN(const NativeBuffer* src, Native(from, "Copy"));
  WC_ASSIGN_OR_RETURN(const NativeBuffer* dst, Native(to, "Copy"));
  WC_RETURN_IF_ERROR(CheckCopy(src->size(), from_offset, dst->size(), to_offset, size));
  if (size == 0) return OkStatus();
  const DawnProcs& p = *core_->p;
  abi::WGPUCommandEncoderDescriptor enc_desc{};
  abi::WGPUCommandEncoder encoder = p.DeviceCreateCommandEncoder(core_->device, &enc_desc);
  p.CommandEncoderCopyBufferToBuffer(encoder, src->handle(), from_offset, dst->handle(), to_offset, size);
  abi::WGPUCommandBufferDescriptor cmd_desc{};
  abi::WGPUCommandBuffer commands = p.CommandEncoderFinish(encoder, &cmd_desc);
  p.QueueSubmit(core_->queue, 1, &commands);
  p.CommandBufferRelease(commands);
  p.CommandEncoderRelease(encoder);
  return core_->TakeErrors("Copy: ");
}

Status NativeDevice::Read(const Buffer& buffer, uint64_t offset, void* data, uint64_t size) {
  WC_ASSIGN_OR_RETURN(const NativeBuffer* nb, Native(buffer, "Read"));
  WC_RETURN_IF_ERROR(CheckRange(nb->size(), offset, size, "Read"));
  if (size == 0) return OkStatus();
  const DawnProcs& p = *core_->p;
  const WordRange words = CoveringWords(offset, size);  // inside the buffer: its size is a multiple of 16
  const uint64_t begin = words.begin, len = words.length;
  // Staging sizes are rounded up to a power of two (min 256 B) so the pool can reuse them across reads.
  uint64_t staging_size = 256;
  while (staging_size < len) staging_size *= 2;
  if (staging_size > core_->limits.maxBufferSize) staging_size = RoundUp(len, 16);
  const abi::WGPUFlags usage = abi::BufferUsage::kMapRead | abi::BufferUsage::kCopyDst;
  WC_ASSIGN_OR_RETURN(abi::WGPUBuffer staging, core_->AcquireBuffer(usage, staging_size, "readback"));
  StagingGuard guard{core_.get(), usage, staging_size, staging};

  abi::WGPUCommandEncoderDescriptor enc_desc{};
  abi::WGPUCommandEncoder encoder = p.DeviceCreateCommandEncoder(core_->device, &enc_desc);
  p.CommandEncoderCopyBufferToBuffer(encoder, nb->handle(), begin, staging, 0, len);
  abi::WGPUCommandBufferDescriptor cmd_desc{};
  abi::WGPUCommandBuffer commands = p.CommandEncoderFinish(encoder, &cmd_desc);
  p.QueueSubmit(core_->queue, 1, &commands);
  p.CommandBufferRelease(commands);
  p.CommandEncoderRelease(encoder);

  struct Mapped {
    abi::WGPUEnum status = 0;
    std::string message;
  };
  auto mapped = std::make_unique<Mapped>();
  abi::WGPUBufferMapCallbackInfo info{};
  info.mode = abi::CallbackMode::kWaitAnyOnly;
  info.callback = [](abi::WGPUEnum status, abi::WGPUStringView message, void* u1, void*) {
    static_cast<Mapped*>(u1)->status = status;
    static_cast<Mapped*>(u1)->message = StringOf(message);
  };
  info.userdata1 = mapped.get();
  WC_RETURN_IF_ERROR(core_->waiter->WaitFor(p.BufferMapAsync(staging, abi::MapMode::kRead, 0, len, info),
                                            mapped, StrCat("a readback of ", size, " bytes")));
  if (mapped->status != abi::kSuccess) {
    Status errors = core_->TakeErrors("Read: ");
    if (!errors.ok()) return errors;
    return DeviceError("Read: mapping the readback buffer failed (status ", mapped->status,
                       "): ", mapped->message);
  }
  const void* src = p.BufferGetConstMappedRange(staging, 0, len);
  if (!src) {
    p.BufferUnmap(staging);
    guard.reusable = true;
    return DeviceError("Read: the mapped range of the readback buffer is null");
  }
  std::memcpy(data, static_cast<const uint8_t*>(src) + (offset - begin), size);
  p.BufferUnmap(staging);
  guard.reusable = true;
  return core_->TakeErrors("Read: ");
}

}  // namespace webconv::gpu::native
