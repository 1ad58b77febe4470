// The shape family's pieces, one file each; ShapeOps() (registration.cc) joins their rows.
#pragma once

#include <vector>

#include "ops/op_schema.h"

namespace webconv::ops {

std::vector<OpSchema> ViewOps();      // views.cc: Reshape, Flatten, Identity, Squeeze, Unsqueeze
OpSchema ShapeOfRow();                // shape_of.cc: Shape
OpSchema SizeRow();                   // size.cc: Size
std::vector<OpSchema> ConstantOps();  // constant.cc: Constant, ConstantOfShape

// An int64 input that the op reads when planning (Reshape's shape, Squeeze's axes, ConstantOfShape's
// shape): it must be known, int64, and of rank <= max_rank.
Result<std::vector<int64_t>> PlanningInts(const TensorInfo& t, const char* what, size_t max_rank);

}  // namespace webconv::ops
