// The CPU backend's memory budget covers every tensor a run holds at once, checked when the plan is made:
// outputs that fit one by one but not together fail before anything is allocated, naming the node that
// would pass the budget; a long chain whose intermediates are freed as it goes fits.
#include <gtest/gtest.h>

#include "model_builder.h"
#include "onnx/loader.h"
#include "runtime/session.h"

namespace webconv::runtime {
namespace {

std::unique_ptr<Session> CpuSession(const testing::ModelBuilder& b, uint64_t budget) {
  auto model = onnx::LoadModelBytes(b.Serialize());
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  SessionOptions o;
  o.backend = Backend::kReference;
  o.cpu_memory_budget = budget;
  auto s = Session::FromModel(*model, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

HostTensor Ones(int64_t n) {
  HostTensor t(DType::kFloat32, {n});
  for (int64_t i = 0; i < n; ++i) t.SetDouble(i, 1.0);
  return t;
}

// Three outputs of 4000 bytes each: two fit a 10000-byte budget, the third does not.
TEST(CpuBudget, OutputsThatFitAloneButNotTogetherFailAtPlanTime) {
  testing::ModelBuilder b(13);
  b.Input("x", DType::kFloat32, {1000});
  for (const char* y : {"y1", "y2", "y3"}) {
    b.Node("Relu", {"x"}, {y}, {}, std::string("relu_") + y);
    b.Output(y, DType::kFloat32);
  }
  auto s = CpuSession(b, 10000);
  ASSERT_TRUE(s);
  auto r = s->Run({{"x", Ones(1000)}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code, StatusCode::kBadModel);
  EXPECT_EQ(r.status().ToString(),
            "Relu 'relu_y3': output 'y3' float32[1000] needs 4000 bytes while the run already holds 8000; together "
            "that is more than the CPU backend's memory budget of 10000 bytes");
  EXPECT_TRUE(CpuSession(b, 12000)->Run({{"x", Ones(1000)}}).ok());
}

// A chain of 20 nodes of 4000 bytes each holds at most two at a time.
TEST(CpuBudget, FreedIntermediatesDoNotCount) {
  testing::ModelBuilder b(13);
  b.Input("x", DType::kFloat32, {1000});
  std::string prev = "x";
  for (int i = 0; i < 20; ++i) {
    const std::string out = i == 19 ? "y" : "v" + std::to_string(i);
    b.Node("Relu", {prev}, {out});
    prev = out;
  }
  b.Output("y", DType::kFloat32);
  auto s = CpuSession(b, 8000);
  ASSERT_TRUE(s);
  auto r = s->Run({{"x", Ones(1000)}});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

}  // namespace
}  // namespace webconv::runtime
