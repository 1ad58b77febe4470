// The CPU backend's matrix product: the one place its FLOPs go through a library. Natively that is
// OpenBLAS (run-time dispatch to the machine's SIMD, its own threads); in the WebAssembly build, Eigen
// (header-only, compiled to WebAssembly SIMD). bench/results/cpu-libraries-2026-12-07 has the
// measurements behind the choice.
#pragma once

#include <cstdint>

namespace webconv::cpu {

// C = alpha * op(A) * op(B) + beta * C, all row-major float32. op(A) is [m, k] (A is [k, m] when
// trans_a), op(B) is [k, n] (B is [n, k] when trans_b); lda, ldb, ldc are row strides in elements.
// Every size and stride must be below 2^31 (callers split larger products).
void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// The same product on the calling thread alone, for callers that split their own work over the pool.
void SgemmSerial(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                 int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// The library and the threads it uses, for `webconv run`'s and the JS API's backend line.
const char* GemmLibrary();

}  // namespace webconv::cpu
