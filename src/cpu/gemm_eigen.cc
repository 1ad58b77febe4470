// Sgemm on Eigen (the WebAssembly build): header-only, so emcc compiles it with the rest, and with
// -msimd128 its packet math becomes WebAssembly SIMD.
#ifdef __EMSCRIPTEN__
#include <Eigen/Core>

#include "cpu/gemm.h"

namespace webconv::cpu {
namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Stride = Eigen::OuterStride<>;
using ConstMap = Eigen::Map<const Matrix, 0, Stride>;
using Map = Eigen::Map<Matrix, 0, Stride>;

}  // namespace

void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  Map cm(c, m, n, Stride(ldc));
  if (beta == 0) cm.setZero();
  else if (beta != 1) cm *= beta;
  if (k <= 0) return;
  const ConstMap am(a, trans_a ? k : m, trans_a ? m : k, Stride(lda));
  const ConstMap bm(b, trans_b ? n : k, trans_b ? k : n, Stride(ldb));
  if (!trans_a && !trans_b) cm.noalias() += alpha * am * bm;
  else if (trans_a && !trans_b) cm.noalias() += alpha * am.transpose() * bm;
  else if (!trans_a && trans_b) cm.noalias() += alpha * am * bm.transpose();
  else cm.noalias() += alpha * am.transpose() * bm.transpose();
}

void SgemmSerial(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                 int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  Sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

const char* GemmLibrary() { return "Eigen"; }

}  // namespace webconv::cpu
#endif
