// The MatMul and Gemm registry rows, and what both ops check of their operand type.
#pragma once

#include "ops/op_schema.h"

namespace webconv::ops::matmul {

OpSchema MatMulRow();  // matmul.cc
OpSchema GemmRow();    // gemm.cc

// The types ONNX allows at `opset`: floats always (bfloat16 from 13), 32/64-bit integers from 9.
Status CheckProductType(DType t, int opset);

}  // namespace webconv::ops::matmul
