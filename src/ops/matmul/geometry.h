// The one description of a (batched) matrix product that MatMul and Gemm resolve their shapes and
// attributes into, and that both the reference and the WGSL generator read: logical A (M x K) and
// B (K x N) as element strides into their buffers, so transposes and 1-D operands are only strides.
#pragma once

#include <cstdint>
#include <vector>

#include "common/host_tensor.h"

namespace webconv::ops::matmul {

struct Geometry {
  int64_t m = 0, n = 0, k = 0;
  Shape batch;  // broadcast batch dims of the output (empty for Gemm and 2-D MatMul)
  // Per batch dim, the element offset of one step in A's / B's buffer (0 on broadcast dims).
  std::vector<int64_t> a_batch_strides, b_batch_strides;
  int64_t a_m = 0, a_k = 0;  // A(m, k) is at a_m * m + a_k * k (+ batch offset)
  int64_t b_k = 0, b_n = 0;  // B(k, n) is at b_k * k + b_n * n (+ batch offset)
  bool has_c = false;        // Gemm's bias, read at c_m * m + c_n * n (0 on broadcast axes)
  int64_t c_m = 0, c_n = 0;
  Shape out_shape;  // the output is contiguous: batch, then M and N (minus dims of 1-D operands)

  int64_t batch_count() const { return NumElements(batch); }
};

// Calls fn(z, a_offset, b_offset) for each batch entry z in order: the element offsets of that entry's
// A and B in their buffers (an odometer over the batch dims keeps both in step).
template <typename Fn>
void ForEachBatch(const Geometry& g, Fn fn) {
  const size_t rank = g.batch.size();
  std::vector<int64_t> coord(rank, 0);
  int64_t a_off = 0, b_off = 0;
  for (int64_t z = 0, batches = g.batch_count(); z < batches; ++z) {
    fn(z, a_off, b_off);
    for (size_t d = rank; d-- > 0;) {
      a_off += g.a_batch_strides[d];
      b_off += g.b_batch_strides[d];
      if (++coord[d] < g.batch[d]) break;
      a_off -= g.a_batch_strides[d] * g.batch[d];
      b_off -= g.b_batch_strides[d] * g.batch[d];
      coord[d] = 0;
    }
  }
}

// What is applied to each accumulated dot product before it is stored.
struct Epilogue {
  bool scaled = false;  // Gemm: alpha * AB (+ beta * C when Geometry::has_c); MatMul stores AB as is
  double alpha = 1, beta = 0;  // the float attributes, widened exactly
};

// Integer Gemm uses exact wrapping integer arithmetic when alpha and beta are integers of at most 31
// bits; other scales go through float math (double in the reference, f32 on the GPU) and truncate.
bool IntegerScales(const Epilogue& e);

// numpy matmul: 1-D operands are promoted (A to 1 x K, B to K x 1) and the added dim is removed from
// the output; batch dims broadcast. Fails, naming both shapes, on rank 0 or mismatched K / batch.
Result<Geometry> MatMulGeometry(const Shape& a, const Shape& b);

// Gemm: 2-D A and B (transposed through strides), C (if present) broadcast unidirectionally to
// (M, N). `legacy_exact_c`: opset < 7 with broadcast=0, where C must already be (M, N).
Result<Geometry> GemmGeometry(const Shape& a, const Shape& b, const Shape* c, bool trans_a, bool trans_b,
                              bool legacy_exact_c);

}  // namespace webconv::ops::matmul
