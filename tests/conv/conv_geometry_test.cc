// Window geometry: output sizes and pads from the spec's formulas, on hand-computed cases.
#include <gtest/gtest.h>

#include "ops/window/geometry.h"

namespace webconv::ops {
namespace {

WindowAttrs Attrs(AutoPad p, std::vector<int64_t> strides = {}, std::vector<int64_t> dilations = {},
                  std::vector<int64_t> pads = {}, bool ceil_mode = false) {
  WindowAttrs a;
  a.auto_pad = p;
  a.strides = std::move(strides);
  a.dilations = std::move(dilations);
  a.pads = std::move(pads);
  a.ceil_mode = ceil_mode;
  return a;
}

struct Expect {
  int64_t out, begin, end;
};

void Check(const WindowAttrs& a, int64_t in, int64_t k, Expect e) {
  auto g = ResolveForward(a, {in}, {k});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ((*g)[0].out, e.out);
  EXPECT_EQ((*g)[0].pad_begin, e.begin);
  EXPECT_EQ((*g)[0].pad_end, e.end);
}

TEST(WindowGeometry, ExplicitAsymmetricPads) {
  Check(Attrs(AutoPad::kNotSet, {1}, {1}, {2, 0}), 5, 3, {5, 2, 0});
  Check(Attrs(AutoPad::kNotSet, {2}, {1}, {0, 1}), 7, 3, {3, 0, 1});
  // A kernel larger than the input is legal when the padding makes room.
  Check(Attrs(AutoPad::kNotSet, {1}, {1}, {2, 3}), 2, 6, {2, 2, 3});
}

TEST(WindowGeometry, Valid) {
  Check(Attrs(AutoPad::kValid, {2}), 7, 3, {3, 0, 0});
  Check(Attrs(AutoPad::kValid, {1}, {2}), 7, 3, {3, 0, 0});
}

TEST(WindowGeometry, SameSplitsOddPaddingByDirection) {
  // in 6, k 3, s 2: out 3, total (3-1)*2+3-6 = 1.
  Check(Attrs(AutoPad::kSameUpper, {2}), 6, 3, {3, 0, 1});
  Check(Attrs(AutoPad::kSameLower, {2}), 6, 3, {3, 1, 0});
  // in 5, k 3, s 2: total 2, even.
  Check(Attrs(AutoPad::kSameUpper, {2}), 5, 3, {3, 1, 1});
}

TEST(WindowGeometry, SameWithDilationUsesTheDilatedExtent) {
  // k 3, d 2: extent 5; in 7, s 1: out 7, total 4.
  Check(Attrs(AutoPad::kSameUpper, {1}, {2}), 7, 3, {7, 2, 2});
  // k 3, d 4: extent 9; in 4, s 2: out 2, total (2-1)*2+9-4 = 7.
  Check(Attrs(AutoPad::kSameUpper, {2}, {4}), 4, 3, {2, 3, 4});
  Check(Attrs(AutoPad::kSameLower, {2}, {4}), 4, 3, {2, 4, 3});
}

TEST(WindowGeometry, CeilModeDropsAWindowStartingInEndPadding) {
  Check(Attrs(AutoPad::kNotSet, {2}, {}, {}, true), 5, 2, {3, 0, 0});
  // in 4, k 2, s 2, end pad 1: ceil gives 3 windows, but the third would start at 4 (padding only).
  Check(Attrs(AutoPad::kNotSet, {2}, {}, {0, 1}, true), 4, 2, {2, 0, 1});
  Check(Attrs(AutoPad::kNotSet, {2}, {}, {0, 1}, false), 4, 2, {2, 0, 1});
}

TEST(WindowGeometry, RejectsImpossibleProblemsWithNumbers) {
  auto too_big = ResolveForward(Attrs(AutoPad::kNotSet), {3}, {5});
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.status().message.find("exceeds the padded input 3"), std::string::npos) << too_big.status().message;
  auto bad_pads = ResolveForward(Attrs(AutoPad::kNotSet, {}, {}, {1, 1}), {3, 3}, {1, 1});
  ASSERT_FALSE(bad_pads.ok());
  EXPECT_NE(bad_pads.status().message.find("pads has 2 values for 2 spatial axes"), std::string::npos);
  auto bad_strides = ResolveForward(Attrs(AutoPad::kNotSet, {1, 1, 1}), {3, 3}, {1, 1});
  EXPECT_FALSE(bad_strides.ok());
}

TEST(WindowGeometry, TransposeOutputSizeAndOutputShape) {
  WindowAttrs a = Attrs(AutoPad::kNotSet, {3}, {1}, {1, 2});
  auto g = ResolveTranspose(a, {3}, {3}, {1}, {});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  // 3 * (3 - 1) + 1 + 3 - 1 - 2 = 7
  EXPECT_EQ((*g)[0].out, 7);
  auto same = ResolveTranspose(Attrs(AutoPad::kSameUpper, {2}), {3}, {3}, {}, {});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ((*same)[0].out, 6);  // SAME: in * stride
  // total padding 2*(3-1)+3-6 = 1 -> SAME_UPPER puts it at the end.
  EXPECT_EQ((*same)[0].pad_begin, 0);
  EXPECT_EQ((*same)[0].pad_end, 1);
}

}  // namespace
}  // namespace webconv::ops
