// LRN against the float64 reference over random shapes and window sizes (odd and even sizes put the
// window off centre), and Dropout's inference forms (every opset's mask type, training_mode given as a
// graph input) and its refusals.
#include <gtest/gtest.h>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

TEST(LrnRandom, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(31);
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  const std::vector<Shape> shapes = {{1, 5, 4, 4}, {2, 8, 3, 5}, {1, 3, 7}, {1, 16, 2, 3, 3}, {2, 1, 4, 4}};
  const int count = SweepCount(8, 200);
  for (int t = 0; t < count; ++t) {
    const Shape shape = shapes[static_cast<size_t>(t) % shapes.size()];
    const int64_t size = 1 + static_cast<int64_t>(rng() % 6);
    const float alpha = std::uniform_real_distribution<float>(1e-4f, 0.5f)(rng);
    const float beta = std::uniform_real_distribution<float>(0.25f, 1.0f)(rng);
    const float bias = std::uniform_real_distribution<float>(0.5f, 2.0f)(rng);
    SCOPED_TRACE("case " + std::to_string(t) + ": X " + ShapeString(shape) + ", size " + std::to_string(size) +
                 ", alpha " + std::to_string(alpha) + ", beta " + std::to_string(beta) + ", bias " +
                 std::to_string(bias));
    ModelBuilder m(13);
    m.Input("x", DType::kFloat32, shape);
    m.Node("LRN", {"x"}, {"y"},
           {IntAttr("size", size), FloatAttr("alpha", alpha), FloatAttr("beta", beta), FloatAttr("bias", bias)});
    m.Output("y", DType::kFloat32);
    EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, shape, rng, -3, 3)}}, {1e-6, 1e-4}));
  }
}

TEST(Dropout, InferenceIsIdentityWithAMaskOfOnes) {
  std::mt19937_64 rng(BaseSeed(32));
  const Shape shape = {2, 3, 5};
  // Opset 7's mask has the data's type, opset 10 on a bool one; opset 6 with is_test=1 is inference.
  for (int opset : {6, 7, 10, 13}) {
    SCOPED_TRACE("opset " + std::to_string(opset));
    ModelBuilder m(opset);
    m.Input("x", DType::kFloat32, shape);
    std::vector<Attr> attrs;
    if (opset < 7) attrs.push_back(IntAttr("is_test", 1));
    if (opset < 12) attrs.push_back(FloatAttr("ratio", 0.3f));
    m.Node("Dropout", {"x"}, {"y", "mask"}, attrs);
    m.Output("y", DType::kFloat32);
    m.Output("mask", opset >= 10 ? DType::kBool : DType::kFloat32);
    EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, shape, rng)}}, {0, 0}));
  }
  {
    SCOPED_TRACE("opset 13, ratio and training_mode=false as graph inputs");
    ModelBuilder m(13);
    m.Input("x", DType::kFloat32, shape);
    m.Input("r", DType::kFloat32, {});
    m.Input("t", DType::kBool, {});
    m.Node("Dropout", {"x", "r", "t"}, {"y", "mask"});
    m.Output("y", DType::kFloat32);
    m.Output("mask", DType::kBool);
    HostTensor r(DType::kFloat32, {}), t(DType::kBool, {});
    r.SetDouble(0, 0.5);
    t.SetInt(0, 0);
    EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, shape, rng)}, {"r", r}, {"t", t}},
                                 {0, 0}));
  }
}

TEST(Dropout, RandomTrainingModeIsRefusedNamingTheNode) {
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, {4});
  m.Input("t", DType::kBool, {});
  m.Initializer("r", [] {
    HostTensor r(DType::kFloat32, {});
    r.SetDouble(0, 0.25);
    return r;
  }());
  m.Node("Dropout", {"x", "r", "t"}, {"y"}, {}, "drop_1");
  m.Output("y", DType::kFloat32);
  HostTensor t(DType::kBool, {});
  t.SetInt(0, 1);
  for (runtime::Backend b : {runtime::Backend::kWebGpu, runtime::Backend::kCpu, runtime::Backend::kReference}) {
    auto out = RunOn(b, m.Serialize(), {{"x", HostTensor(DType::kFloat32, {4})}, {"t", t}});
    ASSERT_FALSE(out.ok());
    const std::string text = out.status().ToString();
    EXPECT_NE(text.find("Dropout 'drop_1'"), std::string::npos) << text;
    EXPECT_NE(text.find("training mode with ratio 0.25"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace webconv::testing
