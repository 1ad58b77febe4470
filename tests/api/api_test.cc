// The public C++ API on models/small_mlp.onnx: declared inputs/outputs with symbolic dims, webgpu and cpu
// agreeing with each other and with the runtime underneath, zero-copy tensors, loading from bytes, and
// the version report.
#include "api_test.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "api/tensor_access.h"
#include "model_builder.h"
#include "runtime/compare.h"
#include "runtime/session.h"

namespace webconv::api_test {
namespace {

TEST(Api, InputsAndOutputsNameSymbolicDims) {
  auto s = Session::load(SmallMlp(), {.backend = Backend::kCpu});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->inputs().size(), 1u);
  const TensorInfo& in = s->inputs()[0];
  EXPECT_EQ(in.name, "features");
  EXPECT_EQ(in.dtype, DType::kFloat32);
  EXPECT_TRUE(in.has_shape);
  EXPECT_EQ(in.shape, (std::vector<int64_t>{-1, 64}));
  EXPECT_EQ(in.dim_names, (std::vector<std::string>{"batch", ""}));
  EXPECT_EQ(in.shape_string(), "[batch,64]");
  EXPECT_FALSE(in.optional);
  ASSERT_EQ(s->outputs().size(), 1u);
  EXPECT_EQ(s->outputs()[0].name, "probabilities");
  EXPECT_EQ(s->outputs()[0].shape_string(), "[batch,32]");
  EXPECT_EQ(s->adapter(), nullptr);  // the cpu backend has none
}

// An in-memory model (Session::load(bytes)): unnamed-output shapes and builder-named symbolic dims.
TEST(Api, LoadFromBytesCopiesThem) {
  testing::ModelBuilder b;
  b.Input("x", DType::kFloat32, {-1, 3, -1});
  b.Output("y", DType::kFloat32);
  b.Node("Relu", {"x"}, {"y"}, {}, "relu0");
  std::vector<uint8_t> bytes = b.Serialize();
  auto s = Session::load(bytes, {.backend = Backend::kCpu});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::fill(bytes.begin(), bytes.end(), uint8_t{0});  // load() copied them: the session must not care
  bytes.clear();
  bytes.shrink_to_fit();
  EXPECT_EQ(s->inputs()[0].shape_string(), "[d0,3,d2]");
  EXPECT_FALSE(s->outputs()[0].has_shape);
  EXPECT_EQ(s->outputs()[0].shape_string(), "?");
  auto x = Tensor::from_vector<float>({1, 3, 2}, {-1, 2, -3, 4, -5, 6});
  ASSERT_TRUE(x.ok());
  auto out = s->run({{"x", *x}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const auto y = out->at("y").values<float>();
  EXPECT_EQ(std::vector<float>(y.begin(), y.end()), (std::vector<float>{0, 2, 0, 4, 0, 6}));
}

// webgpu and the float64 reference through the API agree within `webconv check`'s tolerance, and the API's
// cpu result is bit-identical to runtime::Session's on the same input.
TEST(Api, WebGpuAndCpuAgreeWithRuntime) {
  const std::vector<float> features = Features(3, 11);
  auto x = Tensor::copy_of(DType::kFloat32, {3, 64}, features.data(), features.size() * sizeof(float));
  ASSERT_TRUE(x.ok());

  auto gpu = Session::load(SmallMlp());
  ASSERT_TRUE(gpu.ok()) << gpu.status().ToString();
  ASSERT_NE(gpu->adapter(), nullptr);
  std::printf("adapter: %s, driver: %s\n", gpu->adapter()->name.c_str(), gpu->adapter()->driver.c_str());
  auto cpu = Session::load(SmallMlp(), {.backend = Backend::kCpu});
  ASSERT_TRUE(cpu.ok()) << cpu.status().ToString();
  auto got = gpu->run({{"features", *x}});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  auto want = cpu->run({{"features", *x}});
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  ASSERT_EQ(want->size(), 1u);
  const Tensor& g = got->at("probabilities");
  const Tensor& w = want->at("probabilities");
  EXPECT_EQ(g.description(), "float32[3,32]");
  EXPECT_EQ(w.description(), "float32[3,32]");
  const auto c =
      runtime::Compare(detail::TensorAccess::ToHost(g), detail::TensorAccess::ToHost(w), {1e-4, 1e-3});
  EXPECT_TRUE(c.ok) << c.message << " max abs " << c.max_abs;

  runtime::SessionOptions so;
  so.backend = runtime::Backend::kCpu;  // the API's kCpu is the runtime's, byte for byte
  auto rt = runtime::Session::Load(SmallMlp(), so);
  ASSERT_TRUE(rt.ok()) << rt.status().ToString();
  auto rt_out = (*rt)->Run({{"features", detail::TensorAccess::ToHost(*x)}});
  ASSERT_TRUE(rt_out.ok()) << rt_out.status().ToString();
  const HostTensor& r = rt_out->at("probabilities");
  ASSERT_EQ(r.byte_size(), w.byte_size());
  EXPECT_EQ(std::memcmp(r.data(), w.data(), w.byte_size()), 0);
}

TEST(Api, TensorsShareBytesInsteadOfCopying) {
  std::vector<float> caller = Features(2, 5);
  auto v = Tensor::view(DType::kFloat32, {2, 64}, caller.data(), caller.size() * sizeof(float));
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->is_view());
  EXPECT_EQ(v->data(), caller.data());
  EXPECT_EQ(v->mutable_data(), nullptr);  // a view is read-only
  // What run() hands the runtime is the caller's memory itself.
  const HostTensor h = detail::TensorAccess::ToHost(*v);
  EXPECT_EQ(static_cast<const void*>(h.data()), static_cast<const void*>(caller.data()));
  const Tensor copy = *v;  // copies share the bytes
  EXPECT_EQ(copy.data(), caller.data());

  // from_vector takes the vector's buffer.
  std::vector<float> values(128, 0.5f);
  const float* buffer = values.data();
  auto owned = Tensor::from_vector({2, 64}, std::move(values));
  ASSERT_TRUE(owned.ok());
  EXPECT_EQ(owned->data(), buffer);
  EXPECT_FALSE(owned->is_view());
  EXPECT_NE(owned->mutable_data(), nullptr);

  // An output keeps the runtime's buffer.
  HostTensor rt_out(DType::kFloat32, {4});
  const uint8_t* rt_bytes = rt_out.data();
  Tensor out = detail::TensorAccess::FromHost(std::move(rt_out));
  EXPECT_EQ(out.data(), static_cast<const void*>(rt_bytes));
  EXPECT_EQ(out.mutable_data(), nullptr);
  auto c = out.clone();
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->data(), out.data());
  EXPECT_NE(c->mutable_data(), nullptr);

  // A run on a view gives what a run on an owning copy gives.
  auto s = Session::load(SmallMlp(), {.backend = Backend::kCpu});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto from_view = s->run({{"features", *v}});
  auto owned_copy = v->clone();
  ASSERT_TRUE(owned_copy.ok());
  auto from_copy = s->run({{"features", *owned_copy}});
  ASSERT_TRUE(from_view.ok() && from_copy.ok());
  const auto a = from_view->at("probabilities").values<float>();
  const auto b = from_copy->at("probabilities").values<float>();
  ASSERT_EQ(a.size(), 64u);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
  EXPECT_TRUE(from_view->at("probabilities").values<int32_t>().empty());  // wrong element type: empty
}

TEST(Api, TensorFactoriesCheckTheirArguments) {
  float data[6] = {};
  auto short_bytes = Tensor::view(DType::kFloat32, {2, 4}, data, sizeof(data));
  ASSERT_FALSE(short_bytes.ok());
  EXPECT_EQ(short_bytes.status().code, StatusCode::kUsage);
  EXPECT_EQ(short_bytes.status().ToString(), "tensor float32[2,4] needs 32 bytes, got 24");
  auto negative = Tensor::zeros(DType::kFloat32, {2, -1});
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().code, StatusCode::kUsage) << negative.status().ToString();
  auto huge = Tensor::zeros(DType::kFloat32, {int64_t{1} << 30, int64_t{1} << 30});
  EXPECT_FALSE(huge.ok());  // refused before allocating
  auto strings = Tensor::zeros(DType::kString, {1});
  ASSERT_FALSE(strings.ok());
  EXPECT_EQ(strings.status().ToString(), "tensor dtype string is not supported");
}

TEST(Api, NpyRoundTrip) {
  auto t = Tensor::from_vector<int64_t>({2, 3}, {1, -2, 3, -4, 5, -6});
  ASSERT_TRUE(t.ok());
  const std::string path = ::testing::TempDir() + std::to_string(getpid()) + "_api_roundtrip.npy";
  ASSERT_TRUE(write_npy(path, *t).ok());
  auto back = read_npy(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->description(), "int64[2,3]");
  const auto v = back->values<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(v.begin(), v.end()), (std::vector<int64_t>{1, -2, 3, -4, 5, -6}));
  std::remove(path.c_str());
}

// write_npy replaces a regular file whole, and refuses to write through a symbolic link or into a folder;
// a refused or failed write leaves what was there.
TEST(Api, NpyWriteNeverFollowsLinks) {
  auto t = Tensor::from_vector<float>({2}, {1.5f, -2.5f});
  ASSERT_TRUE(t.ok());
  const std::string base = ::testing::TempDir() + std::to_string(getpid()) + "_api_write_";
  const std::string victim = base + "victim.txt", link = base + "link.npy", file = base + "file.npy";
  { std::ofstream(victim) << "keep me\n"; }
  ASSERT_EQ(symlink(victim.c_str(), link.c_str()), 0);
  const Status through_link = write_npy(link, *t);
  EXPECT_EQ(through_link.code, StatusCode::kUsage);
  EXPECT_NE(through_link.message.find("symbolic link"), std::string::npos) << through_link.message;
  std::stringstream kept;
  kept << std::ifstream(victim).rdbuf();
  EXPECT_EQ(kept.str(), "keep me\n");
  const Status into_folder = write_npy(::testing::TempDir(), *t);
  EXPECT_EQ(into_folder.code, StatusCode::kUsage);
  EXPECT_NE(into_folder.message.find("not a regular file"), std::string::npos) << into_folder.message;
  { std::ofstream(file) << "old\n"; }
  ASSERT_TRUE(write_npy(file, *t).ok());  // a regular file is replaced, as documented
  auto back = read_npy(file);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->values<float>()[1], -2.5f);
  for (const std::string& p : {victim, link, file}) std::remove(p.c_str());
}

// The library, its header and `webconv --version` report the project(VERSION) of CMakeLists.txt, and the
// WebGPU library the build was configured with.
TEST(Api, VersionMatchesTheCliAndTheProject) {
  EXPECT_STREQ(version(), WEBCONV_PROJECT_VERSION);
  EXPECT_STREQ(version(), WEBCONV_VERSION_STRING);
  const DawnBuild d = dawn_build();
  EXPECT_FALSE(d.configured_path.empty());
  if (d.configured_path.find("node_modules/bun-webgpu-linux-x64/") != std::string::npos) {
    std::ifstream pkg(d.configured_path.substr(0, d.configured_path.rfind('/')) + "/package.json");
    const std::string json((std::istreambuf_iterator<char>(pkg)), std::istreambuf_iterator<char>());
    const std::string version_field =
        "\"version\": \"" + d.configured_package.substr(d.configured_package.find('@') + 1) + "\"";
    EXPECT_EQ(d.configured_package.rfind("bun-webgpu-linux-x64@", 0), 0u) << d.configured_package;
    EXPECT_NE(json.find(version_field), std::string::npos) << version_field;
  }
  FILE* p = popen(WEBCONV_CLI " --version", "r");
  ASSERT_NE(p, nullptr);
  std::string cli;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof(buf), p)) cli.append(buf, n);
  EXPECT_EQ(pclose(p), 0);
  EXPECT_EQ(cli, version_text());
  EXPECT_EQ(cli.rfind(std::string("webconv ") + version() + "\n", 0), 0u) << cli;
  EXPECT_NE(cli.find(d.configured_package), std::string::npos) << cli;
}

}  // namespace
}  // namespace webconv::api_test
