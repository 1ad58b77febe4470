// Session::profile() after a run: the executed nodes with their op types, the run's wall time, and GPU
// times per node when the WebGPU adapter has timestamp queries.
#include <gtest/gtest.h>

#include <set>

#include "api_test.h"

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

}  // namespace
}  // namespace webconv::api_test
