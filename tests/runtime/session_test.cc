// Session behaviour: plans cached per input shape, intermediates sharing buffers, WebGPU agreeing with
// the float64 reference on the bundled small network for several batch sizes.
#include <gtest/gtest.h>

#include <random>

#include "runtime/compare.h"
#include "runtime/session.h"

namespace webconv::runtime {
namespace {

const std::string kModel = std::string(WEBCONV_SOURCE_DIR) + "/models/small_mlp.onnx";

HostTensor RandomFeatures(int64_t batch, uint32_t seed) {
  HostTensor t(DType::kFloat32, {batch, 64});
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.SetDouble(i, uni(rng));
  return t;
}

std::unique_ptr<Session> Load(Backend b) {
  SessionOptions o;
  o.backend = b;
  auto s = Session::Load(kModel, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(Session, PlansAreCachedPerInputShape) {
  auto s = Load(Backend::kWebGpu);
  ASSERT_TRUE(s);
  RunStats st;
  for (auto [batch, expect_planned] : {std::pair{1, true}, {4, true}, {1, false}, {4, false}}) {
    auto out = s->Run({{"features", RandomFeatures(batch, 7)}}, &st);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(st.planned, expect_planned) << "batch " << batch;
    EXPECT_EQ(out->at("probabilities").shape(), (Shape{batch, 32}));
  }
  EXPECT_EQ(s->plan_count(), 2u);
}

TEST(Session, IntermediatesShareBuffers) {
  auto s = Load(Backend::kWebGpu);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Run({{"features", RandomFeatures(2, 3)}}).ok());
  const Plan* p = s->last_plan();
  ASSERT_NE(p, nullptr);
  // A chain of kernels needs only a couple of live buffers at a time.
  EXPECT_GT(p->intermediate_values(), 3u);
  EXPECT_LT(p->intermediate_buffers(), p->intermediate_values());
}

TEST(Session, WebGpuAndCpuMatchFloat64Reference) {
  auto gpu = Load(Backend::kWebGpu);
  auto cpu = Load(Backend::kCpu);
  auto ref = Load(Backend::kReference);
  ASSERT_TRUE(gpu && cpu && ref);
  for (uint32_t seed : {1u, 2u, 3u}) {
    for (int64_t batch : {1, 3, 8}) {
      SCOPED_TRACE(testing::Message() << "seed " << seed << " batch " << batch);
      const auto feeds = std::map<std::string, HostTensor>{{"features", RandomFeatures(batch, seed)}};
      auto want = ref->Run(feeds);
      ASSERT_TRUE(want.ok()) << want.status().ToString();
      for (Session* s : {gpu.get(), cpu.get()}) {
        auto got = s->Run(feeds);
        ASSERT_TRUE(got.ok()) << BackendName(s->backend()) << ": " << got.status().ToString();
        const auto c = Compare(got->at("probabilities"), want->at("probabilities"), Tolerance{1e-5, 1e-4});
        EXPECT_TRUE(c.ok) << BackendName(s->backend()) << ": " << c.message;
      }
    }
  }
}

TEST(Session, RejectsWrongInputs) {
  auto s = Load(Backend::kCpu);
  ASSERT_TRUE(s);
  auto missing = s->Run({});
  EXPECT_EQ(missing.status().code, StatusCode::kUsage);
  auto unknown = s->Run({{"features", RandomFeatures(1, 1)}, {"nope", RandomFeatures(1, 1)}});
  EXPECT_EQ(unknown.status().code, StatusCode::kUsage);
  auto wrong_rank = s->Run({{"features", HostTensor(DType::kFloat32, {64})}});
  EXPECT_EQ(wrong_rank.status().code, StatusCode::kUsage);
  EXPECT_NE(wrong_rank.status().message.find("features"), std::string::npos);
  auto wrong_type = s->Run({{"features", HostTensor(DType::kInt32, {1, 64})}});
  EXPECT_EQ(wrong_type.status().code, StatusCode::kUsage);
}

}  // namespace
}  // namespace webconv::runtime
