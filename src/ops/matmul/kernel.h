// The WGSL generator of the tiled matrix-product kernel that MatMul and Gemm share.
//
// A workgroup computes a TM x TN tile of one batch's output. Each K step stages a TK-deep slice of A
// and B in workgroup memory (zero-filled outside the matrices, so any M, N, K works), then every
// thread accumulates an RM x RN register block from it. Transposes and broadcast are strides in the
// uniforms; the batch is the dispatch's z dimension. Gemm's alpha/beta/C epilogue is applied on store.
#pragma once

#include <cstdint>
#include <string>

#include "ops/matmul/geometry.h"
#include "ops/op_schema.h"

namespace webconv::ops::matmul {

struct TileConfig {
  uint32_t tm, tn, tk;  // workgroup tile (rows, columns) and the K depth staged per step
  uint32_t rm, rn;      // per-thread register block
};

// Picks a tile for the problem's shape: a thin one for few rows, larger ones once there are enough
// workgroups to fill the GPU.
TileConfig ChooseTiles(const Geometry& g);

// Appends the dispatches computing input 0 x input 1 (+ input 2 as Gemm's C when g.has_c) into
// output 0. `op` prefixes the kernel name ("matmul", "gemm").
Status DispatchProduct(GpuContext& ctx, const std::string& op, const Geometry& g, const Epilogue& e);

}  // namespace webconv::ops::matmul
