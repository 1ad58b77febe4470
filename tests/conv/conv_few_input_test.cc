// Differential tests of the first-layer Conv kernel (few input channels, many output channels): every
// channel block it may pick (4, 8, 16) on TransNetV2- and MobileNetV2-like first layers, a 5x5 stem
// in miniature, with channel tails, strides, dilation, asymmetric pads, 1-D and batch 2, and a fused
// activation, each against the float64 reference of the graph as written.
#include <gtest/gtest.h>

#include "differential.h"
#include "model_builder.h"
#include "ops/conv/conv_direct.h"

namespace webconv::testing {
namespace {

struct FewCase {
  int64_t batch, cin, cout;
  std::vector<int64_t> in, kernel, stride, dilation, pads;
  bool relu;
};

const FewCase kCases[] = {
    // TransNetV2's first layer: 1x3x3, 3 -> 32 on frames.
    {1, 3, 32, {3, 5, 7}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1, 0, 1, 1}, false},
    // A 5x5 stride-2 stem, 2 -> 64 (50 taps), fused Relu.
    {1, 2, 64, {13, 11}, {5, 5}, {2, 2}, {1, 1}, {2, 2, 2, 2}, true},
    // MobileNetV2's stem with TF-style asymmetric pads, batch 2, 3 -> 24.
    {2, 3, 24, {9, 8}, {3, 3}, {2, 2}, {1, 1}, {0, 0, 1, 1}, true},
    // Channel tails for every block (10 channels), 2 inputs, dilation.
    {1, 2, 10, {7, 9}, {3, 3}, {1, 1}, {2, 2}, {2, 1, 2, 3}, false},
    // 1-D, 1 input channel, causal dilated pad.
    {2, 1, 6, {15}, {5}, {1}, {3}, {12, 0}, false},
};

std::vector<uint8_t> Model(const FewCase& c, std::mt19937_64& rng, Shape* xs) {
  *xs = {c.batch, c.cin};
  xs->insert(xs->end(), c.in.begin(), c.in.end());
  Shape ws = {c.cout, c.cin};
  ws.insert(ws.end(), c.kernel.begin(), c.kernel.end());
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, *xs);
  m.Initializer("w", RandomTensor(DType::kFloat32, ws, rng));
  m.Initializer("b", RandomTensor(DType::kFloat32, {c.cout}, rng));
  m.Node("Conv", {"x", "w", "b"}, {c.relu ? "c" : "y"},
         {IntsAttr("strides", c.stride), IntsAttr("dilations", c.dilation), IntsAttr("pads", c.pads)},
         "conv");
  if (c.relu) m.Node("Relu", {"c"}, {"y"}, {}, "relu");
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

TEST(ConvFewInput, EveryChannelBlockMatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261128);
  std::cout << "ConvFewInput seed " << seed << " (WEBCONV_SEED)\n";
  uint64_t k = 0;
  for (int cb : {4, 8, 16}) {
    ops::ForceFewInputChannelBlockForTesting(cb);
    for (size_t i = 0; i < std::size(kCases); ++i) {
      const FewCase& c = kCases[i];
      SCOPED_TRACE(::testing::Message() << "channel block " << cb << ", case " << i << ", seed " << seed + k);
      std::mt19937_64 rng(seed + k++);
      Shape xs;
      const auto model = Model(c, rng, &xs);
      const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, xs, rng)}};
      // Up to 50 products of values in [-1, 1] per output, accumulated in f32.
      EXPECT_TRUE(MatchesReference(model, feeds, runtime::Tolerance{1e-5, 1e-4}));
    }
  }
  ops::ForceFewInputChannelBlockForTesting(0);
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
