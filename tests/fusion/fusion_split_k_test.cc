// Split-K with the fused epilogues: the second kernel that adds the ranges' partial sums is the one
// that applies bias, activation, residual Add and the Concat slice store, so every fusion must survive
// the split; a Conv with a fused AveragePool is never split (its windows are averaged in the GEMM's
// registers).
#include "fusion_harness.h"
#include "ops/conv/conv_tiling.h"

namespace webconv::testing {
namespace {

// Forces `splits` ranges for the lifetime of the object.
struct ForcedSplits {
  explicit ForcedSplits(uint32_t splits) { tuning.kernels().conv_splits = splits; }
  ScopedTuning tuning;
};

// Two Convs into a Concat, then Relu and a residual Add: every Conv runs as GEMM + sum and the sum
// kernel stores its slice with the activation and the addend.
TEST(FusionSplitK, EpiloguesRunInTheSumKernel) {
  std::mt19937_64 rng(BaseSeed(53));
  std::cout << "seed " << BaseSeed(53) << "\n";
  const Shape xs = {2, 12, 3, 5, 4};
  const Shape rs = {2, 13, 3, 5, 4};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  m.Input("r", DType::kFloat32, rs);
  AddConv(m, rng, "x", "b0", 12, 6, {1, 3, 3}, true);               // depth 108
  AddConv(m, rng, "x", "b1", 12, 7, {3, 1, 1}, false, {2, 1, 1});  // depth 36
  m.Node("Concat", {"b0", "b1"}, {"cat"}, {IntAttr("axis", 1)}, "cat");
  m.Node("Relu", {"cat"}, {"relu"}, {}, "relu");
  m.Node("Add", {"relu", "r"}, {"y"}, {}, "shortcut");
  m.Output("y", DType::kFloat32);
  ForcedSplits forced(3);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(),
                             {{"x", RandomTensor(DType::kFloat32, xs, rng)}, {"r", RandomTensor(DType::kFloat32, rs, rng)}},
                             &run));
  EXPECT_EQ(run.ops, (std::vector<std::string>{"Conv", "Conv", "Concat"}));
  EXPECT_EQ(run.dispatches, 4u);  // a GEMM and a sum per Conv
  EXPECT_TRUE(run.Rewrote("Add 'shortcut' after Concat 'cat' moved into Convs 'b0', 'b1'"));
}

// A Conv with a fused AveragePool stays one kernel even when splits are forced.
TEST(FusionSplitK, PooledConvIsNotSplit) {
  std::mt19937_64 rng(BaseSeed(59));
  std::cout << "seed " << BaseSeed(59) << "\n";
  const Shape xs = {1, 16, 2, 6, 8};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  AddConv(m, rng, "x", "c", 16, 8, {1, 3, 3}, true);
  m.Node("AveragePool", {"c"}, {"y"}, {IntsAttr("kernel_shape", {1, 2, 2}), IntsAttr("strides", {1, 2, 2})},
         "pool");
  m.Output("y", DType::kFloat32);
  ForcedSplits forced(4);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run));
  EXPECT_EQ(run.ops, (std::vector<std::string>{"Conv"}));
  EXPECT_EQ(run.dispatches, 1u);
}

}  // namespace
}  // namespace webconv::testing
