// Every op of the reduce family reads its input as rows: the elements that produce one result (a
// reduced output element, an ArgMax index, a softmax row). RowGeometry describes them once for the
// reference and the WGSL generators alike.
#pragma once

#include <string>
#include <vector>

#include "ops/op_schema.h"

namespace webconv::ops {

// The input's axes split into kept axes (which select a row) and reduced axes (walked within a row), each
// list outer to inner with the input's element strides. Unit axes are dropped and neighbours of the same
// kind merged, so a reduction over the last axes of a contiguous tensor has one reduced axis of stride 1.
struct RowGeometry {
  std::vector<int64_t> kept_dims, kept_strides, red_dims, red_strides;
  int64_t rows = 1;  // product of the kept extents (the number of results)
  int64_t len = 1;   // product of the reduced extents (elements per row)
};

// A simpler view for ops whose kernels walk one line per invocation (CumSum, Hardmax): the input as
// [outer, len, inner] around one axis, or, with `through_end`, around the axes from `axis` to the last (then
// inner is 1). Element s of line (o, in) is at (o * len + s) * inner + in.
struct AxisLines {
  int64_t outer = 1, len = 1, inner = 1;
  int64_t lines() const { return outer * inner; }
  int64_t at(int64_t o, int64_t s, int64_t in) const { return (o * len + s) * inner + in; }
};
AxisLines SplitAtAxis(const Shape& shape, int64_t axis, bool through_end = false);
// The kernel side: fails for 2^31 or more elements (32-bit indices); adds the uniforms n (lines), len and
// inner; and WGSL `fn line_start(i: u32) -> u32`, the first element of line i (elements of a line lie
// u.inner apart). Launch with one invocation per line (ElementwiseMain, LinearGrid over lines()).
Status CheckLinesFitGpu(const AxisLines& l);
void AddLineUniforms(gpu::UniformBlock& u, const AxisLines& l);
std::string LineStartWgsl();

// `reduced[i]` says whether axis i of `shape` is reduced.
RowGeometry MakeRowGeometry(const Shape& shape, const std::vector<bool>& reduced);

// Offset of the index-th element of a row-major walk over dims (e.g. row -> its first element).
int64_t WalkOffset(const std::vector<int64_t>& dims, const std::vector<int64_t>& strides, int64_t index);

// Steps through the offsets of a row-major walk over dims/strides, one increment at a time.
class OffsetWalker {
 public:
  OffsetWalker(const std::vector<int64_t>& dims, const std::vector<int64_t>& strides)
      : dims_(dims), strides_(strides), index_(dims.size(), 0) {}
  int64_t offset() const { return offset_; }
  void Next();

 private:
  const std::vector<int64_t>& dims_;
  const std::vector<int64_t>& strides_;
  std::vector<int64_t> index_;
  int64_t offset_ = 0;
};

// The mask of a reduction's axes: the normalized `axes` (a repeated axis is an error), or every axis when
// the list is empty, or none when it is empty and `noop_when_empty`.
Result<std::vector<bool>> ReducedAxesMask(const std::vector<int64_t>& axes, size_t rank,
                                          bool noop_when_empty);

// The output shape: reduced axes become 1 (keepdims) or disappear.
Shape ReducedShape(const Shape& in, const std::vector<bool>& reduced, bool keepdims);

// Reads a 0/1 integer attribute.
Status ReadFlag(const AttrReader& attrs, const char* name, bool def, bool* out);

// Refuses an attribute that a model of `opset` cannot carry because it arrives in opset `since`.
Status CheckAttrSince(const ParseContext& ctx, const char* op, const char* attr, int since);

}  // namespace webconv::ops
