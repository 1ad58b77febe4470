// Element types of tensors, numbered as ONNX's TensorProto.DataType numbers them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace webconv {

enum class DType : int32_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kFloat64 = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBFloat16 = 16,
};

// "float32", "int64", ... (the names the CLI prints).
std::string dtype_name(DType t);
// Bytes per element; 0 for types without a fixed size (string) and for kUndefined.
size_t dtype_size(DType t) noexcept;

}  // namespace webconv
