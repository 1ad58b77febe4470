// Programs: chains of dependent dispatches, skipped dispatches, timestamps, and validation errors that
// must name the dispatch and its kernel.
#include <chrono>
#include <random>

#include "gpu_test_util.h"

namespace webconv::gpu {
namespace {

using testing::Download;
using testing::Upload;

constexpr uint32_t kWg = 64;

// out[i] = expr(x[i]) for i < u.n.
std::shared_ptr<const Kernel> Unary(const std::string& name, const std::string& expr, uint32_t n,
                                    std::vector<uint8_t>* uniforms) {
  KernelBuilder kb(name);
  kb.Input("x", ScalarType::kF32).Output("y", ScalarType::kF32);
  kb.uniforms().AddU32("n", n);
  kb.Body(
      LinearIndexWgsl(kWg) +
      "@compute @workgroup_size(64)\n"
      "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n"
      "  let i = linear_index(gid, nwg);\n  if (i >= u.n) { return; }\n  let v = x[i];\n  y[i] = " +
      expr + ";\n}\n");
  *uniforms = kb.PackUniforms();
  return kb.Build();
}

Dispatch Make(std::shared_ptr<const Kernel> k, std::vector<uint8_t> uniforms, std::vector<BufferPtr> bufs,
              uint32_t n, const std::string& label) {
  Dispatch d;
  d.kernel = std::move(k);
  d.uniforms = std::move(uniforms);
  d.buffers = std::move(bufs);
  d.label = label;
  LinearGrid(n, kWg, d.groups);
  return d;
}

struct Chain {
  std::vector<float> a;
  BufferPtr ba, bb, bc, bd;
  std::vector<Dispatch> dispatches;
};

Chain MakeChain(Device* dev, uint32_t n, unsigned seed) {
  Chain c;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-3.f, 3.f);
  c.a.resize(n);
  for (float& v : c.a) v = dist(rng);
  c.ba = Upload(dev, c.a, "a");
  c.bb = dev->CreateBuffer(n * 4, "b").value();
  c.bc = dev->CreateBuffer(n * 4, "c").value();
  c.bd = dev->CreateBuffer(n * 4, "d").value();
  std::vector<uint8_t> u;
  auto k1 = Unary("double_f32", "v * 2.0", n, &u);
  c.dispatches.push_back(Make(k1, u, {c.ba, c.bb}, n, "a_to_b"));
  auto k2 = Unary("plus_one_f32", "v + 1.0", n, &u);
  c.dispatches.push_back(Make(k2, u, {c.bb, c.bc}, n, "b_to_c"));
  auto k3 = Unary("square_f32", "v * v", n, &u);
  c.dispatches.push_back(Make(k3, u, {c.bc, c.bd}, n, "c_to_d"));
  return c;
}

TEST(GpuPrograms, DependentDispatchesSeeEachOthersWrites) {
  WC_TEST_DEVICE(dev);
  const unsigned seed = std::random_device{}();
  std::printf("seed %u\n", seed);
  const uint32_t n = 70001;
  Chain c = MakeChain(dev, n, seed);
  auto program = dev->CreateProgram(std::move(c.dispatches));
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  for (int run = 0; run < 3; ++run) {  // programs are reusable
    WC_ASSERT_OK(program.value()->Run(nullptr));
    auto d = Download<float>(dev, *c.bd, n);
    for (uint32_t i = 0; i < n; ++i) {
      const float want = (c.a[i] * 2.f + 1.f) * (c.a[i] * 2.f + 1.f);
      ASSERT_NEAR(d[i], want, 1e-4f * (1 + want)) << "i=" << i << " run " << run << " seed " << seed;
    }
  }
}

// RunAndRead writes the input through staging the program keeps between runs and reads two outputs in
// the same submission: each run must see its own input (never the previous run's) and every read lands
// at its offset, for sizes that are not multiples of 16 bytes and a read that starts mid-buffer.
TEST(GpuPrograms, RunAndReadWritesAndReadsEveryRun) {
  WC_TEST_DEVICE(dev);
  const unsigned seed = std::random_device{}();
  std::printf("seed %u\n", seed);
  const uint32_t n = 70001;
  Chain c = MakeChain(dev, n, seed);
  auto program = dev->CreateProgram(std::move(c.dispatches));
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uni(-2.f, 2.f);
  for (int run = 0; run < 4; ++run) {
    std::vector<float> a(n);
    for (float& v : a) v = uni(rng);
    std::vector<float> d(n, -1.f), b_tail(5, -1.f);
    const uint64_t tail_at = uint64_t{4} * (n - 5);
    WC_ASSERT_OK(program.value()->RunAndRead({{c.ba.get(), a.data(), uint64_t{4} * n}}, nullptr,
                                             {{c.bd.get(), 0, d.data(), uint64_t{4} * n},
                                              {c.bb.get(), tail_at, b_tail.data(), 20}}));
    for (uint32_t i = 0; i < n; ++i) {
      const float want = (a[i] * 2.f + 1.f) * (a[i] * 2.f + 1.f);
      ASSERT_NEAR(d[i], want, 1e-4f * (1 + want)) << "i=" << i << " run " << run << " seed " << seed;
    }
    for (uint32_t i = 0; i < 5; ++i) EXPECT_FLOAT_EQ(b_tail[i], a[n - 5 + i] * 2.f) << "run " << run;
  }
}

TEST(GpuPrograms, TimestampsAreNonNegativeWhenAvailable) {
  WC_TEST_DEVICE(dev);
  std::printf("timestamps %s on %s\n", dev->info().has_timestamps ? "available" : "not available",
              dev->info().name.c_str());
  const uint32_t n = 1 << 18;
  Chain c = MakeChain(dev, n, 7);
  auto program = dev->CreateProgram(std::move(c.dispatches));
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  std::vector<DispatchTiming> timings;
  for (int run = 0; run < 2; ++run) WC_ASSERT_OK(program.value()->Run(&timings));
  if (!dev->info().has_timestamps) {
    EXPECT_TRUE(timings.empty());
    return;
  }
  ASSERT_EQ(timings.size(), 3u);
  EXPECT_EQ(timings[0].label, "a_to_b");
  EXPECT_EQ(timings[2].kernel, "square_f32");
  for (const DispatchTiming& t : timings) {
    std::printf("  %-8s %-14s %.4f ms\n", t.label.c_str(), t.kernel.c_str(), t.ms);
    EXPECT_GE(t.ms, 0.0);
    EXPECT_LT(t.ms, 60e3);
  }
  // A timed run computes the same thing as an untimed one.
  auto d = Download<float>(dev, *c.bd, 4);
  EXPECT_NEAR(d[1], (c.a[1] * 2.f + 1.f) * (c.a[1] * 2.f + 1.f), 1e-3f);
}

TEST(GpuPrograms, ZeroGroupDispatchesAreSkipped) {
  WC_TEST_DEVICE(dev);
  const uint32_t n = 100;
  std::vector<float> x(n, 1.f), zeros(n, 0.f);
  auto bx = Upload(dev, x, "x");
  auto by = Upload(dev, zeros, "y");
  std::vector<uint8_t> u;
  auto k = Unary("set_seven", "7.0", n, &u);
  std::vector<Dispatch> ds;
  ds.push_back(Make(k, u, {bx, by}, n, "skipped"));
  ds.back().groups[1] = 0;
  auto program = dev->CreateProgram(std::move(ds));
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  std::vector<DispatchTiming> timings;
  WC_ASSERT_OK(program.value()->Run(&timings));
  EXPECT_EQ(Download<float>(dev, *by, n), zeros);
}

TEST(GpuPrograms, WrongBufferCountNamesDispatchAndKernel) {
  WC_TEST_DEVICE(dev);
  std::vector<uint8_t> u;
  auto k = Unary("needs_two", "v", 4, &u);
  auto b = dev->CreateBuffer(16, "only_one").value();
  std::vector<Dispatch> ds;
  ds.push_back(Make(k, u, {b}, 4, "conv_17"));
  auto program = dev->CreateProgram(std::move(ds));
  ASSERT_FALSE(program.ok());
  const std::string& m = program.status().message;
  EXPECT_NE(m.find("conv_17"), std::string::npos) << m;
  EXPECT_NE(m.find("needs_two"), std::string::npos) << m;
}

TEST(GpuPrograms, WritableAliasingIsRejected) {
  WC_TEST_DEVICE(dev);
  std::vector<uint8_t> u;
  auto k = Unary("in_place", "v", 4, &u);
  auto b = dev->CreateBuffer(16, "same").value();
  std::vector<Dispatch> ds;
  ds.push_back(Make(k, u, {b, b}, 4, "relu_3"));
  auto program = dev->CreateProgram(std::move(ds));
  ASSERT_FALSE(program.ok());
  EXPECT_NE(program.status().message.find("relu_3"), std::string::npos) << program.status().message;
}

// Too few uniform bytes for the kernel's uniform struct: Dawn rejects the dispatch when the program runs;
// the error must still say which dispatch and kernel.
TEST(GpuPrograms, RunTimeValidationErrorNamesDispatchAndKernel) {
  WC_TEST_DEVICE(dev);
  KernelBuilder kb("big_uniforms");
  kb.Output("out", ScalarType::kU32);
  kb.uniforms().AddU32("n", 1);
  kb.uniforms().AddU32Array("shape", {1, 2, 3}, 12);  // 16 + 48 bytes
  kb.Body("@compute @workgroup_size(1)\nfn main() { out[0] = u.n + shape(11u); }\n");
  auto out = dev->CreateBuffer(16, "out").value();
  Dispatch d;
  d.kernel = kb.Build();
  d.buffers = {out};
  d.uniforms = std::vector<uint8_t>(16, 0);  // should be 64
  d.label = "pool_9";
  std::vector<Dispatch> ds;
  ds.push_back(std::move(d));
  auto program = dev->CreateProgram(std::move(ds));
  Status s = program.ok() ? program.value()->Run(nullptr) : program.status();
  ASSERT_FALSE(s.ok());
  std::printf("%s\n", s.ToString().c_str());
  EXPECT_NE(s.message.find("pool_9"), std::string::npos) << s.message;
  EXPECT_NE(s.message.find("big_uniforms"), std::string::npos) << s.message;
  // The device recovers: a valid program still runs.
  std::vector<uint8_t> u;
  auto k = Unary("after_error", "v + 1.0", 4, &u);
  auto x = Upload(dev, std::vector<float>{1, 2, 3, 4}, "x");
  auto y = dev->CreateBuffer(16, "y").value();
  std::vector<Dispatch> ok;
  ok.push_back(Make(k, u, {x, y}, 4, "fine"));
  auto p2 = dev->CreateProgram(std::move(ok));
  ASSERT_TRUE(p2.ok()) << p2.status().ToString();
  WC_ASSERT_OK(p2.value()->Run(nullptr));
  EXPECT_EQ(Download<float>(dev, *y, 4), (std::vector<float>{2, 3, 4, 5}));
}

// A wait that runs past WEBCONV_GPU_TIMEOUT_S returns an error instead of hanging; the device stays usable.
TEST(GpuPrograms, WaitsTimeOutInsteadOfHanging) {
  WC_TEST_DEVICE(dev);
  const uint32_t n = 4096, iters = 2000;
  KernelBuilder kb("busy_loop");
  kb.Output("y", ScalarType::kF32);
  kb.uniforms().AddU32("n", n);
  kb.uniforms().AddU32("iters", iters);
  kb.Body(
      LinearIndexWgsl(kWg) +
      "@compute @workgroup_size(64)\n"
      "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n"
      "  let i = linear_index(gid, nwg);\n  if (i >= u.n) { return; }\n  var acc = 0.0;\n"
      "  for (var k = 0u; k < u.iters; k++) { acc = acc * 0.5 + 1.0; }\n  y[i] = acc;\n}\n");
  auto y = dev->CreateBuffer(n * 4, "y").value();
  Dispatch d;
  d.kernel = kb.Build();
  d.buffers = {y};
  d.uniforms = kb.PackUniforms();
  d.label = "busy";
  LinearGrid(n, kWg, d.groups);
  std::vector<Dispatch> ds;
  ds.push_back(std::move(d));
  auto program = dev->CreateProgram(std::move(ds));
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  setenv("WEBCONV_GPU_TIMEOUT_S", "0.000001", 1);
  const Status s = program.value()->Run(nullptr);
  unsetenv("WEBCONV_GPU_TIMEOUT_S");
  ASSERT_FALSE(s.ok());
  std::printf("%s\n", s.ToString().c_str());
  EXPECT_EQ(s.code, StatusCode::kDevice);
  EXPECT_NE(s.message.find("timed out"), std::string::npos) << s.message;
  auto got = Download<float>(dev, *y, n);  // waits behind the still-running program
  EXPECT_EQ(got[0], 2.f);
  EXPECT_EQ(got[n - 1], 2.f);
  WC_ASSERT_OK(program.value()->Run(nullptr));
}

// More dispatches than one timestamp query set can time (2048): the timed run spans several sets.
TEST(GpuPrograms, ThousandsOfDispatches) {
  WC_TEST_DEVICE(dev);
  const uint32_t n = 256, count = 2100;
  std::vector<float> x(n, 0.f);
  auto a = Upload(dev, x, "ping");
  auto b = Upload(dev, x, "pong");
  std::vector<uint8_t> u;
  auto k = Unary("inc", "v + 1.0", n, &u);
  std::vector<Dispatch> ds;
  for (uint32_t i = 0; i < count; ++i) {
    ds.push_back(Make(k, u, i % 2 ? std::vector<BufferPtr>{b, a} : std::vector<BufferPtr>{a, b}, n,
                      "inc_" + std::to_string(i)));
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto program = dev->CreateProgram(std::move(ds));
  const auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  WC_ASSERT_OK(program.value()->Run(nullptr));
  const auto t2 = std::chrono::steady_clock::now();
  std::printf("%u dispatches: CreateProgram %.1f ms, first Run %.1f ms\n", count,
              std::chrono::duration<double, std::milli>(t1 - t0).count(),
              std::chrono::duration<double, std::milli>(t2 - t1).count());
  EXPECT_EQ(Download<float>(dev, *a, 1)[0], static_cast<float>(count));  // ping-ponged back into a
  std::vector<DispatchTiming> timings;
  WC_ASSERT_OK(program.value()->Run(&timings));
  EXPECT_EQ(Download<float>(dev, *a, 1)[0], static_cast<float>(2 * count));
  if (!dev->info().has_timestamps) return;
  ASSERT_EQ(timings.size(), count);
  double total = 0;
  for (const DispatchTiming& t : timings) {
    EXPECT_GE(t.ms, 0.0);
    total += t.ms;
  }
  EXPECT_EQ(timings.back().label, "inc_" + std::to_string(count - 1));
  EXPECT_GT(total, 0.0);
}

}  // namespace
}  // namespace webconv::gpu
