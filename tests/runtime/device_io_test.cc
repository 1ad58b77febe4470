// Inputs and outputs that stay on the GPU (runtime::DeviceIo, the JS API's 'gpu-buffer' tensors): a feed
// copied from a buffer of the session's device, outputs left in buffers the caller owns, and the refusals
// (a dtype whose GPU words are not its bytes, an input the plan reads on the host, a buffer too small, a
// CPU session). Also which inputs the plan reads on the host.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>

#include "differential.h"
#include "model_builder.h"
#include "onnx/loader.h"
#include "runtime/compare.h"
#include "runtime/session.h"

namespace webconv::runtime {
namespace {

// y = Relu(Conv(x)) + z, and a second output s = Sigmoid(z); `c` is an initializer passed through
// (folded when planning: no GPU storage of its own).
std::vector<uint8_t> TwoInputModel(std::mt19937_64& rng) {
  testing::ModelBuilder m(13);
  m.Input("x", DType::kFloat32, {1, 4, 6, 5});
  m.Input("z", DType::kFloat32, {1, 6, 6, 5});
  m.Initializer("w", testing::RandomTensor(DType::kFloat32, {6, 4, 3, 3}, rng, -0.4, 0.4));
  m.Initializer("c", testing::RandomTensor(DType::kFloat32, {3}, rng));
  m.Node("Conv", {"x", "w"}, {"conv"}, {testing::IntsAttr("pads", {1, 1, 1, 1})}, "conv");
  m.Node("Relu", {"conv"}, {"relu"}, {}, "relu");
  m.Node("Add", {"relu", "z"}, {"y"}, {}, "add");
  m.Node("Sigmoid", {"z"}, {"s"}, {}, "sigmoid");
  m.Node("Identity", {"c"}, {"c_out"}, {}, "identity");
  m.Output("y", DType::kFloat32);
  m.Output("s", DType::kFloat32);
  m.Output("c_out", DType::kFloat32);
  return m.Serialize();
}

std::unique_ptr<Session> Open(const std::vector<uint8_t>& bytes, Backend backend = Backend::kWebGpu) {
  auto model = onnx::LoadModelBytes(bytes);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  if (!model.ok()) return nullptr;
  SessionOptions o;
  o.backend = backend;
  if (backend == Backend::kWebGpu) o.shared_device = testing::SharedDevice();
  auto s = Session::FromModel(*model, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

// The tensor in a new buffer of the device.
DeviceTensor Upload(gpu::Device& device, const HostTensor& t) {
  auto buffer = device.CreateBuffer(t.byte_size(), "test input");
  EXPECT_TRUE(buffer.ok()) << buffer.status().ToString();
  if (!buffer.ok()) return {};
  EXPECT_TRUE(device.Write(**buffer, 0, t.data(), t.byte_size()).ok());
  return DeviceTensor{t.dtype(), t.shape(), *buffer};
}

HostTensor Download(gpu::Device& device, const DeviceTensor& d) {
  HostTensor t(d.dtype, d.shape);
  const Status st = device.Read(*d.buffer, 0, t.mutable_data(), t.byte_size());
  EXPECT_TRUE(st.ok()) << st.ToString();
  return t;
}

void ExpectSameBits(const HostTensor& got, const HostTensor& want, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  ASSERT_EQ(got.byte_size(), want.byte_size()) << what;
  EXPECT_EQ(0, std::memcmp(got.data(), want.data(), got.byte_size())) << what << ": not bit-identical";
}

TEST(DeviceIo, InputsFromAndOutputsToGpuBuffersMatchHostRuns) {
  const uint64_t seed = 20261207;
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  const std::vector<uint8_t> bytes = TwoInputModel(rng);
  auto session = Open(bytes);
  ASSERT_TRUE(session);
  gpu::Device& device = *testing::SharedDevice();
  std::vector<std::map<std::string, HostTensor>> feeds(2);
  std::vector<std::map<std::string, HostTensor>> host(2);
  for (int r = 0; r < 2; ++r) {
    feeds[r] = {{"x", testing::RandomTensor(DType::kFloat32, {1, 4, 6, 5}, rng)},
                {"z", testing::RandomTensor(DType::kFloat32, {1, 6, 6, 5}, rng)}};
    auto out = session->Run(feeds[r]);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    host[r] = std::move(out).value();
    auto ref = testing::RunOn(Backend::kReference, bytes, feeds[r]);
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    const Comparison c = Compare(host[r].at("y"), ref->at("y"), Tolerance{1e-5, 1e-4});
    EXPECT_TRUE(c.ok) << c.message;
  }
  // x on the GPU, z on the host; y and the folded c_out kept on the GPU, s read back.
  std::vector<DeviceIo> io(2);
  for (int r = 0; r < 2; ++r) {
    io[r].inputs["x"] = Upload(device, feeds[r].at("x"));
    io[r].keep = {"y", "c_out"};
    auto out = session->Run({{"z", feeds[r].at("z")}}, nullptr, &io[r]);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(out->count("y"), 0u) << "a kept output is not in the host result";
    ASSERT_EQ(out->count("s"), 1u);
    ExpectSameBits(out->at("s"), host[r].at("s"), "s, read back");
    ASSERT_EQ(io[r].outputs.size(), 2u);
    EXPECT_EQ(io[r].outputs.at("y").shape, (Shape{1, 6, 6, 5}));
  }
  // Each run's kept outputs are buffers of their own: the second run left the first one's as they were.
  for (int r = 0; r < 2; ++r) {
    ExpectSameBits(Download(device, io[r].outputs.at("y")), host[r].at("y"), "y kept on the GPU, run " + std::to_string(r));
    ExpectSameBits(Download(device, io[r].outputs.at("c_out")), host[r].at("c_out"), "c_out kept on the GPU");
  }
  // Both inputs on the GPU, everything kept.
  DeviceIo all;
  all.inputs = {{"x", Upload(device, feeds[0].at("x"))}, {"z", Upload(device, feeds[0].at("z"))}};
  all.keep = {"y", "s", "c_out"};
  auto out = session->Run({}, nullptr, &all);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->empty());
  for (const char* name : {"y", "s", "c_out"}) ExpectSameBits(Download(device, all.outputs.at(name)), host[0].at(name), name);
}

// A model whose second input sets a shape (Reshape's): the plan reads it on the host.
std::vector<uint8_t> ReshapeModel() {
  testing::ModelBuilder m(13);
  m.Input("x", DType::kFloat32, {2, 6});
  m.Input("shape", DType::kInt64, {2});
  m.Node("Reshape", {"x", "shape"}, {"y"}, {}, "reshape");
  m.Node("ArgMax", {"x"}, {"arg"}, {}, "argmax");
  m.Output("y", DType::kFloat32);
  m.Output("arg", DType::kInt64);
  return m.Serialize();
}

TEST(DeviceIo, RefusalsNameTheTensorAndTheReason) {
  std::mt19937_64 rng(7);
  std::printf("seed 7\n");
  auto session = Open(ReshapeModel());
  ASSERT_TRUE(session);
  gpu::Device& device = *testing::SharedDevice();
  const HostTensor x = testing::RandomTensor(DType::kFloat32, {2, 6}, rng);
  HostTensor shape(DType::kInt64, {2});
  shape.SetInt(0, 3);
  shape.SetInt(1, 4);
  auto expect_error = [&](const std::map<std::string, HostTensor>& feeds, DeviceIo io, const std::string& text) {
    auto out = session->Run(feeds, nullptr, &io);
    ASSERT_FALSE(out.ok()) << "expected: " << text;
    EXPECT_NE(out.status().ToString().find(text), std::string::npos) << out.status().ToString();
  };
  {
    DeviceIo io;
    io.inputs["shape"] = DeviceTensor{DType::kInt64, {2}, device.CreateBuffer(16, "shape").value()};
    expect_error({{"x", x}}, io, "input 'shape': int64 tensors cannot be given on the GPU");
  }
  {
    DeviceIo io;
    io.inputs["shape"] = DeviceTensor{DType::kInt32, {2}, device.CreateBuffer(16, "shape").value()};
    expect_error({{"x", x}}, io, "input 'shape' sets shapes or values when the model is planned");
  }
  {
    DeviceIo io;
    io.inputs["x"] = DeviceTensor{DType::kFloat32, {2, 6}, device.CreateBuffer(16, "x").value()};
    expect_error({{"shape", shape}}, io, "input 'x': float32[2,6] needs 48 bytes, its GPU buffer has 16");
  }
  {
    DeviceIo io;
    io.inputs["x"] = Upload(device, x);
    expect_error({{"x", x}, {"shape", shape}}, io, "input 'x' was given twice");
  }
  {
    DeviceIo io;
    io.keep = {"nothing"};
    expect_error({{"x", x}, {"shape", shape}}, io, "'nothing' is not an output of the model");
  }
  {
    DeviceIo io;
    io.keep = {"arg"};
    expect_error({{"x", x}, {"shape", shape}}, io, "output 'arg': int64 tensors cannot be kept on the GPU");
  }
  // The session still runs after the refusals (another x than the one uploaded above: a pooled buffer may
  // still hold that one).
  const HostTensor x2 = testing::RandomTensor(DType::kFloat32, {2, 6}, rng);
  DeviceIo io;
  io.inputs["x"] = Upload(device, x2);
  io.keep = {"y"};
  auto out = session->Run({{"shape", shape}}, nullptr, &io);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  HostTensor y = Download(device, io.outputs.at("y"));
  EXPECT_EQ(y.shape(), (Shape{3, 4}));
  ExpectSameBits(HostTensor::Owned(DType::kFloat32, {3, 4}, std::vector<uint8_t>(y.data(), y.data() + y.byte_size())),
                 HostTensor::Owned(DType::kFloat32, {3, 4}, std::vector<uint8_t>(x2.data(), x2.data() + x2.byte_size())),
                 "Reshape of x");
  auto cpu = Open(ReshapeModel(), Backend::kReference);
  ASSERT_TRUE(cpu);
  DeviceIo on_cpu;
  on_cpu.keep = {"y"};
  auto refused = cpu->Run({{"x", x}, {"shape", shape}}, nullptr, &on_cpu);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().ToString().find("tensors on the GPU need the webgpu backend"), std::string::npos)
      << refused.status().ToString();
}

// Which inputs the plan reads on the host: those a host input needs, also through the nodes that compute
// it (Range's limit as size + 1), but not through Shape (an image whose shape sets a Reshape).
std::vector<uint8_t> ComputedLimitModel() {
  testing::ModelBuilder m(13);
  m.Input("size", DType::kInt64, {});
  m.Input("x", DType::kFloat32, {2, 6});
  HostTensor zero(DType::kInt64, {}), one(DType::kInt64, {});
  one.SetInt(0, 1);
  m.Initializer("zero", zero);
  m.Initializer("one", one);
  m.Node("Add", {"size", "one"}, {"limit"}, {}, "limit");
  m.Node("Range", {"zero", "limit", "one"}, {"r"}, {}, "range");
  m.Node("Shape", {"x"}, {"shape"}, {}, "shape");
  m.Node("Reshape", {"x", "shape"}, {"y"}, {}, "reshape");
  m.Output("r", DType::kInt64);
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

TEST(InputsReadOnHost, FollowTheNodesThatComputeAHostInput) {
  auto session = Open(ComputedLimitModel());
  ASSERT_TRUE(session);
  EXPECT_TRUE(session->InputReadOnHost("size")) << "Range's limit is size + 1";
  EXPECT_FALSE(session->InputReadOnHost("x")) << "only x's shape reaches the Reshape";
  std::mt19937_64 rng(3);
  std::printf("seed 3\n");
  const HostTensor x = testing::RandomTensor(DType::kFloat32, {2, 6}, rng);
  for (int64_t n : {4, 9}) {
    HostTensor size(DType::kInt64, {});
    size.SetInt(0, n);
    auto out = session->Run({{"size", size}, {"x", x}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const HostTensor& r = out->at("r");
    ASSERT_EQ(r.shape(), (Shape{n + 1}));
    for (int64_t i = 0; i <= n; ++i) EXPECT_EQ(r.GetInt(i), i);
    ExpectSameBits(out->at("y"), x, "Reshape of x to its own shape");
  }
}

}  // namespace
}  // namespace webconv::runtime
