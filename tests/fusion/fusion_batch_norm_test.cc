// BatchNormalization folded into Conv weights: directly after a Conv, and split over a Concat of
// Convs; and the cases where it must not fold. Random shapes print their seed (WEBCONV_SEED replays).
#include "fusion_harness.h"

namespace webconv::testing {
namespace {

Shape Spatial(std::mt19937_64& rng, int rank) {
  Shape s;
  for (int k = 0; k < rank; ++k) s.push_back(1 + static_cast<int64_t>(rng() % (rank == 3 ? 4 : 6)));
  return s;
}

TEST(FusionBatchNorm, FoldsIntoPrecedingConv) {
  const uint64_t seed = BaseSeed(20261124);
  const int count = SweepCount(4, 40);
  std::cout << "FusionBatchNorm seed " << seed << ", " << count
            << " models (WEBCONV_SEED / WEBCONV_FULL_SWEEP)\n";
  for (int i = 0; i < count; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    const int rank = 1 + static_cast<int>(rng() % 3);
    const int64_t batch = 1 + static_cast<int64_t>(rng() % 2), cin = 1 + static_cast<int64_t>(rng() % 5),
                  cout = 1 + static_cast<int64_t>(rng() % 7);
    const bool bias = rng() % 2;
    Shape xs = {batch, cin};
    const Shape sp = Spatial(rng, rank);
    xs.insert(xs.end(), sp.begin(), sp.end());
    SCOPED_TRACE(::testing::Message()
                 << "seed " << seed + i << ": x " << ShapeString(xs) << " M=" << cout << " bias=" << bias);
    ModelBuilder m(13);
    m.Input("x", DType::kFloat32, xs);
    AddConv(m, rng, "x", "c", cin, cout, std::vector<int64_t>(rank, 3), bias);
    AddBatchNorm(m, rng, "c", "y", cout);
    m.Output("y", DType::kFloat32);
    FusedRun run;
    ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run));
    EXPECT_EQ(run.ops, std::vector<std::string>{"Conv"});
    EXPECT_TRUE(run.Rewrote("BatchNormalization 'y' folded into Conv 'c'"));
  }
}

// TransNetV2's block tail: branch Convs -> Concat(axis 1) -> BatchNorm, batch 2, uneven branch widths.
TEST(FusionBatchNorm, SplitsOverConcatOfConvs) {
  std::mt19937_64 rng(BaseSeed(7));
  std::cout << "seed " << BaseSeed(7) << "\n";
  const Shape xs = {2, 3, 3, 4, 5};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  const int64_t widths[] = {3, 1, 5};
  for (int k = 0; k < 3; ++k)
    AddConv(m, rng, "x", "b" + std::to_string(k), 3, widths[k], {1 + 2 * (k % 2), 3, 1}, k == 1);
  m.Node("Concat", {"b0", "b1", "b2"}, {"cat"}, {IntAttr("axis", 1)}, "cat");
  AddBatchNorm(m, rng, "cat", "y", 9);
  m.Output("y", DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run));
  EXPECT_EQ(run.Count("BatchNormalization"), 0);
  EXPECT_TRUE(
      run.Rewrote("BatchNormalization 'y' split over Concat 'cat' and folded into Convs 'b0', 'b1', 'b2'"));
  // The Concat is then placed too: three Conv kernels and nothing else.
  EXPECT_EQ(run.in_place, 1u);
  EXPECT_EQ(run.dispatches, 3u);
}

// Each case must keep its BatchNorm and still compute the same function.
TEST(FusionBatchNorm, DoesNotFoldWhenItMustNot) {
  std::mt19937_64 rng(BaseSeed(11));
  std::cout << "seed " << BaseSeed(11) << "\n";
  const Shape xs = {2, 2, 5, 4};
  const auto x = RandomTensor(DType::kFloat32, xs, rng);
  {  // The Conv's output is also a graph output.
    ModelBuilder m(13);
    m.Input("x", DType::kFloat32, xs);
    AddConv(m, rng, "x", "c", 2, 3, {3, 3}, true);
    AddBatchNorm(m, rng, "c", "y", 3);
    m.Output("y", DType::kFloat32);
    m.Output("c", DType::kFloat32);
    FusedRun run;
    ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", x}}, &run));
    EXPECT_EQ(run.Count("BatchNormalization"), 1);
  }
  {  // The Conv's output has another reader.
    ModelBuilder m(13);
    m.Input("x", DType::kFloat32, xs);
    AddConv(m, rng, "x", "c", 2, 3, {3, 3}, false);
    AddBatchNorm(m, rng, "c", "y", 3);
    m.Node("Relu", {"c"}, {"r"}, {}, "r");
    m.Output("y", DType::kFloat32);
    m.Output("r", DType::kFloat32);
    FusedRun run;
    ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", x}}, &run));
    EXPECT_EQ(run.Count("BatchNormalization"), 1);
  }
  {  // Statistics fed at run time are not constants.
    ModelBuilder m(13);
    m.Input("x", DType::kFloat32, xs);
    m.Input("mean", DType::kFloat32, {3});
    AddConv(m, rng, "x", "c", 2, 3, {3, 3}, true);
    for (const char* p : {"s", "b", "v"}) m.Initializer(p, RandomTensor(DType::kFloat32, {3}, rng, 0.5, 1.5));
    m.Node("BatchNormalization", {"c", "s", "b", "mean", "v"}, {"z"}, {}, "z");
    m.Output("z", DType::kFloat32);
    FusedRun run;
    ASSERT_TRUE(
        MatchesUnfused(m.Serialize(), {{"x", x}, {"mean", RandomTensor(DType::kFloat32, {3}, rng)}}, &run));
    EXPECT_EQ(run.Count("BatchNormalization"), 1);
  }
  {  // spatial=0 (opset 8): per-element statistics are not a per-channel map.
    ModelBuilder m(8);
    m.Input("x", DType::kFloat32, {2, 2, 3, 1});
    AddConv(m, rng, "x", "c", 2, 3, {3, 1}, true);
    for (const char* p : {"s", "b", "m", "v"})
      m.Initializer(p, RandomTensor(DType::kFloat32, {3, 3, 1}, rng, 0.5, 1.5));
    m.Node("BatchNormalization", {"c", "s", "b", "m", "v"}, {"y"}, {IntAttr("spatial", 0)}, "bn");
    m.Output("y", DType::kFloat32);
    FusedRun run;
    ASSERT_TRUE(
        MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, {2, 2, 3, 1}, rng)}}, &run));
    EXPECT_EQ(run.Count("BatchNormalization"), 1);
  }
}

// Legacy BatchNorm-7 (spatial=1 given explicitly) folds like the current one.
TEST(FusionBatchNorm, FoldsOpset7SpatialBatchNorm) {
  std::mt19937_64 rng(BaseSeed(13));
  std::cout << "seed " << BaseSeed(13) << "\n";
  ModelBuilder m(7);
  m.Input("x", DType::kFloat32, {2, 3, 6});
  AddConv(m, rng, "x", "c", 3, 5, {3}, true);
  for (const char* p : {"s", "b", "m", "v"})
    m.Initializer(p, RandomTensor(DType::kFloat32, {5}, rng, 0.5, 1.5));
  m.Node("BatchNormalization", {"c", "s", "b", "m", "v"}, {"y"}, {IntAttr("spatial", 1)}, "bn");
  m.Output("y", DType::kFloat32);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, {2, 3, 6}, rng)}}, &run));
  EXPECT_EQ(run.ops, std::vector<std::string>{"Conv"});
}

}  // namespace
}  // namespace webconv::testing
