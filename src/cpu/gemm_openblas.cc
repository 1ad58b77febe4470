// Sgemm on OpenBLAS (native builds). Debian's libopenblas0-pthread picks its kernels for the CPU at
// run time (DYNAMIC_ARCH) and threads each product over the machine's cores.
#ifndef __EMSCRIPTEN__
#include <cblas.h>

#include "cpu/gemm.h"

namespace webconv::cpu {

void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
}

const char* GemmLibrary() { return "OpenBLAS"; }

}  // namespace webconv::cpu
#endif
