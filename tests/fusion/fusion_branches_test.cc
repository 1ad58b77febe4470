// Branch Convs merged into one grouped Conv with per-group windows (ir/rewrite_branches.cc): groups of
// different dilations and pads (begin != end), reading the whole input or slices of a merged sibling
// Conv, with bias on some, fused Relu, residual Add and pooled store; split-K; runs broken by other
// inputs of the Concat; and the cases that must not merge. Batch 2, so every slice is strided.
#include "fusion_harness.h"
#include "ops/conv/conv_tiling.h"

namespace webconv::testing {
namespace {

// Four 3x3x1 branches over the same input (ASPP-like), dilations and pads per branch, -> Concat -> Relu.
TEST(FusionBranches, DilatedBranchesOfOneInputRunAsOneConv) {
  std::mt19937_64 rng(BaseSeed(83));
  std::cout << "seed " << BaseSeed(83) << "\n";
  const Shape xs = {2, 6, 5, 4, 5};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  AddConv(m, rng, "x", "b0", 6, 5, {3, 3, 1}, true, {1, 1, 1}, {1, 1, 0, 1, 1, 0});
  AddConv(m, rng, "x", "b1", 6, 5, {3, 3, 1}, false, {2, 1, 1}, {4, 1, 0, 0, 1, 0});  // causal along D
  AddConv(m, rng, "x", "b2", 6, 5, {3, 3, 1}, true, {1, 2, 1}, {1, 2, 0, 1, 2, 0});
  AddConv(m, rng, "x", "b3", 6, 5, {3, 3, 1}, true, {3, 2, 1}, {3, 1, 0, 3, 3, 0});
  m.Node("Concat", {"b0", "b1", "b2", "b3"}, {"cat"}, {IntAttr("axis", 1)}, "cat");
  m.Node("Relu", {"cat"}, {"y"}, {}, "relu");
  m.Output("y", DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run));
  EXPECT_EQ(run.ops, (std::vector<std::string>{"Conv", "Concat"}));
  EXPECT_EQ(run.dispatches, 1u);
  EXPECT_TRUE(run.Rewrote("Convs 'b0', 'b1', 'b2', 'b3' (Concat 'cat' branches of one shape) run as one Conv 'b0' of 4 "
                          "groups"));
}

// TransNetV2's block: 1x3x3 siblings (merged), their slices read by 3x1x1 branches of dilations 1, 2, 4
// (one with causal pads), Concat, residual Add, then a 1x2x2 AveragePool fused into the store.
std::vector<uint8_t> SliceBranchModel(std::mt19937_64& rng, const Shape& xs, int64_t cout) {
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  m.Input("r", DType::kFloat32, {xs[0], 3 * cout, xs[2], xs[3], xs[4]});
  std::vector<std::string> branches;
  const int64_t d[] = {1, 2, 4};
  for (int k = 0; k < 3; ++k) {
    const std::string s = "s" + std::to_string(k), t = "t" + std::to_string(k);
    AddConv(m, rng, "x", s, xs[1], 7, {1, 3, 3}, k != 1);
    const std::vector<int64_t> pads = k == 2 ? std::vector<int64_t>{8, 0, 0, 0, 0, 0}
                                             : std::vector<int64_t>{d[k], 0, 0, d[k], 0, 0};
    AddConv(m, rng, s, t, 7, cout, {3, 1, 1}, k != 0, {d[k], 1, 1}, pads);
    branches.push_back(t);
  }
  m.Node("Concat", branches, {"cat"}, {IntAttr("axis", 1)}, "cat");
  m.Node("Add", {"cat", "r"}, {"sum"}, {}, "shortcut");
  m.Node("AveragePool", {"sum"}, {"y"}, {IntsAttr("kernel_shape", {1, 2, 2}), IntsAttr("strides", {1, 2, 2})},
         "pool");
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

TEST(FusionBranches, SliceReadersWithAddAndPool) {
  std::mt19937_64 rng(BaseSeed(89));
  std::cout << "seed " << BaseSeed(89) << "\n";
  const Shape xs = {2, 3, 6, 4, 6};
  const auto model = SliceBranchModel(rng, xs, 6);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(model,
                             {{"x", RandomTensor(DType::kFloat32, xs, rng)},
                              {"r", RandomTensor(DType::kFloat32, {2, 18, 6, 4, 6}, rng)}},
                             &run));
  EXPECT_EQ(run.Count("Conv"), 2);
  EXPECT_EQ(run.dispatches, 2u);
  EXPECT_TRUE(run.Rewrote("Convs 's0', 's1', 's2' read the same input"));
  EXPECT_TRUE(run.Rewrote("Convs 't0', 't1', 't2' (Concat 'cat' branches of one shape) run as one Conv 't0' of 3"));
}

// The same with the grouped GEMM split into K ranges (its sum kernel runs the epilogue).
TEST(FusionBranches, SplitGroupedConv) {
  ScopedTuning tuning;
  std::mt19937_64 rng(BaseSeed(97));
  std::cout << "seed " << BaseSeed(97) << "\n";
  const Shape xs = {2, 4, 5, 4, 4};
  const auto model = SliceBranchModel(rng, xs, 5);
  tuning.kernels().conv_splits = 2;
  FusedRun run;
  const auto result = MatchesUnfused(model,
                                     {{"x", RandomTensor(DType::kFloat32, xs, rng)},
                                      {"r", RandomTensor(DType::kFloat32, {2, 15, 5, 4, 4}, rng)}},
                                     &run);
  tuning.kernels().conv_splits = 0;
  ASSERT_TRUE(result);
  EXPECT_TRUE(run.Rewrote("run as one Conv 't0' of 3 groups"));
}

// Concat inputs [b0, b1, c, b2, b3, b4]: c's kernel differs, so the runs (b0, b1) and (b2, b3, b4) merge
// apart and the Concat keeps three inputs, still written in place.
TEST(FusionBranches, RunsSplitByAnotherBranch) {
  std::mt19937_64 rng(BaseSeed(101));
  std::cout << "seed " << BaseSeed(101) << "\n";
  const Shape xs = {2, 3, 7, 6};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  const char* names[] = {"b0", "b1", "c", "b2", "b3", "b4"};
  for (int k = 0; k < 6; ++k) {
    const int64_t d = 1 + k % 3;
    if (k == 2)
      AddConv(m, rng, "x", names[k], 3, 4, {1, 3}, true, {1, 1}, {0, 1, 0, 1});
    else
      AddConv(m, rng, "x", names[k], 3, 4, {3, 3}, true, {d, 1}, {d, 1, d, 1});
  }
  m.Node("Concat", {"b0", "b1", "c", "b2", "b3", "b4"}, {"y"}, {IntAttr("axis", 1)}, "cat");
  m.Output("y", DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run));
  EXPECT_EQ(run.Count("Conv"), 3);
  EXPECT_EQ(run.in_place, 1u);
  EXPECT_EQ(run.dispatches, 3u);
  EXPECT_TRUE(run.Rewrote("Convs 'b0', 'b1' (Concat 'cat'"));
  EXPECT_TRUE(run.Rewrote("Convs 'b2', 'b3', 'b4' (Concat 'cat'"));
}

// Each Concat's branches must stay apart: output channels differ; kernels differ; strides differ
// (so do output sizes, and the Concat is on axis 1 of equal shapes only where they match); one
// branch has a Relu the other lacks.
TEST(FusionBranches, NotMergedWhenItMustNot) {
  std::mt19937_64 rng(BaseSeed(103));
  std::cout << "seed " << BaseSeed(103) << "\n";
  const Shape xs = {2, 3, 6, 6};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  AddConv(m, rng, "x", "a0", 3, 4, {3, 3}, true, {1, 1}, {1, 1, 1, 1});
  AddConv(m, rng, "x", "a1", 3, 5, {3, 3}, true, {2, 2}, {2, 2, 2, 2});
  m.Node("Concat", {"a0", "a1"}, {"ya"}, {IntAttr("axis", 1)}, "cat_widths");
  AddConv(m, rng, "x", "k0", 3, 4, {3, 3}, true, {1, 1}, {1, 1, 1, 1});
  AddConv(m, rng, "x", "k1", 3, 4, {1, 1}, true, {1, 1}, {0, 0, 0, 0});
  m.Node("Concat", {"k0", "k1"}, {"yk"}, {IntAttr("axis", 1)}, "cat_kernels");
  AddConv(m, rng, "x", "r0", 3, 4, {3, 3}, true, {1, 1}, {1, 1, 1, 1});
  AddConv(m, rng, "x", "r1", 3, 4, {3, 3}, true, {2, 2}, {2, 2, 2, 2});
  m.Node("Relu", {"r0"}, {"r0_relu"}, {}, "r0_relu");
  m.Node("Concat", {"r0_relu", "r1"}, {"yr"}, {IntAttr("axis", 1)}, "cat_relu");
  for (const char* y : {"ya", "yk", "yr"}) m.Output(y, DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run));
  EXPECT_FALSE(run.Rewrote("groups with per-group windows"));
  EXPECT_EQ(run.Count("Conv"), 6);
  EXPECT_EQ(run.in_place, 3u);
}

}  // namespace
}  // namespace webconv::testing
