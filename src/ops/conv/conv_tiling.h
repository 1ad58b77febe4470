// The implicit-GEMM Conv kernel's choices from the problem's shape: its workgroup tile, split-K and how it
// stages K slices (conv_geometry_wgsl.h has the WGSL every Conv kernel shares for the window).
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

}  // namespace webconv::ops
