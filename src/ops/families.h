// Each op family folder exports its rows of the registry table.
#pragma once

#include <vector>

#include "ops/op_schema.h"

namespace webconv::ops {

std::vector<OpSchema> UnaryOps();        // ops/elementwise/unary.cc
std::vector<OpSchema> BinaryOps();       // ops/elementwise/binary.cc
std::vector<OpSchema> NaryOps();         // ops/elementwise/variadic.cc, where.cc: Max, Min, Sum, Mean, Where
std::vector<OpSchema> MatMulOps();       // ops/matmul/: MatMul, Gemm, and:
std::vector<OpSchema> IntegerMatMulOps();  // ops/matmul/matmul_integer.cc: MatMulInteger, QLinearMatMul
std::vector<OpSchema> EinsumRows();        // ops/matmul/einsum.cc
std::vector<OpSchema> DetRows();           // ops/matmul/det.cc
std::vector<OpSchema> ShapeOps();        // ops/shape/: Reshape, Flatten, Identity, Squeeze, Unsqueeze, Shape,
                                         //   Constant, ConstantOfShape
std::vector<OpSchema> CastOps();         // ops/cast/: Cast, CastLike
std::vector<OpSchema> QuantizeOps();     // ops/cast/quantize.cc: QuantizeLinear, DequantizeLinear
std::vector<OpSchema> ConvOps();         // ops/conv/: Conv
std::vector<OpSchema> TensorOps();       // ops/tensor/: Transpose, Concat, Gather, GatherElements,
                                         //   GatherND, Slice, ... (tensor_ops.cc lists them), Dropout
std::vector<OpSchema> PadOps();          // ops/pad/: Pad
std::vector<OpSchema> NormOps();         // ops/norm/: BatchNormalization, InstanceNormalization,
                                         //   LayerNormalization, LRN
std::vector<OpSchema> PoolOps();         // ops/pool/: MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool
std::vector<OpSchema> ConvTransposeOps();  // ops/conv_transpose/: ConvTranspose
std::vector<OpSchema> ReduceOps();       // ops/reduce/: Reduce*, ArgMax, ArgMin, Softmax, LogSoftmax
std::vector<OpSchema> ResizeOps();       // ops/resize/: Resize, Upsample
std::vector<OpSchema> RecurrentOps();    // ops/recurrent/: RNN, GRU, LSTM

}  // namespace webconv::ops
