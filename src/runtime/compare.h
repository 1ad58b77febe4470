// Numeric comparison of a result against a reference, with the worst element reported.
#pragma once

#include <string>

#include "common/host_tensor.h"

namespace webconv::runtime {

struct Tolerance {
  double atol = 1e-7;
  double rtol = 1e-3;  // the ONNX backend tests' own tolerances
};

struct Comparison {
  bool ok = false;
  double max_abs = 0;      // max |actual - expected|
  double max_rel = 0;      // max |actual - expected| / |expected| over elements with expected != 0
  int64_t worst = -1;      // index of the element furthest outside tolerance (or of max_abs)
  std::string message;     // why it failed, with the worst index and both values
};

// Floats: |a - e| <= atol + rtol * |e| elementwise, NaN matching NaN, infinities equal.
// Integers and bools: exact. Dtype and shape must match.
Comparison Compare(const HostTensor& actual, const HostTensor& expected, const Tolerance& tol);

}  // namespace webconv::runtime
