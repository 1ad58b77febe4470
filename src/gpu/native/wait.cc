#include "gpu/native/wait.h"

#include <chrono>
#include <cstdlib>
#include <thread>

namespace webconv::gpu::native {

double WaitTimeoutSeconds() {
  const char* env = std::getenv("WEBCONV_GPU_TIMEOUT_S");
  if (env && *env) {
    char* end = nullptr;
    const double v = std::strtod(env, &end);
    if (end != env && v > 0) return v;
  }
  return 60.0;
}

bool Waiter::Done(abi::WGPUFuture future) const {
  abi::WGPUFutureWaitInfo info{future, 0};
  return procs_->InstanceWaitAny(instance_, 1, &info, 0) == abi::WaitStatus::kSuccess && info.completed;
}

Status Waiter::Wait(abi::WGPUFuture future, const std::string& what) const {
  using Clock = std::chrono::steady_clock;
  const double timeout_s = WaitTimeoutSeconds();
  abi::WGPUFutureWaitInfo info{future, 0};
  if (timed_) {
    const auto ns = static_cast<uint64_t>(timeout_s * 1e9);
    const abi::WGPUEnum st = procs_->InstanceWaitAny(instance_, 1, &info, ns);
    if (st == abi::WaitStatus::kSuccess && info.completed) return OkStatus();
    if (st == abi::WaitStatus::kTimedOut) {
      return DeviceError("timed out after ", timeout_s, " s waiting for ", what,
                         " (raise WEBCONV_GPU_TIMEOUT_S if the work is legitimately this long)");
    }
    return DeviceError("wgpuInstanceWaitAny failed (status ", st, ") while waiting for ", what);
  }
  // Polling fallback: WaitAny with a zero timeout is always allowed.
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  auto nap = std::chrono::microseconds(5);
  for (;;) {
    const abi::WGPUEnum st = procs_->InstanceWaitAny(instance_, 1, &info, 0);
    if (st == abi::WaitStatus::kSuccess && info.completed) return OkStatus();
    if (st != abi::WaitStatus::kSuccess && st != abi::WaitStatus::kTimedOut) {
      return DeviceError("wgpuInstanceWaitAny failed (status ", st, ") while waiting for ", what);
    }
    if (Clock::now() > deadline) {
      return DeviceError("timed out after ", timeout_s, " s waiting for ", what,
                         " (raise WEBCONV_GPU_TIMEOUT_S if the work is legitimately this long)");
    }
    std::this_thread::sleep_for(nap);
    if (nap < std::chrono::microseconds(1000)) nap *= 2;
  }
}

}  // namespace webconv::gpu::native
