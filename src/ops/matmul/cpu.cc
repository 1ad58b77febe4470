// The fast CPU backend's matrix product (MatMul, Gemm) in float32: each batch entry is one library GEMM
// (cpu/gemm.h) when its operands' strides are a row-major matrix or its transpose; other layouts, other
// types and sizes past 32 bits run the reference.
#include <vector>

#include "cpu/gemm.h"
#include "ops/matmul/reference.h"

namespace webconv::ops::matmul {
namespace {

// A [rows, cols] operand at element strides (row_stride, col_stride) as a BLAS matrix: row-major with
// leading dimension `ld`, or the transpose of one. False when it is neither.
bool AsBlas(int64_t row_stride, int64_t col_stride, int64_t rows, int64_t cols, bool* trans, int64_t* ld) {
  if (col_stride == 1 && (rows == 1 || row_stride >= cols)) {
    *trans = false;
    *ld = rows == 1 ? cols : row_stride;
    return true;
  }
  if (row_stride == 1 && (cols == 1 || col_stride >= rows)) {
    *trans = true;
    *ld = cols == 1 ? rows : col_stride;
    return true;
  }
  return false;
}

}  // namespace

Status CpuProduct(const Geometry& g, const Epilogue& e, const HostTensor& a, const HostTensor& b,
                  const HostTensor* c, HostTensor* y) {
  bool ta = false, tb = false;
  int64_t lda = 0, ldb = 0;
  const int64_t limit = int64_t{1} << 31;
  const bool f32 = a.dtype() == DType::kFloat32 && b.dtype() == DType::kFloat32 && y->dtype() == DType::kFloat32 &&
                   (!g.has_c || (c && c->dtype() == DType::kFloat32));
  if (!f32 || g.m >= limit || g.n >= limit || g.k >= limit || g.k == 0 ||
      !AsBlas(g.a_m, g.a_k, g.m, g.k, &ta, &lda) || !AsBlas(g.b_k, g.b_n, g.k, g.n, &tb, &ldb) || lda >= limit ||
      ldb >= limit)
    return ReferenceProduct(g, e, a, b, c, y);
  const float* av = a.as<float>();
  const float* bv = b.as<float>();
  float* out = y->mutable_as<float>();
  const float alpha = e.scaled ? static_cast<float>(e.alpha) : 1.0f;
  ForEachBatch(g, [&](int64_t z, int64_t a_off, int64_t b_off) {
    float* yz = out + z * g.m * g.n;
    float beta = 0.0f;
    if (g.has_c) {  // beta * C broadcast into the output first, then added to
      const float* cv = c->as<float>();
      const float cb = static_cast<float>(e.beta);
      for (int64_t m = 0; m < g.m; ++m)
        for (int64_t n = 0; n < g.n; ++n) yz[m * g.n + n] = cb * cv[m * g.c_m + n * g.c_n];
      beta = 1.0f;
    }
    cpu::Sgemm(ta, tb, g.m, g.n, g.k, alpha, av + a_off, lda, bv + b_off, ldb, beta, yz, g.n);
  });
  return OkStatus();
}

}  // namespace webconv::ops::matmul
