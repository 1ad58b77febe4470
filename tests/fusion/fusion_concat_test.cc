// Concat placement (each Conv writes its channel slice of the Concat's output; no Concat kernel), the
// activations and Adds moved through it, buffer lifetimes around the shared output, a TransNetV2
// stack in miniature, the cases where placement must not happen, and the switch that turns fusion off.
#include "fusion_harness.h"

namespace webconv::testing {
namespace {

// Three branches of uneven width (3, 1, 5), batch 2 so each slice is strided, the Concat a graph output.
TEST(FusionConcat, ConvsWriteTheirSlices) {
  std::mt19937_64 rng(BaseSeed(31));
  std::cout << "seed " << BaseSeed(31) << "\n";
  const Shape xs = {2, 4, 5, 3};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  const int64_t widths[] = {3, 1, 5};
  for (int k = 0; k < 3; ++k)
    AddConv(m, rng, "x", "b" + std::to_string(k), 4, widths[k], {3, 1 + 2 * (k % 2)}, k != 1);
  m.Node("Concat", {"b0", "b1", "b2"}, {"y"}, {IntAttr("axis", -3)}, "cat");
  m.Output("y", DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run));
  EXPECT_EQ(run.in_place, 1u);
  EXPECT_EQ(run.dispatches, 3u);
  EXPECT_TRUE(run.Rewrote("Concat 'cat': Convs 'b0', 'b1', 'b2' write into their channel slices"));
}

// Concat -> Relu -> Add(residual): both move into every branch, the addend read at the branch's slice.
TEST(FusionConcat, ReluAndAddMoveIntoBranches) {
  std::mt19937_64 rng(BaseSeed(37));
  std::cout << "seed " << BaseSeed(37) << "\n";
  const Shape xs = {2, 3, 3, 4, 4};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  m.Input("r", DType::kFloat32, {2, 7, 3, 4, 4});
  AddConv(m, rng, "x", "b0", 3, 2, {3, 1, 1}, false, {2, 1, 1});
  AddConv(m, rng, "x", "b1", 3, 5, {1, 3, 3}, true);
  m.Node("Concat", {"b0", "b1"}, {"cat"}, {IntAttr("axis", 1)}, "cat");
  m.Node("Relu", {"cat"}, {"relu"}, {}, "relu");
  m.Node("Add", {"relu", "r"}, {"y"}, {}, "shortcut");
  m.Output("y", DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(),
                             {{"x", RandomTensor(DType::kFloat32, xs, rng)},
                              {"r", RandomTensor(DType::kFloat32, {2, 7, 3, 4, 4}, rng)}},
                             &run));
  EXPECT_EQ(run.ops, (std::vector<std::string>{"Conv", "Conv", "Concat"}));
  EXPECT_EQ(run.dispatches, 2u);
  EXPECT_TRUE(run.Rewrote("Add 'shortcut' after Concat 'cat' moved into Convs 'b0', 'b1'"));
}

// The Concat's output is read late, after many other buffers were taken and released, and by two
// readers: its shared buffer must stay intact until the last one.
TEST(FusionConcat, SharedBufferLivesUntilLastReader) {
  std::mt19937_64 rng(BaseSeed(41));
  std::cout << "seed " << BaseSeed(41) << "\n";
  const Shape xs = {2, 3, 6, 5};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  AddConv(m, rng, "x", "b0", 3, 2, {3, 3}, true);
  AddConv(m, rng, "x", "b1", 3, 4, {3, 3}, true);
  m.Node("Concat", {"b0", "b1"}, {"cat"}, {IntAttr("axis", 1)}, "cat");
  // A chain of same-size tensors, each dead after the next, competing for buffers.
  std::string prev = "x";
  for (int k = 0; k < 4; ++k) {
    const std::string c = "chain" + std::to_string(k);
    AddConv(m, rng, prev, c, k == 0 ? 3 : 6, 6, {3, 3}, true);
    m.Node("Sigmoid", {c}, {c + "_s"}, {}, c + "_s");
    m.Node("Mul", {c + "_s", k == 0 ? "x_wide" : prev}, {c + "_m"}, {}, c + "_m");
    prev = c + "_m";
  }
  AddConv(m, rng, "x", "x_wide", 3, 6, {1, 1}, false);
  m.Node("Mul", {"cat", prev}, {"y"}, {}, "late_reader");
  m.Node("MaxPool", {"cat"}, {"p"}, {IntsAttr("kernel_shape", {2, 2})}, "pool");
  m.Output("y", DType::kFloat32);
  m.Output("p", DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run));
  EXPECT_EQ(run.in_place, 1u);
}

// Each must keep its Concat kernel.
TEST(FusionConcat, NotPlacedWhenItMustNot) {
  std::mt19937_64 rng(BaseSeed(43));
  std::cout << "seed " << BaseSeed(43) << "\n";
  const Shape xs = {2, 3, 4, 4};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  m.Input("g", DType::kFloat32, {2, 2, 4, 4});
  AddConv(m, rng, "x", "a0", 3, 2, {3, 3}, true);
  AddConv(m, rng, "x", "a1", 3, 2, {3, 3}, true);
  m.Node("Concat", {"a0", "a1"}, {"y_axis2"}, {IntAttr("axis", 2)}, "cat_axis2");
  AddConv(m, rng, "x", "b0", 3, 2, {3, 3}, true);
  m.Node("Concat", {"b0", "g"}, {"y_input"}, {IntAttr("axis", 1)}, "cat_with_input");
  AddConv(m, rng, "x", "c0", 3, 2, {3, 3}, true);
  AddConv(m, rng, "x", "c1", 3, 3, {3, 3}, true);
  m.Node("Concat", {"c0", "c1"}, {"y_output"}, {IntAttr("axis", 1)}, "cat_of_output");
  AddConv(m, rng, "x", "d0", 3, 2, {3, 3}, true);
  m.Node("Concat", {"d0", "d0"}, {"y_twice"}, {IntAttr("axis", 1)}, "cat_twice");
  for (const char* y : {"y_axis2", "y_input", "c1", "y_output", "y_twice"}) m.Output(y, DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(),
                             {{"x", RandomTensor(DType::kFloat32, xs, rng)},
                              {"g", RandomTensor(DType::kFloat32, {2, 2, 4, 4}, rng)}},
                             &run));
  EXPECT_EQ(run.in_place, 0u);
  EXPECT_EQ(run.Count("Concat"), 4);
  EXPECT_TRUE(run.rewrites.empty());
}

// TransNetV2's stack in miniature (filters 2, dilations 1, 2, 4, 8 over T=5; batch 2): two blocks of
// four (1x3x3 conv, 3x1x1 dilated conv) branches -> Concat -> BatchNorm [-> Relu], then
// relu(block2) + block1 and an AveragePool. Fused, it is 4 Conv kernels and the pool: in each block the
// four 1x3x3 siblings run as one, and the four dilated convs reading its slices as one grouped Conv.
TEST(FusionConcat, TransNetStack) {
  std::mt19937_64 rng(BaseSeed(47));
  std::cout << "seed " << BaseSeed(47) << "\n";
  const Shape xs = {2, 3, 5, 6, 6};
  const int64_t f = 2;
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  auto block = [&](const std::string& in, int64_t cin, const std::string& name, bool relu) {
    std::vector<std::string> branches;
    for (int64_t d : {1, 2, 4, 8}) {
      const std::string s = name + "_s" + std::to_string(d), t = name + "_t" + std::to_string(d);
      AddConv(m, rng, in, s, cin, 2 * f, {1, 3, 3}, false);
      AddConv(m, rng, s, t, 2 * f, f, {3, 1, 1}, false, {d, 1, 1});
      branches.push_back(t);
    }
    m.Node("Concat", branches, {name + "_cat"}, {IntAttr("axis", 1)}, name + "_cat");
    AddBatchNorm(m, rng, name + "_cat", name + "_bn", 4 * f);
    if (!relu) return name + "_bn";
    m.Node("Relu", {name + "_bn"}, {name + "_relu"}, {}, name + "_relu");
    return name + "_relu";
  };
  const std::string first = block("x", 3, "block1", true);
  const std::string second = block(first, 4 * f, "block2", false);
  m.Node("Relu", {second}, {"stack_relu"}, {}, "stack_relu");
  m.Node("Add", {"stack_relu", first}, {"shortcut"}, {}, "shortcut");
  m.Node("AveragePool", {"shortcut"}, {"y"},
         {IntsAttr("kernel_shape", {1, 2, 2}), IntsAttr("strides", {1, 2, 2})}, "pool");
  m.Output("y", DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run));
  EXPECT_EQ(run.Count("Conv"), 4);
  EXPECT_EQ(run.Count("BatchNormalization") + run.Count("Relu") + run.Count("Add"), 0);
  EXPECT_EQ(run.in_place, 2u);
  EXPECT_EQ(run.dispatches, 5u);
  EXPECT_TRUE(run.Rewrote("Convs 'block2_t1', 'block2_t2', 'block2_t4', 'block2_t8' (Concat 'block2_cat' branches"));
  EXPECT_TRUE(run.Rewrote("Convs 'block2_s1', 'block2_s2', 'block2_s4', 'block2_s8' read the same input"));
}

// with fusion off (WEBCONV_NO_FUSION=1 in the CLI) the graph runs as written.
TEST(FusionSwitch, EnvironmentTurnsFusionOff) {
  std::mt19937_64 rng(BaseSeed(53));
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, {1, 2, 4});
  AddConv(m, rng, "x", "c", 2, 3, {3}, true);
  m.Node("Relu", {"c"}, {"y"}, {}, "relu");
  m.Output("y", DType::kFloat32);
  const auto x = RandomTensor(DType::kFloat32, {1, 2, 4}, rng);
  FusedRun on, off;
  ASSERT_TRUE(MatchesUnfusedWithAndWithoutFusion(m.Serialize(), {{"x", x}}, &on, &off));
  EXPECT_EQ(on.ops, std::vector<std::string>{"Conv"});
  EXPECT_EQ(off.ops, (std::vector<std::string>{"Conv", "Relu"}));
}

}  // namespace
}  // namespace webconv::testing
