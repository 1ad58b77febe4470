// Differential tests of the direct (depthwise / few output channels per group) Conv kernel: every
// strip height it may pick (1, 2, 3, 4, 8 rows along H) on shapes that stress the row window: strides,
// dilation along D, H and W, asymmetric pads, a last strip running past the output, 1-D (no H axis),
// 3-D with several output depths per thread, channel multipliers and batch 2, each against the
// float64 reference.
#include "ops/conv/conv_direct.h"
#include "ops/kernel_tuning.h"

#include <gtest/gtest.h>

#include "conv_case.h"

namespace webconv::testing {
namespace {

const ConvShapeCase kCases[] = {
    // 3x3 stride 1, pad 1 (MobileNetV2's depthwise), output 7 rows: tails for every strip > 1.
    {1, 4, 4, 4, {7, 9}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}},
    // stride 2 with asymmetric pads (TF SAME on even sizes), channel multiplier 2.
    {2, 3, 6, 3, {8, 6}, {3, 3}, {2, 2}, {1, 1}, {0, 0, 1, 1}},
    // dilation along H and W, unpadded along H (the window stays inside along H).
    {1, 2, 2, 2, {12, 10}, {3, 2}, {1, 1}, {2, 3}, {0, 1, 0, 2}},
    // 5x5 stride 2 along H only, pad 2.
    {1, 3, 3, 3, {11, 5}, {5, 5}, {2, 1}, {1, 1}, {2, 2, 2, 2}},
    // 1-D depthwise with dilation and a causal pad.
    {1, 5, 5, 5, {17}, {3}, {1}, {2}, {4, 0}},
    // 3-D 3x3x3 depthwise with stride and pads on D.
    {1, 2, 2, 2, {4, 6, 5}, {3, 3, 3}, {2, 1, 1}, {1, 1, 1}, {1, 1, 1, 0, 1, 1}},
    // 3-D with dilation 2 along D, 5 output depths (tails for 2 and 3 per thread), batch 2.
    {2, 2, 2, 2, {7, 4, 5}, {3, 3, 3}, {1, 1, 1}, {2, 1, 1}, {1, 1, 1, 1, 1, 1}},
    // 3-D temporal-only window (3x1x1), stride 1: every slab feeds up to three depths.
    {1, 3, 3, 3, {6, 3, 4}, {3, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 0, 0, 1, 0, 0}},
    // grouped with 2 input channels per group and 1 output channel per group.
    {1, 4, 2, 2, {6, 6}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}},
};

TEST(ConvDirect, EveryStripHeightMatchesFloat64Reference) {
  ScopedTuning tuning;
  const uint64_t seed = BaseSeed(20261127);
  std::cout << "ConvDirect seed " << seed << " (WEBCONV_SEED)\n";
  uint64_t k = 0;
  // Strip heights with one output depth per thread, then 3-D reuse of 2 and 3 depths (the other
  // cases have no D window and stay at one).
  const std::pair<int, int> variants[] = {{1, 1}, {2, 1}, {3, 1}, {4, 1}, {8, 1}, {3, 2}, {2, 3}};
  for (const auto& [rows, depths] : variants) {
    tuning.kernels().strip_rows = rows;
    tuning.kernels().strip_depths = depths;
    for (size_t i = 0; i < std::size(kCases); ++i) {
      const ConvShapeCase& c = kCases[i];
      SCOPED_TRACE(::testing::Message() << "strip rows " << rows << ", depths " << depths << ", case " << i
                                        << ", seed " << seed + k);
      CheckConvCase(c, seed + k++);  // at most 27 products per output
    }
  }
}

// Subgroup taps (KernelTuning::subgroup_taps) on every case: those with stride and dilation 1 along W take
// their taps from neighbouring lanes, the rest run the plain kernel; plus rows wider than a subgroup
// (40 and 37 outputs: neighbours across the subgroup's end and across rows) and every strip height.
TEST(ConvDirect, SubgroupTapsMatchFloat64Reference) {
  ScopedTuning tuning;
  auto device = SharedDevice();
  ASSERT_TRUE(device);
  if (!device->info().has_subgroups) GTEST_SKIP() << "'" << device->info().name << "' has no subgroups feature";
  const uint64_t seed = BaseSeed(20261128);
  std::cout << "ConvDirect subgroup seed " << seed << " (WEBCONV_SEED)\n";
  std::vector<ConvShapeCase> cases(std::begin(kCases), std::end(kCases));
  cases.push_back({1, 3, 3, 3, {5, 40}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}});
  cases.push_back({2, 2, 2, 2, {3, 4, 37}, {3, 3, 5}, {1, 1, 1}, {1, 1, 1}, {1, 0, 2, 1, 1, 2}});
  tuning.kernels().subgroup_taps = true;
  uint64_t k = 0;
  for (const auto& [rows, depths] : std::vector<std::pair<int, int>>{{0, 0}, {1, 1}, {3, 2}, {8, 1}}) {
    tuning.kernels().strip_rows = rows;
    tuning.kernels().strip_depths = depths;
    for (size_t i = 0; i < cases.size(); ++i) {
      SCOPED_TRACE(::testing::Message() << "subgroup taps, strip rows " << rows << ", depths " << depths
                                        << ", case " << i << ", seed " << seed + k);
      CheckConvCase(cases[i], seed + k++);
    }
  }
}

TEST(ConvDirect, SubgroupTapsOnlyWhereTheyApply) {
  ops::KernelTuning tuning;
  ops::ConvProblem p;
  p.batch = 1;
  p.in_channels = p.out_channels = p.group = 8;
  for (ops::AxisGeometry& g : p.axis3) g = {1, 1, 1, 1, 1, 0};
  p.axis3[2] = {16, 16, 3, 1, 1, 1};
  EXPECT_FALSE(ops::ChooseConvSubgroupTaps(p, true).value());  // off unless asked for
  EXPECT_FALSE(ops::ChooseConvSubgroupTaps(p, true, &tuning).value());
  tuning.subgroup_taps = true;
  EXPECT_TRUE(ops::ChooseConvSubgroupTaps(p, true, &tuning).value());
  auto refused = ops::ChooseConvSubgroupTaps(p, false, &tuning);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().ToString().find("subgroups"), std::string::npos) << refused.status().ToString();
  p.axis3[2].stride = 2;  // taps of neighbouring outputs no longer overlap one lane apart
  EXPECT_FALSE(ops::ChooseConvSubgroupTaps(p, true, &tuning).value());
  p.axis3[2] = {16, 16, 1, 1, 1, 0};  // one tap along W: nothing to share
  EXPECT_FALSE(ops::ChooseConvSubgroupTaps(p, true, &tuning).value());
}

TEST(ConvDirect, StripHeightFromProblemSize) {
  // Large planes get 8-row strips, tiny ones 1 row; the register budget caps wide windows.
  ops::ConvProblem p;
  p.batch = 1;
  p.in_channels = p.out_channels = p.group = 256;
  for (int a = 0; a < 3; ++a) p.axis3[a] = ops::AxisGeometry{1, 1, 1, 1, 1, 0, 0};
  p.axis3[1] = ops::AxisGeometry{112, 112, 3, 1, 1, 1, 1};
  p.axis3[2] = ops::AxisGeometry{112, 112, 3, 1, 1, 1, 1};
  EXPECT_EQ(ops::ChooseConvStripRows(p), 8);
  p.in_channels = p.out_channels = p.group = 4;
  p.axis3[1] = p.axis3[2] = ops::AxisGeometry{7, 7, 3, 1, 1, 1, 1};
  EXPECT_EQ(ops::ChooseConvStripRows(p), 1);
  // 7x7 taps: (RH - 1) + 7 rows by 7 taps must stay within 64 registers, so at most 3 rows.
  p.in_channels = p.out_channels = p.group = 256;
  p.axis3[1] = p.axis3[2] = ops::AxisGeometry{112, 112, 7, 1, 1, 3, 3};
  EXPECT_EQ(ops::ChooseConvStripRows(p), 3);
  EXPECT_EQ(ops::ChooseConvStripDepths(p, 3), 1);  // no D window
  // 3-D 3x3x3 depthwise, 128 channels at 16x56x56: 8 rows and 2 depths per thread.
  p.in_channels = p.out_channels = p.group = 128;
  p.axis3[0] = ops::AxisGeometry{16, 16, 3, 1, 1, 1, 1};
  p.axis3[1] = p.axis3[2] = ops::AxisGeometry{56, 56, 3, 1, 1, 1, 1};
  EXPECT_EQ(ops::ChooseConvStripRows(p), 8);
  EXPECT_EQ(ops::ChooseConvStripDepths(p, 8), 2);
}

}  // namespace
}  // namespace webconv::testing
