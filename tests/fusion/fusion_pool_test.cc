// AveragePool fused into the Conv before it (pooled store, ir/rewrite_pool.cc), against the float64
// reference of the unfused graph: after a Conv with activation and residual Add (2-D and 3-D, odd
// sizes whose tails the pool drops, every implicit-GEMM tile), a 1-D window of two, after a Concat
// of in-place branch Convs (TransNetV2's block end); the cases that must stay unfused; and
// fusion off.
#include "fusion_harness.h"
#include "ops/conv/conv_tiling.h"

namespace webconv::testing {
namespace {

std::vector<Attr> Pool(const std::vector<int64_t>& k, const std::vector<int64_t>& s) {
  return {IntsAttr("kernel_shape", k), IntsAttr("strides", s)};
}

// Conv -> Relu -> Add(residual) -> AveragePool 2x2 on 7x9 (3x4 pooled; the last row and column are
// dropped), batch 2, forced through a tile of each register block height (4 and 8 rows per thread).
TEST(FusionPool, AfterConvOnBothBlockHeights) {
  ScopedTuning tuning;
  const uint64_t seed = BaseSeed(61);
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 rng(seed);
  const Shape xs = {2, 3, 7, 9}, ys = {2, 6, 7, 9};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  m.Input("r", DType::kFloat32, ys);
  AddConv(m, rng, "x", "c", 3, 6, {3, 3}, true);
  m.Node("Relu", {"c"}, {"a"}, {}, "relu");
  m.Node("Add", {"a", "r"}, {"s"}, {}, "add");
  m.Node("AveragePool", {"s"}, {"y"}, Pool({2, 2}, {2, 2}), "pool");
  m.Output("y", DType::kFloat32);
  const auto model = m.Serialize();
  const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, xs, rng)},
                                                   {"r", RandomTensor(DType::kFloat32, ys, rng)}};
  std::vector<ops::ConvTiling> tiles;
  for (const ops::ConvTiling& t : ops::ConvTilingCandidates())
    if (tiles.empty() || (tiles.size() == 1 && t.rm != tiles[0].rm)) tiles.push_back(t);
  ASSERT_EQ(tiles.size(), 2u);
  for (const ops::ConvTiling& t : tiles) {
    SCOPED_TRACE(t.Name());
    tuning.kernels().conv_tile = t;
    FusedRun run;
    EXPECT_TRUE(MatchesUnfused(model, feeds, &run));
    EXPECT_EQ(run.ops, std::vector<std::string>{"Conv"});
    EXPECT_EQ(run.dispatches, 1u);
    EXPECT_TRUE(run.Rewrote("AveragePool 'pool' fused into Conv 'c' (pooled store)"));
  }
}

// 3-D 1x2x2 windows (TransNetV2's) on odd H, and a 1-D window of two (lanes in pairs), stride 2 conv.
TEST(FusionPool, ThreeDAndOneD) {
  const uint64_t seed = BaseSeed(67);
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 rng(seed);
  ModelBuilder m(13);
  m.Input("x3", DType::kFloat32, {1, 2, 3, 5, 6});
  AddConv(m, rng, "x3", "c3", 2, 5, {1, 3, 3}, false);
  m.Node("AveragePool", {"c3"}, {"y3"}, Pool({1, 2, 2}, {1, 2, 2}), "pool3");
  m.Input("x1", DType::kFloat32, {2, 3, 11});
  m.Node("Conv", {"x1", "w1"}, {"c1"}, {IntsAttr("strides", {2}), IntsAttr("pads", {1, 1})}, "c1");
  m.Initializer("w1", RandomTensor(DType::kFloat32, {9, 3, 3}, rng));
  m.Node("Tanh", {"c1"}, {"t1"}, {}, "tanh1");
  m.Node("AveragePool", {"t1"}, {"y1"}, Pool({2}, {2}), "pool1");
  m.Output("y3", DType::kFloat32);
  m.Output("y1", DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(),
                             {{"x3", RandomTensor(DType::kFloat32, {1, 2, 3, 5, 6}, rng)},
                              {"x1", RandomTensor(DType::kFloat32, {2, 3, 11}, rng)}},
                             &run));
  EXPECT_EQ(run.ops, (std::vector<std::string>{"Conv", "Conv"}));
  EXPECT_TRUE(run.Rewrote("AveragePool 'pool3' fused into Conv 'c3'"));
  EXPECT_TRUE(run.Rewrote("AveragePool 'pool1' fused into Conv 'c1'"));
}

// TransNetV2's block end: branch Convs placed into a Concat, BatchNorm, Relu, shortcut Add, then the
// 1x2x2 pool; every branch stores its pooled slice (8 channels per branch: the implicit GEMM).
TEST(FusionPool, AfterInPlaceConcat) {
  const uint64_t seed = BaseSeed(71);
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 rng(seed);
  const Shape xs = {1, 3, 4, 5, 6}, ss = {1, 16, 4, 5, 6};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  m.Input("skip", DType::kFloat32, ss);
  AddConv(m, rng, "x", "b0", 3, 8, {1, 3, 3}, false);
  AddConv(m, rng, "x", "b1s", 3, 6, {1, 3, 3}, true);
  AddConv(m, rng, "b1s", "b1", 6, 8, {3, 1, 1}, false, {2, 1, 1});
  m.Node("Concat", {"b0", "b1"}, {"cat"}, {IntAttr("axis", 1)}, "cat");
  AddBatchNorm(m, rng, "cat", "bn", 16);
  m.Node("Relu", {"bn"}, {"relu"}, {}, "relu");
  m.Node("Add", {"relu", "skip"}, {"sum"}, {}, "shortcut");
  m.Node("AveragePool", {"sum"}, {"y"}, Pool({1, 2, 2}, {1, 2, 2}), "pool");
  m.Output("y", DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(
      m.Serialize(),
      {{"x", RandomTensor(DType::kFloat32, xs, rng)}, {"skip", RandomTensor(DType::kFloat32, ss, rng)}},
      &run));
  EXPECT_EQ(run.in_place, 1u);
  EXPECT_EQ(run.Count("AveragePool") + run.Count("Relu") + run.Count("Add") + run.Count("BatchNormalization"),
            0);
  EXPECT_EQ(run.dispatches, 3u);
  EXPECT_TRUE(run.Rewrote("AveragePool 'pool' after Concat 'cat' fused into its branch Convs"));
}

// Pools a store cannot do, or must not absorb: overlapping windows, pads, ceil_mode with a tail, a
// 2x2x2 window (8 outputs), a depthwise Conv (direct kernel), MaxPool, and a Conv output that is
// also a graph output.
TEST(FusionPool, DoesNotFuseWhenItMustNot) {
  const uint64_t seed = BaseSeed(73);
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 rng(seed);
  const Shape xs = {1, 2, 4, 5, 7};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  const std::vector<std::pair<std::string, std::vector<Attr>>> pools = {
      {"AveragePool", Pool({1, 3, 3}, {1, 2, 2})},
      {"AveragePool",
       {IntsAttr("kernel_shape", {1, 2, 2}), IntsAttr("strides", {1, 2, 2}),
        IntsAttr("pads", {0, 1, 1, 0, 1, 1})}},
      {"AveragePool",
       {IntsAttr("kernel_shape", {1, 2, 2}), IntsAttr("strides", {1, 2, 2}), IntAttr("ceil_mode", 1)}},
      {"AveragePool", Pool({2, 2, 2}, {2, 2, 2})},
      {"MaxPool", Pool({1, 2, 2}, {1, 2, 2})},
  };
  std::vector<std::string> outs;
  for (size_t k = 0; k < pools.size(); ++k) {
    const std::string c = "c" + std::to_string(k), y = "y" + std::to_string(k);
    AddConv(m, rng, "x", c, 2, 6, {1, 3, 3}, true);
    m.Node(pools[k].first, {c}, {y}, pools[k].second, "pool" + std::to_string(k));
    outs.push_back(y);
  }
  // Depthwise: 1 output channel per group.
  m.Initializer("wd", RandomTensor(DType::kFloat32, {2, 1, 1, 3, 3}, rng));
  m.Node("Conv", {"x", "wd"}, {"cd"}, {IntAttr("group", 2), IntsAttr("pads", {0, 1, 1, 0, 1, 1})}, "cd");
  m.Node("AveragePool", {"cd"}, {"yd"}, Pool({1, 2, 2}, {1, 2, 2}), "poold");
  outs.push_back("yd");
  // The Conv's output is also a graph output.
  AddConv(m, rng, "x", "co", 2, 6, {1, 3, 3}, true);
  m.Node("AveragePool", {"co"}, {"yo"}, Pool({1, 2, 2}, {1, 2, 2}), "poolo");
  outs.push_back("co");
  outs.push_back("yo");
  for (const std::string& y : outs) m.Output(y, DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run));
  EXPECT_EQ(run.Count("AveragePool"), 6);
  EXPECT_EQ(run.Count("MaxPool"), 1);
  EXPECT_TRUE(run.rewrites.empty());
}

TEST(FusionPool, EnvironmentTurnsItOff) {
  const uint64_t seed = BaseSeed(79);
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 rng(seed);
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, {1, 2, 4, 4});
  AddConv(m, rng, "x", "c", 2, 8, {3, 3}, true);
  m.Node("AveragePool", {"c"}, {"y"}, Pool({2, 2}, {2, 2}), "pool");
  m.Output("y", DType::kFloat32);
  const auto x = RandomTensor(DType::kFloat32, {1, 2, 4, 4}, rng);
  FusedRun on, off;
  ASSERT_TRUE(MatchesUnfusedWithAndWithoutFusion(m.Serialize(), {{"x", x}}, &on, &off));
  EXPECT_EQ(on.ops, std::vector<std::string>{"Conv"});
  EXPECT_EQ(off.ops, (std::vector<std::string>{"Conv", "AveragePool"}));
}

}  // namespace
}  // namespace webconv::testing
