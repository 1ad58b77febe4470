// The first run's tiers (runtime/session.h, FirstRun): the quick tier serves the first runs while the
// tuned kernels compile in the background, then the plan switches; both tiers compute the model.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "differential.h"
#include "model_builder.h"
#include "onnx/loader.h"
#include "runtime/compare.h"
#include "runtime/first_run.h"
#include "runtime/session.h"

namespace webconv::runtime {
namespace {

// Two 2-D Convs (a residual block: Conv, Relu, Conv, Add) and a strided 3x3: the tuned tier compiles
// implicit-GEMM pipelines for them, the quick tier its own Conv kernel.
std::vector<uint8_t> BlockModel(std::mt19937_64& rng) {
  testing::ModelBuilder m(13);
  m.Input("x", DType::kFloat32, {1, 8, 12, 10});
  m.Initializer("w1", testing::RandomTensor(DType::kFloat32, {8, 8, 3, 3}, rng, -0.3, 0.3));
  m.Initializer("b1", testing::RandomTensor(DType::kFloat32, {8}, rng));
  m.Initializer("w2", testing::RandomTensor(DType::kFloat32, {8, 8, 3, 3}, rng, -0.3, 0.3));
  m.Initializer("w3", testing::RandomTensor(DType::kFloat32, {12, 8, 3, 3}, rng, -0.3, 0.3));
  const std::vector<testing::Attr> same = {testing::IntsAttr("pads", {1, 1, 1, 1})};
  m.Node("Conv", {"x", "w1", "b1"}, {"c1"}, same, "conv1");
  m.Node("Relu", {"c1"}, {"r1"}, {}, "relu1");
  m.Node("Conv", {"r1", "w2"}, {"c2"}, same, "conv2");
  m.Node("Add", {"c2", "x"}, {"sum"}, {}, "add");
  m.Node("Conv", {"sum", "w3"}, {"y"}, {testing::IntsAttr("strides", {2, 2})}, "conv3");
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

struct Fixture {
  std::unique_ptr<Session> session;
  std::map<std::string, HostTensor> feeds;
  HostTensor expected;  // the float64 reference's y
};

// A device of its own, without the persistent cache: its pipelines all compile in this test.
std::shared_ptr<gpu::Device> FreshDevice() {
  gpu::DeviceOptions d;
  d.pipeline_cache = false;
  auto device = gpu::Device::Create(d);
  EXPECT_TRUE(device.ok()) << device.status().ToString();
  return device.ok() ? std::shared_ptr<gpu::Device>(std::move(device).value()) : nullptr;
}

Fixture Make(FirstRun first_run, uint64_t seed, std::shared_ptr<gpu::Device> device = testing::SharedDevice()) {
  std::mt19937_64 rng(seed);
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  const std::vector<uint8_t> bytes = BlockModel(rng);
  Fixture f;
  f.feeds = {{"x", testing::RandomTensor(DType::kFloat32, {1, 8, 12, 10}, rng)}};
  auto ref = testing::RunOn(Backend::kReference, bytes, f.feeds);
  EXPECT_TRUE(ref.ok()) << ref.status().ToString();
  if (ref.ok()) f.expected = ref->at("y");
  auto model = onnx::LoadModelBytes(bytes);
  EXPECT_TRUE(model.ok());
  SessionOptions o;
  o.shared_device = device;
  o.first_run = first_run;
  auto s = Session::FromModel(*model, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (s.ok()) f.session = std::move(s).value();
  return f;
}

// Runs once; true when the run used the quick tier. Its y must match the reference.
bool RunChecked(Fixture& f, RunStats* stats = nullptr) {
  RunStats local;
  RunStats& st = stats ? *stats : local;
  auto out = f.session->Run(f.feeds, &st);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  if (!out.ok()) return false;
  const Comparison c = Compare(out->at("y"), f.expected, Tolerance{1e-5, 1e-4});
  EXPECT_TRUE(c.ok) << (st.quick ? "quick" : "tuned") << " tier: " << c.message;
  return st.quick;
}

bool Background() {
  return testing::SharedDevice() && testing::SharedDevice()->compiles_in_background();
}

TEST(FirstRun, QuickTierFirstThenTunedAfterSettle) {
  if (!Background()) GTEST_SKIP() << "the device cannot compile in the background";
  Fixture f = Make(FirstRun::kQuick, 41);
  ASSERT_TRUE(f.session);
  RunStats first;
  EXPECT_TRUE(RunChecked(f, &first)) << "the first run is the quick tier's";
  EXPECT_EQ(first.plan.first_run, "quick");
  EXPECT_GT(first.plan.tuned_pipelines, 0u);
  ASSERT_TRUE(f.session->Settle().ok());
  EXPECT_FALSE(f.session->last_plan()->quick());
  EXPECT_GT(f.session->last_plan()->tuned_ready_ms(), 0.0);
  EXPECT_FALSE(RunChecked(f)) << "after Settle the runs are the tuned tier's";
  EXPECT_FALSE(RunChecked(f));
}

// Without Settle the plan switches by itself once the background compile has finished: each run looks
// without waiting. A fresh device, so that the tuned pipelines really compile meanwhile.
TEST(FirstRun, SwitchesOnceTheTunedKernelsAreReady) {
  if (!Background()) GTEST_SKIP() << "the device cannot compile in the background";
  Fixture f = Make(FirstRun::kQuick, 42, FreshDevice());
  ASSERT_TRUE(f.session);
  EXPECT_TRUE(RunChecked(f));
  const auto t0 = std::chrono::steady_clock::now();
  int quick_runs = 1;
  while (RunChecked(f)) {
    ++quick_runs;
    ASSERT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(120)) << "never switched";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::printf("%d runs on the quick tier before the switch\n", quick_runs);
  EXPECT_FALSE(RunChecked(f));
}

// A session run once never compiles the tuned kernels: the background compile starts at the second run.
TEST(FirstRun, OneRunCompilesOnlyTheQuickTier) {
  if (!Background()) GTEST_SKIP() << "the device cannot compile in the background";
  std::shared_ptr<gpu::Device> own = FreshDevice();
  ASSERT_TRUE(own);
  std::mt19937_64 rng(43);
  auto model = onnx::LoadModelBytes(BlockModel(rng));
  ASSERT_TRUE(model.ok());
  SessionOptions o;
  o.shared_device = own;
  o.first_run = FirstRun::kQuick;
  auto s = Session::FromModel(*model, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  RunStats st;
  ASSERT_TRUE((*s)->Run({{"x", testing::RandomTensor(DType::kFloat32, {1, 8, 12, 10}, rng)}}, &st).ok());
  EXPECT_TRUE(st.quick);
  EXPECT_EQ(own->compile_stats().pipelines_compiled, st.plan.pipelines_compiled);
}

TEST(FirstRun, QuickOnlyNeverSwitchesAndTunedIsNeverQuick) {
  Fixture q = Make(FirstRun::kQuickOnly, 44);
  ASSERT_TRUE(q.session);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(RunChecked(q));
  ASSERT_TRUE(q.session->Settle().ok());
  EXPECT_TRUE(RunChecked(q)) << "Settle does not leave quick-only";
  Fixture t = Make(FirstRun::kTuned, 45);
  ASSERT_TRUE(t.session);
  RunStats st;
  EXPECT_FALSE(RunChecked(t, &st));
  EXPECT_EQ(st.plan.first_run, "tuned");
  EXPECT_FALSE(RunChecked(t));
}

// A kernel that checks run-time indices (Gather) beside a Conv: it serves both tiers with its check words
// bound in each, so an index out of range fails the quick tier's run as it fails the tuned tier's, and a
// good one gives the reference's values on both.
TEST(FirstRun, IndexChecksWorkOnBothTiers) {
  std::mt19937_64 rng(47);
  testing::ModelBuilder m(13);
  m.Input("x", DType::kFloat32, {1, 8, 6, 6});
  m.Input("k", DType::kInt64, {2});
  m.Initializer("w", testing::RandomTensor(DType::kFloat32, {8, 8, 3, 3}, rng, -0.3, 0.3));
  m.Node("Conv", {"x", "w"}, {"c"}, {testing::IntsAttr("pads", {1, 1, 1, 1})}, "conv");
  m.Node("Gather", {"c", "k"}, {"y"}, {testing::IntAttr("axis", 1)}, "pick");
  m.Output("y", DType::kFloat32);
  const std::vector<uint8_t> bytes = m.Serialize();
  auto model = onnx::LoadModelBytes(bytes);
  ASSERT_TRUE(model.ok());
  HostTensor x = testing::RandomTensor(DType::kFloat32, {1, 8, 6, 6}, rng);
  HostTensor good(DType::kInt64, {2}), bad(DType::kInt64, {2});
  good.SetInt(0, 5), good.SetInt(1, 1), bad.SetInt(0, 2), bad.SetInt(1, 9);
  auto ref = testing::RunOn(Backend::kReference, bytes, {{"x", x}, {"k", good}});
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  for (FirstRun tier : {FirstRun::kQuickOnly, FirstRun::kTuned}) {
    SCOPED_TRACE(FirstRunName(tier));
    SessionOptions o;
    o.shared_device = testing::SharedDevice();
    o.first_run = tier;
    auto s = Session::FromModel(*model, o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto failed = (*s)->Run({{"x", x}, {"k", bad}});
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.status().ToString().find("'pick'"), std::string::npos) << failed.status().ToString();
    RunStats st;
    auto out = (*s)->Run({{"x", x}, {"k", good}}, &st);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(st.quick, tier == FirstRun::kQuickOnly);
    const Comparison c = Compare(out->at("y"), ref->at("y"), Tolerance{1e-5, 1e-4});
    EXPECT_TRUE(c.ok) << c.message;
  }
}

// A model without a node that has a quick kernel has one tier, whatever is asked.
TEST(FirstRun, NoQuickKernelsMeansOneTier) {
  testing::ModelBuilder m(13);
  m.Input("x", DType::kFloat32, {4, 5});
  m.Node("Relu", {"x"}, {"y"}, {}, "relu");
  m.Output("y", DType::kFloat32);
  auto model = onnx::LoadModelBytes(m.Serialize());
  ASSERT_TRUE(model.ok());
  SessionOptions o;
  o.shared_device = testing::SharedDevice();
  o.first_run = FirstRun::kQuick;
  auto s = Session::FromModel(*model, o);
  ASSERT_TRUE(s.ok());
  std::mt19937_64 rng(46);
  RunStats st;
  ASSERT_TRUE((*s)->Run({{"x", testing::RandomTensor(DType::kFloat32, {4, 5}, rng)}}, &st).ok());
  EXPECT_FALSE(st.quick);
  EXPECT_EQ(st.plan.first_run, "tuned");
}

// kAuto's cost model: the quick tier for a light model whose tuned pipelines would take long to compile,
// the tuned tier for a heavy one, and never the quick tier without a background compile.
TEST(FirstRun, AutoWeighsCompileAgainstRun) {
  TierCosts light{4, 3, 86e6};    // the TransNetV2 backbone at 1x3x2x8x8 on SwiftShader
  TierCosts heavy{14, 4, 6.65e9};  // the default demo, TransNetV2 at T=8
  EXPECT_EQ(ChooseFirstRun(light, true, true), FirstRun::kQuick);
  EXPECT_EQ(ChooseFirstRun(heavy, true, true), FirstRun::kTuned);
  EXPECT_EQ(ChooseFirstRun(light, true, false), FirstRun::kTuned);
  EXPECT_EQ(ChooseFirstRun(TierCosts{0, 0, 0}, true, true), FirstRun::kTuned);
  EXPECT_LT(PredictedFirstRunMs(light, true, FirstRun::kQuick), PredictedFirstRunMs(light, true, FirstRun::kTuned));
  // A GPU: the TransNetV2 backbone at T=100 (82.2 GFLOP, 12 tuned pipelines against 3 quick ones) starts
  // sooner on the quick tier; a model of 5 TFLOP would run too long on it.
  TierCosts backbone{12, 3, 82.2e9};
  TierCosts huge{12, 3, 5e12};
  EXPECT_EQ(ChooseFirstRun(backbone, false, true), FirstRun::kQuick);
  EXPECT_EQ(ChooseFirstRun(huge, false, true), FirstRun::kTuned);
}

TEST(FirstRun, NamesParseBack) {
  for (FirstRun f : {FirstRun::kAuto, FirstRun::kTuned, FirstRun::kQuick, FirstRun::kQuickOnly}) {
    auto back = ParseFirstRun(FirstRunName(f));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, f);
  }
  EXPECT_FALSE(ParseFirstRun("fast").ok());
}

}  // namespace
}  // namespace webconv::runtime
