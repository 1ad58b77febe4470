// The WGSL every WebGPU Conv kernel variant shares for its window: the problem's window baked into WGSL
// constants (so the reduction's index divisions are by constants and its loops have constant trip counts)
// or read from uniforms, its sizes declared through a ConvSizeTable (baked or uniform, conv_sizes.h),
// ConvTranspose phases' weight indexing, a fused pool's lanes, and which axes need bounds checks.
#pragma once

#include <string>

#include "gpu/kernel.h"
#include "ops/conv/conv.h"
#include "ops/conv/conv_sizes.h"

namespace webconv::ops {

// The geometry: returns WGSL `const` declarations of the window (K_D/H/W, S_*, DL_*, P_* (i32); for
// per-group windows the GROUP_DL and GROUP_P tables, and GROUP_X0 when sizes are baked; for
// ConvTranspose phases the slot tables PHASE_FIRST and PHASE_K0 and the private phase_slot the kernel
// sets) and adds the sizes to `sizes` (IN_D/H/W, OUT_D/H/W, N, CIN, X_CH, X_CH0, COUT, CIN_G, COUT_G,
// DEPTH, ROWS, IN_SP, IN_HW, OUT_SP). With uniform sizes each group's first X channel is the uniform
// array GROUP_X0, read as GROUP_X0(g) (ConvGroupX0).
// With `window_in_sizes` the window joins the sizes too (K_*, S_*, DL_* and the leading pads as PAD_*, a
// u32; no P_*), so Convs that differ only in their windows share a kernel (the quick kernel).
std::string ConvGeometryWgsl(const ConvProblem& p, ConvSizeTable* sizes, bool window_in_sizes = false);
// The WGSL expression of group g's first X channel under per-group windows.
std::string ConvGroupX0(const ConvSizeTable& sizes);

// WGSL statements decomposing the implicit GEMM's row `mr<sfx>` (a u32 the kernel declared) of group g into
// its output pixel's window origin: rd<sfx>, rh<sfx>, rw<sfx> (i32, the leading pads subtracted) and rb<sfx>,
// the X element of its batch entry's first input channel of the group. With a fused pool a row is (pooled
// pixel, window lane), as ROWS counts them. Per-group windows read `gp` (GROUP_P[g]) and GROUP_X0, which the
// kernel has in scope; the temporaries are ln, pq, ta, tb, ow, oh, od, nn with the same suffix. The
// workgroup-memory GEMM and the quad kernel decompose their rows through this.
std::string ConvRowOriginWgsl(const ConvProblem& p, const ConvSizeTable& sizes, const std::string& sfx);
// Adds the uniform array GROUP_X0 when the sizes are uniform and the Conv has per-group windows.
void AddConvGroupUniforms(const ConvProblem& p, const ConvSizeTable& sizes, gpu::UniformBlock& u);

// For a ConvTranspose phase (ConvProblem::phase): WGSL defining w_index(g, co, k), the element of the
// ConvTranspose weight [C, M/group, taps...] holding the phase Conv's weight for output channel co of
// group g at reduction index k = (ci, jd, jh, jw), whose taps run backwards through the phase's kernel
// indices. Needs ConvGeometryWgsl's declarations.
std::string ConvPhaseWeightWgsl(const ConvProblem& p);
// A fused pool (ConvFusion::pool): the constants PV (outputs per window) and PK_D/H/W, and
// pool_sp(psp, l), the Conv output spatial index of lane l of pooled pixel psp; adds PO_D/H/W and PO_SP
// to `sizes`.
std::string ConvPoolWgsl(const ConvProblem& p, ConvSizeTable* sizes);

// True when the window along axis `a` (0..2 of axis3) can reach outside the input, so taps along
// it need a bounds check.
bool ConvAxisNeedsCheck(const ConvProblem& p, int a);

}  // namespace webconv::ops
