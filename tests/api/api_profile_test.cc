// Session::profile() after a run: the executed nodes with their op types, the run's wall time, and GPU
// times per node when the WebGPU adapter has timestamp queries.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <span>

#include "api_test.h"
#include "differential.h"
#include "model_builder.h"

namespace webconv::api_test {
namespace {

Tensor Input(int batch) {
  auto x = Tensor::from_vector<float>({batch, 64}, Features(batch, 3));
  EXPECT_TRUE(x.ok());
  return *x;
}

std::set<std::string> Ops(const Profile& p) {
  std::set<std::string> ops;
  for (const NodeProfile& n : p.nodes) ops.insert(n.op);
  return ops;
}

TEST(ApiProfile, CpuRunListsNodesWithoutGpuTimes) {
  auto s = Session::load(SmallMlp(), {.backend = Backend::kCpu});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->profile().nodes.empty());  // before any run
  ASSERT_TRUE(s->run({{"features", Input(2)}}).ok());
  const Profile& p = s->profile();
  EXPECT_GT(p.wall_ms, 0);
  EXPECT_GE(p.wall_ms, p.execute_ms);
  EXPECT_TRUE(p.planned);
  EXPECT_FALSE(p.gpu_timed);
  ASSERT_FALSE(p.nodes.empty());
  for (const NodeProfile& n : p.nodes) {
    EXPECT_FALSE(n.node.empty());
    EXPECT_LT(n.gpu_ms, 0) << n.node;
  }
  // The shape subgraph (Shape, Gather, Concat) is folded away; the math remains.
  const auto ops = Ops(p);
  EXPECT_TRUE(ops.count("Gemm")) << ::testing::PrintToString(ops);
  EXPECT_FALSE(ops.count("Shape")) << ::testing::PrintToString(ops);
  ASSERT_TRUE(s->run({{"features", Input(2)}}).ok());
  EXPECT_FALSE(s->profile().planned);  // same shapes: the plan is reused
}

TEST(ApiProfile, WebGpuRunHasGpuTimesWhenTheAdapterCan) {
  auto s = Session::load(SmallMlp(), {.profiling = true});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_NE(s->adapter(), nullptr);
  ASSERT_TRUE(s->run({{"features", Input(2)}}).ok());
  const Profile& p = s->profile();
  EXPECT_GT(p.wall_ms, 0);
  ASSERT_FALSE(p.nodes.empty());
  EXPECT_TRUE(Ops(p).count("Gemm"));
  EXPECT_EQ(p.gpu_timed, s->adapter()->has_timestamps);
  if (!p.gpu_timed) GTEST_SKIP() << "adapter " << s->adapter()->name << " has no timestamp queries";
  double total = 0;
  size_t kernels = 0;
  for (const NodeProfile& n : p.nodes) {
    EXPECT_GE(n.gpu_ms, 0) << n.node;
    total += n.gpu_ms;
    kernels += n.kernels.size();
  }
  EXPECT_GT(total, 0);
  EXPECT_GT(kernels, 0u);
}

// x[1,8,9,9] -> Conv of 16 3x3 filters (weights seeded by `seed`), pads 1 -> y.
std::vector<uint8_t> PaddedConvModel(uint64_t seed) {
  std::mt19937_64 rng(seed);
  testing::ModelBuilder m(13);
  m.Input("x", DType::kFloat32, {1, 8, 9, 9});
  m.Initializer("w", testing::RandomTensor(DType::kFloat32, {16, 8, 3, 3}, rng, -0.3, 0.3));
  m.Node("Conv", {"x", "w"}, {"y"}, {testing::IntsAttr("pads", {1, 1, 1, 1})}, "conv");
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

// The last run's kernel names, space-separated (profiled runs only).
std::string KernelNames(const Session& s) {
  std::string all;
  for (const NodeProfile& n : s.profile().nodes)
    for (const std::string& k : n.kernels) all += k + " ";
  return all;
}

// FirstRun::kQuick: the first run uses the quick tier's Conv kernel, settle() switches to the tuned kernels,
// and both runs give the same outputs within float32 rounding.
TEST(ApiProfile, QuickFirstRunThenSettle) {
  const std::vector<uint8_t> bytes = PaddedConvModel(7);
  auto s = Session::load(std::span<const uint8_t>(bytes), {.first_run = FirstRun::kQuick, .profiling = true});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<float> data(8 * 9 * 9);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>((i * 37) % 19) / 19.0f - 0.5f;
  auto x = Tensor::from_vector<float>({1, 8, 9, 9}, data);
  ASSERT_TRUE(x.ok());
  auto first = s->run({{"x", *x}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const std::string first_kernels = KernelNames(*s);
  ASSERT_TRUE(s->settle().ok());
  auto later = s->run({{"x", *x}});
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  const Tensor& a = first->at("y");
  const Tensor& b = later->at("y");
  ASSERT_EQ(a.shape(), b.shape());
  const std::span<const float> pa = a.values<float>(), pb = b.values<float>();
  ASSERT_EQ(pa.size(), size_t{16 * 9 * 9});
  for (size_t i = 0; i < pa.size(); ++i) ASSERT_NEAR(pa[i], pb[i], 1e-5) << "element " << i;
  if (!s->profile().gpu_timed) GTEST_SKIP() << "no timestamp queries: kernel names not profiled";
  EXPECT_NE(first_kernels.find("quick"), std::string::npos) << first_kernels;
  EXPECT_EQ(KernelNames(*s).find("quick"), std::string::npos) << KernelNames(*s);
}

// Options::tuning reaches the kernels: a forced tile names every implicit-GEMM kernel of the session, and a
// malformed field fails load() with a usage error naming it.
TEST(ApiProfile, KernelTuningReachesTheKernels) {
  const std::vector<uint8_t> bytes = PaddedConvModel(11);
  Options o{.first_run = FirstRun::kTuned, .profiling = true};
  o.tuning.conv_tile = "t32x16k16_r4x4";
  auto s = Session::load(std::span<const uint8_t>(bytes), o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto x = Tensor::from_vector<float>({1, 8, 9, 9}, std::vector<float>(8 * 9 * 9, 0.25f));
  ASSERT_TRUE(x.ok());
  ASSERT_TRUE(s->run({{"x", *x}}).ok());
  if (!s->profile().gpu_timed) GTEST_SKIP() << "no timestamp queries: kernel names not profiled";
  EXPECT_NE(KernelNames(*s).find("t32x16k16_r4x4"), std::string::npos) << KernelNames(*s);

  for (const auto& [field, value] : std::vector<std::pair<std::string, std::string>>{
           {"conv_tile", "t32x16k16_r6x4"}, {"conv_tile", "32x16"}, {"conv_sizes", "sometimes"}}) {
    Options bad;
    (field == "conv_tile" ? bad.tuning.conv_tile : bad.tuning.conv_sizes) = value;
    auto refused = Session::load(std::span<const uint8_t>(bytes), bad);
    ASSERT_FALSE(refused.ok()) << field << " " << value;
    EXPECT_EQ(refused.status().code, StatusCode::kUsage);
    EXPECT_NE(refused.status().message.find("Options::tuning." + field + " '" + value + "'"), std::string::npos)
        << refused.status().message;
  }
}

}  // namespace
}  // namespace webconv::api_test
