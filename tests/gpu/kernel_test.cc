// Kernels on the GPU: KernelBuilder + uniforms against a CPU computation, the uniform layout as WGSL
// sees it, the pipeline cache, and compile errors.
#include <cmath>
#include <memory>
#include <random>
#include <utility>

#include "gpu/pipeline_cache.h"
#include "gpu_test_util.h"

namespace webconv::gpu {
namespace {

using testing::Download;
using testing::Upload;

constexpr uint32_t kWg = 64;

std::string Entry(const std::string& body) {
  return LinearIndexWgsl(kWg) + "@compute @workgroup_size(" + std::to_string(kWg) +
         ")\nfn main(@builtin(global_invocation_id) gid: vec3<u32>, "
         "@builtin(num_workgroups) nwg: vec3<u32>) {\n  let i = linear_index(gid, nwg);\n" +
         body + "}\n";
}

Status RunOne(Device* dev, const KernelBuilder& kb, std::vector<BufferPtr> buffers, uint64_t threads,
              const std::string& label) {
  Dispatch d;
  d.kernel = kb.Build();
  d.buffers = std::move(buffers);
  d.uniforms = kb.PackUniforms();
  d.label = label;
  LinearGrid(threads, kWg, d.groups);
  std::vector<Dispatch> ds;
  ds.push_back(std::move(d));
  auto program = dev->CreateProgram(std::move(ds));
  if (!program.ok()) return program.status();
  return program.value()->Run(nullptr);
}

TEST(GpuKernels, ScalesAndShiftsLikeTheCpu) {
  WC_TEST_DEVICE(dev);
  const unsigned seed = std::random_device{}();
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-10.f, 10.f);
  const uint32_t n = 100003;  // not a multiple of the workgroup size
  std::vector<float> a(n);
  for (float& v : a) v = dist(rng);
  const float scale = dist(rng), bias = dist(rng);
  const std::vector<int32_t> shift = {3, -1, 4, -1, 5};

  KernelBuilder kb("scale_shift_f32");
  kb.Input("a", ScalarType::kF32).Output("out", ScalarType::kF32);
  kb.uniforms().AddU32("n", n);
  kb.uniforms().AddF32("scale", scale);
  kb.uniforms().AddI32Array("shift", shift, 5);
  kb.uniforms().AddF32("bias", bias);  // a scalar after an array: 16-byte realignment matters
  kb.Body(Entry("  if (i >= u.n) { return; }\n  out[i] = a[i] * u.scale + f32(shift(i % 5u)) + u.bias;\n"));
  auto in = Upload(dev, a, "a");
  auto out = dev->CreateBuffer(n * 4, "out");
  ASSERT_TRUE(out.ok());
  WC_ASSERT_OK(RunOne(dev, kb, {in, out.value()}, n, "scale_shift"));
  auto got = Download<float>(dev, *out.value(), n);
  for (uint32_t i = 0; i < n; ++i) {
    const float want = a[i] * scale + static_cast<float>(shift[i % 5]) + bias;
    ASSERT_NEAR(got[i], want, 1e-4f * (1 + std::fabs(want))) << "i=" << i << " seed " << seed;
  }
}

// Every uniform field is copied into an output buffer by the GPU, so the test sees the offsets WGSL uses.
TEST(GpuKernels, UniformBlockPackingMatchesWgsl) {
  WC_TEST_DEVICE(dev);
  KernelBuilder kb("uniform_echo");
  kb.Output("out", ScalarType::kU32);
  UniformBlock& u = kb.uniforms();
  u.AddU32("a", 11);
  u.AddI32Array("arr1", {-1, -2, -3}, 3);
  u.AddF32("f", 2.5f);
  u.AddI32("i", -7);
  u.AddU32("j", 12);
  u.AddU32Array("arr2", {21, 22, 23, 24, 25, 26, 27, 28, 29}, 9);
  u.AddI32Array("arr3", {31}, 6);  // fewer values than capacity: the rest are zero
  u.AddU32("tail", 99);
  kb.Body(
      "@compute @workgroup_size(1)\nfn main() {\n"
      "  out[0] = u.a;\n"
      "  for (var k = 0u; k < 3u; k++) { out[1u + k] = bitcast<u32>(arr1(k)); }\n"
      "  out[4] = bitcast<u32>(u.f);\n  out[5] = bitcast<u32>(u.i);\n  out[6] = u.j;\n"
      "  for (var k = 0u; k < 9u; k++) { out[7u + k] = arr2(k); }\n"
      "  for (var k = 0u; k < 6u; k++) { out[16u + k] = bitcast<u32>(arr3(k)); }\n"
      "  out[22] = u.tail;\n}\n");
  auto out = dev->CreateBuffer(23 * 4, "out");
  ASSERT_TRUE(out.ok());
  Dispatch d;
  d.kernel = kb.Build();
  d.buffers = {out.value()};
  d.uniforms = kb.PackUniforms();
  d.label = "echo";
  std::vector<Dispatch> ds;
  ds.push_back(std::move(d));
  auto program = dev->CreateProgram(std::move(ds));
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  WC_ASSERT_OK(program.value()->Run(nullptr));
  auto got = Download<uint32_t>(dev, *out.value(), 23);
  float f = 2.5f;
  uint32_t fbits;
  std::memcpy(&fbits, &f, 4);
  const std::vector<uint32_t> want = {11,
                                      static_cast<uint32_t>(-1),
                                      static_cast<uint32_t>(-2),
                                      static_cast<uint32_t>(-3),
                                      fbits,
                                      static_cast<uint32_t>(-7),
                                      12,
                                      21,
                                      22,
                                      23,
                                      24,
                                      25,
                                      26,
                                      27,
                                      28,
                                      29,
                                      31,
                                      0,
                                      0,
                                      0,
                                      0,
                                      0,
                                      99};
  EXPECT_EQ(got, want);
}

// A kernel without uniform fields has no uniform block, so its packed uniforms must be empty: a dispatch
// carrying bytes for a kernel without a block is rejected.
TEST(GpuKernels, EmptyUniformBlockPacksToNoBytes) {
  WC_TEST_DEVICE(dev);
  KernelBuilder kb("no_uniforms");
  kb.Output("out", ScalarType::kU32);
  kb.Body(Entry("  if (i == 0u) { out[0] = 7u; }\n"));
  EXPECT_TRUE(kb.PackUniforms().empty());
  EXPECT_FALSE(kb.Build()->has_uniforms);
  auto out = dev->CreateBuffer(16, "out");
  ASSERT_TRUE(out.ok());
  WC_ASSERT_OK(RunOne(dev, kb, {out.value()}, 1, "no_uniforms"));
  EXPECT_EQ(Download<uint32_t>(dev, *out.value(), 1)[0], 7u);
}

TEST(GpuKernels, PipelineIdentityIsTheWgslAndLayout) {
  WC_TEST_DEVICE(dev);
  auto make = [](const std::string& name, uint32_t n) {
    KernelBuilder kb(name);
    kb.Output("out", ScalarType::kU32);
    kb.uniforms().AddU32("n", n);  // a uniform value: not part of the WGSL
    kb.Body("@compute @workgroup_size(1)\nfn main() { out[0] = u.n; }\n");
    return kb;
  };
  WC_ASSERT_OK(dev->Prepare(*make("cache_probe", 1).Build()));
  const size_t size = dev->pipeline_cache_size();
  const CompileStats before = dev->compile_stats();
  // Same WGSL and layout: one pipeline, whatever the uniform values or the kernel's name.
  WC_ASSERT_OK(dev->Prepare(*make("cache_probe", 1).Build()));
  WC_ASSERT_OK(dev->Prepare(*make("cache_probe", 2).Build()));
  WC_ASSERT_OK(dev->Prepare(*make("another_layer_same_shader", 3).Build()));
  EXPECT_EQ(dev->pipeline_cache_size(), size);
  EXPECT_EQ(dev->compile_stats().pipelines_compiled, before.pipelines_compiled);
  // The shared pipeline runs with each program's own uniform values.
  auto out = dev->CreateBuffer(16, "out");
  ASSERT_TRUE(out.ok());
  for (uint32_t n : {5u, 6u}) {
    WC_ASSERT_OK(RunOne(dev, make(n == 5 ? "cache_probe" : "renamed_probe", n), {out.value()}, 1, "probe"));
    EXPECT_EQ(Download<uint32_t>(dev, *out.value(), 1)[0], n);
  }
  EXPECT_EQ(dev->pipeline_cache_size(), size);
  // One character of WGSL more: a different pipeline.
  KernelBuilder other("cache_probe");
  other.Output("out", ScalarType::kU32);
  other.uniforms().AddU32("n", 1);
  other.Body("@compute @workgroup_size(1)\nfn main() { out[0] = u.n + 0u; }\n");
  WC_ASSERT_OK(dev->Prepare(*other.Build()));
  EXPECT_EQ(dev->pipeline_cache_size(), size + 1);
}

// A batch compiles each distinct WGSL once: two layers that generate the same shader share one compile,
// and layers with different WGSL each get their own pipeline, which computes its own result.
TEST(GpuKernels, PrepareAllCompilesEachDistinctShaderOnce) {
  WC_TEST_DEVICE(dev);
  auto make = [](const std::string& name, const std::string& value) {
    KernelBuilder kb(name);
    kb.Output("out", ScalarType::kU32);
    kb.Body("@compute @workgroup_size(1)\nfn main() { out[0] = " + value + "; }\n");
    return kb;
  };
  // Values no earlier test compiles, so every distinct shader here is new to the device.
  auto a1 = make("layer_a", "9101u").Build(), a2 = make("layer_b", "9101u").Build();
  auto b = make("layer_c", "9102u").Build(), c = make("layer_d", "9103u").Build();
  const CompileStats before = dev->compile_stats();
  std::vector<std::pair<size_t, size_t>> seen;
  WC_ASSERT_OK(dev->PrepareAll({a1.get(), a2.get(), b.get(), c.get(), a1.get()},
                               [&seen](size_t done, size_t total) { seen.push_back({done, total}); }));
  const CompileStats after = dev->compile_stats();
  EXPECT_EQ(after.pipelines_compiled - before.pipelines_compiled, 3u);
  EXPECT_EQ(after.pipelines_reused - before.pipelines_reused, 2u);
  // Progress counts the pipelines compiled, ending at all of them.
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen.back(), std::make_pair(size_t{3}, size_t{3}));
  // Each distinct shader computes its own value.
  auto out = dev->CreateBuffer(16, "out");
  ASSERT_TRUE(out.ok());
  for (const auto& [name, value] : std::vector<std::pair<std::string, uint32_t>>{
           {"layer_a", 9101u}, {"layer_b", 9101u}, {"layer_c", 9102u}, {"layer_d", 9103u}}) {
    WC_ASSERT_OK(RunOne(dev, make(name, std::to_string(value) + "u"), {out.value()}, 1, name));
    EXPECT_EQ(Download<uint32_t>(dev, *out.value(), 1)[0], value) << name;
  }
  // Preparing them again compiles nothing.
  WC_ASSERT_OK(dev->PrepareAll({a1.get(), b.get(), c.get()}, nullptr));
  EXPECT_EQ(dev->compile_stats().pipelines_compiled, after.pipelines_compiled);
}

// The same WGSL with a different bind group layout (a binding read-write instead of read-only) is a
// different pipeline: sharing one would fail validation or write through a read-only binding.
TEST(GpuKernels, SameWgslDifferentLayoutIsADifferentPipeline) {
  Kernel ro, rw;
  ro.name = rw.name = "layout_probe";
  ro.wgsl = rw.wgsl = "@compute @workgroup_size(1)\nfn main() {}\n";
  ro.bindings = {{"a", ScalarType::kF32, true}};
  rw.bindings = {{"a", ScalarType::kF32, false}};
  EXPECT_NE(ro.LayoutSignature(), rw.LayoutSignature());
  EXPECT_NE(ro.IdentityHash(), rw.IdentityHash());
  Kernel with_uniforms = ro;
  with_uniforms.has_uniforms = true;
  EXPECT_NE(ro.IdentityHash(), with_uniforms.IdentityHash());
}

// Two kernels whose identity hashes collide but whose WGSL differs must each get their own pipeline.
TEST(GpuKernels, HashCollisionNeverSharesAPipeline) {
  struct Fake : PipelineSource {};
  PipelineCache<Fake> cache;
  Kernel a;
  a.name = "a";
  a.wgsl = "fn main() {}";
  auto pa = std::make_shared<Fake>();
  pa->SetSource(a);
  cache.Insert(a, pa);
  Kernel b = a;
  b.wgsl = "fn main() { }";
  EXPECT_EQ(cache.Find(a), pa);
  EXPECT_EQ(cache.Find(b), nullptr);
  // Even filed under a's hash (as a collision would), b does not match a's pipeline.
  EXPECT_FALSE(pa->Matches(b));
}

TEST(GpuKernels, WgslSyntaxErrorNamesKernelAndLine) {
  WC_TEST_DEVICE(dev);
  KernelBuilder kb("broken_kernel");
  kb.Input("a", ScalarType::kF32).Output("out", ScalarType::kF32);
  kb.Body("@compute @workgroup_size(1)\nfn main() {\n  let x = a[0] * ;\n  out[0] = x;\n}\n");
  auto k = kb.Build();
  // The offending line's number in the full source (bindings come first).
  size_t line = 1;
  const size_t at = k->wgsl.find("let x = a[0] * ;");
  for (size_t i = 0; i < at; ++i) line += k->wgsl[i] == '\n';
  const Status s = dev->Prepare(*k);
  ASSERT_FALSE(s.ok());
  std::printf("%s\n", s.ToString().c_str());
  EXPECT_EQ(s.code, StatusCode::kDevice);
  EXPECT_NE(s.message.find("broken_kernel"), std::string::npos);
  EXPECT_NE(s.message.find("line " + std::to_string(line) + ":"), std::string::npos) << s.message;
  EXPECT_NE(s.message.find("let x = a[0] * ;"), std::string::npos) << "the WGSL line is quoted";
  // The device is still usable afterwards.
  auto b = dev->CreateBuffer(16, "after_error");
  EXPECT_TRUE(b.ok()) << b.status().ToString();
}

// A warning before the error gives two compilation messages: the second one is read at the right place
// only if WGPUCompilationMessage has the size webgpu_abi.h declares.
TEST(GpuKernels, SecondCompilationMessageIsReadCorrectly) {
  WC_TEST_DEVICE(dev);
  KernelBuilder kb("warn_then_fail");
  kb.Output("out", ScalarType::kF32);
  kb.Body(
      "fn helper() -> f32 {\n  return 1.0;\n  let unreachable_value = 2.0;\n}\n"
      "@compute @workgroup_size(1)\nfn main() {\n  out[0] = helper() + undefined_name;\n}\n");
  auto k = kb.Build();
  // This Dawn reports the warning ("code is unreachable") as message 0 and the error as message 1.
  const size_t at = k->wgsl.find("undefined_name");
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < at; ++i) {
    if (k->wgsl[i] == '\n') ++line, line_start = i + 1;
  }
  const std::string where = "line " + std::to_string(line) + ":" + std::to_string(at - line_start + 1) + ":";
  const Status s = dev->Prepare(*k);
  ASSERT_FALSE(s.ok());
  std::printf("%s\n", s.ToString().c_str());
  EXPECT_NE(s.message.find(where), std::string::npos) << where << " in " << s.message;
  EXPECT_NE(s.message.find("undefined_name"), std::string::npos) << s.message;
}

TEST(GpuKernels, PipelineErrorsNameTheKernel) {
  WC_TEST_DEVICE(dev);
  KernelBuilder kb("no_entry_point");
  kb.Output("out", ScalarType::kF32);
  kb.Body("@compute @workgroup_size(1)\nfn not_main() { out[0] = 1.0; }\n");
  const Status s = dev->Prepare(*kb.Build());
  ASSERT_FALSE(s.ok());
  std::printf("%s\n", s.ToString().c_str());
  EXPECT_NE(s.message.find("no_entry_point"), std::string::npos) << s.message;
}

}  // namespace
}  // namespace webconv::gpu
