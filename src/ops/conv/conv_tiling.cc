// The implicit-GEMM Conv kernel's tile, split-K and staging choices (see conv_tiling.h).
#include "ops/conv/conv_tiling.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "ops/kernel_tuning.h"

namespace webconv::ops {
namespace {

// A tile with two numbers for the wave model in ChooseConvTiling: an efficiency (relative FLOP rate of a
// full wave) and how many workgroups count as one SM's share of a wave. They were fitted to a sweep of
// every tile over the 33 distinct TransNetV2 (T=100) and ResNet-50 layers on the H100
// (bench/device_tiles.sh, results in bench/results/h100-2026-11-24-tiles/): with them the model picks
// the measured fastest of these tiles on 32 layers and a tile 1% slower on the last. They are fitted
// numbers, not occupancy: 8x8 register blocks on 128x128 and wider tiles measured 1.5-4x slower than
// the best tile on every layer, so those tiles are not candidates.
struct Candidate {
  ConvTiling t;
  double efficiency;
  int resident;
};

// 64x64 tiles with 8x4 blocks take K slices of 8: on all eight TransNetV2 layers of a later sweep
// (bench/results/h100-2026-11-25-stages/k8.txt) they beat the same tile with slices of 16 by 1-11%,
// and beat the 4x4-block 64x64 tile on seven of them (by 4-9%; 10% slower on the 128->64 temporal
// layer, where the 64x32 tile is chosen anyway). Their efficiency of 0.65 makes them the choice where
// 64x64 and 128x64 tiles compete. Smaller workgroup memory per workgroup is what helps: two stages or
// K slices of 32, which double it, made the same tiles 10-40% slower.
//
// Refitted once more (bench/tile_model_fit.py) after sibling Convs began to merge into wide GEMMs
// (TransNetV2's merged 1x3x3 layers have 128-512 output channels): the earlier numbers picked 64x32
// tiles for the 7200-row, 512-column layers, 1.3x slower than 64x64 with 8x4 blocks (bench/results/
// h100-2026-12-06-siblings/siblings_tiles.txt). Fitted over those 5 layers and the 31 of chosen.json,
// the sum of chosen times is 1.002x the sum of the fastest candidates' (the earlier numbers: 1.074x):
// 128x64 tiles 0.6 -> 0.7 with 4 resident, 64x64 with 8x4 blocks 0.65 -> 0.75, 32x32 0.4 -> 0.3.
const Candidate kCandidates[] = {
    {{128, 64, 16, 8, 8}, 0.7, 4}, {{128, 32, 16, 8, 4}, 0.6, 4}, {{64, 64, 16, 4, 4}, 0.6, 2},
    {{64, 64, 8, 8, 4}, 0.75, 2},  {{64, 32, 16, 4, 4}, 0.6, 1},  {{32, 32, 16, 4, 4}, 0.3, 1},
    {{64, 16, 16, 4, 4}, 0.6, 4},  {{128, 16, 16, 4, 4}, 0.6, 4},
};

// Tiles for software adapters (SwiftShader: a few CPU cores, each running a workgroup's invocations
// four SIMD lanes at a time, with a fiber switch at every barrier). All use 8x8 register blocks, which
// beat 4x4 blocks there. Per layer of the TransNetV2 backbone at 1x3x2x8x8 (the minimum of 10 runs per
// node from bench/node_sweep.py with WEBCONV_CONV_TILE variants; 8-128 output rows per layer):
//  - 128 rows: 32x32 with K slices of 16 (16 threads): 0.72 / 4.34 ms on the 32->16 temporal and
//    64->32 spatial layers, against 1.19 / 4.39 ms for 16x32 and 1.77 / 6.87 ms for 16x64;
//  - 8-32 rows and 64+ channels with a reduction of 512 or more: 16x64 with K slices of 16 (16
//    threads): 1.67 / 3.13 / 6.37 ms on the 576-, 1152- and 2304-deep 1x3x3 layers, against
//    2.08 / 4.37 / 8.68 ms for 16x32 (half as many barriers per K);
//    With 8 rows or fewer, 8x64 with K slices of 8 (8 threads, no padded rows): 2.23 / 4.43 ms on
//    the 1152- and 2304-deep layers of block 3, against 3.01 / 6.69 ms for 16x64;
//  - the rest (short reductions, few channels): 16x32 with K slices of 8 (8 threads): 0.46 / 0.78 ms
//    on the 96- and 384-deep temporal layers, against 0.61-0.67 / 1.14-1.58 ms for the others.
const ConvTiling kSoftwareTall = {32, 32, 16, 8, 8};
const ConvTiling kSoftwareWide = {16, 64, 16, 8, 8};
const ConvTiling kSoftwareShortWide = {8, 64, 8, 8, 8};
const ConvTiling kSoftwareSmall = {16, 32, 8, 8, 8};
// Light layers on a software adapter: there, compiling a pipeline costs more than running a small layer
// many times over, and the compile time grows with the unrolled register block. MobileNetV3-small at
// 32x96 (`make_mobilenetv3.py --tiny`; `WEBCONV_PIPELINE_CACHE=0 WEBCONV_CONV_TILE=... webconv bench
// MODEL --json --runs 3 --warmup 1`, "phases", this 2-core machine): 45 pipelines compiled in 16.0 s
// with the tiles above, 6.5 s with 16x32 tiles of 4x4 blocks and 5.2 s with 16x16 ones (warm runs 23.3,
// 20.8 and 17.0 ms). The default demo model (TransNetV2, T=8) with every layer on 16x16 4x4: compile
// 7.2 -> 2.2 s but runs 3.7 -> 6.6 s, so heavy layers keep the 8x8 blocks. Below this many FLOPs a
// layer runs in tens of ms at most. With sizes in uniforms (conv_sizes.h) the light layers of one window
// share this tile's pipeline, so raising the bound from 16 to 64 MFLOP moved the TransNetV2 backbone
// at 1x3x2x8x8 (three 19 MFLOP layers had taken three 8x8-block tiles) from 12 pipelines compiled to 4:
// first result 2.3-3.0 s -> 0.66-0.86 s, warm run 75-81 -> 128-149 ms (webconv bench --json, cache off,
// two alternating runs each against the build before both changes).
const ConvTiling kSoftwareLight = {16, 16, 8, 4, 4};
constexpr double kSoftwareLightFlops = 64e6;

ConvTiling ChooseSoftwareTiling(const ConvProblem& p) {
  const int64_t rows = p.batch * p.out_spatial();
  const int64_t cols = p.out_per_group();
  const int64_t depth = p.in_per_group() * p.kernel_volume();
  if (2.0 * static_cast<double>(rows) * static_cast<double>(cols) * static_cast<double>(depth) *
          static_cast<double>(p.group) < kSoftwareLightFlops)
    return kSoftwareLight;
  if (rows >= 64) return kSoftwareTall;
  if (cols > 32 && depth >= 512) return rows <= 8 ? kSoftwareShortWide : kSoftwareWide;
  return kSoftwareSmall;
}

// Output tiles of the implicit GEMM with tile `t`: row tiles x column tiles x groups.
double TileCount(const ConvProblem& p, const ConvTiling& t) {
  return std::ceil(static_cast<double>(p.batch * p.out_spatial()) / t.tm) *
         std::ceil(static_cast<double>(p.out_per_group()) / t.tn) * static_cast<double>(p.group);
}

SplitK MakeSplitK(uint32_t wanted, uint32_t tk, int64_t depth) {
  const uint32_t slices = static_cast<uint32_t>((depth + tk - 1) / tk);
  wanted = std::max(1u, std::min(wanted, slices));
  const uint32_t per = (slices + wanted - 1) / wanted;  // K slices per range
  SplitK s;
  s.chunk = per * tk;
  s.splits = (slices + per - 1) / per;  // every range non-empty
  return s;
}

}  // namespace

std::vector<ConvTiling> ConvTilingCandidates() {
  std::vector<ConvTiling> v;
  for (const Candidate& c : kCandidates) v.push_back(c.t);
  for (const ConvTiling& t : {kSoftwareTall, kSoftwareWide, kSoftwareShortWide, kSoftwareSmall, kSoftwareLight})
    v.push_back(t);
  return v;
}

std::string ConvTilingProblem(const ConvTiling& t, uint32_t max_workgroup_storage) {
  auto n = [](uint32_t v) { return std::to_string(v); };
  if (t.rm == 0 || t.rn == 0 || t.rm % 4 != 0 || t.rn % 4 != 0)
    return "register blocks must be multiples of 4 (vec4 lanes)";
  if (t.tm == 0 || t.tn == 0 || t.tk == 0 || t.tm % t.rm != 0 || t.tn % t.rn != 0)
    return "the register block " + n(t.rm) + "x" + n(t.rn) + " must divide the tile " + n(t.tm) + "x" + n(t.tn);
  const uint32_t threads = t.threads();
  if (threads > 256) return n(threads) + " threads (more than 256)";
  if (threads % t.tk != 0) return n(threads) + " threads are not a multiple of the K slice " + n(t.tk);
  if ((t.tk * t.tn) % threads != 0) return "the " + n(t.tk) + "x" + n(t.tn) + " weight slice does not spread over the threads";
  const uint32_t lm = t.load_rows();
  if (t.tm % lm != 0 || threads % lm != 0 || t.tk % (threads / lm) != 0)
    return "the " + n(t.tk) + "x" + n(t.tm) + " input slice does not spread over the threads";
  const uint64_t bytes = 4ull * t.tk * (t.tm + t.tn + 4);
  if (bytes > max_workgroup_storage)
    return n(static_cast<uint32_t>(bytes)) + " bytes of workgroup memory (the device allows " +
           n(max_workgroup_storage) + ")";
  return "";
}

Result<ConvTiling> ParseConvTiling(const std::string& name) {
  ConvTiling t;
  char tail = 0;
  if (std::sscanf(name.c_str(), "t%ux%uk%u_r%ux%u%c", &t.tm, &t.tn, &t.tk, &t.rm, &t.rn, &tail) != 5)
    return UsageError("tile '", name, "' is not of the form tTMxTNkTK_rRMxRN (e.g. t128x64k16_r8x8)");
  return t;
}

const char* ConvMathName(ConvMath m) {
  return m == ConvMath::kF16Tiles ? "f16tiles" : "f32";
}

std::string ConvTiling::Name() const {
  return "t" + std::to_string(tm) + "x" + std::to_string(tn) + "k" + std::to_string(tk) + "_r" +
         std::to_string(rm) + "x" + std::to_string(rn);
}

Result<ConvTiling> ChooseConvTiling(const ConvProblem& p, bool software_adapter, uint32_t max_workgroup_storage,
                                    uint32_t compute_units, const KernelTuning* tuning) {
  if (tuning && tuning->conv_tile) {
    const ConvTiling& t = *tuning->conv_tile;
    if (const std::string why = ConvTilingProblem(t, max_workgroup_storage); !why.empty())
      return UsageError("conv tile ", t.Name(), ": ", why);
    return t;
  }
  if (software_adapter) return ChooseSoftwareTiling(p);
  const double sms = compute_units;
  const double cols = static_cast<double>(p.out_per_group());
  // Light layers take their sizes from uniforms (conv_sizes.h) to share pipelines, which they do only
  // when their tiles agree too: they choose among three small tiles. They run for microseconds either way.
  const bool light = IsLightConv(p);
  auto light_tile = [](const ConvTiling& t) {
    return t.rm == 4 && t.rn == 4 && t.tk == 16 && t.tm <= 64 && t.tn <= 32;
  };
  double best = std::numeric_limits<double>::infinity();
  ConvTiling choice = kCandidates[0].t;
  for (const Candidate& c : kCandidates) {
    // A tile twice as wide as the channels wastes half its work; never pick one wider than needed
    // unless nothing narrower exists.
    if (c.t.tn >= 2 * cols && c.t.tn > 16) continue;
    if (light && !light_tile(c.t)) continue;
    if (!ConvTilingProblem(c.t, max_workgroup_storage).empty()) continue;
    const double wgs = TileCount(p, c.t);
    const double waves = std::ceil(wgs / (sms * c.resident));
    const double cost = waves * c.t.tm * c.t.tn * c.resident / c.efficiency;
    if (cost < best) {
      best = cost;
      choice = c.t;
    }
  }
  return choice;
}

SplitK ChooseConvSplits(const ConvProblem& p, const ConvTiling& t, bool software_adapter, uint64_t max_partial_bytes,
                        uint32_t compute_units, const KernelTuning* tuning) {
  const int64_t depth = p.in_per_group() * p.kernel_volume();
  // Pooled windows are averaged in the GEMM's registers; grouped ConvTranspose phases have their slots
  // in workgroup z, which the split-K sum kernel does not know.
  if (p.fusion.pooled() || p.phase.slots() > 1) return SplitK{1, static_cast<uint32_t>(depth)};
  uint32_t wanted = 1;
  if (tuning && tuning->conv_splits > 0) {
    wanted = tuning->conv_splits;
  } else if (!software_adapter) {
    // Split only when the reduction is long for the number of tiles: at least 1024 deep per SM's share
    // of the tiles. Below that the partial sums' round trip and the second dispatch (about 10 us on the
    // H100) cost more than the idle SMs: 1x1 convs 256-512 deep over 98-128 tiles ran 11-37% slower
    // split, 1024-4608 deep over 32-128 tiles 1.3-4.6x faster (bench/device_tiles.sh with --splits,
    // results in bench/results/h100-2026-11-24-tiles/). Then fill the SMs with about four workgroups
    // each, keeping each range 8 or more K slices deep.
    const double sms = compute_units, target = sms * 4;
    constexpr double kDepthPerShare = 1024;
    const double wgs = TileCount(p, t);
    const int64_t slices = (depth + t.tk - 1) / t.tk;
    if (static_cast<double>(depth) * sms >= kDepthPerShare * wgs)
      while (wanted < 16 && wgs * wanted < target && slices >= 16 * wanted) wanted *= 2;
  }
  SplitK s = MakeSplitK(wanted, t.tk, depth);
  const uint64_t partial = 4ull * s.splits * static_cast<uint64_t>(p.batch * p.out_spatial() * p.out_channels);
  if (s.splits > 1 && partial > max_partial_bytes) s = MakeSplitK(1, t.tk, depth);
  return s;
}

}  // namespace webconv::ops
