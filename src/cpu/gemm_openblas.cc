// Sgemm on OpenBLAS (native builds). Debian's libopenblas0-pthread picks its kernels for the CPU at
// run time (DYNAMIC_ARCH). Its own threads are turned off: after a product they spin waiting for the
// next one, which on a small machine takes the cores from the CPU backend's other kernels (measured:
// a MobileNetV3-style model 3.1 ms with them, against ... without). Instead each product is split
// into column (or row) blocks over the backend's thread pool, one single-threaded sgemm per block.
#ifndef __EMSCRIPTEN__
#include <cblas.h>

#include <algorithm>
#include <mutex>

#include "cpu/gemm.h"
#include "cpu/parallel.h"

namespace webconv::cpu {

namespace {

// Below this many multiply-adds a product runs on the calling thread.
constexpr double kParallelMacs = 1 << 18;

void SingleThreaded() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

void Block(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  // A single output row or column is a matrix-vector product: sgemv reads the matrix once, where
  // sgemm would first pack it (a classifier's last layer: 1 x 1024 times 1024 x 1000).
  if (m == 1 && ldc >= 1) {  // c[0, :] = alpha * op(B)^T a + beta * c
    const int64_t a_step = trans_a ? lda : 1;
    cblas_sgemv(CblasRowMajor, trans_b ? CblasNoTrans : CblasTrans, static_cast<blasint>(trans_b ? n : k),
                static_cast<blasint>(trans_b ? k : n), alpha, b, static_cast<blasint>(ldb), a,
                static_cast<blasint>(a_step), beta, c, 1);
    return;
  }
  if (n == 1) {  // c[:, 0] = alpha * op(A) b + beta * c
    const int64_t b_step = trans_b ? 1 : ldb;
    cblas_sgemv(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, static_cast<blasint>(trans_a ? k : m),
                static_cast<blasint>(trans_a ? m : k), alpha, a, static_cast<blasint>(lda), b,
                static_cast<blasint>(b_step), beta, c, static_cast<blasint>(ldc));
    return;
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
}

}  // namespace

void SgemmSerial(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                 int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  SingleThreaded();
  if (m > 0 && n > 0) Block(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  SingleThreaded();
  if (m <= 0 || n <= 0) return;
  const int threads = Threads();
  if (threads == 1 || static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) < kParallelMacs) {
    Block(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  // Columns when there are enough for every thread to get a wide block (the usual case: n is the
  // output's spatial size), else rows. Blocks are multiples of 16 columns, whole SIMD registers.
  if (n >= 64 * threads || n >= m) {
    const int64_t blocks = (n + 15) / 16;
    ParallelFor(std::min<int64_t>(blocks, threads), [&](int64_t t0, int64_t t1) {
      const int64_t parts = std::min<int64_t>(blocks, threads);
      const int64_t j0 = blocks * t0 / parts * 16, j1 = std::min(n, blocks * t1 / parts * 16);
      if (j1 > j0)
        Block(trans_a, trans_b, m, j1 - j0, k, alpha, a, lda, trans_b ? b + j0 * ldb : b + j0, ldb, beta, c + j0,
              ldc);
    });
  } else {
    ParallelFor(std::min<int64_t>(m, threads), [&](int64_t t0, int64_t t1) {
      const int64_t parts = std::min<int64_t>(m, threads);
      const int64_t i0 = m * t0 / parts, i1 = m * t1 / parts;
      if (i1 > i0)
        Block(trans_a, trans_b, i1 - i0, n, k, alpha, trans_a ? a + i0 : a + i0 * lda, lda, b, ldb, beta,
              c + i0 * ldc, ldc);
    });
  }
}

const char* GemmLibrary() { return "OpenBLAS"; }

}  // namespace webconv::cpu
#endif
