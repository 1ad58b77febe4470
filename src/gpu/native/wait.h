// Waiting on WGPUFutures without ever hanging: every wait has a deadline (default 60 s, env
// WEBCONV_GPU_TIMEOUT_S), after which the caller gets a kDevice Status naming what it waited for.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "gpu/native/dawn_procs.h"

namespace webconv::gpu::native {

// Seconds from env WEBCONV_GPU_TIMEOUT_S (a positive number), else 60. Read at every wait, so a test or a
// caller can tighten it for one step.
double WaitTimeoutSeconds();

class Waiter {
 public:
  // `timed`: the instance was created with timedWaitAnyEnable, so WaitAny can block with a timeout.
  // Otherwise it polls WaitAny(timeout 0) with a short, growing sleep.
  Waiter(const DawnProcs* procs, abi::WGPUInstance instance, bool timed)
      : procs_(procs), instance_(instance), timed_(timed) {}

  // Waits until `future` completes (its callback, made with CallbackMode::kWaitAnyOnly, has then run).
  Status Wait(abi::WGPUFuture future, const std::string& what) const;

  // Whether `future` has completed (its callback has then run); never waits.
  bool Done(abi::WGPUFuture future) const;

  // Wait() for a future whose callback writes into `*target`. After a failed wait the library may still
  // call the callback later (at the latest with a "cancelled" status when the instance is released), so
  // the target is then deliberately leaked instead of freed: a few bytes, only on the error path.
  template <typename T>
  Status WaitFor(abi::WGPUFuture future, std::unique_ptr<T>& target, const std::string& what) const {
    Status s = Wait(future, what);
    if (!s.ok()) (void)target.release();
    return s;
  }

 private:
  const DawnProcs* procs_;
  abi::WGPUInstance instance_;
  bool timed_;
};

}  // namespace webconv::gpu::native
