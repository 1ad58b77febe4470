// Shared pieces of the WebGPU Conv kernel variants: the problem's window baked into WGSL constants (so
// the reduction's index divisions are by constants and its loops have constant trip counts) and its sizes
// declared through a ConvSizeTable (baked or uniform, conv_sizes.h), and the choice of workgroup tile for
// the implicit-GEMM kernel from the problem's shape.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/conv/conv.h"
#include "ops/conv/conv_sizes.h"

namespace webconv::ops {

// The implicit GEMM per group: ROWS = N * output pixels, COLS = output channels per group,
// DEPTH = input channels per group * kernel volume.
struct ConvTiling {
  uint32_t tm = 64, tn = 64, tk = 16;  // workgroup tile (rows x columns) and K slice
  uint32_t rm = 4, rn = 4;             // register block per thread; multiples of 4 (vec4 lanes)
  uint32_t threads_m() const { return tm / rm; }
  uint32_t threads_n() const { return tn / rn; }
  uint32_t threads() const { return threads_m() * threads_n(); }
  std::string Name() const;  // "t128x64k16_r8x8"
  // Rows of the input slice that consecutive threads load at one depth (each thread then loads
  // tm / load_rows() rows at each of its depths, decomposing each depth once). 32 (a warp's rows,
  // coalesced along ow) except with 8x8 blocks, whose threads take one row each at more depths: on the
  // H100 32 rows made 128x32 tiles with 8x4 blocks 7% faster, 128x64 tiles with 8x8 blocks 4-6% slower
  // (more registers beside 64 accumulators), 4x4 blocks unchanged (TransNetV2 T=100 per kernel,
  // bench/device_ab.sh). Never more than the tile's rows or the threads.
  uint32_t load_rows() const { return std::min({tm, threads(), rm * rn >= 64 ? threads() : 32u}); }
};

// Picks the tile that minimises a simple model of the GPU's time (fitted on the H100): waves of workgroups
// over its `compute_units` SMs, each workgroup's time growing with its tile and shrinking with the tile's arithmetic
// intensity. Small problems get small tiles so that enough workgroups exist.
// On a software adapter (SwiftShader: a few CPU cores running invocations four SIMD lanes at a
// time) there is no occupancy to fill: every padded row or column is paid in full and every barrier
// is a fiber switch, so the tile is one of four with 8x8 register blocks, by rows, channels and
// reduction depth (measured per layer; see kSoftware* in conv_tiling.cc). Tiles needing more than `max_workgroup_storage` bytes of
// workgroup memory are never picked. `tuning`'s conv_tile, when set, overrides the choice (an error when
// the device cannot hold it).
Result<ConvTiling> ChooseConvTiling(const ConvProblem& p, bool software_adapter = false,
                                    uint32_t max_workgroup_storage = 16384, uint32_t compute_units = 132,
                                    const KernelTuning* tuning = nullptr);

// Every tile ChooseConvTiling may pick, for either adapter kind. Tests force each one in turn
// (KernelTuning::conv_tile) so every variant is checked on small shapes.
std::vector<ConvTiling> ConvTilingCandidates();

// Why the implicit-GEMM kernel cannot be generated with tile `t` on a device with
// `max_workgroup_storage` bytes of workgroup memory ("" when it can): register blocks must be
// multiples of 4 dividing the tile, at most 256 threads, the threads a multiple of the K slice and
// the loads of a K slice spread evenly over the threads.
std::string ConvTilingProblem(const ConvTiling& t, uint32_t max_workgroup_storage);

// Parses a tile named as ConvTiling::Name() writes it ("t128x64k16_r8x8"). A benchmark knob,
// WEBCONV_CONV_TILE (KernelTuning::conv_tile), forces every implicit-GEMM Conv to one tile this way, so that a sweep can time
// every tile on every layer and the choice above can be checked against measurements.
Result<ConvTiling> ParseConvTiling(const std::string& name);

// Split-K: the reduction (DEPTH) cut into `splits` ranges of `chunk` entries (a multiple of the K
// slice), one workgroup per tile and range; a second kernel adds the ranges' partial sums and applies
// the epilogue. It pays for problems with few output tiles and a long reduction (ResNet-50's last
// stages at batch 1: 49-196 output pixels against 2304-4608 deep), which would otherwise leave most
// SMs idle.
struct SplitK {
  uint32_t splits = 1, chunk = 0;
};

// Splits for tile `t`, when the reduction is long for the number of tiles (1024 deep or more per SM's
// share of them): enough workgroups to give every SM several (at most 16 ranges, each at least 8 K
// slices deep); none on a software adapter, with a fused pool (its windows are averaged in the GEMM's
// registers) or when the partial sums would exceed `max_partial_bytes`. `tuning`'s conv_splits (capped by
// the K slices) overrides the model.
SplitK ChooseConvSplits(const ConvProblem& p, const ConvTiling& t, bool software_adapter, uint64_t max_partial_bytes,
                        uint32_t compute_units = 132, const KernelTuning* tuning = nullptr);

// How the implicit GEMM stages its K slices in workgroup memory. Tensors stay f32 in memory and the FMAs
// and accumulators stay f32 either way:
//   kF32       f32 words (the default).
//   kF16Tiles  f16: each u32 word holds the (k, k+1) pair of one row or column (WGSL's core
//              pack2x16float / unpack2x16float), so a slice takes half the bytes and half the
//              workgroup-memory reads, for one unpack per word. Inputs and weights round to f16 (11
//              significant bits; magnitudes above 65504 become infinite) on the way in.
// KernelTuning::conv_math (WEBCONV_CONV_F16=tiles) turns kF16Tiles on for every implicit-GEMM Conv; the
// direct and first-layer kernels stay f32. f16 arithmetic (WGSL `enable f16`) is not offered: it needs
// the device's shader-f16 feature, which SwiftShader lacks and Dawn withholds on NVIDIA's Vulkan driver.
enum class ConvMath { kF32, kF16Tiles };
const char* ConvMathName(ConvMath m);  // "f32", "f16tiles"

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
