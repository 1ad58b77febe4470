#include "gpu/native/core.h"

#include "gpu/native/abi_check.h"

namespace webconv::gpu::native {
namespace {

const char* ErrorTypeName(abi::WGPUEnum type) {
  switch (type) {
    case abi::ErrorType::kValidation:
      return "validation";
    case abi::ErrorType::kOutOfMemory:
      return "out-of-memory";
    case abi::ErrorType::kInternal:
      return "internal";
    default:
      return "unknown";
  }
}

void OnPop(abi::WGPUEnum status, abi::WGPUEnum type, abi::WGPUStringView message, void* userdata1, void*) {
  auto* r = static_cast<Core::ScopeAnswer*>(userdata1);
  r->called = true;
  r->status = status;
  r->type = type;
  r->message = StringOf(message);
}

}  // namespace

Core::~Core() {
  if (!p) return;
  for (auto& entry : free_) {
    p->BufferDestroy(entry.second);
    p->BufferRelease(entry.second);
  }
  free_.clear();
  if (queue) p->QueueRelease(queue);
  if (device) {
    p->DeviceDestroy(device);  // fires the device-lost callback (reason Destroyed) while `this` is alive
    p->DeviceRelease(device);
  }
  if (adapter) p->AdapterRelease(adapter);
  if (instance) {
    p->InstanceProcessEvents(instance);
    p->InstanceRelease(instance);
  }
}

void Core::RecordError(const std::string& message) {
  std::lock_guard<std::mutex> lock(mu_);
  if (errors_.size() < 16) errors_.push_back(message);  // the first errors are the informative ones
}

void Core::RecordLost(const std::string& message) {
  std::lock_guard<std::mutex> lock(mu_);
  lost_ = true;
  lost_message_ = message;
}

bool Core::lost() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lost_;
}

Status Core::TakeErrors(const std::string& context) {
  std::lock_guard<std::mutex> lock(mu_);
  if (lost_) return DeviceError(context, "the GPU device was lost: ", lost_message_);
  if (errors_.empty()) return OkStatus();
  std::string all;
  for (const std::string& e : errors_) all += (all.empty() ? "" : "\n") + e;
  errors_.clear();
  return DeviceError(context, all);
}

void Core::PushScopes() {
  p->DevicePushErrorScope(device, abi::ErrorFilter::kValidation);
  p->DevicePushErrorScope(device, abi::ErrorFilter::kOutOfMemory);
  p->DevicePushErrorScope(device, abi::ErrorFilter::kInternal);
}

Status Core::PopScopes(const std::string& context) {
  PendingScopes pending = PopScopesLater();
  return WaitScopes(pending, context);
}

Core::PendingScopes Core::PopScopesLater() {
  PendingScopes pending;
  for (int i = 0; i < 3; ++i) {  // scopes pop in reverse: internal, out-of-memory, validation
    pending.answers[i] = std::make_unique<ScopeAnswer>();
    abi::WGPUPopErrorScopeCallbackInfo info{};
    info.mode = abi::CallbackMode::kWaitAnyOnly;
    info.callback = OnPop;
    info.userdata1 = pending.answers[i].get();
    pending.futures[i] = p->DevicePopErrorScope(device, info);
  }
  return pending;
}

Status Core::WaitScopes(PendingScopes& pending, const std::string& context) {
  Status first;
  for (int i = 0; i < 3; ++i) {
    std::unique_ptr<ScopeAnswer>& r = pending.answers[i];
    Status s = waiter->WaitFor(pending.futures[i], r, "an error scope");
    if (s.ok() && (!r->called || r->status != abi::kSuccess)) {
      s = DeviceError("an error scope could not be popped (status ", r->status, ")");
    }
    if (s.ok() && r->type != abi::ErrorType::kNoError) {
      s = DeviceError(ErrorTypeName(r->type), " error: ", r->message);
    }
    if (!s.ok() && first.ok()) first = s.Prefixed(context);
  }
  if (first.ok()) return TakeErrors(context);  // a device loss shows up here rather than in the scopes
  return first;
}

Result<abi::WGPUBuffer> Core::AcquireBuffer(abi::WGPUFlags usage, uint64_t size, const std::string& label) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = free_.find({usage, size});
    if (it != free_.end()) {
      abi::WGPUBuffer b = it->second;
      free_.erase(it);
      p->BufferSetLabel(b, abi::View(label));  // Dawn's messages name buffers by label: keep it current
      return b;
    }
  }
  abi::WGPUBufferDescriptor desc{};
  desc.label = abi::View(label);
  desc.usage = usage;
  desc.size = size;
  PushScopes();
  abi::WGPUBuffer b = p->DeviceCreateBuffer(device, &desc);
  Status s = PopScopes(StrCat("creating buffer '", label, "' (", size, " bytes): "));
  if (!s.ok() || !b) {
    if (b) p->BufferRelease(b);
    return s.ok() ? DeviceError("creating buffer '", label, "' (", size, " bytes) failed") : s;
  }
  return b;
}

void Core::RecycleBuffer(abi::WGPUFlags usage, uint64_t size, abi::WGPUBuffer buffer) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!lost_) {
      free_.insert({{usage, size}, buffer});
      return;
    }
  }
  p->BufferRelease(buffer);
}

NativeBuffer::~NativeBuffer() {
  core_->RecycleBuffer(kUsage, size_, handle_);
}

}  // namespace webconv::gpu::native
