// WGSL text of the tiled matrix-product kernel (see kernel.h for the scheme).
#pragma once

#include <string>

#include "gpu/kernel.h"
#include "ops/matmul/kernel.h"
#include "ops/quad_gemm.h"

namespace webconv::ops::matmul {

enum class EpilogueKind {
  kNone,        // MatMul: the dot product as is
  kFloat,       // f32 Gemm: alpha * acc (+ beta * C)
  kIntExact,    // integer Gemm with 32-bit integer alpha/beta: wrapping integer arithmetic
  kIntViaFloat  // integer Gemm with other scales: computed in f32, converted back
};
const char* EpilogueName(EpilogueKind k);

// Everything baked into one kernel's WGSL; the rest of the problem travels in uniforms.
struct KernelShape {
  TileConfig tile;
  gpu::ScalarType type = gpu::ScalarType::kF32;
  bool a_k_fast = true;  // A is contiguous along K (else along M): decides the staging order
  bool b_n_fast = true;  // B is contiguous along N (else along K)
  bool has_c = false;
  EpilogueKind epilogue = EpilogueKind::kNone;
  // f32 on a software adapter (ops/quad_gemm.h): quads in this arrangement instead of `tile`, no workgroup
  // memory.
  bool quads = false;
  quad::Arrangement arrangement;
};

// The body (after the bindings and uniforms that KernelBuilder declares) of the kernel. It reads the
// uniforms M, N, K, a_m, a_k, b_k, b_n, x0, y0, z0, batch_rank, batch_shape(), a_batch_stride(),
// b_batch_stride(), and with an epilogue alpha, beta (and c_m, c_n when it reads C).
std::string KernelWgsl(const KernelShape& s);
// The same contract as quads (s.quads): workgroups of four quads, each a 16 x 16 block of the output.
std::string QuadKernelWgsl(const KernelShape& s);

}  // namespace webconv::ops::matmul
