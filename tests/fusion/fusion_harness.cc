#include "fusion_harness.h"

#include <algorithm>
#include <cstdlib>

#include "onnx/loader.h"
#include "runtime/session.h"

namespace webconv::testing {

int FusedRun::Count(const std::string& op) const {
  return static_cast<int>(std::count(ops.begin(), ops.end(), op));
}

bool FusedRun::Rewrote(const std::string& fragment) const {
  for (const std::string& r : rewrites)
    if (r.find(fragment) != std::string::npos) return true;
  return false;
}

namespace {

// MatchesUnfused, with the session option `fuse` of the three runs under test.
::testing::AssertionResult CompareWithUnfused(const std::vector<uint8_t>& model,
                                              const std::map<std::string, HostTensor>& feeds, FusedRun* run,
                                              const runtime::Tolerance& tol, bool fuse) {
  auto loaded = onnx::LoadModelBytes(model);
  if (!loaded.ok()) return ::testing::AssertionFailure() << "load: " << loaded.status().ToString();
  runtime::SessionOptions oracle, gpu, ref, cpu;
  oracle.backend = runtime::Backend::kReference;
  oracle.fuse = false;
  for (runtime::SessionOptions* o : {&gpu, &ref, &cpu}) {
    ApplyTestTuning(o);
    o->fuse = fuse;
  }
  ref.backend = runtime::Backend::kReference;  // the fused graph in float64
  cpu.backend = runtime::Backend::kCpu;        // the fused graph on the fast CPU kernels
  gpu.backend = runtime::Backend::kWebGpu;
  gpu.shared_device = SharedDevice();
  if (!gpu.shared_device) return ::testing::AssertionFailure() << "no device";
  std::map<std::string, HostTensor> want;
  {
    auto s = runtime::Session::FromModel(*loaded, oracle);
    if (!s.ok()) return ::testing::AssertionFailure() << "reference session: " << s.status().ToString();
    auto r = (*s)->Run(feeds);
    if (!r.ok()) return ::testing::AssertionFailure() << "reference run: " << r.status().ToString();
    want = std::move(*r);
  }
  for (const auto* options : {&gpu, &ref, &cpu}) {
    const char* what = options == &gpu ? "fused webgpu" : options == &ref ? "fused ref" : "fused cpu";
    auto s = runtime::Session::FromModel(*loaded, *options);
    if (!s.ok()) return ::testing::AssertionFailure() << what << " session: " << s.status().ToString();
    auto got = (*s)->Run(feeds);
    if (!got.ok()) return ::testing::AssertionFailure() << what << " run: " << got.status().ToString();
    for (const auto& [name, expected] : want) {
      const auto c = runtime::Compare(got->at(name), expected, tol);
      if (!c.ok) return ::testing::AssertionFailure() << what << ", output '" << name << "': " << c.message;
    }
    if (options != &gpu) continue;
    const ir::BoundGraph& bound = *(*s)->last_bound();
    *run = FusedRun();
    for (size_t i = 0; i < bound.graph->nodes.size(); ++i) {
      if (bound.folded[i]) continue;
      run->ops.push_back(bound.graph->nodes[i].op_type);
      run->in_place += bound.graph->nodes[i].inputs_in_place ? 1 : 0;
    }
    run->rewrites = bound.graph->rewrites;
    run->dispatches = (*s)->last_plan()->dispatch_count();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace

::testing::AssertionResult MatchesUnfused(const std::vector<uint8_t>& model,
                                          const std::map<std::string, HostTensor>& feeds, FusedRun* run,
                                          const runtime::Tolerance& tol) {
  return CompareWithUnfused(model, feeds, run, tol, true);
}

::testing::AssertionResult MatchesUnfusedWithAndWithoutFusion(const std::vector<uint8_t>& model,
                                                              const std::map<std::string, HostTensor>& feeds,
                                                              FusedRun* on, FusedRun* off) {
  auto fused = MatchesUnfused(model, feeds, on);
  if (!fused) return fused << " (with fusion)";
  auto unfused = CompareWithUnfused(model, feeds, off, {1e-5, 1e-4}, false);
  if (!unfused) return unfused << " (fusion off)";
  return ::testing::AssertionSuccess();
}

void AddConv(ModelBuilder& m, std::mt19937_64& rng, const std::string& x, const std::string& y, int64_t cin,
             int64_t cout, const std::vector<int64_t>& kernel, bool bias,
             const std::vector<int64_t>& dilation, const std::vector<int64_t>& explicit_pads) {
  Shape ws = {cout, cin};
  ws.insert(ws.end(), kernel.begin(), kernel.end());
  m.Initializer(y + "_w", RandomTensor(DType::kFloat32, ws, rng));
  std::vector<std::string> inputs = {x, y + "_w"};
  if (bias) {
    m.Initializer(y + "_b", RandomTensor(DType::kFloat32, {cout}, rng));
    inputs.push_back(y + "_b");
  }
  std::vector<int64_t> d = dilation.empty() ? std::vector<int64_t>(kernel.size(), 1) : dilation;
  std::vector<int64_t> pads = explicit_pads;
  if (pads.empty()) {
    pads.resize(2 * kernel.size());
    for (size_t k = 0; k < kernel.size(); ++k) pads[k] = pads[k + kernel.size()] = (kernel[k] - 1) / 2 * d[k];
  }
  m.Node("Conv", inputs, {y}, {IntsAttr("pads", pads), IntsAttr("dilations", d)}, y);
}

void AddBatchNorm(ModelBuilder& m, std::mt19937_64& rng, const std::string& x, const std::string& y,
                  int64_t c, float epsilon) {
  m.Initializer(y + "_scale", RandomTensor(DType::kFloat32, {c}, rng, 0.5, 1.5));
  m.Initializer(y + "_bias", RandomTensor(DType::kFloat32, {c}, rng));
  m.Initializer(y + "_mean", RandomTensor(DType::kFloat32, {c}, rng, -0.3, 0.3));
  m.Initializer(y + "_var", RandomTensor(DType::kFloat32, {c}, rng, 0.5, 1.5));
  m.Node("BatchNormalization", {x, y + "_scale", y + "_bias", y + "_mean", y + "_var"}, {y},
         {FloatAttr("epsilon", epsilon)}, y);
}

}  // namespace webconv::testing
