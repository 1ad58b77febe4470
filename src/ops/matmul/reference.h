// The float64 / exact-integer reference of a batched matrix product with its epilogue.
#pragma once

#include "common/host_tensor.h"
#include "ops/matmul/geometry.h"

namespace webconv::ops::matmul {

// Floats accumulate in double and round once when stored; integers accumulate exactly, wrapping
// modulo 2^64, and are truncated to the output's width when stored. `c` is read only when
// g.has_c; `y` is pre-allocated with g.out_shape.
Status ReferenceProduct(const Geometry& g, const Epilogue& e, const HostTensor& a, const HostTensor& b,
                        const HostTensor* c, HostTensor* y);

// The fast CPU backend's product (cpu.cc): float32 operands through the GEMM library, accumulating in
// float32; anything else it hands to ReferenceProduct.
Status CpuProduct(const Geometry& g, const Epilogue& e, const HostTensor& a, const HostTensor& b,
                  const HostTensor* c, HostTensor* y);

}  // namespace webconv::ops::matmul
