// Differential tests of the WebGPU Conv kernel variants: every implicit-GEMM tile candidate is forced
// in turn on awkward shapes (tails in rows, columns and depth; padding, dilation, stride, groups,
// batch 2, 1-D/2-D/3-D, output size 1), and the direct kernel on depthwise shapes, each against the
// float64 reference.
#include <gtest/gtest.h>

#include "conv_case.h"
#include "gpu/compute_units.h"
#include "ops/conv/conv_tiling.h"
#include "ops/kernel_tuning.h"

namespace webconv::testing {
namespace {

const ConvShapeCase kGemmCases[] = {
    {2, 5, 130, 1, {9, 11}, {3, 3}, {1, 2}, {2, 1}, {1, 0, 2, 1}},
    {1, 6, 18, 2, {3, 5, 7}, {3, 1, 2}, {1, 1, 1}, {2, 1, 1}, {2, 0, 1, 2, 0, 0}},
    {1, 9, 33, 1, {3, 3}, {3, 3}, {1, 1}, {1, 1}, {0, 0, 0, 0}},  // output size 1
};
const ConvShapeCase kDirectCases[] = {
    {2, 7, 7, 7, {6, 9}, {3, 3}, {2, 1}, {1, 2}, {1, 2, 0, 1}},
    {1, 3, 9, 3, {4, 5, 6}, {3, 3, 3}, {1, 2, 1}, {1, 1, 2}, {1, 1, 1, 0, 1, 2}},
};

// Sizes baked and in uniforms (conv_sizes.h) alternate from case to case, so every tile runs both ways.
const ops::ConvSizes kSizeModes[2] = {ops::ConvSizes::kBaked, ops::ConvSizes::kUniform};

TEST(ConvTiles, EveryTileMatchesFloat64Reference) {
  ScopedTuning tuning;
  const uint64_t seed = BaseSeed(20261125);
  std::cout << "ConvTiles seed " << seed << " (WEBCONV_SEED)\n";
  uint64_t k = 0;
  int tile_index = 0;
  for (const ops::ConvTiling& t : ops::ConvTilingCandidates()) {
    tuning.kernels().conv_tile = t;
    // Every tile on the first two shapes; the output-size-1 shape once (one workgroup, all tails).
    for (size_t i = 0; i < (k == 0 ? 3u : 2u); ++i) {
      const ConvShapeCase& c = kGemmCases[i];
      const ops::ConvSizes& mode = kSizeModes[(i + tile_index) % 2];
      tuning.kernels().conv_sizes = mode;
      SCOPED_TRACE(::testing::Message() << "tile " << t.Name() << ", C=" << c.cin << " M=" << c.cout << ", sizes "
                                        << (mode == ops::ConvSizes::kUniform ? "uniform" : "baked") << ", seed "
                                        << seed + k);
      CheckConvCase(c, seed + k++);
    }
    ++tile_index;
  }
}

ops::ConvProblem GemmProblem(int64_t rows, int64_t cols) {
  ops::ConvProblem p;
  p.batch = 1;
  p.in_channels = 64;
  p.out_channels = cols;
  for (ops::AxisGeometry& g : p.axis3) g.in = g.out = 1;
  p.axis3[2].in = p.axis3[2].out = rows;
  return p;
}

bool SameTile(const ops::ConvTiling& a, const ops::ConvTiling& b) {
  return a.tm == b.tm && a.tn == b.tn && a.tk == b.tk && a.rm == b.rm && a.rn == b.rn;
}

// A software adapter gets one of four tiles with 8x8 blocks: 32x32 from 64 rows up, 16x64 (8x64 up to 8
// rows) for few rows with many channels and a deep reduction, else 16x32 with K slices of 8. The GPU model never picks
// them (its tiles keep a floor of 64 threads per workgroup).
TEST(ConvTiles, SoftwareAdapterTiles) {
  struct Case {
    int64_t rows, cols, cin;
    ops::ConvTiling want;
  };
  // Under 64 MFLOP (2 x rows x cols x depth) a layer gets the light 16x16 tile of 4x4 blocks, whatever its
  // shape (compiling costs more than running there); above it, the shape decides.
  const Case cases[] = {
      {128, 16, 64, {16, 16, 8, 4, 4}},      {8, 128, 1152, {16, 16, 8, 4, 4}},
      {32, 32, 1024, {16, 16, 8, 4, 4}},     {8, 64, 384, {16, 16, 8, 4, 4}},
      {4096, 32, 64, {16, 16, 8, 4, 4}},     {32, 64, 4608, {16, 16, 8, 4, 4}},
      {4096, 128, 64, {32, 32, 16, 8, 8}},   {4096, 32, 512, {32, 32, 16, 8, 8}},
      {8, 128, 65536, {8, 64, 8, 8, 8}},     {16, 128, 18432, {16, 64, 16, 8, 8}},
      {32, 64, 18432, {16, 64, 16, 8, 8}},   {32, 32, 65536, {16, 32, 8, 8, 8}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << "rows " << c.rows << " cols " << c.cols << " depth " << c.cin);
    ops::ConvProblem p = GemmProblem(c.rows, c.cols);
    p.in_channels = c.cin;
    auto sw = ops::ChooseConvTiling(p, true);
    ASSERT_TRUE(sw.ok()) << sw.status().ToString();
    EXPECT_TRUE(SameTile(sw.value(), c.want)) << sw.value().Name();
    auto gpu = ops::ChooseConvTiling(p, false, 1u << 16);
    ASSERT_TRUE(gpu.ok()) << gpu.status().ToString();
    EXPECT_GE(gpu.value().threads(), 64u) << gpu.value().Name();
  }
}

// The GPU model never picks a tile whose workgroup memory exceeds the device's limit: with WebGPU's
// default 16 KiB the 128x128 tile (16.6 KB) is out even for a problem that would pick it otherwise.
TEST(ConvTiles, ChoiceRespectsWorkgroupStorage) {
  const ops::ConvProblem big = GemmProblem(1 << 20, 128);
  for (uint32_t limit : {16384u, 32768u}) {
    auto t = ops::ChooseConvTiling(big, false, limit);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(ops::ConvTilingProblem(t.value(), limit), "") << t.value().Name();
  }
  EXPECT_NE(ops::ConvTilingProblem({128, 128, 16, 8, 8}, 16384), "");
}

// Tile names (WEBCONV_CONV_TILE) parse back to the tile, malformed names and impossible tiles are refused
// with the reason, and a tile set in KernelTuning overrides the choice unless the device cannot hold it.
TEST(ConvTiles, TileKnobParsesAndValidates) {
  for (const ops::ConvTiling& t : ops::ConvTilingCandidates()) {
    auto parsed = ops::ParseConvTiling(t.Name());
    ASSERT_TRUE(parsed.ok()) << t.Name();
    EXPECT_TRUE(SameTile(parsed.value(), t)) << t.Name();
    EXPECT_EQ(ops::ConvTilingProblem(t, 1u << 16), "") << t.Name();
  }
  for (const char* bad : {"", "t64x64", "t64x64k16_r4x4x", "64x64k16_r4x4"})
    EXPECT_FALSE(ops::ParseConvTiling(bad).ok()) << bad;
  EXPECT_NE(ops::ConvTilingProblem({64, 64, 16, 6, 4}, 1u << 16), "");   // block not a multiple of 4
  EXPECT_NE(ops::ConvTilingProblem({64, 64, 16, 8, 12}, 1u << 16), "");  // block does not divide the tile
  EXPECT_NE(ops::ConvTilingProblem({128, 128, 16, 4, 4}, 1u << 16), ""); // 1024 threads
  EXPECT_NE(ops::ConvTilingProblem({16, 16, 32, 4, 4}, 1u << 16), "");   // 16 threads, K slice 32

  const ops::ConvProblem p = GemmProblem(4096, 128);
  ops::KernelTuning tuning;
  tuning.conv_tile = ops::ConvTiling{32, 64, 16, 4, 8};
  auto forced = ops::ChooseConvTiling(p, false, 1u << 16, 132, &tuning);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_TRUE(SameTile(forced.value(), {32, 64, 16, 4, 8}));
  tuning.conv_tile = ops::ConvTiling{128, 128, 16, 8, 8};  // 16.6 KB of workgroup memory
  auto refused = ops::ChooseConvTiling(p, false, 16384, 132, &tuning);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message.find("conv tile t128x128k16_r8x8: "), std::string::npos)
      << refused.status().message;
}

// A tile outside the candidate list, set as a benchmark sets it, still computes the right result (a sweep
// times tiles the model never picks).
TEST(ConvTiles, KnobTileMatchesFloat64Reference) {
  ScopedTuning tuning;
  const uint64_t seed = BaseSeed(20261127);
  std::cout << "ConvTiles knob seed " << seed << " (WEBCONV_SEED)\n";
  tuning.kernels().conv_tile = ops::ParseConvTiling("t32x64k16_r4x8").value();
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(::testing::Message() << "case " << i << ", seed " << seed + i);
    CheckConvCase(kGemmCases[i], seed + i);
  }
}

// Split-K: the reduction cut into ranges whose partial sums a second kernel adds (ChooseConvSplits).
// Forced on the GEMM shapes plus a deep one (333 = 37 x 3 x 3, so ranges are uneven and the last one
// has a K tail), 2, 3 and 16 ranges (capped by the K slices), against the float64 reference.
TEST(ConvTiles, SplitKMatchesFloat64Reference) {
  ScopedTuning tuning;
  const uint64_t seed = BaseSeed(20261128);
  std::cout << "ConvTiles split-K seed " << seed << " (WEBCONV_SEED)\n";
  const ConvShapeCase deep = {2, 37, 20, 1, {5, 6}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 0, 2}};
  uint64_t k = 0;
  for (int splits : {2, 3, 16}) {
    tuning.kernels().conv_splits = splits;
    for (const ConvShapeCase* c : {&kGemmCases[0], &kGemmCases[1], &kGemmCases[2], &deep}) {
      SCOPED_TRACE(::testing::Message() << splits << " ranges, C=" << c->cin << " M=" << c->cout << ", seed "
                                        << seed + k);
      CheckConvCase(*c, seed + k++);
    }
  }
}

// The split count: ranges are non-empty multiples of the K slice, the model splits only problems with
// few tiles and a long reduction, never a software adapter's; KernelTuning::conv_splits overrides it.
TEST(ConvTiles, SplitKChoice) {
  ops::KernelTuning tuning;
  const ops::ConvTiling t{32, 32, 16, 4, 4};
  ops::ConvProblem few = GemmProblem(49, 512);  // ResNet-50's last stage at batch 1: 32 tiles
  few.in_channels = 4608;
  const ops::SplitK s = ops::ChooseConvSplits(few, t, false, 1ull << 30);
  EXPECT_EQ(s.splits, 16u);
  EXPECT_EQ(s.chunk, 288u);  // 4608 / 16, a multiple of 16
  EXPECT_EQ(ops::ChooseConvSplits(few, t, true, 1ull << 30).splits, 1u);
  // A GPU of 32 SMs is filled (about four workgroups each) by 4 ranges of the 32 tiles.
  EXPECT_EQ(ops::ChooseConvSplits(few, t, false, 1ull << 30, 32).splits, 4u);
  EXPECT_EQ(ops::ChooseConvSplits(few, t, false, 1000).splits, 1u);  // partial sums too large
  EXPECT_EQ(ops::ChooseConvSplits(GemmProblem(1 << 16, 64), t, false, 1ull << 30).splits, 1u);
  ops::ConvProblem modest = GemmProblem(3136, 64);  // ResNet-50's 1x1 256->64 at 56x56: 98 tiles of 64x32
  modest.in_channels = 256;                         // 256 deep: the round trip costs more than it gains
  EXPECT_EQ(ops::ChooseConvSplits(modest, {64, 32, 16, 4, 4}, false, 1ull << 30).splits, 1u);
  ops::ConvProblem shallow = GemmProblem(49, 512);
  shallow.in_channels = 64;  // 4 K slices: too short to split
  EXPECT_EQ(ops::ChooseConvSplits(shallow, t, false, 1ull << 30).splits, 1u);
  tuning.conv_splits = 5;  // 4 slices: at most 4 ranges
  EXPECT_EQ(ops::ChooseConvSplits(shallow, t, false, 1ull << 30, 132, &tuning).splits, 4u);
  tuning.conv_splits = 3;  // 4 slices over 3 ranges: 2 per range, so 2 ranges
  const ops::SplitK three = ops::ChooseConvSplits(shallow, t, false, 1ull << 30, 132, &tuning);
  EXPECT_EQ(three.splits, 2u);
  EXPECT_EQ(three.chunk, 32u);
}

TEST(ConvTiles, DirectKernelMatchesFloat64Reference) {
  ScopedTuning tuning;
  const uint64_t seed = BaseSeed(20261126);
  std::cout << "ConvTiles direct seed " << seed << " (WEBCONV_SEED)\n";
  for (const ops::ConvSizes& mode : kSizeModes) {
    tuning.kernels().conv_sizes = mode;
    for (size_t i = 0; i < std::size(kDirectCases); ++i) {
      SCOPED_TRACE(::testing::Message() << "direct case " << i << ", sizes "
                                        << (mode == ops::ConvSizes::kUniform ? "uniform" : "baked") << ", seed "
                                        << seed + i);
      CheckConvCase(kDirectCases[i], seed + i);
    }
  }
}

// The compute units the tile and split choices fill come from the adapter's name; an unknown adapter gets
// the H100's count, which the tile model was fitted on.
TEST(ConvTiles, ComputeUnitsByAdapterName) {
  EXPECT_EQ(gpu::ComputeUnitsOf("NVIDIA H100 80GB HBM3"), 132u);
  EXPECT_EQ(gpu::ComputeUnitsOf("NVIDIA H100 PCIe"), 114u);
  EXPECT_EQ(gpu::ComputeUnitsOf("NVIDIA A100-SXM4-40GB"), 108u);
  EXPECT_EQ(gpu::ComputeUnitsOf("NVIDIA L40S"), 142u);
  EXPECT_EQ(gpu::ComputeUnitsOf("SwiftShader Device (Subzero)"), gpu::kDefaultComputeUnits);
}

}  // namespace
}  // namespace webconv::testing
