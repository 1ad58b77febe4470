// Output shapes of the view ops (Reshape, Flatten, Squeeze, Unsqueeze) and of Shape's slice: pure
// functions of the input shape and the op's parameters, so they can be tested without a graph.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/host_tensor.h"
#include "common/status.h"

namespace webconv::ops {

// numpy-style reshape with ONNX's extras: 0 copies the input dim at that position unless `allowzero`,
// and at most one -1 is inferred from the element count.
Result<Shape> ReshapeShape(const Shape& in, const std::vector<int64_t>& spec, bool allowzero);

// Flatten to 2-D around `axis`, already normalized into [0, rank].
Shape FlattenShape(const Shape& in, int64_t axis);

// Removes the listed axes (each must have size 1), or every size-1 axis when `axes` is absent.
Result<Shape> SqueezeShape(const Shape& in, const std::optional<std::vector<int64_t>>& axes);

// Inserts size-1 axes at the listed positions of the output (rank = input rank + axes count).
Result<Shape> UnsqueezeShape(const Shape& in, const std::vector<int64_t>& axes);

// [begin, end) of the dims that Shape-15 returns: negative values count from the back, then both are
// clamped to [0, rank]; an empty range gives begin == end.
void ShapeSliceRange(int64_t rank, int64_t start, std::optional<int64_t> end, int64_t* begin, int64_t* stop);

}  // namespace webconv::ops
