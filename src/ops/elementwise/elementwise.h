// Shared pieces of the elementwise families: numpy broadcasting, type ranges, and the WGSL entry point.
#pragma once

#include <string>
#include <vector>

#include "common/host_tensor.h"
#include "gpu/kernel.h"

namespace webconv::ops {

constexpr uint32_t kElementwiseWorkgroup = 64;

// Multidirectional (numpy) broadcast of two shapes; fails naming both shapes when incompatible.
Result<Shape> BroadcastShapes(const Shape& a, const Shape& b);
// Element strides of `in` read as if it had `out`'s shape: 0 on broadcast axes, right-aligned.
std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out);

int64_t TypeLowest(DType t);
int64_t TypeHighest(DType t);

// Adds a scalar uniform of the GPU storage type (f32 / i32 / u32).
void AddScalarUniform(gpu::UniformBlock& u, const std::string& name, gpu::ScalarType t, double v);
// Clamps v into what the scalar type can hold (e.g. int64 bounds into i32) so the cast is defined.
double ClampToGpuRange(double v, gpu::ScalarType t);

// The @compute entry point of a one-thread-per-element kernel over u.n elements; `statement` uses `i`.
std::string ElementwiseMain(const std::string& statement);

}  // namespace webconv::ops
