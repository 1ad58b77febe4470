// A model's weights, written in bulk while its pipelines compile. Writing each with QueueWriteBuffer
// copies it into Dawn's staging memory on the calling thread, the thread that also parses every
// pipeline's WGSL and so sets the pace of a cold start. Here BeginWrites makes one staging buffer
// mapped at creation and copies the bytes into it on worker threads (plain memory: no WebGPU call
// leaves this thread); FinishWrites waits for them, unmaps, and submits one copy per write.
#include <algorithm>
#include <cstring>
#include <thread>

#include "gpu/buffer_limits.h"
#include "gpu/native/native_device.h"

namespace webconv::gpu::native {
namespace {

constexpr abi::WGPUFlags kStagingUsage = abi::BufferUsage::kMapWrite | abi::BufferUsage::kCopySrc;

struct StagedWrites final : PendingWrites {
  std::shared_ptr<Core> core;
  abi::WGPUBuffer staging = nullptr;
  std::vector<uint64_t> offsets;  // of each write in `staging`
  std::vector<std::thread> copiers;
  ~StagedWrites() override {
    for (std::thread& t : copiers)
      if (t.joinable()) t.join();
    if (staging) core->p->BufferRelease(staging);
  }
};

// Worker threads for the copies: a few, leaving this thread's core to the WGSL parsing.
unsigned CopierCount(uint64_t bytes) {
  if (bytes < (uint64_t{1} << 20)) return 1;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return std::clamp(cores - 1, 1u, 4u);
}

}  // namespace

Result<std::unique_ptr<PendingWrites>> NativeDevice::BeginWrites(std::vector<WriteRequest> writes) {
  auto staged = std::make_unique<StagedWrites>();
  staged->core = core_;
  uint64_t total = 0;
  for (const WriteRequest& w : writes) {
    WC_ASSIGN_OR_RETURN(const NativeBuffer* nb, Native(*w.buffer, "BeginWrites"));
    WC_RETURN_IF_ERROR(CheckWrite(nb->size(), 0, w.size));
    if (w.size % 4) return DeviceError("BeginWrites: a write must be a whole number of 4-byte words");
    staged->offsets.push_back(total);
    total += RoundUp(w.size, 16);
  }
  staged->writes = std::move(writes);
  if (total == 0) return std::unique_ptr<PendingWrites>(std::move(staged));
  // Past the largest buffer, or when the staging buffer cannot be made, the writes go one by one at
  // FinishWrites (no staging kept).
  if (total > core_->limits.maxBufferSize) return std::unique_ptr<PendingWrites>(std::move(staged));
  abi::WGPUBufferDescriptor desc{};
  desc.label = abi::View("weights staging");
  desc.usage = kStagingUsage;
  desc.size = total;
  desc.mappedAtCreation = 1;
  core_->PushScopes();
  abi::WGPUBuffer staging = core_->p->DeviceCreateBuffer(core_->device, &desc);
  const Status made = core_->PopScopes("creating the weights' staging buffer: ");
  void* base = made.ok() && staging ? core_->p->BufferGetMappedRange(staging, 0, total) : nullptr;
  if (!base) {
    if (staging) core_->p->BufferRelease(staging);
    return std::unique_ptr<PendingWrites>(std::move(staged));
  }
  staged->staging = staging;
  // Contiguous runs of writes of about equal bytes, one run per copier.
  const unsigned copiers = CopierCount(total);
  const std::vector<WriteRequest>& w = staged->writes;
  const std::vector<uint64_t>& off = staged->offsets;
  size_t first = 0;
  for (unsigned c = 0; c < copiers && first < w.size(); ++c) {
    const uint64_t until = total * (c + 1) / copiers;
    size_t last = first;
    while (last < w.size() && (off[last] < until || c + 1 == copiers)) ++last;
    staged->copiers.emplace_back([&w, &off, base, first, last] {
      for (size_t i = first; i < last; ++i)
        if (w[i].size) std::memcpy(static_cast<uint8_t*>(base) + off[i], w[i].data, w[i].size);
    });
    first = last;
  }
  return std::unique_ptr<PendingWrites>(std::move(staged));
}

Status NativeDevice::FinishWrites(std::unique_ptr<PendingWrites> pending) {
  auto* staged = dynamic_cast<StagedWrites*>(pending.get());
  if (!staged) return DeviceError("FinishWrites: the writes were not begun by this device");
  if (!staged->staging) return Device::FinishWrites(std::move(pending));
  for (std::thread& t : staged->copiers) t.join();
  const DawnProcs& p = *core_->p;
  p.BufferUnmap(staged->staging);
  abi::WGPUCommandEncoderDescriptor enc_desc{};
  abi::WGPUCommandEncoder encoder = p.DeviceCreateCommandEncoder(core_->device, &enc_desc);
  for (size_t i = 0; i < staged->writes.size(); ++i) {
    const WriteRequest& w = staged->writes[i];
    if (!w.size) continue;
    p.CommandEncoderCopyBufferToBuffer(encoder, staged->staging, staged->offsets[i],
                                       static_cast<const NativeBuffer&>(*w.buffer).handle(), 0, w.size);
  }
  abi::WGPUCommandBufferDescriptor cmd_desc{};
  abi::WGPUCommandBuffer commands = p.CommandEncoderFinish(encoder, &cmd_desc);
  p.QueueSubmit(core_->queue, 1, &commands);
  if (commands) p.CommandBufferRelease(commands);
  p.CommandEncoderRelease(encoder);
  return core_->TakeErrors("writing the weights: ");
}

}  // namespace webconv::gpu::native
