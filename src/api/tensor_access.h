// The bridge between the public webconv::Tensor and the runtime's HostTensor. Both directions share the
// bytes instead of copying them: an input view stays a view, and an output keeps the runtime's buffer.
#pragma once

#include "common/host_tensor.h"
#include "webconv/tensor.h"

namespace webconv::detail {

struct TensorAccess {
  // A HostTensor viewing t's bytes (kept alive by t's storage; a view's memory is the caller's).
  static HostTensor ToHost(const Tensor& t);
  // A read-only Tensor over h's bytes, keeping h alive.
  static Tensor FromHost(HostTensor h);
};

}  // namespace webconv::detail
