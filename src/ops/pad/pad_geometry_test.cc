#include <gtest/gtest.h>

#include "ops/pad/pad.h"

namespace webconv::ops {
namespace {

// The input index each output position of a 1-D pad reads (-1: the constant).
std::vector<int64_t> Sources(PadMode mode, int64_t dim, int64_t begin, int64_t end) {
  auto g = ResolvePad(mode, {dim}, {begin, end}, std::nullopt);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  std::vector<int64_t> r;
  if (!g.ok()) return r;
  for (int64_t o = 0; o < g->axes[0].out; ++o) r.push_back(SourceIndex(mode, g->axes[0], o));
  return r;
}

using V = std::vector<int64_t>;

TEST(PadGeometry, ModesMatchNumpyPad) {
  EXPECT_EQ(Sources(PadMode::kConstant, 3, 2, 1), (V{-1, -1, 0, 1, 2, -1}));
  EXPECT_EQ(Sources(PadMode::kEdge, 3, 2, 1), (V{0, 0, 0, 1, 2, 2}));
  EXPECT_EQ(Sources(PadMode::kReflect, 4, 3, 2), (V{3, 2, 1, 0, 1, 2, 3, 2, 1}));
  EXPECT_EQ(Sources(PadMode::kWrap, 3, 4, 5), (V{2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1}));
}

// Negative pads crop first and the padding follows what is kept, as ONNX Runtime does: wrap of
// [0 1 2 3] by (-1, +2) repeats the kept [1 2 3], not the cropped 0.
TEST(PadGeometry, NegativePadsCropBeforePadding) {
  EXPECT_EQ(Sources(PadMode::kWrap, 4, -1, 2), (V{1, 2, 3, 1, 2}));
  EXPECT_EQ(Sources(PadMode::kReflect, 4, 2, -1), (V{2, 1, 0, 1, 2}));
  EXPECT_EQ(Sources(PadMode::kEdge, 5, -2, -2), (V{2}));
  EXPECT_EQ(Sources(PadMode::kConstant, 3, -3, 2), (V{-1, -1}));
}

TEST(PadGeometry, AxesListsWhichAxesThePadsReferTo) {
  auto g = ResolvePad(PadMode::kConstant, {2, 3, 4}, {1, 2, 3, 0}, std::vector<int64_t>{-1, 0});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->out_shape, (Shape{4, 3, 8}));  // axis 2: 1 + 4 + 3; axis 0: 2 + 2 + 0
}

TEST(PadGeometry, RejectsWhatCannotBePadded) {
  auto bad = [](PadMode m, Shape in, V pads) {
    auto g = ResolvePad(m, in, pads, std::nullopt);
    return g.ok() ? std::string("ok") : g.status().message;
  };
  EXPECT_EQ(
      bad(PadMode::kReflect, {3}, {0, 3}),
      "reflect padding of axis 0 by 0 and 3 must be smaller than the axis' extent 3 (3 before cropping)");
  EXPECT_EQ(
      bad(PadMode::kWrap, {0}, {1, 0}),
      "wrap padding of axis 0 (pads 1, 0) needs input elements to copy, but the axis keeps none of its 0");
  EXPECT_EQ(bad(PadMode::kConstant, {3}, {-2, -2}),
            "pads -2 and -2 crop 4 elements from axis 0, which has 3");
  EXPECT_EQ(bad(PadMode::kConstant, {3, 1}, {0, 0}),
            "pads has 2 entries for 2 padded axes of a rank-2 input; expected 4 (begin and end per axis)");
  EXPECT_EQ(bad(PadMode::kConstant, {3}, {int64_t{1} << 62, 0}),
            "pads[0] = 4611686018427387904 is out of range");
  // Constant padding of an empty axis is legal; no data is read.
  EXPECT_EQ(bad(PadMode::kConstant, {0}, {2, 1}), "ok");
  EXPECT_EQ(bad(PadMode::kEdge, {0, 2}, {0, 1, 0, 0}), "ok");
}

}  // namespace
}  // namespace webconv::ops
