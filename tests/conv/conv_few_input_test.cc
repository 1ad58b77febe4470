// Differential tests of the first-layer Conv kernel (few input channels, many output channels): every
// channel block it may pick (4, 8, 16) on TransNetV2- and MobileNetV2-like first layers, a 5x5 stem
// in miniature, with channel tails, strides, dilation, asymmetric pads, 1-D and batch 2, and a fused
// activation, each against the float64 reference of the graph as written.
#include <gtest/gtest.h>

#include "conv_case.h"
#include "ops/conv/conv_direct.h"

namespace webconv::testing {
namespace {

const ConvShapeCase kCases[] = {
    // TransNetV2's first layer: 1x3x3, 3 -> 32 on frames.
    {1, 3, 32, 1, {3, 5, 7}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1, 0, 1, 1}, false},
    // A 5x5 stride-2 stem, 2 -> 64 (50 taps), fused Relu.
    {1, 2, 64, 1, {13, 11}, {5, 5}, {2, 2}, {1, 1}, {2, 2, 2, 2}, true},
    // MobileNetV2's stem with TF-style asymmetric pads, batch 2, 3 -> 24.
    {2, 3, 24, 1, {9, 8}, {3, 3}, {2, 2}, {1, 1}, {0, 0, 1, 1}, true},
    // Channel tails for every block (10 channels), 2 inputs, dilation.
    {1, 2, 10, 1, {7, 9}, {3, 3}, {1, 1}, {2, 2}, {2, 1, 2, 3}, false},
    // 1-D, 1 input channel, causal dilated pad.
    {2, 1, 6, 1, {15}, {5}, {1}, {3}, {12, 0}, false},
};

TEST(ConvFewInput, EveryChannelBlockMatchesFloat64Reference) {
  ScopedTuning tuning;
  const uint64_t seed = BaseSeed(20261128);
  std::cout << "ConvFewInput seed " << seed << " (WEBCONV_SEED)\n";
  uint64_t k = 0;
  for (int cb : {4, 8, 16}) {
    tuning.kernels().few_input_block = cb;
    for (size_t i = 0; i < std::size(kCases); ++i) {
      const ConvShapeCase& c = kCases[i];
      SCOPED_TRACE(::testing::Message() << "channel block " << cb << ", case " << i << ", seed " << seed + k);
      CheckConvCase(c, seed + k++);  // up to 50 products per output
    }
  }
}

TEST(ConvFewInput, ChosenForFirstLayersOnly) {
  ops::ConvProblem p;
  p.batch = 1;
  p.in_channels = 3;
  p.out_channels = 32;
  p.group = 1;
  // TransNetV2's first layer at T=100: 129600 pixels, 27 taps: blocks of 16 channels, 508 workgroups.
  p.axis3[0] = ops::AxisGeometry{100, 100, 1, 1, 1, 0, 0};
  p.axis3[1] = ops::AxisGeometry{27, 27, 3, 1, 1, 1, 1};
  p.axis3[2] = ops::AxisGeometry{48, 48, 3, 1, 1, 1, 1};
  EXPECT_TRUE(ops::ConvUsesFewInputKernel(p));
  EXPECT_EQ(ops::ChooseFewInputChannelBlock(p), 16);
  // MobileNetV2's stem (12544 pixels in 25 workgroups of 512): 4 channels give 200 workgroups.
  p.axis3[0] = ops::AxisGeometry{1, 1, 1, 1, 1, 0, 0};
  p.axis3[1] = p.axis3[2] = ops::AxisGeometry{224, 112, 3, 2, 1, 1, 1};
  EXPECT_EQ(ops::ChooseFewInputChannelBlock(p), 4);
  // ResNet's 7x7 stem has 147 taps: the implicit GEMM (measured faster on the H100).
  p.out_channels = 64;
  p.axis3[1] = p.axis3[2] = ops::AxisGeometry{224, 112, 7, 2, 1, 3, 3};
  EXPECT_FALSE(ops::ConvUsesFewInputKernel(p));
  p.axis3[1] = p.axis3[2] = ops::AxisGeometry{224, 112, 3, 2, 1, 1, 1};
  EXPECT_TRUE(ops::ConvUsesFewInputKernel(p));
  p.in_channels = 8;  // not a first layer: the implicit GEMM
  EXPECT_FALSE(ops::ConvUsesFewInputKernel(p));
  p.in_channels = 3;
  p.fusion.pool[2] = 2;  // a fused pool needs the implicit GEMM's pooled store
  EXPECT_FALSE(ops::ConvUsesFewInputKernel(p));
}

}  // namespace
}  // namespace webconv::testing
