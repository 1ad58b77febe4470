// Sibling Convs merged into one (ir/rewrite_siblings.cc): their readers read channel slices of the
// merged output through every Conv kernel (implicit GEMM, split-K, the direct kernel, the
// few-input-channel kernel), at batch 2 so each slice is strided; and the cases that must not merge.
#include "fusion_harness.h"
#include "ir/rewrite_fusion.h"
#include "ops/conv/conv_tiling.h"

namespace webconv::testing {
namespace {

// Three 1x3x3 siblings of widths 3, 6 and 2 (the middle one without bias) over a 3-D input, each
// read by Convs that take different kernel paths: 3 channels into 8 (few-input kernel), 6 into 5 with
// temporal dilation 2 (implicit GEMM), 2 into 2 depthwise (direct kernel) and 2 into 7 (GEMM).
std::vector<uint8_t> SiblingModel(std::mt19937_64& rng, const Shape& xs) {
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  AddConv(m, rng, "x", "s0", xs[1], 3, {1, 3, 3}, true);
  AddConv(m, rng, "x", "s1", xs[1], 6, {1, 3, 3}, false);
  AddConv(m, rng, "x", "s2", xs[1], 2, {1, 3, 3}, true);
  AddConv(m, rng, "s0", "r0", 3, 8, {1, 3, 3}, true);
  AddConv(m, rng, "s1", "r1", 6, 5, {3, 1, 1}, true, {2, 1, 1});
  m.Initializer("r2_w", RandomTensor(DType::kFloat32, {2, 1, 3, 3, 3}, rng));
  m.Node("Conv", {"s2", "r2_w"}, {"r2"}, {IntsAttr("pads", {1, 1, 1, 1, 1, 1}), IntAttr("group", 2)}, "r2");
  AddConv(m, rng, "s2", "r3", 2, 7, {1, 1, 1}, false);
  for (const char* y : {"r0", "r1", "r2", "r3"}) m.Output(y, DType::kFloat32);
  return m.Serialize();
}

TEST(FusionSiblings, ReadersReadTheirSlices) {
  std::mt19937_64 rng(BaseSeed(61));
  std::cout << "seed " << BaseSeed(61) << "\n";
  const Shape xs = {2, 5, 4, 6, 5};
  const auto model = SiblingModel(rng, xs);
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(model, {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run));
  EXPECT_EQ(run.Count("Conv"), 5);
  EXPECT_EQ(run.dispatches, 5u);
  EXPECT_TRUE(run.Rewrote(
      "Convs 's0', 's1', 's2' read the same input with the same window: one Conv 's0' of 11 output channels"));
}

// The same with every GEMM split into ranges: the slice is read by the split GEMM.
TEST(FusionSiblings, SplitReadersReadTheirSlices) {
  ScopedTuning tuning;
  std::mt19937_64 rng(BaseSeed(67));
  std::cout << "seed " << BaseSeed(67) << "\n";
  const Shape xs = {2, 7, 3, 5, 4};
  const auto model = SiblingModel(rng, xs);
  tuning.kernels().conv_splits = 3;
  FusedRun run;
  const auto result = MatchesUnfused(model, {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run);
  tuning.kernels().conv_splits = 0;
  ASSERT_TRUE(result);
  EXPECT_EQ(run.Count("Conv"), 5);
  EXPECT_TRUE(run.Rewrote("one Conv 's0' of 11 output channels"));
}

// The merged output is capped (normally at 128 MiB or the graph's largest tensor): siblings join while
// they fit, in node order, and the rest stay apart.
TEST(FusionSiblings, MergedOutputStaysWithinTheLimit) {
  ScopedTuning tuning;
  std::mt19937_64 rng(BaseSeed(79));
  std::cout << "seed " << BaseSeed(79) << "\n";
  const Shape xs = {2, 5, 4, 6, 5};  // 4 x 2 x 4 x 6 x 5 = 960 bytes per output channel
  const auto model = SiblingModel(rng, xs);
  tuning.fusion().sibling_merge_limit = 9 * 960;
  FusedRun run;
  const auto result = MatchesUnfused(model, {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run);
  tuning.fusion().sibling_merge_limit = 0;
  ASSERT_TRUE(result);
  EXPECT_EQ(run.Count("Conv"), 6);
  EXPECT_TRUE(run.Rewrote("Convs 's0', 's1' read the same input with the same window: one Conv 's0' of 9 output"));
}

// Siblings that share an activation merge; their outputs then hold the activated values.
TEST(FusionSiblings, SharedActivationMerges) {
  std::mt19937_64 rng(BaseSeed(71));
  std::cout << "seed " << BaseSeed(71) << "\n";
  const Shape xs = {1, 4, 7, 6};
  ModelBuilder m(13);
  m.Input("x", DType::kFloat32, xs);
  for (int k = 0; k < 2; ++k) {
    const std::string s = "s" + std::to_string(k), r = "r" + std::to_string(k);
    AddConv(m, rng, "x", s, 4, 5 + k, {3, 3}, true);
    m.Node("Relu", {s}, {s + "_relu"}, {}, s + "_relu");
    AddConv(m, rng, s + "_relu", r, 5 + k, 6, {3, 3}, true);
    m.Output(r, DType::kFloat32);
  }
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, xs, rng)}}, &run));
  EXPECT_EQ(run.ops, (std::vector<std::string>{"Conv", "Conv", "Conv"}));
  EXPECT_TRUE(run.Rewrote("Convs 's0', 's1' read the same input"));
}

// Each pair must stay two Convs: a sibling's output is a graph output; a reader is not a Conv; the
// windows differ (pads); a weight is a graph input; the Convs are grouped; the activations differ.
TEST(FusionSiblings, NotMergedWhenItMustNot) {
  std::mt19937_64 rng(BaseSeed(73));
  std::cout << "seed " << BaseSeed(73) << "\n";
  const Shape xs = {2, 4, 5, 5};
  ModelBuilder m(13);
  std::map<std::string, HostTensor> feeds;
  for (int k = 0; k < 6; ++k) {
    m.Input("x" + std::to_string(k), DType::kFloat32, xs);
    feeds["x" + std::to_string(k)] = RandomTensor(DType::kFloat32, xs, rng);
  }
  auto pair = [&](int k, const std::string& second_reader) {
    const std::string x = "x" + std::to_string(k), a = "a" + std::to_string(k), b = "b" + std::to_string(k);
    AddConv(m, rng, x, a, 4, 3, {3, 3}, true);
    AddConv(m, rng, a, a + "_r", 3, 3, {3, 3}, true);
    m.Output(a + "_r", DType::kFloat32);
    if (second_reader.empty()) return b;
    AddConv(m, rng, x, b, 4, 3, {3, 3}, true);
    if (second_reader == "conv") {
      AddConv(m, rng, b, b + "_r", 3, 3, {3, 3}, true);
    } else {
      m.Node(second_reader, {b}, {b + "_r"}, {}, b + "_r");
    }
    m.Output(b + "_r", DType::kFloat32);
    return b;
  };
  m.Output(pair(0, "conv"), DType::kFloat32);  // b0 is read by a Conv and is a graph output
  pair(1, "Neg");                             // b1's reader is not a Conv
  // x2: a 3x3 with other pads.
  pair(2, "");
  m.Initializer("b2_w", RandomTensor(DType::kFloat32, {3, 4, 3, 3}, rng));
  m.Node("Conv", {"x2", "b2_w"}, {"b2"}, {IntsAttr("pads", {0, 1, 2, 1})}, "b2");
  AddConv(m, rng, "b2", "b2_r", 3, 3, {3, 3}, true);
  m.Output("b2_r", DType::kFloat32);
  // x3: b3's weight is fed by the caller.
  pair(3, "");
  m.Input("b3_w", DType::kFloat32, {3, 4, 3, 3});
  feeds["b3_w"] = RandomTensor(DType::kFloat32, {3, 4, 3, 3}, rng);
  m.Node("Conv", {"x3", "b3_w"}, {"b3"}, {IntsAttr("pads", {1, 1, 1, 1})}, "b3");
  AddConv(m, rng, "b3", "b3_r", 3, 3, {3, 3}, true);
  m.Output("b3_r", DType::kFloat32);
  // x4: two grouped Convs.
  for (const char* c : {"g0", "g1"}) {
    m.Initializer(std::string(c) + "_w", RandomTensor(DType::kFloat32, {4, 2, 3, 3}, rng));
    m.Node("Conv", {"x4", std::string(c) + "_w"}, {c}, {IntsAttr("pads", {1, 1, 1, 1}), IntAttr("group", 2)}, c);
    AddConv(m, rng, c, std::string(c) + "_r", 4, 3, {3, 3}, true);
    m.Output(std::string(c) + "_r", DType::kFloat32);
  }
  // x5: one sibling with a Relu fused, the other with a Sigmoid.
  for (const char* c : {"h0", "h1"}) {
    AddConv(m, rng, "x5", c, 4, 3, {3, 3}, true);
    m.Node(c[1] == '0' ? "Relu" : "Sigmoid", {c}, {std::string(c) + "_act"}, {}, std::string(c) + "_act");
    AddConv(m, rng, std::string(c) + "_act", std::string(c) + "_r", 3, 3, {3, 3}, true);
    m.Output(std::string(c) + "_r", DType::kFloat32);
  }
  FusedRun run;
  ASSERT_TRUE(MatchesUnfused(m.Serialize(), feeds, &run));
  EXPECT_FALSE(run.Rewrote("read the same input"));
  EXPECT_EQ(run.Count("Conv"), 23);
}

}  // namespace
}  // namespace webconv::testing
