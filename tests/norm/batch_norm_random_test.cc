// BatchNormalization differential tests: seeded random problems over ranks 1-5, awkward channel counts,
// batch > 1, every opset form (is_test, spatial=0, training_mode=0 and 1) on WebGPU against the float64
// reference, plus the training forms that must be rejected clearly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include <sstream>

#include "differential.h"
#include "model_builder.h"
#include "onnx/loader.h"
#include "runtime/session.h"

namespace webconv::testing {
namespace {

struct BnCase {
  int opset = 15;
  Shape x;
  bool spatial = true;
  float epsilon = 1e-5f;
  std::string Describe() const {
    std::ostringstream os;
    os << "opset " << opset << " x=" << ShapeString(x) << " spatial=" << spatial << " epsilon=" << epsilon;
    return os.str();
  }
  Shape param_shape() const {
    if (x.size() < 2) return {1};
    if (spatial) return {x[1]};
    return Shape(x.begin() + 1, x.end());
  }
};

int64_t Pick(std::mt19937_64& rng, std::initializer_list<int64_t> v) {
  return *(v.begin() + static_cast<std::ptrdiff_t>(rng() % v.size()));
}

BnCase Draw(std::mt19937_64& rng) {
  BnCase c;
  c.opset = static_cast<int>(Pick(rng, {1, 6, 7, 9, 14, 15, 15}));
  const int rank = static_cast<int>(Pick(rng, {2, 3, 4, 4, 5, c.opset >= 9 ? 1 : 2}));
  c.x.push_back(Pick(rng, {1, 2, 3}));
  if (rank >= 2) c.x.push_back(Pick(rng, {1, 3, 5, 6, 7, 9}));
  for (int k = 2; k < rank; ++k) c.x.push_back(Pick(rng, {1, 2, 3, 5, rank > 3 ? 4 : 11}));
  c.spatial = c.opset >= 9 || rng() % 3 != 0;
  c.epsilon = static_cast<float>(Pick(rng, {1, 10, 1000})) * 1e-5f;
  return c;
}

std::vector<uint8_t> BuildModel(const BnCase& c, std::mt19937_64& rng,
                                const std::vector<std::string>& outputs, std::vector<Attr> attrs) {
  ModelBuilder m(c.opset);
  m.Input("x", DType::kFloat32, c.x);
  const Shape ps = c.param_shape();
  m.Initializer("scale", RandomTensor(DType::kFloat32, ps, rng, -2, 2));
  m.Initializer("bias", RandomTensor(DType::kFloat32, ps, rng));
  m.Initializer("mean", RandomTensor(DType::kFloat32, ps, rng));
  m.Initializer("var", RandomTensor(DType::kFloat32, ps, rng, 0.05, 2));
  attrs.push_back(FloatAttr("epsilon", c.epsilon));
  if (c.opset < 9) attrs.push_back(IntAttr("spatial", c.spatial ? 1 : 0));
  // is_test defaults to 1 unless the caller gives it: an attribute given twice is an invalid model.
  const bool has_is_test = std::any_of(attrs.begin(), attrs.end(), [](const Attr& a) { return a.name == "is_test"; });
  if (c.opset < 7 && !has_is_test) attrs.push_back(IntAttr("is_test", 1));
  if (c.opset == 1) attrs.push_back(IntsAttr("consumed_inputs", {0, 0, 0, 1, 1}));
  m.Node("BatchNormalization", {"x", "scale", "bias", "mean", "var"}, outputs, attrs, "bn");
  for (const auto& o : outputs) m.Output(o, DType::kFloat32);
  return m.Serialize();
}

TEST(BatchNormRandom, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261126);
  const int count = SweepCount(100, 2000);
  std::cout << "BatchNormRandom seed " << seed << ", " << count << " problems\n";
  for (int i = 0; i < count; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    const BnCase c = Draw(rng);
    SCOPED_TRACE(::testing::Message() << "seed " << seed + i << ": " << c.Describe());
    const auto model = BuildModel(c, rng, {"y"}, {FloatAttr("momentum", 0.7f)});
    // f32 evaluation of a handful of operations on values of magnitude < 30.
    EXPECT_TRUE(MatchesReference(model, {{"x", RandomTensor(DType::kFloat32, c.x, rng)}},
                                 runtime::Tolerance{1e-5, 1e-5}));
  }
}

// Opsets 1-6 in test mode may name the running statistics: they come back unchanged.
TEST(BatchNormLegacy, TestModeRunningStatisticsAreTheInputs) {
  std::mt19937_64 rng(7);
  BnCase c;
  c.opset = 6;
  c.x = {2, 3, 4};
  const auto model = BuildModel(c, rng, {"y", "running_mean", "running_var"}, {});
  const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, c.x, rng)}};
  EXPECT_TRUE(MatchesReference(model, feeds, runtime::Tolerance{1e-5, 1e-5}));
  auto loaded = onnx::LoadModelBytes(model);
  ASSERT_TRUE(loaded.ok());
  runtime::SessionOptions o;
  o.backend = runtime::Backend::kReference;
  auto s = runtime::Session::FromModel(*loaded, o);
  ASSERT_TRUE(s.ok());
  auto got = (*s)->Run(feeds);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  // Rebuild the same initializers: BuildModel draws them first from a fresh generator.
  std::mt19937_64 again(7);
  const Shape ps = c.param_shape();
  RandomTensor(DType::kFloat32, ps, again, -2, 2);
  RandomTensor(DType::kFloat32, ps, again);
  const HostTensor mean = RandomTensor(DType::kFloat32, ps, again);
  const HostTensor var = RandomTensor(DType::kFloat32, ps, again, 0.05, 2);
  EXPECT_TRUE(runtime::Compare(got->at("running_mean"), mean, runtime::Tolerance{0, 0}).ok);
  EXPECT_TRUE(runtime::Compare(got->at("running_var"), var, runtime::Tolerance{0, 0}).ok);
}

Status RunError(const BnCase& c, const std::vector<std::string>& outputs, const std::vector<Attr>& attrs,
                Shape param_shape = {}) {
  std::mt19937_64 rng(1);
  BnCase p = c;
  std::vector<uint8_t> model;
  if (param_shape.empty()) {
    model = BuildModel(p, rng, outputs, attrs);
  } else {
    ModelBuilder m(c.opset);
    m.Input("x", DType::kFloat32, c.x);
    for (const char* n : {"scale", "bias", "mean", "var"})
      m.Initializer(n, HostTensor(DType::kFloat32, param_shape));
    m.Node("BatchNormalization", {"x", "scale", "bias", "mean", "var"}, outputs, attrs, "bn");
    for (const auto& o : outputs) m.Output(o, DType::kFloat32);
    model = m.Serialize();
  }
  auto loaded = onnx::LoadModelBytes(model);
  if (!loaded.ok()) return loaded.status();
  runtime::SessionOptions o;
  o.backend = runtime::Backend::kReference;
  auto s = runtime::Session::FromModel(*loaded, o);
  if (!s.ok()) return s.status();
  auto got = (*s)->Run({{"x", HostTensor(DType::kFloat32, c.x)}});
  return got.ok() ? OkStatus() : got.status();
}

void ExpectError(const Status& s, const std::string& fragment) {
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find(fragment), std::string::npos) << s.ToString();
}

TEST(BatchNormErrors, TrainingAndBadShapesAreRejected) {
  BnCase c;
  c.x = {2, 3, 4};
  c.opset = 15;
  ExpectError(RunError(c, {"y"}, {IntAttr("training_mode", 2)}), "training_mode must be 0 or 1, got 2");
  ExpectError(RunError(c, {"y", "rm", "rv"}, {}), "exists only when training (training_mode=1)");
  c.opset = 9;
  ExpectError(RunError(c, {"y", "m", "v", "sm", "sv"}, {}), "training mode, which is not supported");
  c.opset = 6;
  ExpectError(RunError(c, {"y", "m", "v", "sm"}, {IntAttr("is_test", 1)}), "saved_mean");
  ExpectError(RunError(c, {"y", "m"}, {IntAttr("is_test", 0)}), "training mode");
  c.opset = 15;
  ExpectError(RunError(c, {"y"}, {}, {4}), "input 1 (scale) has shape [4], expected [3]");
  c.x = {5};
  c.opset = 7;
  ExpectError(RunError(c, {"y"}, {}, {1}), "X has rank 1");
}

// training_mode=1: the batch's own statistics per channel (over N and the spatial axes, population
// variance) and the running statistics, on every backend against the float64 reference.
TEST(BatchNormTraining, BatchStatisticsAndRunningStatisticsMatchReference) {
  const uint64_t seed = BaseSeed(15);
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  for (const Shape& x : {Shape{3, 4, 5, 6}, Shape{2, 3}, Shape{1, 2, 7}}) {
    const Shape param = {x[1]};
    ModelBuilder m(15);
    m.Input("x", DType::kFloat32, x);
    m.Initializer("scale", RandomTensor(DType::kFloat32, param, rng, 0.5, 1.5));
    m.Initializer("bias", RandomTensor(DType::kFloat32, param, rng));
    m.Initializer("mean", RandomTensor(DType::kFloat32, param, rng));
    m.Initializer("var", RandomTensor(DType::kFloat32, param, rng, 0.5, 2.0));
    m.Node("BatchNormalization", {"x", "scale", "bias", "mean", "var"}, {"y", "running_mean", "running_var"},
           {IntAttr("training_mode", 1), FloatAttr("momentum", 0.8f), FloatAttr("epsilon", 1e-3f)}, "bn");
    for (const char* o : {"y", "running_mean", "running_var"}) m.Output(o, DType::kFloat32);
    // Values in [-3, 5]: the statistics of up to 90 values per channel in float32 keep 5 digits.
    EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, x, rng, -3.0, 5.0)}},
                                 runtime::Tolerance{1e-4, 1e-4}))
        << ShapeString(x);
  }
}

}  // namespace
}  // namespace webconv::testing
