// Element types, numbered as ONNX TensorProto.DataType numbers them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

// The DType enum is part of the public API (include/webconv/dtype.h).
#include "webconv/dtype.h"

namespace webconv {

// Bytes per element in ONNX's little-endian raw layout; 0 for types without one (string, unknown).
size_t DTypeSize(DType t);
// "float32", "int64", ...; "dtype(N)" for numbers ONNX does not define here.
std::string DTypeName(DType t);
bool IsFloat(DType t);    // float16, bfloat16, float32, float64
bool IsInteger(DType t);  // signed or unsigned integer types (not bool)
bool IsSigned(DType t);
// A type that webconv can hold (numeric or bool); string and complex are not.
bool IsSupportedDType(DType t);
bool DTypeFromInt(int64_t v, DType* out);

float HalfToFloat(uint16_t h);
uint16_t FloatToHalf(float f);  // round to nearest even
float BFloat16ToFloat(uint16_t b);
uint16_t FloatToBFloat16(float f);  // round to nearest even

}  // namespace webconv
