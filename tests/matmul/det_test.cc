// Det on every backend against the float64 reference: random batches of several orders (pivoting on
// most of them), a singular matrix (0 exactly, as the reference's elimination finds it), a permutation
// (the swaps' sign) and the order-1 and empty-batch edges.
#include <gtest/gtest.h>

#include <cstdio>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

std::vector<uint8_t> DetModel(const Shape& shape) {
  ModelBuilder m(11);
  m.Input("x", DType::kFloat32, shape);
  m.Node("Det", {"x"}, {"y"}, {}, "det");
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

TEST(Det, RandomBatchesMatchTheReference) {
  const uint64_t seed = BaseSeed(11);
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  for (const Shape& shape : {Shape{1, 1}, Shape{3, 2, 2}, Shape{2, 3, 3, 3}, Shape{5, 6, 6}, Shape{0, 4, 4}}) {
    // Entries in [-1, 1]: determinants of order 6 stay within a few units, where float32 elimination
    // keeps about 6 digits.
    EXPECT_TRUE(MatchesReference(DetModel(shape), {{"x", RandomTensor(DType::kFloat32, shape, rng)}},
                                 runtime::Tolerance{1e-5, 1e-4}))
        << ShapeString(shape);
  }
}

TEST(Det, SingularAndPermutedMatrices) {
  HostTensor x(DType::kFloat32, {2, 3, 3});
  // A rank-2 matrix (row 2 = row 0 + row 1) and a permutation with one swap (determinant -1).
  const double values[18] = {1, 2, 3, 4, 5, 6, 5, 7, 9, 0, 1, 0, 1, 0, 0, 0, 0, 1};
  for (int i = 0; i < 18; ++i) x.SetDouble(i, values[i]);
  EXPECT_TRUE(MatchesReference(DetModel({2, 3, 3}), {{"x", x}}, runtime::Tolerance{1e-5, 1e-4}));
  auto out = RunOn(runtime::Backend::kReference, DetModel({2, 3, 3}), {{"x", x}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_NEAR(out->at("y").GetDouble(0), 0.0, 1e-12);
  EXPECT_EQ(out->at("y").GetDouble(1), -1.0);
}

TEST(Det, NonSquareInputIsRefusedNamingTheNode) {
  HostTensor x(DType::kFloat32, {2, 3});
  EXPECT_TRUE(FailsAlikeOnEveryBackend(DetModel({2, 3}), {{"x", x}}, {"Det 'det'", "square matrices"}));
}

}  // namespace
}  // namespace webconv::testing
