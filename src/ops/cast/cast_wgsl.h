// WGSL for Cast between the types the GPU holds (one 4-byte word per element: f32 for float32 and
// float16, or i32/u32 words that carry the narrower integer types). It follows the reference's rules
// (convert.h) exactly, with one limit of the storage: int64 lives in i32 words, so int64 results outside
// the 32-bit range (from a float or a uint32 above 2^31 - 1) saturate or wrap to 32 bits where the
// reference keeps 64.
#pragma once

#include <string>

#include "common/dtype.h"

namespace webconv::ops {

// Helper functions plus `fn convert(x: S) -> D`, S and D the storage types of `from` and `to`.
std::string CastFunctionWgsl(DType from, DType to);

}  // namespace webconv::ops
