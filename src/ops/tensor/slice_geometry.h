// Slice's arithmetic, apart from where its parameters come from, so it can be tested on its own.
#pragma once

#include <optional>
#include <vector>

#include "common/host_tensor.h"
#include "common/status.h"

namespace webconv::ops::tensor {

struct SliceParams {
  std::vector<int64_t> starts, ends;
  std::optional<std::vector<int64_t>> axes;   // absent: 0, 1, ... len(starts)-1
  std::optional<std::vector<int64_t>> steps;  // absent: all 1
};

// The slice as a strided read: out[c] = data[base + sum_k c[k] * strides[k]].
struct SliceGeometry {
  Shape out;
  int64_t base = 0;
  std::vector<int64_t> strides;
};

// Validates the parameters against `data` and clamps starts/ends as the ONNX spec says: after adding
// the dim to negative values, a start is clamped to [0, dim] for positive steps and [0, dim-1] for
// negative ones, an end to [0, dim] and [-1, dim-1] respectively. INT64_MAX / INT64_MIN ends work.
Result<SliceGeometry> ResolveSlice(const Shape& data, const SliceParams& p);

}  // namespace webconv::ops::tensor
