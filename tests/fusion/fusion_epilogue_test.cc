// Activations and residual Adds fused into the Conv epilogue, and the cases where they must not be.
#include <algorithm>

#include "fusion_harness.h"
#include "ops/registry.h"

namespace webconv::testing {
namespace {

// One model, seven Convs, each followed by a different activation (awkward shapes, batch 2). Inputs
// reach [-3, 3] after the Conv, so every activation's saturating range is exercised.
TEST(FusionEpilogue, EveryActivationFuses) {
  std::mt19937_64 rng(BaseSeed(17));
  std::cout << "seed " << BaseSeed(17) << "\n";
  const Shape xs = {2, 3, 5, 7};
  ModelBuilder m(14);
  m.Input("x", DType::kFloat32, xs);
  struct Act {
    const char* op;
    std::vector<Attr> attrs;
    std::vector<std::string> extra;  // Clip's bounds
  };
  HostTensor lo(DType::kFloat32, {}), hi(DType::kFloat32, {});
  lo.SetDouble(0, -0.75);
  hi.SetDouble(0, 1.25);
  m.Initializer("lo", lo);
  m.Initializer("hi", hi);
  const std::vector<Act> acts = {
      {"Relu", {}, {}},         {"Clip", {}, {"lo", "hi"}},
      {"Clip", {}, {"", "hi"}}, {"LeakyRelu", {FloatAttr("alpha", 0.3f)}, {}},
      {"Sigmoid", {}, {}},      {"HardSigmoid", {FloatAttr("alpha", 0.3f), FloatAttr("beta", 0.4f)}, {}},
      {"HardSwish", {}, {}},    {"Tanh", {}, {}}};
  for (size_t k = 0; k < acts.size(); ++k) {
    const std::string c = "c" + std::to_string(k), y = "y" + std::to_string(k);
    AddConv(m, rng, "x", c, 3, 1 + static_cast<int64_t>(2 * k % 7), {3, 1 + 2 * static_cast<int64_t>(k % 2)},
            k % 3 != 0);
    std::vector<std::string> in = {c};
    in.insert(in.end(), acts[k].extra.begin(), acts[k].extra.end());
    m.Node(acts[k].op, in, {y}, acts[k].attrs, y);
    m.Output(y, DType::kFloat32);
  }
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, xs, rng, -3, 3)}}, &run));
  EXPECT_EQ(run.ops, std::vector<std::string>(acts.size(), "Conv"));
  EXPECT_TRUE(run.Rewrote("HardSigmoid 'y5' fused into Conv 'c5' (epilogue)"));
}

// Every op that says it can be a fused step (OpSchema::as_pointwise) fuses into the Conv before it and
// matches the unfused float64 reference, at its default attributes: the list comes from the registry, so
// an op made fusable later is checked without a line here. The activations that became fusable through
// their own definitions alone (UnaryDef::fusable; nothing in ops/conv/ names them) are among them.
TEST(FusionEpilogue, EveryFusableOpOfTheRegistryFuses) {
  std::mt19937_64 rng(BaseSeed(31));
  std::cout << "seed " << BaseSeed(31) << "\n";
  const Shape xs = {2, 3, 4, 6};
  ModelBuilder m(17);
  m.Input("x", DType::kFloat32, xs);
  std::vector<std::string> fusable;
  for (const ops::OpSchema& s : ops::AllOps()) {
    if (!s.as_pointwise || *s.domain || s.min_opset > 17 || s.max_opset < 17) continue;
    const std::string k = std::to_string(fusable.size()), c = "c" + k, y = "y" + k;
    AddConv(m, rng, "x", c, 3, 2 + static_cast<int64_t>(fusable.size() % 3), {3, 3}, true);
    m.Node(s.op_type, {c}, {y}, {}, y);
    m.Output(y, DType::kFloat32);
    fusable.push_back(s.op_type);
  }
  for (const char* op : {"Relu", "HardSwish", "Elu", "Selu", "Celu", "Softplus", "Softsign", "ThresholdedRelu"})
    EXPECT_NE(std::find(fusable.begin(), fusable.end(), op), fusable.end()) << op << " is not fusable";
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, xs, rng, -3, 3)}}, &run));
  EXPECT_EQ(run.ops, std::vector<std::string>(fusable.size(), "Conv"));
  for (size_t k = 0; k < fusable.size(); ++k)
    EXPECT_TRUE(run.Rewrote(fusable[k] + " 'y" + std::to_string(k) + "' fused into Conv 'c" + std::to_string(k) + "'"))
        << fusable[k];
}

// The newly fusable activations with attributes away from their defaults, chained after a residual Add.
TEST(FusionEpilogue, ActivationsWithAttributes) {
  std::mt19937_64 rng(BaseSeed(37));
  std::cout << "seed " << BaseSeed(37) << "\n";
  const Shape xs = {1, 4, 5, 5};
  ModelBuilder m(17);
  m.Input("x", DType::kFloat32, xs);
  m.Input("r", DType::kFloat32, xs);
  const std::vector<std::pair<const char*, std::vector<Attr>>> acts = {
      {"Elu", {FloatAttr("alpha", 0.7f)}},
      {"Selu", {FloatAttr("alpha", 1.5f), FloatAttr("gamma", 0.9f)}},
      {"Celu", {FloatAttr("alpha", 1.5f)}},
      {"ThresholdedRelu", {FloatAttr("alpha", 0.4f)}},
  };
  for (size_t k = 0; k < acts.size(); ++k) {
    const std::string c = "c" + std::to_string(k), a = "a" + std::to_string(k), y = "y" + std::to_string(k);
    AddConv(m, rng, "x", c, 4, 4, {3, 3}, true);
    m.Node("Add", {c, "r"}, {a}, {}, a);
    m.Node(acts[k].first, {a}, {y}, acts[k].second, y);
    m.Output(y, DType::kFloat32);
  }
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(),
                             {{"x", RandomTensor(DType::kFloat32, xs, rng, -2, 2)},
                              {"r", RandomTensor(DType::kFloat32, xs, rng, -2, 2)}},
                             &run));
  EXPECT_EQ(run.ops, std::vector<std::string>(acts.size(), "Conv"));
}

// Clip-6 takes its bounds as attributes.
TEST(FusionEpilogue, ClipWithAttributeBounds) {
  std::mt19937_64 rng(BaseSeed(19));
  std::cout << "seed " << BaseSeed(19) << "\n";
  ModelBuilder m(6);
  m.Input("x", DType::kFloat32, {2, 2, 9});
  AddConv(m, rng, "x", "c", 2, 5, {3}, true);
  m.Node("Clip", {"c"}, {"y"}, {FloatAttr("min", 0.0f), FloatAttr("max", 6.0f)}, "relu6");
  m.Output("y", DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(
      MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, {2, 2, 9}, rng, -4, 4)}}, &run));
  EXPECT_EQ(run.ops, std::vector<std::string>{"Conv"});
}

// Residual Adds: either operand, after an activation, before one (the ResNet tail Conv -> BN -> Add ->
// Relu becomes one kernel), with the Conv's own input as the addend.
TEST(FusionEpilogue, ResidualAddsFuse) {
  std::mt19937_64 rng(BaseSeed(23));
  std::cout << "seed " << BaseSeed(23) << "\n";
  const Shape xs = {2, 5, 6, 3};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  m.Input("r", DType::kFloat32, xs);
  AddConv(m, rng, "x", "c0", 5, 5, {3, 3}, true);
  m.Node("Add", {"c0", "r"}, {"y0"}, {}, "add0");
  AddConv(m, rng, "x", "c1", 5, 5, {1, 3}, false);
  m.Node("Relu", {"c1"}, {"a1"}, {}, "relu1");
  m.Node("Add", {"r", "a1"}, {"y1"}, {}, "add1");
  AddConv(m, rng, "x", "c2", 5, 5, {3, 3}, false);
  AddBatchNorm(m, rng, "c2", "bn2", 5);
  m.Node("Add", {"bn2", "x"}, {"s2"}, {}, "add2");
  m.Node("Relu", {"s2"}, {"y2"}, {}, "relu2");
  for (const char* y : {"y0", "y1", "y2"}) m.Output(y, DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(
      m.Serialize(),
      {{"x", RandomTensor(DType::kFloat32, xs, rng)}, {"r", RandomTensor(DType::kFloat32, xs, rng)}}, &run));
  EXPECT_EQ(run.ops, std::vector<std::string>(3, "Conv"));
  EXPECT_TRUE(run.Rewrote("Add 'add1' fused into Conv 'c1' (residual epilogue, addend 'r')"));
  EXPECT_TRUE(run.Rewrote("Relu 'relu2' fused into Conv 'c2' (epilogue)"));
}

// Each of these must keep its Add or activation node, and still compute the same function.
TEST(FusionEpilogue, DoesNotFuseWhenItMustNot) {
  std::mt19937_64 rng(BaseSeed(29));
  std::cout << "seed " << BaseSeed(29) << "\n";
  const Shape xs = {2, 3, 4, 5};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  m.Input("bc", DType::kFloat32, {1, 4, 1, 1});
  m.Input("big", DType::kFloat32, {2, 2, 4, 4, 5});
  // Broadcast addend: not the same shape.
  AddConv(m, rng, "x", "c0", 3, 4, {3, 3}, true);
  m.Node("Add", {"c0", "bc"}, {"y0"}, {}, "add_broadcast");
  // The Add broadcasts the Conv's output up to a larger shape.
  AddConv(m, rng, "x", "c1", 3, 4, {3, 3}, true);
  m.Node("Add", {"c1", "big"}, {"y1"}, {}, "add_grows");
  // The pre-activation tensor is a graph output.
  AddConv(m, rng, "x", "c2", 3, 4, {3, 3}, true);
  m.Node("Relu", {"c2"}, {"y2"}, {}, "relu_of_output");
  // The Conv's output has two readers.
  AddConv(m, rng, "x", "c3", 3, 4, {3, 3}, true);
  m.Node("Sigmoid", {"c3"}, {"s3"}, {}, "sig3");
  m.Node("Tanh", {"c3"}, {"t3"}, {}, "tanh3");
  // Both operands are the Conv's output.
  AddConv(m, rng, "x", "c4", 3, 4, {3, 3}, true);
  m.Node("Add", {"c4", "c4"}, {"y4"}, {}, "add_self");
  for (const char* y : {"y0", "y1", "c2", "y2", "s3", "t3", "y4"}) m.Output(y, DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(),
                             {{"x", RandomTensor(DType::kFloat32, xs, rng)},
                              {"bc", RandomTensor(DType::kFloat32, {1, 4, 1, 1}, rng)},
                              {"big", RandomTensor(DType::kFloat32, {2, 2, 4, 4, 5}, rng)}},
                             &run));
  EXPECT_EQ(run.Count("Conv"), 5);
  EXPECT_EQ(run.Count("Add"), 3);
  EXPECT_EQ(run.Count("Relu"), 1);
  EXPECT_EQ(run.Count("Sigmoid"), 1);
  EXPECT_EQ(run.Count("Tanh"), 1);
  EXPECT_TRUE(run.rewrites.empty());
}

}  // namespace
}  // namespace webconv::testing
