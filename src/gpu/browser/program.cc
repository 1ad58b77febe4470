// Programs: dispatches resolved once (pipelines fetched, uniform buffers written, bind groups made by
// the bridge) and submitted many times. The bridge encodes a plain run as one compute pass and a timed
// run as one pass per dispatch with timestamp writes (webgpu_bridge.js wcgpu_run).
#include <memory>

#include "gpu/browser/bridge.h"
#include "gpu/buffer_limits.h"
#include "gpu/browser/browser_device.h"
#include "gpu/dispatch_check.h"

namespace webconv::gpu::browser {
namespace {

struct Step : CheckedDispatch {
  std::shared_ptr<Pipeline> pipeline;
  std::vector<BufferPtr> buffers;  // held so the pool cannot recycle them while the program exists
  int bridge_step = -1;            // its index among the bridge's dispatches (skipped steps have none)
};

class BrowserProgram final : public Program {
 public:
  BrowserProgram(std::vector<Step> steps, bool has_timestamps)
      : steps_(std::move(steps)), has_timestamps_(has_timestamps) {}
  ~BrowserProgram() override {
    if (handle_) wcgpu_program_release(handle_);
  }
  Status Build(const std::vector<Dispatch>& dispatches);
  Status RunAndRead(const std::vector<WriteRequest>& writes, std::vector<DispatchTiming>* timings,
                    const std::vector<ReadRequest>& reads) override;

 private:
  std::vector<Step> steps_;
  bool has_timestamps_;
  int handle_ = 0;
  int active_ = 0;
};

Status BrowserProgram::Build(const std::vector<Dispatch>& dispatches) {
  handle_ = wcgpu_program_create();
  for (size_t i = 0; i < steps_.size(); ++i) {
    Step& s = steps_[i];
    if (s.skipped) continue;
    std::vector<int> handles;
    for (const BufferPtr& b : s.buffers) handles.push_back(static_cast<const BrowserBuffer&>(*b).handle());
    const std::vector<uint8_t>& u = dispatches[i].uniforms;
    // Bridge errors quote the bind group's label: it names the node and the kernel.
    const std::string label = s.label + " [" + s.kernel + "]";
    wcgpu_program_add(handle_, s.pipeline->handle, handles.data(), static_cast<int>(handles.size()), u.data(),
                      static_cast<int>(u.size()), static_cast<int>(s.groups[0]),
                      static_cast<int>(s.groups[1]), static_cast<int>(s.groups[2]), label.c_str());
    s.bridge_step = active_++;
  }
  if (!wcgpu_finish_program(handle_)) {
    Status st = TakeErrors("creating a program: ");
    return st.ok() ? DeviceError("creating a program failed") : st;
  }
  return OkStatus();
}

Status BrowserProgram::RunAndRead(const std::vector<WriteRequest>& writes, std::vector<DispatchTiming>* timings,
                                  const std::vector<ReadRequest>& reads) {
  if (timings) timings->clear();
  WC_RETURN_IF_ERROR(TakeErrors("before running a program: "));
  // Every write and read is checked before any input is staged: a staged input is copied by the next
  // wcgpu_run, so nothing may return between the two.
  for (const WriteRequest& w : writes) {
    WC_ASSIGN_OR_RETURN(const BrowserBuffer* b, BrowserDevice::Browser(*w.buffer, "Write"));
    WC_RETURN_IF_ERROR(CheckWrite(b->size(), 0, w.size));
    if (w.size % 4) return DeviceError("Write: a staged write must be a whole number of 4-byte words");
  }
  const bool timed = timings && has_timestamps_ && active_ > 0;
  // The reads as the bridge takes them: per read, buffer handle, offset, size, heap address.
  std::vector<double> table;
  for (const ReadRequest& r : reads) {
    WC_ASSIGN_OR_RETURN(const BrowserBuffer* b, BrowserDevice::Browser(*r.buffer, "Read"));
    WC_RETURN_IF_ERROR(CheckRange(b->size(), r.offset, r.size, "Read"));
    table.insert(table.end(), {static_cast<double>(b->handle()), static_cast<double>(r.offset),
                               static_cast<double>(r.size), static_cast<double>(reinterpret_cast<uintptr_t>(r.data))});
  }
  // The inputs go through each buffer's staging (or writeBuffer), copied out of the heap at once; the
  // run copies them in ahead of its dispatches.
  for (const WriteRequest& w : writes) {
    if (w.size) wcgpu_stage_write(static_cast<const BrowserBuffer&>(*w.buffer).handle(), w.data, static_cast<double>(w.size));
  }
  if (!wcgpu_run(handle_, timed ? 1 : 0, table.data(), static_cast<int>(reads.size()))) {
    Status st = TakeErrors("");
    return st.ok() ? DeviceError("running a program of ", active_, " dispatches failed") : st;
  }
  WC_RETURN_IF_ERROR(TakeErrors("running a program: "));
  if (!timed) return OkStatus();
  for (const Step& s : steps_) {
    timings->push_back({s.label, s.kernel, s.skipped ? 0.0 : wcgpu_program_timing(handle_, s.bridge_step)});
  }
  return OkStatus();
}

// Validates one dispatch and resolves its pipeline and buffers.
Status ResolveStep(BrowserDevice& device, Dispatch& d, Step* s) {
  auto owned = [](const Buffer& b, const std::string& what) {
    return BrowserDevice::Browser(b, what).status();
  };
  WC_RETURN_IF_ERROR(CheckDispatch(d, device.info().max_workgroups_per_dim, owned, s));
  WC_ASSIGN_OR_RETURN(s->pipeline, device.GetPipeline(*d.kernel));
  s->buffers = std::move(d.buffers);
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<Program>> BrowserDevice::CreateProgram(std::vector<Dispatch> dispatches) {
  WC_RETURN_IF_ERROR(TakeErrors("before creating a program: "));
  std::vector<Step> steps(dispatches.size());
  for (size_t i = 0; i < dispatches.size(); ++i)
    WC_RETURN_IF_ERROR(ResolveStep(*this, dispatches[i], &steps[i]));
  auto program = std::make_unique<BrowserProgram>(std::move(steps), info_.has_timestamps);
  WC_RETURN_IF_ERROR(program->Build(dispatches));
  return std::unique_ptr<Program>(std::move(program));
}

}  // namespace webconv::gpu::browser
