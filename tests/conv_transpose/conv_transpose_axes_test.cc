// ConvTranspose output sizes and pads per axis. Each expectation was checked against ONNX Runtime 1.30
// on a 1-D model (x = [1, 2, 3], w = [1, 10, 100, ...]) whose output shows which part of the full
// result was kept, and against the ONNX backend data where a node case covers it.
#include <gtest/gtest.h>

#include "ops/conv_transpose/conv_transpose.h"

namespace webconv::ops {
namespace {

ConvTransposeAttrs Attrs(AutoPad p, int64_t stride, std::vector<int64_t> output_shape = {},
                         std::vector<int64_t> output_padding = {}, std::vector<int64_t> pads = {}) {
  ConvTransposeAttrs a;
  a.window.auto_pad = p;
  a.window.strides = {stride};
  a.window.pads = std::move(pads);
  a.output_shape = std::move(output_shape);
  a.output_padding = std::move(output_padding);
  return a;
}

struct Expect {
  int64_t out, begin, end;
};

void Check(const ConvTransposeAttrs& a, int64_t in, int64_t k, Expect e) {
  auto g = ResolveTransposeAxes(a, {in}, {k});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ((*g)[0].out, e.out);
  EXPECT_EQ((*g)[0].pad_begin, e.begin);
  EXPECT_EQ((*g)[0].pad_end, e.end);
}

TEST(ConvTransposeAxes, ExplicitPadsAndOutputPadding) {
  // full = 2 * (3 - 1) + 3 = 7.
  Check(Attrs(AutoPad::kNotSet, 2), 3, 3, {7, 0, 0});
  Check(Attrs(AutoPad::kNotSet, 2, {}, {}, {1, 2}), 3, 3, {4, 1, 2});
  Check(Attrs(AutoPad::kNotSet, 2, {}, {1}), 3, 3, {8, 0, 0});
  Check(Attrs(AutoPad::kValid, 2, {}, {1}), 3, 3, {8, 0, 0});
}

TEST(ConvTransposeAxes, OutputShapeSplitsPositiveTotalWithTheOddUnitAtTheBeginning) {
  Check(Attrs(AutoPad::kNotSet, 2, {6}), 3, 3, {6, 1, 0});
  Check(Attrs(AutoPad::kNotSet, 2, {4}), 3, 3, {4, 2, 1});
  Check(Attrs(AutoPad::kValid, 2, {5}), 3, 3, {5, 1, 1});
  // pads are ignored when output_shape is given.
  Check(Attrs(AutoPad::kNotSet, 2, {4}, {}, {0, 3}), 3, 3, {4, 2, 1});
  // [N, C, spatial...] spelling.
  Check(Attrs(AutoPad::kNotSet, 2, {1, 1, 4}), 3, 3, {4, 2, 1});
}

TEST(ConvTransposeAxes, OutputShapeBeyondTheFullResultAddsZerosAtTheEnd) {
  // node/test_convtranspose_output_shape: in 3, k 3, s 3 -> full 9, output_shape 10.
  Check(Attrs(AutoPad::kNotSet, 3, {10}), 3, 3, {10, 0, -1});
  Check(Attrs(AutoPad::kNotSet, 2, {8}), 3, 3, {8, 0, -1});
  Check(Attrs(AutoPad::kNotSet, 2, {10}), 3, 3, {10, 0, -3});
  Check(Attrs(AutoPad::kSameLower, 2, {9}), 3, 3, {9, 0, -2});
}

TEST(ConvTransposeAxes, SameSplitsWithTheOddUnitAtTheEndForUpper) {
  Check(Attrs(AutoPad::kSameUpper, 2), 3, 3, {6, 0, 1});
  Check(Attrs(AutoPad::kSameLower, 2), 3, 3, {6, 1, 0});
  Check(Attrs(AutoPad::kSameUpper, 2), 3, 5, {6, 1, 2});
  Check(Attrs(AutoPad::kSameLower, 2), 3, 5, {6, 2, 1});
  // output_padding enlarges the full result; SAME still yields in * stride.
  Check(Attrs(AutoPad::kSameUpper, 2, {}, {1}), 3, 3, {6, 1, 1});
  // output_shape overrides in * stride and keeps the mode's split.
  Check(Attrs(AutoPad::kSameUpper, 2, {4}), 3, 3, {4, 1, 2});
  Check(Attrs(AutoPad::kSameLower, 2, {4}), 3, 3, {4, 2, 1});
}

TEST(ConvTransposeAxes, SameNeverPadsNegatively) {
  // k 1, s 2: full 5 < in * stride 6; the output is the full result.
  Check(Attrs(AutoPad::kSameUpper, 2), 3, 1, {5, 0, 0});
  Check(Attrs(AutoPad::kSameLower, 3), 3, 1, {7, 0, 0});
}

TEST(ConvTransposeAxes, RejectsImpossibleProblemsWithNumbers) {
  auto bad = [](const ConvTransposeAttrs& a, int64_t in, int64_t k, const char* needle) {
    auto g = ResolveTransposeAxes(a, {in}, {k});
    ASSERT_FALSE(g.ok());
    EXPECT_NE(g.status().ToString().find(needle), std::string::npos) << g.status().ToString();
  };
  bad(Attrs(AutoPad::kNotSet, 2, {}, {}, {4, 3}), 3, 3, "output size 0");
  bad(Attrs(AutoPad::kNotSet, 2, {}, {2}), 3, 3, "output_padding 2");
  bad(Attrs(AutoPad::kNotSet, 2, {3, 4}), 3, 3, "output_shape has 2 values");
  bad(Attrs(AutoPad::kNotSet, 2, {}, {}, {1, 1, 1}), 3, 3, "pads has 3 values");
  bad(Attrs(AutoPad::kSameUpper, 2, {4}, {}, {1}), 3, 3, "pads has 1 values");
}

}  // namespace
}  // namespace webconv::ops
