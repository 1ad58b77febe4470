// A tensor larger than the device's buffer limits fails with a device error (exit 4) naming the tensor
// and both sizes, and a session created afterwards still works. SwiftShader's limits are gigabytes,
// so the test lowers them with the WEBCONV_GPU_MAX_BUFFER_BYTES hook (gpu/native/native_device.h). A
// tensor of 2^31 elements or more is a model error the plan reports first, for every op.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "model_builder.h"
#include "onnx/loader.h"
#include "runtime/session.h"

namespace webconv {
namespace {

// y = x + w with a 2048-element float initializer w (8 KiB).
std::shared_ptr<const onnx::Model> AddModel() {
  testing::ModelBuilder b(13);
  b.Input("x", DType::kFloat32, {2048});
  HostTensor w(DType::kFloat32, {2048});
  for (int i = 0; i < 2048; ++i) w.SetDouble(i, i * 0.5);
  b.Initializer("big_weight", w);
  b.Node("Add", {"x", "big_weight"}, {"y"}, {}, "add");
  b.Output("y", DType::kFloat32);
  auto m = onnx::LoadModelBytes(b.Serialize());
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.value();
}

Result<std::map<std::string, HostTensor>> RunOnce(const std::shared_ptr<const onnx::Model>& model) {
  runtime::SessionOptions so;
  so.backend = runtime::Backend::kWebGpu;
  auto s = runtime::Session::FromModel(model, so);
  if (!s.ok()) return s.status();
  std::map<std::string, HostTensor> feeds;
  feeds.emplace("x", HostTensor(DType::kFloat32, {2048}));
  return (*s)->Run(feeds);
}

TEST(GpuLimits, TensorOverTheBufferLimitNamesTensorAndSizes) {
  auto model = AddModel();
  ::setenv("WEBCONV_GPU_MAX_BUFFER_BYTES", "4096", 1);
  auto r = RunOnce(model);
  ::unsetenv("WEBCONV_GPU_MAX_BUFFER_BYTES");
  ASSERT_FALSE(r.ok());
  const std::string m = r.status().ToString();
  EXPECT_EQ(r.status().code, StatusCode::kDevice) << m;
  // Every tensor of the model needs 8 KiB; the planner meets one of them first.
  EXPECT_TRUE(m.find("buffer 'big_weight'") != std::string::npos ||
              m.find("buffer 'x'") != std::string::npos || m.find("buffer 'y'") != std::string::npos)
      << m;
  EXPECT_NE(m.find("8192 bytes"), std::string::npos) << m;  // what the tensor needs
  EXPECT_NE(m.find("4096 bytes"), std::string::npos) << m;  // what the device allows
  EXPECT_EQ(m.find('\n'), std::string::npos) << "one line: " << m;

  // The failure left nothing behind: a new session on a new device runs the same model.
  auto again = RunOnce(model);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_DOUBLE_EQ(again->at("y").GetDouble(2047), 2047 * 0.5);
}

// A tensor of 2^31 elements or more is refused by the plan, for any op, naming the node and the tensor,
// before any buffer is made (an intermediate here: the feed is one float, the Expand's output 8 GiB).
TEST(GpuLimits, TensorOf2To31ElementsIsRefusedBeforeAllocation) {
  testing::ModelBuilder b(13);
  b.Input("x", DType::kFloat32, {1});
  HostTensor shape(DType::kInt64, {1});
  shape.SetInt(0, int64_t{1} << 31);
  b.Initializer("shape", shape);
  b.Node("Expand", {"x", "shape"}, {"wide"}, {}, "expand");
  b.Node("ReduceSum", {"wide"}, {"y"}, {testing::IntAttr("keepdims", 0)}, "sum");
  b.Output("y", DType::kFloat32);
  auto model = onnx::LoadModelBytes(b.Serialize());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  runtime::SessionOptions so;
  so.backend = runtime::Backend::kWebGpu;
  auto s = runtime::Session::FromModel(*model, so);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::map<std::string, HostTensor> feeds;
  feeds.emplace("x", HostTensor(DType::kFloat32, {1}));
  auto r = (*s)->Run(feeds);
  ASSERT_FALSE(r.ok());
  const std::string m = r.status().ToString();
  EXPECT_EQ(r.status().code, StatusCode::kBadModel) << m;
  EXPECT_NE(m.find("Expand 'expand': "), std::string::npos) << m;
  EXPECT_NE(m.find("tensor 'wide' has 2147483648 elements"), std::string::npos) << m;
}

}  // namespace
}  // namespace webconv
