// Shared pieces of the elementwise families: numpy broadcasting (reference and WGSL), the opset < 7
// `broadcast`/`axis` form, type ranges, element order and copy for any dtype, and the WGSL entry point.
#pragma once

#include <string>
#include <vector>

#include "common/host_tensor.h"
#include "common/status.h"
#include "gpu/kernel.h"

namespace webconv::ops {

constexpr uint32_t kElementwiseWorkgroup = 64;
// Largest output rank the broadcasting kernels index (capacity of their uniform shape arrays).
constexpr uint32_t kMaxGpuRank = 8;

// Multidirectional (numpy) broadcast of two shapes; fails naming both shapes when incompatible.
Result<Shape> BroadcastShapes(const Shape& a, const Shape& b);
// Element strides of `in` read as if it had `out`'s shape: 0 on broadcast axes, right-aligned.
std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out);
// B's shape as numpy broadcasting sees it under the opset < 7 rules: shapes must match unless
// broadcast=1, which places B at `axis` of A (default: B's trailing alignment).
Result<Shape> LegacyBroadcastB(int64_t broadcast, bool has_axis, int64_t axis, const Shape& a,
                               const Shape& b);

// Calls f(o, offsets) for each output element o in order, where offsets[k] is the element of input k
// that broadcasts to o. The inputs' shapes must broadcast to `out` (checked by the op's inference).
template <typename F>
void ForEachBroadcast(const Shape& out, const std::vector<Shape>& ins, F&& f) {
  const size_t rank = out.size(), m = ins.size();
  std::vector<std::vector<int64_t>> strides;
  for (const Shape& s : ins) strides.push_back(BroadcastStrides(s, out));
  std::vector<int64_t> coord(rank, 0), off(m, 0);
  const int64_t n = NumElements(out);
  for (int64_t o = 0; o < n; ++o) {
    f(o, off.data());
    // Advance the output coordinate like an odometer, keeping every input offset in step.
    for (size_t k = rank; k-- > 0;) {
      for (size_t j = 0; j < m; ++j) off[j] += strides[j][k];
      if (++coord[k] < out[k]) break;
      for (size_t j = 0; j < m; ++j) off[j] -= strides[j][k] * out[k];
      coord[k] = 0;
    }
  }
}

// WGSL `fn offsets(i: u32) -> array<u32, N>` giving each input's element for output element i, with the
// uniforms it reads (added to `u`). When every input already has the output's shape the function is the
// identity and `*same` is set, so kernels can say so in their name; else it fails beyond kMaxGpuRank.
Result<std::string> BroadcastOffsetsWgsl(gpu::UniformBlock& u, const Shape& out,
                                         const std::vector<Shape>& ins, bool* same);

int64_t TypeLowest(DType t);
int64_t TypeHighest(DType t);

// Order of a[i] and b[j] (same dtype): -1, 0 or 1, and 2 when unordered (a NaN). Integers compare
// exactly, uint64 as unsigned.
int CompareElements(const HostTensor& a, int64_t i, const HostTensor& b, int64_t j);
// dst[j] = src[i] without rounding through another type (same dtype).
void CopyElement(const HostTensor& src, int64_t i, HostTensor& dst, int64_t j);

// Adds a scalar uniform of the GPU storage type (f32 / i32 / u32).
void AddScalarUniform(gpu::UniformBlock& u, const std::string& name, gpu::ScalarType t, double v);
// Clamps v into what the scalar type can hold (e.g. int64 bounds into i32) so the cast is defined.
double ClampToGpuRange(double v, gpu::ScalarType t);

// WGSL `fn narrow(v: W) -> W` for an output of dtype t held in a 32-bit word W: wraps 8- and 16-bit
// integers to their width (sign-extending the signed ones), so that a result that overflowed its type
// reads back, and feeds the next kernel, as the type's own arithmetic would have left it. Identity
// for every other type.
std::string NarrowWgsl(DType t);

// The @compute entry point of a one-thread-per-element kernel over u.n elements; `statement` uses `i`.
std::string ElementwiseMain(const std::string& statement);
// Lowercase "<prefix>_<op>_<types...>" kernel name, e.g. "binary_pow_f32_i32".
std::string KernelName(const std::string& prefix, const std::string& op,
                       const std::vector<gpu::ScalarType>& types);

}  // namespace webconv::ops
