// Validation of one Dispatch against its Kernel and the device's limits, done by both backends when a
// program is created, before any GPU object exists: a mismatch between what an op generated and what it
// bound is reported naming the dispatch, the kernel and the binding instead of surfacing as a WebGPU
// validation error (or, worse, as wrong results).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "gpu/device.h"

namespace webconv::gpu {

// What the checks establish about a dispatch; each backend's program step derives from it.
struct CheckedDispatch {
  std::string label, kernel;  // the dispatch's label and its kernel's name
  uint32_t groups[3] = {1, 1, 1};
  bool skipped = false;  // a zero group count in some dimension: nothing to run
  // "dispatch 'conv1' (kernel 'conv2d_f32'): ", the prefix of every error about this dispatch.
  std::string Who() const { return "dispatch '" + label + "' (kernel '" + kernel + "'): "; }
};

// Fails when `buffer` was not created by the device checking it; the error names `what`.
using BufferOwnerCheck = std::function<Status(const Buffer& buffer, const std::string& what)>;

// Checks `d`: a kernel is set; one buffer per storage binding, none null, each owned by this device
// (`owned`), none bound twice where either binding is writable; uniform bytes exactly when the kernel has
// a uniform block; workgroup counts within `max_workgroups_per_dim`. Fills `out` (label and kernel
// even when a check fails, so that later errors can name them).
Status CheckDispatch(const Dispatch& d, uint32_t max_workgroups_per_dim, const BufferOwnerCheck& owned,
                     CheckedDispatch* out);

}  // namespace webconv::gpu
