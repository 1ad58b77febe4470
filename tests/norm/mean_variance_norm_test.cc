// MeanVarianceNormalization on every backend against the float64 reference: the default axes on NCHW,
// other axis sets (negative, one axis, every axis) and ranks, and a repeated axis refused by name.
#include <gtest/gtest.h>

#include <cstdio>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

std::vector<uint8_t> MvnModel(const Shape& shape, const std::vector<int64_t>* axes) {
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, shape);
  std::vector<Attr> attrs;
  if (axes) attrs.push_back(IntsAttr("axes", *axes));
  m.Node("MeanVarianceNormalization", {"x"}, {"y"}, attrs, "mvn");
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

TEST(MeanVarianceNorm, AxisSetsMatchTheReference) {
  const uint64_t seed = BaseSeed(9);
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  struct Case {
    Shape shape;
    bool default_axes;
    std::vector<int64_t> axes;
  };
  const std::vector<Case> cases = {
      {{2, 3, 4, 5}, true, {}},      {{2, 3, 4, 5}, false, {1}},        {{3, 4, 5}, false, {-1}},
      {{2, 3, 4, 5}, false, {0, 1, 2, 3}}, {{1, 2, 3, 4, 5}, false, {0, 2, -1}}, {{4, 6}, false, {0}}};
  for (const Case& c : cases) {
    // Values centred away from 0 with spread 2: the float32 statistics of up to 120 values keep 5 digits.
    EXPECT_TRUE(MatchesReference(MvnModel(c.shape, c.default_axes ? nullptr : &c.axes),
                                 {{"x", RandomTensor(DType::kFloat32, c.shape, rng, 1.0, 3.0)}},
                                 runtime::Tolerance{1e-4, 1e-4}))
        << ShapeString(c.shape);
  }
}

TEST(MeanVarianceNorm, RepeatedAxisIsRefusedNamingTheNode) {
  const std::vector<int64_t> axes = {1, -2};  // -2 is axis 1 of a rank-3 input
  HostTensor x(DType::kFloat32, {2, 3, 4});
  EXPECT_TRUE(FailsAlikeOnEveryBackend(MvnModel({2, 3, 4}, &axes), {{"x", x}},
                                       {"MeanVarianceNormalization 'mvn'", "listed twice"}));
}

}  // namespace
}  // namespace webconv::testing
