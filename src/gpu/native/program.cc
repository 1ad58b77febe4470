// Programs: dispatches resolved once (pipelines fetched, uniform buffers written, bind groups made) and
// submitted many times. A plain run encodes every dispatch into one compute pass (WebGPU orders the
// dispatches of a pass and makes each one's writes visible to the next). A timed run gives each dispatch
// its own pass with begin/end timestamp writes, then resolves and reads the timestamps back.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include "gpu/buffer_limits.h"
#include "gpu/dispatch_check.h"
#include "gpu/native/abi_check.h"
#include "gpu/native/native_device.h"
#include "gpu/native/trace.h"

namespace webconv::gpu::native {
namespace {

// Copies an input into its mapped staging buffer. One core copies at a few GB/s (DBNet's 11 MB input
// took 1.5-1.7 ms of every run on the H100 machine, a quarter of its GPU time), so an input of several
// megabytes is split over threads, each taking at least kStagingBytesPerThread; the caller copies the
// first part itself. A thread that cannot be started leaves its part to the caller.
constexpr size_t kStagingBytesPerThread = size_t{2} << 20;
constexpr size_t kStagingMaxThreads = 8;

void CopyToStaging(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t parts = std::min({n / kStagingBytesPerThread, cores, kStagingMaxThreads});
  if (parts < 2) {
    std::memcpy(d, s, n);
    return;
  }
  const size_t chunk = (n / parts + 63) / 64 * 64;  // whole cache lines, the last part takes the rest
  std::vector<std::thread> helpers;
  std::vector<std::pair<size_t, size_t>> left;  // parts no thread took: [begin, end)
  for (size_t begin = chunk; begin < n; begin += chunk) {
    const size_t end = std::min(n, begin + chunk);
    try {
      helpers.emplace_back([d, s, begin, end] { std::memcpy(d + begin, s + begin, end - begin); });
    } catch (const std::system_error&) {
      left.push_back({begin, end});
    }
  }
  std::memcpy(d, s, std::min(chunk, n));
  for (const auto& [begin, end] : left) std::memcpy(d + begin, s + begin, end - begin);
  for (std::thread& t : helpers) t.join();
}

constexpr abi::WGPUFlags kUniformUsage = abi::BufferUsage::kUniform | abi::BufferUsage::kCopyDst;
constexpr abi::WGPUFlags kResolveUsage = abi::BufferUsage::kQueryResolve | abi::BufferUsage::kCopySrc;
constexpr abi::WGPUFlags kReadbackUsage = abi::BufferUsage::kMapRead | abi::BufferUsage::kCopyDst;
constexpr abi::WGPUFlags kUploadUsage = abi::BufferUsage::kMapWrite | abi::BufferUsage::kCopySrc;

// A map request's answer. Kept (leaked) if its wait fails: Dawn may still call back later.
struct MapAnswer {
  abi::WGPUEnum status = 0;
  std::string message;
};

void OnMapped(abi::WGPUEnum status, abi::WGPUStringView message, void* u1, void*) {
  static_cast<MapAnswer*>(u1)->status = status;
  static_cast<MapAnswer*>(u1)->message = StringOf(message);
}

// The staging buffer of one written tensor, kept by the program: mapped for writing between runs (the
// map for the next run is requested right after this run's submission, and is done by the time it is
// needed), so a run's input costs one memcpy into memory the process has already touched.
struct UploadStaging {
  abi::WGPUBuffer buffer = nullptr;
  uint64_t size = 0;
  bool mapped = false;
  abi::WGPUFuture pending{};
  std::unique_ptr<MapAnswer> answer;  // of `pending`, when a map is in flight
};
// WebGPU caps a query set at 4096 queries (2048 timed dispatches); longer programs use several sets.
constexpr uint32_t kQueriesPerSet = 4096;

// A read's staging buffer, returned to the pool when the run is over (released instead after a failed
// map: a map may still be pending on it).
struct ReadStaging {
  Core* core = nullptr;
  abi::WGPUBuffer buffer = nullptr;
  uint64_t size = 0, begin = 0, length = 0;
  bool reusable = false;
  ~ReadStaging() {
    if (!buffer) return;
    if (reusable) core->RecycleBuffer(kReadbackUsage, size, buffer);
    else core->p->BufferRelease(buffer);
  }
};

struct Step : CheckedDispatch {
  std::shared_ptr<Pipeline> pipeline;
  std::vector<BufferPtr> buffers;  // held so the pool cannot recycle them while the program exists
  abi::WGPUBuffer uniforms = nullptr;
  uint64_t uniform_size = 0;
  abi::WGPUBindGroup bind_group = nullptr;
};

class NativeProgram final : public Program {
 public:
  NativeProgram(std::shared_ptr<Core> core, std::vector<Step> steps)
      : core_(std::move(core)), steps_(std::move(steps)) {}
  ~NativeProgram() override;
  Status RunAndRead(const std::vector<WriteRequest>& writes, std::vector<DispatchTiming>* timings,
                    const std::vector<ReadRequest>& reads) override;
  // Creates every step's uniform buffer and bind group; `dispatches` supplies the uniform bytes.
  Status MakeBindGroups(const std::vector<Dispatch>& dispatches);

 private:
  void Encode(abi::WGPUCommandEncoder encoder, bool timed);
  Status EnsureQueries(uint32_t count);
  void DropQueries();
  Status ReadTimings(uint32_t active, std::vector<DispatchTiming>* timings);
  Status Diagnose(const Status& failure);
  Status FinishReads(const std::vector<ReadRequest>& reads, std::vector<std::unique_ptr<ReadStaging>>& staging);
  // Copies each write into its staging buffer (waiting for the map requested after the last run).
  Status StageWrites(const std::vector<WriteRequest>& writes);
  // Requests the maps for the next run's writes (RequestMap: one staging buffer's, unless mapped or pending).
  void RemapUploads();
  void RequestMap(UploadStaging& u);
  Status WaitUpload(UploadStaging& u);
  std::map<const Buffer*, UploadStaging> uploads_;

  std::shared_ptr<Core> core_;
  std::vector<Step> steps_;
  std::vector<abi::WGPUQuerySet> queries_;
  abi::WGPUBuffer resolve_ = nullptr, readback_ = nullptr;
  uint32_t query_count_ = 0;
};

NativeProgram::~NativeProgram() {
  const DawnProcs& p = *core_->p;
  for (auto& [buffer, u] : uploads_) {
    if (u.answer && !core_->lost()) (void)WaitUpload(u);  // a map in flight writes into u.answer
    if (u.answer) (void)u.answer.release();
    p.BufferRelease(u.buffer);
  }
  for (Step& s : steps_) {
    if (s.bind_group) p.BindGroupRelease(s.bind_group);
    if (s.uniforms) core_->RecycleBuffer(kUniformUsage, s.uniform_size, s.uniforms);
  }
  for (abi::WGPUQuerySet q : queries_) {
    p.QuerySetDestroy(q);
    p.QuerySetRelease(q);
  }
  if (resolve_) core_->RecycleBuffer(kResolveUsage, uint64_t{8} * query_count_, resolve_);
  if (readback_) core_->RecycleBuffer(kReadbackUsage, uint64_t{8} * query_count_, readback_);
}

void NativeProgram::DropQueries() {
  const DawnProcs& p = *core_->p;
  for (abi::WGPUQuerySet q : queries_) p.QuerySetRelease(q);
  if (resolve_) p.BufferRelease(resolve_);
  if (readback_) p.BufferRelease(readback_);
  queries_.clear();
  resolve_ = readback_ = nullptr;
  query_count_ = 0;
}

void NativeProgram::Encode(abi::WGPUCommandEncoder encoder, bool timed) {
  const DawnProcs& p = *core_->p;
  abi::WGPUComputePassEncoder pass = nullptr;
  abi::WGPUComputePipeline current = nullptr;
  uint32_t q = 0;
  for (const Step& s : steps_) {
    if (s.skipped) continue;
    if (timed || !pass) {
      abi::WGPUPassTimestampWrites writes{};
      if (timed) {
        writes.querySet = queries_[2 * q / kQueriesPerSet];
        writes.beginningOfPassWriteIndex = 2 * q % kQueriesPerSet;
        writes.endOfPassWriteIndex = 2 * q % kQueriesPerSet + 1;
      }
      abi::WGPUComputePassDescriptor desc{};
      desc.label = timed ? abi::View(s.label) : abi::View("webconv program");
      desc.timestampWrites = timed ? &writes : nullptr;
      pass = p.CommandEncoderBeginComputePass(encoder, &desc);
      current = nullptr;
      ++q;
    }
    if (s.pipeline->pipeline != current) {
      current = s.pipeline->pipeline;
      p.ComputePassEncoderSetPipeline(pass, current);
    }
    p.ComputePassEncoderSetBindGroup(pass, 0, s.bind_group, 0, nullptr);
    p.ComputePassEncoderDispatchWorkgroups(pass, s.groups[0], s.groups[1], s.groups[2]);
    if (timed) {
      p.ComputePassEncoderEnd(pass);
      p.ComputePassEncoderRelease(pass);
      pass = nullptr;
    }
  }
  if (pass) {
    p.ComputePassEncoderEnd(pass);
    p.ComputePassEncoderRelease(pass);
  }
}

Status NativeProgram::EnsureQueries(uint32_t count) {
  if (!queries_.empty()) return OkStatus();
  const DawnProcs& p = *core_->p;
  core_->PushScopes();
  for (uint32_t first = 0; first < count; first += kQueriesPerSet) {
    abi::WGPUQuerySetDescriptor desc{};
    desc.label = abi::View("webconv timestamps");
    desc.type = abi::QueryType::kTimestamp;
    desc.count = std::min(kQueriesPerSet, count - first);
    queries_.push_back(p.DeviceCreateQuerySet(core_->device, &desc));
  }
  query_count_ = count;
  Status s = core_->PopScopes("creating the timestamp query sets: ");
  Result<abi::WGPUBuffer> resolve = core_->AcquireBuffer(kResolveUsage, uint64_t{8} * count, "timestamps");
  if (resolve.ok()) resolve_ = resolve.value();
  Result<abi::WGPUBuffer> readback = core_->AcquireBuffer(kReadbackUsage, uint64_t{8} * count, "timestamps");
  if (readback.ok()) readback_ = readback.value();
  if (s.ok()) s = !resolve.ok() ? resolve.status() : readback.status();
  if (!s.ok()) DropQueries();
  return s;
}

Status NativeProgram::ReadTimings(uint32_t active, std::vector<DispatchTiming>* timings) {
  const DawnProcs& p = *core_->p;
  const uint64_t bytes = uint64_t{16} * active;
  auto status = std::make_unique<abi::WGPUEnum>(0);
  abi::WGPUBufferMapCallbackInfo info{};
  info.mode = abi::CallbackMode::kWaitAnyOnly;
  info.callback = [](abi::WGPUEnum st, abi::WGPUStringView, void* u1, void*) {
    *static_cast<abi::WGPUEnum*>(u1) = st;
  };
  info.userdata1 = status.get();
  Status waited = core_->waiter->WaitFor(p.BufferMapAsync(readback_, abi::MapMode::kRead, 0, bytes, info),
                                         status, "the timestamp readback");
  if (!waited.ok()) {
    DropQueries();  // a map may still be pending on the readback buffer: start afresh next time
    return waited;
  }
  if (*status != abi::kSuccess) {
    DropQueries();
    return DeviceError("mapping the timestamp readback failed (status ", *status, ")");
  }
  std::vector<uint64_t> ticks(2 * active);
  const void* src = p.BufferGetConstMappedRange(readback_, 0, bytes);
  if (src) std::memcpy(ticks.data(), src, bytes);
  p.BufferUnmap(readback_);
  if (!src) return DeviceError("the timestamp readback's mapped range is null");
  uint32_t q = 0;
  for (const Step& s : steps_) {
    DispatchTiming t{s.label, s.kernel, 0.0};
    if (!s.skipped) {
      // Dawn resolves timestamps to nanoseconds. A pass whose end precedes its begin (seen on some drivers
      // when a pass is tiny) counts as zero rather than as a negative time.
      const uint64_t begin = ticks[2 * q], end = ticks[2 * q + 1];
      t.ms = end > begin ? static_cast<double>(end - begin) / 1e6 : 0.0;
      ++q;
    }
    timings->push_back(std::move(t));
  }
  return OkStatus();
}

// After a failed run: encode each dispatch alone inside error scopes to name the first one that fails.
Status NativeProgram::Diagnose(const Status& failure) {
  const DawnProcs& p = *core_->p;
  if (core_->lost()) return failure;
  for (const Step& s : steps_) {
    if (s.skipped) continue;
    core_->PushScopes();
    abi::WGPUCommandEncoderDescriptor enc_desc{};
    abi::WGPUCommandEncoder encoder = p.DeviceCreateCommandEncoder(core_->device, &enc_desc);
    abi::WGPUComputePassDescriptor desc{};
    abi::WGPUComputePassEncoder pass = p.CommandEncoderBeginComputePass(encoder, &desc);
    p.ComputePassEncoderSetPipeline(pass, s.pipeline->pipeline);
    p.ComputePassEncoderSetBindGroup(pass, 0, s.bind_group, 0, nullptr);
    p.ComputePassEncoderDispatchWorkgroups(pass, s.groups[0], s.groups[1], s.groups[2]);
    p.ComputePassEncoderEnd(pass);
    p.ComputePassEncoderRelease(pass);
    abi::WGPUCommandBufferDescriptor cmd_desc{};
    abi::WGPUCommandBuffer commands = p.CommandEncoderFinish(encoder, &cmd_desc);
    if (commands) p.CommandBufferRelease(commands);
    p.CommandEncoderRelease(encoder);
    Status st = core_->PopScopes(s.Who());
    if (!st.ok()) return st;
  }
  return failure;
}

Status NativeProgram::WaitUpload(UploadStaging& u) {
  if (!u.answer) return OkStatus();
  Status s = core_->waiter->WaitFor(u.pending, u.answer, "mapping an input's staging buffer");
  if (!s.ok()) return s;  // the answer was released by WaitFor
  const MapAnswer a = *u.answer;
  u.answer.reset();
  if (a.status != abi::kSuccess) {
    return DeviceError("mapping an input's staging buffer failed (status ", a.status, "): ", a.message);
  }
  u.mapped = true;
  return OkStatus();
}

Status NativeProgram::StageWrites(const std::vector<WriteRequest>& writes) {
  const DawnProcs& p = *core_->p;
  for (const WriteRequest& w : writes) {
    const auto* nb = dynamic_cast<const NativeBuffer*>(w.buffer);
    if (!nb || nb->core() != core_.get()) return DeviceError("Write: the buffer was not created by this device");
    WC_RETURN_IF_ERROR(CheckWrite(nb->size(), 0, w.size));
    if (w.size % 4) return DeviceError("Write: a staged write must be a whole number of 4-byte words");
    if (w.size == 0) continue;
    UploadStaging& u = uploads_[w.buffer];
    if (u.buffer && u.size != w.size) {
      WC_RETURN_IF_ERROR(WaitUpload(u));
      p.BufferRelease(u.buffer);
      u = UploadStaging{};
    }
    if (!u.buffer) {
      abi::WGPUBufferDescriptor desc{};
      desc.label = abi::View("input staging");
      desc.usage = kUploadUsage;
      desc.size = w.size;
      desc.mappedAtCreation = 1;
      core_->PushScopes();
      u.buffer = p.DeviceCreateBuffer(core_->device, &desc);
      u.size = w.size;
      Status made = core_->PopScopes(StrCat("creating an input's staging buffer (", w.size, " bytes): "));
      if (!made.ok() || !u.buffer) {
        if (u.buffer) p.BufferRelease(u.buffer);
        uploads_.erase(w.buffer);
        return made.ok() ? DeviceError("creating an input's staging buffer failed") : made;
      }
      u.mapped = true;
    }
    RequestMap(u);  // normally requested after the last run; not when that run failed before its submit
    WC_RETURN_IF_ERROR(WaitUpload(u));
    void* dst = p.BufferGetMappedRange(u.buffer, 0, w.size);
    if (!dst) return DeviceError("the mapped range of an input's staging buffer is null");
    CopyToStaging(dst, w.data, w.size);
    p.BufferUnmap(u.buffer);
    u.mapped = false;
  }
  return OkStatus();
}

void NativeProgram::RequestMap(UploadStaging& u) {
  if (u.mapped || u.answer) return;
  u.answer = std::make_unique<MapAnswer>();
  abi::WGPUBufferMapCallbackInfo info{};
  info.mode = abi::CallbackMode::kWaitAnyOnly;
  info.callback = OnMapped;
  info.userdata1 = u.answer.get();
  u.pending = core_->p->BufferMapAsync(u.buffer, abi::MapMode::kWrite, 0, u.size, info);
}

void NativeProgram::RemapUploads() {
  for (auto& [buffer, u] : uploads_) RequestMap(u);
}

Status NativeProgram::RunAndRead(const std::vector<WriteRequest>& writes, std::vector<DispatchTiming>* timings,
                                 const std::vector<ReadRequest>& reads) {
  const DawnProcs& p = *core_->p;
  if (timings) timings->clear();
  using Clock = std::chrono::steady_clock;
  const Clock::time_point t0 = Clock::now();
  WC_RETURN_IF_ERROR(StageWrites(writes));
  const Clock::time_point t_written = Clock::now();
  // Staging for every read, before anything is encoded.
  std::vector<std::unique_ptr<ReadStaging>> staging;
  for (const ReadRequest& r : reads) {
    const auto* nb = dynamic_cast<const NativeBuffer*>(r.buffer);
    if (!nb || nb->core() != core_.get()) return DeviceError("RunAndRead: the buffer was not created by this device");
    WC_RETURN_IF_ERROR(CheckRange(nb->size(), r.offset, r.size, "Read"));
    auto st = std::make_unique<ReadStaging>();
    st->core = core_.get();
    const WordRange words = CoveringWords(r.offset, r.size);
    st->begin = words.begin;
    st->length = words.length;
    // Power-of-two sizes (min 256 B) so the pool reuses them from run to run.
    st->size = 256;
    while (st->size < st->length) st->size *= 2;
    if (st->size > core_->limits.maxBufferSize) st->size = RoundUp(st->length, 16);
    if (r.size) {
      WC_ASSIGN_OR_RETURN(st->buffer, core_->AcquireBuffer(kReadbackUsage, st->size, "readback"));
    }
    staging.push_back(std::move(st));
  }
  WC_RETURN_IF_ERROR(core_->TakeErrors("before running a program: "));
  const auto active = static_cast<uint32_t>(
      std::count_if(steps_.begin(), steps_.end(), [](const Step& s) { return !s.skipped; }));
  const bool timed = timings && core_->info.has_timestamps && active > 0;
  if (timed) WC_RETURN_IF_ERROR(EnsureQueries(2 * active));

  abi::WGPUCommandEncoderDescriptor enc_desc{};
  abi::WGPUCommandEncoder encoder = p.DeviceCreateCommandEncoder(core_->device, &enc_desc);
  for (const WriteRequest& w : writes) {
    if (w.size == 0) continue;
    p.CommandEncoderCopyBufferToBuffer(encoder, uploads_[w.buffer].buffer, 0,
                                       static_cast<const NativeBuffer&>(*w.buffer).handle(), 0, w.size);
  }
  Encode(encoder, timed);
  if (timed) {
    // One resolve per set; each lands at a multiple of 4096 * 8 bytes (the 256-byte alignment rule holds).
    for (size_t i = 0; i < queries_.size(); ++i) {
      const uint32_t first = static_cast<uint32_t>(i) * kQueriesPerSet;
      p.CommandEncoderResolveQuerySet(encoder, queries_[i], 0, std::min(kQueriesPerSet, 2 * active - first),
                                      resolve_, uint64_t{8} * first);
    }
    p.CommandEncoderCopyBufferToBuffer(encoder, resolve_, 0, readback_, 0, uint64_t{16} * active);
  }
  for (size_t i = 0; i < reads.size(); ++i) {
    if (!staging[i]->buffer) continue;
    const auto& nb = static_cast<const NativeBuffer&>(*reads[i].buffer);
    p.CommandEncoderCopyBufferToBuffer(encoder, nb.handle(), staging[i]->begin, staging[i]->buffer, 0,
                                       staging[i]->length);
  }
  abi::WGPUCommandBufferDescriptor cmd_desc{};
  abi::WGPUCommandBuffer commands = p.CommandEncoderFinish(encoder, &cmd_desc);
  const Clock::time_point t_encoded = Clock::now();
  p.QueueSubmit(core_->queue, 1, &commands);
  if (commands) p.CommandBufferRelease(commands);
  p.CommandEncoderRelease(encoder);
  RemapUploads();  // done by the time the submission is, ready for the next run
  const Clock::time_point t_submitted = Clock::now();

  auto done = std::make_unique<abi::WGPUEnum>(0);
  abi::WGPUQueueWorkDoneCallbackInfo info{};
  info.mode = abi::CallbackMode::kWaitAnyOnly;
  info.callback = [](abi::WGPUEnum status, abi::WGPUStringView, void* u1, void*) {
    *static_cast<abi::WGPUEnum*>(u1) = status;
  };
  info.userdata1 = done.get();
  Status waited = core_->waiter->WaitFor(p.QueueOnSubmittedWorkDone(core_->queue, info), done,
                                         StrCat("a program of ", active, " dispatches"));
  if (!waited.ok()) {
    if (timed) DropQueries();  // its timestamps may still be written: never reuse those buffers
    return waited;
  }
  Status errors = core_->TakeErrors("running a program: ");
  if (!errors.ok()) return Diagnose(errors);
  if (*done != abi::kSuccess) return DeviceError("running a program: the queue reported status ", *done);
  if (timed) WC_RETURN_IF_ERROR(ReadTimings(active, timings));
  const Clock::time_point t_done = Clock::now();
  Status read = FinishReads(reads, staging);
  if (TraceOn()) {
    std::fprintf(stderr, "run trace: inputs staged %.2f ms, encoded %.2f ms, submitted %.2f ms, GPU wait %.2f ms, "
                 "outputs read %.2f ms\n", MsBetween(t0, t_written), MsBetween(t_written, t_encoded),
                 MsBetween(t_encoded, t_submitted),
                 MsBetween(t_submitted, t_done), MsBetween(t_done, Clock::now()));
  }
  return read;
}

// The reads' copies were part of the submission, which is complete: map every staging buffer (all maps
// requested before the first wait), then copy out.
Status NativeProgram::FinishReads(const std::vector<ReadRequest>& reads,
                                  std::vector<std::unique_ptr<ReadStaging>>& staging) {
  const DawnProcs& p = *core_->p;
  std::vector<std::unique_ptr<MapAnswer>> mapped(reads.size());
  std::vector<abi::WGPUFuture> futures(reads.size());
  for (size_t i = 0; i < reads.size(); ++i) {
    if (!staging[i]->buffer) continue;
    mapped[i] = std::make_unique<MapAnswer>();
    abi::WGPUBufferMapCallbackInfo info{};
    info.mode = abi::CallbackMode::kWaitAnyOnly;
    info.callback = OnMapped;
    info.userdata1 = mapped[i].get();
    futures[i] = p.BufferMapAsync(staging[i]->buffer, abi::MapMode::kRead, 0, staging[i]->length, info);
  }
  Status first;
  for (size_t i = 0; i < reads.size(); ++i) {
    if (!staging[i]->buffer) continue;
    Status s = core_->waiter->WaitFor(futures[i], mapped[i], StrCat("a readback of ", reads[i].size, " bytes"));
    if (s.ok() && mapped[i]->status != abi::kSuccess) {
      s = DeviceError("Read: mapping the readback buffer failed (status ", mapped[i]->status, "): ",
                      mapped[i]->message);
    }
    if (!s.ok()) {
      if (first.ok()) first = s;
      continue;
    }
    const void* src = p.BufferGetConstMappedRange(staging[i]->buffer, 0, staging[i]->length);
    if (src) {
      std::memcpy(reads[i].data, static_cast<const uint8_t*>(src) + (reads[i].offset - staging[i]->begin),
                  reads[i].size);
    } else if (first.ok()) {
      first = DeviceError("Read: the mapped range of the readback buffer is null");
    }
    p.BufferUnmap(staging[i]->buffer);
    staging[i]->reusable = true;
  }
  WC_RETURN_IF_ERROR(first);
  return core_->TakeErrors("Read: ");
}

Status MakeBindGroup(Core& core, const std::vector<uint8_t>& uniforms, Step& s, Core::PendingScopes* scopes);

Status NativeProgram::MakeBindGroups(const std::vector<Dispatch>& dispatches) {
  // Every bind group is made before the first answer is waited for: one round of waits, not one per step.
  std::vector<Core::PendingScopes> scopes(steps_.size());
  Status first;
  for (size_t i = 0; i < steps_.size() && first.ok(); ++i) {
    if (!steps_[i].skipped) first = MakeBindGroup(*core_, dispatches[i].uniforms, steps_[i], &scopes[i]);
  }
  for (size_t i = 0; i < steps_.size(); ++i) {
    if (!scopes[i].answers[0]) continue;  // not made
    Status st = core_->WaitScopes(scopes[i], steps_[i].Who() + "creating the bind group: ");
    if (first.ok()) first = st;
  }
  return first;
}

// Validates one dispatch and resolves its pipeline and buffers; creates no GPU object yet.
Status ResolveStep(NativeDevice& device, Dispatch& d, Step* s) {
  auto owned = [&device](const Buffer& b, const std::string& what) {
    return device.Native(b, what).status();
  };
  WC_RETURN_IF_ERROR(CheckDispatch(d, device.info().max_workgroups_per_dim, owned, s));
  WC_ASSIGN_OR_RETURN(s->pipeline, device.GetPipeline(*d.kernel));
  s->buffers = std::move(d.buffers);
  return OkStatus();
}

// Makes the step's uniform buffer and bind group; the bind group's error scopes are popped into `scopes`
// for the caller to wait on. On error, what was made stays in the step for the program's destructor to
// release.
Status MakeBindGroup(Core& core, const std::vector<uint8_t>& uniforms, Step& s, Core::PendingScopes* scopes) {
  const DawnProcs& p = *core.p;
  std::vector<abi::WGPUBindGroupEntry> entries(s.buffers.size() + (uniforms.empty() ? 0 : 1));
  for (size_t b = 0; b < entries.size(); ++b) {
    entries[b] = abi::WGPUBindGroupEntry{};
    entries[b].binding = static_cast<uint32_t>(b);
    entries[b].size = abi::kWholeSize;
    if (b < s.buffers.size()) entries[b].buffer = static_cast<const NativeBuffer&>(*s.buffers[b]).handle();
  }
  if (!uniforms.empty()) {
    const uint64_t size = (uniforms.size() + 15) / 16 * 16;
    Result<abi::WGPUBuffer> ub = core.AcquireBuffer(kUniformUsage, size, s.label + " uniforms");
    if (!ub.ok()) return ub.status().Prefixed(s.Who());
    s.uniforms = ub.value();
    s.uniform_size = size;
    std::vector<uint8_t> padded(uniforms);
    padded.resize(size, 0);
    p.QueueWriteBuffer(core.queue, s.uniforms, 0, padded.data(), padded.size());
    entries.back().buffer = s.uniforms;
  }
  const std::string label = s.label + " [" + s.kernel + "]";  // Dawn's messages quote it
  abi::WGPUBindGroupDescriptor desc{};
  desc.label = abi::View(label);
  desc.layout = s.pipeline->layout;
  desc.entryCount = entries.size();
  desc.entries = entries.data();
  core.PushScopes();
  s.bind_group = p.DeviceCreateBindGroup(core.device, &desc);
  *scopes = core.PopScopesLater();
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<Program>> NativeDevice::CreateProgram(std::vector<Dispatch> dispatches) {
  WC_RETURN_IF_ERROR(core_->TakeErrors("before creating a program: "));
  std::vector<Step> steps(dispatches.size());
  for (size_t i = 0; i < dispatches.size(); ++i) {
    WC_RETURN_IF_ERROR(ResolveStep(*this, dispatches[i], &steps[i]));
  }
  auto program = std::make_unique<NativeProgram>(core_, std::move(steps));
  WC_RETURN_IF_ERROR(program->MakeBindGroups(dispatches));
  return std::unique_ptr<Program>(std::move(program));
}

}  // namespace webconv::gpu::native
