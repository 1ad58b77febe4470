// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss on WebGPU and the CPU backend against the float64
// reference: every reduction, with and without class weights, without ignore_index and with one inside
// and outside the class range, inputs of rank 2 to 4 (more target positions than the reduction
// kernel's workgroup), and SoftmaxCrossEntropyLoss's optional log_prob output. Targets outside [0, C)
// fail every backend with the reference's message, naming the node.
#include <gtest/gtest.h>

#include <random>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

struct LossCase {
  bool softmax;
  Shape input;
  std::string reduction;
  bool weight, log_prob;
  int ignore;  // 0: no ignore_index; 1: ignore_index 2 (a class); 2: ignore_index -1 (outside the classes)
};

std::vector<uint8_t> BuildLoss(const LossCase& c, std::mt19937_64& rng, const char* node = "loss") {
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, c.input);
  Shape target = {c.input[0]};
  target.insert(target.end(), c.input.begin() + 2, c.input.end());
  m.Input("t", DType::kInt64, target);
  std::vector<std::string> inputs = {"x", "t"};
  if (c.weight) {
    m.Initializer("w", RandomTensor(DType::kFloat32, {c.input[1]}, rng, 0.2, 2.0));
    inputs.push_back("w");
  }
  std::vector<Attr> attrs = {StringAttr("reduction", c.reduction)};
  if (c.ignore) attrs.push_back(IntAttr("ignore_index", c.ignore == 1 ? 2 : -1));
  std::vector<std::string> outputs = {"y"};
  if (c.log_prob) outputs.push_back("logp");
  m.Node(c.softmax ? "SoftmaxCrossEntropyLoss" : "NegativeLogLikelihoodLoss", inputs, outputs, attrs, node);
  m.Output("y", DType::kFloat32);
  if (c.log_prob) m.Output("logp", DType::kFloat32);
  return m.Serialize();
}

// Classes in [0, C), and every fifth position set to ignore_index when there is one.
HostTensor Targets(const LossCase& c, std::mt19937_64& rng) {
  Shape shape = {c.input[0]};
  shape.insert(shape.end(), c.input.begin() + 2, c.input.end());
  HostTensor t(DType::kInt64, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    int64_t v = std::uniform_int_distribution<int64_t>(0, c.input[1] - 1)(rng);
    if (c.ignore && i % 5 == 0) v = c.ignore == 1 ? 2 : -1;
    t.SetInt(i, v);
  }
  return t;
}

TEST(LossRandom, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261211);
  std::cout << "LossRandom seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const Shape shapes[] = {{6, 5}, {2, 5, 300}, {2, 4, 3, 7}};
  for (bool softmax : {false, true})
    for (const Shape& shape : shapes)
      for (const char* reduction : {"none", "sum", "mean"})
        for (bool weight : {false, true})
          for (int ignore : {0, 1, 2}) {
            const LossCase c{softmax, shape, reduction, weight, softmax && ignore != 1, ignore};
            SCOPED_TRACE(::testing::Message() << (softmax ? "SoftmaxCrossEntropyLoss " : "NegativeLogLikelihoodLoss ")
                                              << ShapeString(shape) << " " << reduction << (weight ? " weighted" : "")
                                              << " ignore " << ignore << (c.log_prob ? " with log_prob" : ""));
            const auto model = BuildLoss(c, rng);
            const double lo = softmax ? -4 : -3, hi = softmax ? 4 : 0;  // NLL reads log probabilities
            const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, shape, rng, lo, hi)},
                                                             {"t", Targets(c, rng)}};
            // float32 sums of up to 600 terms against float64.
            EXPECT_TRUE(MatchesReference(model, feeds, runtime::Tolerance{1e-5, 1e-4}));
          }
}

TEST(LossTargets, OutOfRangeFailsOnEveryBackendNamingTheNode) {
  std::mt19937_64 rng(7);
  for (bool softmax : {false, true})
    for (int64_t bad : {5, -2}) {
      SCOPED_TRACE(::testing::Message() << (softmax ? "SoftmaxCrossEntropyLoss" : "NegativeLogLikelihoodLoss")
                                        << " target " << bad);
      const LossCase c{softmax, {3, 5, 4}, "mean", true, false, 2};
      const auto model = BuildLoss(c, rng, "the_loss");
      HostTensor t = Targets(c, rng);
      t.SetInt(7, bad);
      EXPECT_TRUE(FailsAlikeOnEveryBackend(model, {{"x", RandomTensor(DType::kFloat32, {3, 5, 4}, rng)}, {"t", t}},
                                           {"'the_loss'", "flat position 7"}));
    }
}

}  // namespace
}  // namespace webconv::testing
