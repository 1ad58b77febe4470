// The quad GEMM core: how the software adapter's GEMM kernels (the implicit-GEMM Conv,
// conv/conv_quad_wgsl.cc, and MatMul/Gemm, matmul/wgsl.cc) lay a block over a subgroup's lanes.
//
// SwiftShader runs four invocations side by side in the four lanes of an SSE register, and a subgroup is
// those four lanes. Any load whose address it cannot prove at compile time is a gather there: four scalar
// loads, each behind a branch on its lane's mask; a workgroup-memory GEMM pays one for every value staged,
// another for every value read back, and a fiber switch at every barrier. A quad kernel has no workgroup
// memory and no barriers, and makes each gathered value count sixteen times: a quad (a subgroup of four
// lanes) computes a 16 x 16 block. Lane t loads four of the block's rows (t, t + 4, t + 8, t + 12) and
// four of its columns (t, t + 4, t + 8, t + 12); each row value reaches the other lanes by
// subgroupBroadcast, a register shuffle there. Per reduction step that is 8 gathers for 64 multiply-adds
// per lane, against 16 for 64 in 8x8 register blocks, which a workgroup-memory kernel also stages. On a
// 2-core machine the default demo's Conv layers ran at 4-5.8 GFLOP/s as quads against 1.6-2.0 in the
// workgroup-memory kernel (NOTES.md, "The software adapter's GEMM").
//
// The kernel supplies the loads (its view of the operands) and the stores (its epilogue); this file the
// block's layout, the accumulators and the multiply-adds, and when to use it.
#pragma once

#include <cstdint>
#include <string>

#include "ops/op_schema.h"

namespace webconv::ops::quad {

constexpr uint32_t kBlock = 16;  // a quad's block: 16 rows by 16 columns
constexpr uint32_t kQuads = 4;   // quads per workgroup (16 invocations)

// Whether a GEMM kernel runs as quads here: KernelTuning::quad_gemm when set (true on a device whose
// subgroups are not four lanes is a usage error), else on a software adapter whose subgroups are four
// lanes (SwiftShader).
Result<bool> UseQuads(const GpuContext& ctx);

// How a workgroup's four quads lie: along rows, along columns or two by two, whichever pads the GEMM least
// (a thin layer with many columns wants its quads side by side).
struct Arrangement {
  uint32_t rows = kQuads, cols = 1;  // quads along each; rows * cols = kQuads
  uint32_t tile_rows() const { return kBlock * rows; }
  uint32_t tile_cols() const { return kBlock * cols; }
  std::string Name() const;  // "4x1"
};
Arrangement ChooseArrangement(int64_t rows, int64_t cols);

// WGSL statements, in `main` with `li` (local_invocation_index) in scope: the lane `t`, and the first row
// `m0` and column `n0` of this quad's block, given the workgroup's tile coordinates (WGSL u32 expressions).
std::string BlockOrigin(const Arrangement& a, const std::string& tile_row, const std::string& tile_col);
// Declares the accumulators: acc0..acc15, row r of the block, a vec4 over the lane's four columns (lane c
// is column t + 4c). Named variables: as one array indexed by constants the demo's GEMMs ran 1.7x slower.
std::string Accumulators();
// One reduction step: with `a0`..`a3` (the lane's rows t + 4j) and `b` (a vec4 of the lane's columns
// t + 4c) in scope, adds every row's product into its accumulator. Multiply and add, not fma():
// SwiftShader has no fused instruction to map fma() to, and a 1.5 GFLOP layer took 10% longer with it.
std::string Step(const std::string& indent);
// After the reduction: `var blk`, the accumulators copied into an array that a loop over the block's rows
// indexes. Kernels store the block in such a loop rather than in 64 inlined stores: the demo's Conv quad
// pipelines then compiled in 70-120 ms on SwiftShader instead of 145-221 (WEBCONV_SERIAL_COMPILE=1
// WEBCONV_COMPILE_TRACE=1), for runs about 6% longer (GPU time 1.37-1.41 -> 1.46-1.49 s): on the first
// result, 300 ms saved.
std::string BlockArray();


}  // namespace webconv::ops::quad
