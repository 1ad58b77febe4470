// Output shapes of the view ops and Shape's slice, including every rejection path.
#include "ops/shape/view_geometry.h"

#include <gtest/gtest.h>

namespace webconv::ops {
namespace {

Shape Ok(const Result<Shape>& r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r.value() : Shape{};
}

std::string Err(const Result<Shape>& r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message;
}

TEST(ReshapeShape, ZeroCopiesAndMinusOneInfers) {
  EXPECT_EQ(Ok(ReshapeShape({2, 3, 4}, {0, -1}, false)), (Shape{2, 12}));
  EXPECT_EQ(Ok(ReshapeShape({2, 3, 4}, {-1}, false)), (Shape{24}));
  EXPECT_EQ(Ok(ReshapeShape({1}, {}, false)), (Shape{}));
  EXPECT_EQ(Ok(ReshapeShape({0, 3}, {-1}, false)), (Shape{0}));
  EXPECT_EQ(Ok(ReshapeShape({0, 3}, {3, 0}, true)), (Shape{3, 0}));  // allowzero keeps the 0
  // Without allowzero the 0 copies the input's 3: 9 elements for an empty input.
  EXPECT_NE(Err(ReshapeShape({0, 3}, {3, 0}, false)).find("has 9 elements"), std::string::npos);
}

TEST(ReshapeShape, Rejects) {
  EXPECT_NE(Err(ReshapeShape({2, 3}, {-1, -1}, false)).find("more than one -1"), std::string::npos);
  EXPECT_NE(Err(ReshapeShape({2, 3}, {-2, -3}, false)).find("entry -2"), std::string::npos);
  EXPECT_NE(Err(ReshapeShape({2, 3}, {5}, false)).find("has 5 elements"), std::string::npos);
  EXPECT_NE(Err(ReshapeShape({2, 3}, {0, 0, 0}, false)).find("index 2"), std::string::npos);
  EXPECT_NE(Err(ReshapeShape({0, 3}, {0, -1}, true)).find("allowzero"), std::string::npos);
  EXPECT_NE(Err(ReshapeShape({2, 3}, {4, -1}, false)).find("cannot infer"), std::string::npos);
  EXPECT_NE(Err(ReshapeShape({0, 3}, {0, -1}, false)).find("cannot infer"), std::string::npos);
  EXPECT_NE(Err(ReshapeShape({6}, {int64_t{1} << 40, int64_t{1} << 40, -1}, false)).find("2^40"),
            std::string::npos);
}

TEST(FlattenShape, Axes) {
  EXPECT_EQ(FlattenShape({2, 3, 4}, 0), (Shape{1, 24}));
  EXPECT_EQ(FlattenShape({2, 3, 4}, 2), (Shape{6, 4}));
  EXPECT_EQ(FlattenShape({2, 3, 4}, 3), (Shape{24, 1}));
  EXPECT_EQ(FlattenShape({}, 0), (Shape{1, 1}));
}

TEST(SqueezeShape, AxesOrAllOnes) {
  EXPECT_EQ(Ok(SqueezeShape({1, 3, 1, 2}, std::nullopt)), (Shape{3, 2}));
  EXPECT_EQ(Ok(SqueezeShape({1, 3, 1, 2}, std::vector<int64_t>{-2})), (Shape{1, 3, 2}));
  EXPECT_EQ(Ok(SqueezeShape({1, 3}, std::vector<int64_t>{})), (Shape{1, 3}));
  EXPECT_EQ(Ok(SqueezeShape({1}, std::vector<int64_t>{0})), (Shape{}));
  EXPECT_NE(Err(SqueezeShape({1, 3}, std::vector<int64_t>{1})).find("its size is 3"), std::string::npos);
  EXPECT_NE(Err(SqueezeShape({1, 3}, std::vector<int64_t>{2})).find("out of range"), std::string::npos);
  EXPECT_NE(Err(SqueezeShape({1, 1}, std::vector<int64_t>{0, -2})).find("twice"), std::string::npos);
}

TEST(UnsqueezeShape, OutputPositions) {
  EXPECT_EQ(Ok(UnsqueezeShape({3, 4, 5}, {0, 4})), (Shape{1, 3, 4, 5, 1}));
  EXPECT_EQ(Ok(UnsqueezeShape({3, 4, 5}, {4, 0})), (Shape{1, 3, 4, 5, 1}));
  EXPECT_EQ(Ok(UnsqueezeShape({3}, {-1})), (Shape{3, 1}));
  EXPECT_EQ(Ok(UnsqueezeShape({}, {0, 1})), (Shape{1, 1}));
  EXPECT_NE(Err(UnsqueezeShape({3}, {2})).find("out of range"), std::string::npos);
  EXPECT_NE(Err(UnsqueezeShape({3}, {2, -1})).find("twice"), std::string::npos);
}

std::pair<int64_t, int64_t> Slice(int64_t rank, int64_t start, std::optional<int64_t> end) {
  int64_t b, e;
  ShapeSliceRange(rank, start, end, &b, &e);
  return {b, e};
}

TEST(ShapeSliceRange, ClampsLikeTheSpec) {
  using P = std::pair<int64_t, int64_t>;
  EXPECT_EQ(Slice(3, 0, std::nullopt), P(0, 3));
  EXPECT_EQ(Slice(3, -1, std::nullopt), P(2, 3));
  EXPECT_EQ(Slice(3, 1, -1), P(1, 2));
  EXPECT_EQ(Slice(3, -10, 10), P(0, 3));
  EXPECT_EQ(Slice(3, 2, 1), P(2, 2));
  EXPECT_EQ(Slice(3, 5, std::nullopt), P(3, 3));
  EXPECT_EQ(Slice(3, INT64_MIN, INT64_MAX), P(0, 3));
  EXPECT_EQ(Slice(0, 0, std::nullopt), P(0, 0));
}

}  // namespace
}  // namespace webconv::ops
