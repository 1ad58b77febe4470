#include "ops/tensor/slice_geometry.h"

#include <algorithm>

#include "ops/op_schema.h"

namespace webconv::ops::tensor {
namespace {

// Elements visited going from `first` towards `end` (exclusive) in steps of `step`.
int64_t Count(int64_t first, int64_t end, int64_t step) {
  const int64_t distance = step > 0 ? end - first : first - end;
  if (distance <= 0) return 0;
  // |step| computed unsigned: -INT64_MIN does not fit an int64.
  const uint64_t mag = step > 0 ? static_cast<uint64_t>(step) : uint64_t{0} - static_cast<uint64_t>(step);
  return static_cast<int64_t>(1 + (static_cast<uint64_t>(distance) - 1) / mag);
}

}  // namespace

Result<SliceGeometry> ResolveSlice(const Shape& data, const SliceParams& p) {
  const size_t n = p.starts.size(), rank = data.size();
  if (p.ends.size() != n) return BadModel("starts has ", n, " entries but ends has ", p.ends.size());
  if (p.axes && p.axes->size() != n)
    return BadModel("axes has ", p.axes->size(), " entries but starts has ", n);
  if (p.steps && p.steps->size() != n)
    return BadModel("steps has ", p.steps->size(), " entries but starts has ", n);
  if (!p.axes && n > rank) return BadModel("starts has ", n, " entries for a rank-", rank, " input");
  SliceGeometry g;
  g.out = data;
  std::vector<int64_t> first(rank, 0), step(rank, 1);
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < n; ++i) {
    int64_t axis = static_cast<int64_t>(i);
    if (p.axes)
      WC_RETURN_IF_ERROR(NormalizeAxis((*p.axes)[i], static_cast<int64_t>(rank), &axis, "axes entry"));
    if (seen[axis]) return BadModel("axes lists axis ", axis, " twice");
    seen[axis] = true;
    const int64_t s = p.steps ? (*p.steps)[i] : 1;
    if (s == 0) return BadModel("steps[", i, "] is 0");
    const int64_t dim = data[axis];
    int64_t b = p.starts[i], e = p.ends[i];
    if (b < 0) b += dim;  // cannot overflow: b < 0 <= dim
    if (e < 0) e += dim;
    if (s > 0) {
      b = std::clamp<int64_t>(b, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
    } else {
      b = std::clamp<int64_t>(b, 0, std::max<int64_t>(dim - 1, 0));  // dim 0 is handled below
      e = std::clamp<int64_t>(e, -1, dim - 1);
    }
    g.out[axis] = dim == 0 ? 0 : Count(b, e, s);
    first[axis] = b;
    // With one element or none the step never applies; keeping 1 keeps the strides small.
    step[axis] = g.out[axis] > 1 ? s : 1;
  }
  const auto in_strides = ContiguousStrides(data);
  g.strides.resize(rank);
  for (size_t k = 0; k < rank; ++k) {
    g.base += first[k] * in_strides[k];
    g.strides[k] = step[k] * in_strides[k];
  }
  return g;
}

}  // namespace webconv::ops::tensor
