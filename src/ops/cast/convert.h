// Element conversions of Cast and CastLike, shared by the reference and the tests. Every conversion is
// defined for every input value, including those ONNX leaves to the implementation:
// - integer or bool to integer: two's-complement wraparound to the target width (as numpy's astype);
// - float to integer: truncation toward zero; NaN becomes 0, and values beyond the target's range
//   (infinities included) saturate to its limits;
// - anything to bool: nonzero is true (NaN is nonzero);
// - anything to a float type: rounded once, to nearest even, from the exact source value.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/host_tensor.h"

namespace webconv::ops {

// Cast-1..5 name the target type as a string ("FLOAT", "INT64", ...): TensorProto.DataType's names,
// matched case-insensitively.
bool DTypeFromOnnxName(std::string_view name, DType* out);

// Converts every element of `in` into `out`, which has the same element count and the target dtype.
void CastElements(const HostTensor& in, HostTensor* out);

// float32 rounded to odd: truncated toward zero, with the lowest mantissa bit set when inexact. A
// second round-to-nearest-even into a format at least two bits narrower (float16, bfloat16) then
// gives the correctly rounded result of the original value, which double→float→half would not.
float RoundToOddFloat(double v);
float RoundToOddFloat(bool negative, uint64_t magnitude);

}  // namespace webconv::ops
