// Accuracy of the WGSL math (ops/elementwise/wgsl_math.h) over dense grids, including tiny magnitudes
// where an absolute error bound would hide a wrong result, against the float64 reference rounded to
// f32. Each test prints the worst error it saw; the bounds are the ones wgsl_math.h documents, with
// WGSL's own exp bound (3 + 2|x| ulp) where a function calls exp. Also: the errors the elementwise
// ops give for models they must refuse.
#include <gtest/gtest.h>

#include <cmath>

#include "differential.h"
#include "model_builder.h"
#include "onnx/loader.h"
#include "runtime/session.h"

namespace webconv::testing {
namespace {

std::vector<float> Linspace(double lo, double hi, int n) {
  std::vector<float> v;
  for (int i = 0; i < n; ++i) v.push_back(static_cast<float>(lo + (hi - lo) * i / (n - 1)));
  return v;
}

// +-10^e for e over [lo_exp, hi_exp].
std::vector<float> SignedLogspace(double lo_exp, double hi_exp, int n) {
  std::vector<float> v;
  for (float m : Linspace(lo_exp, hi_exp, n)) {
    v.push_back(static_cast<float>(std::pow(10.0, m)));
    v.push_back(-static_cast<float>(std::pow(10.0, m)));
  }
  return v;
}

std::vector<float> Concat(std::initializer_list<std::vector<float>> parts) {
  std::vector<float> all;
  for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

HostTensor Tensor(const std::vector<float>& v) {
  HostTensor t(DType::kFloat32, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.SetDouble(static_cast<int64_t>(i), v[i]);
  return t;
}

// Runs `op` on both backends over the grid (and `exponents` as a second input, for Pow) and checks it.
void CheckGrid(const std::string& op, const std::vector<float>& xs, const runtime::Tolerance& tol,
               const std::vector<float>& exponents = {}, int opset = 17) {
  SCOPED_TRACE(op);
  ModelBuilder m(opset);
  const Shape shape = {static_cast<int64_t>(xs.size())};
  m.Input("x", DType::kFloat32, shape);
  std::vector<std::string> inputs = {"x"};
  std::map<std::string, HostTensor> feeds = {{"x", Tensor(xs)}};
  if (!exponents.empty()) {
    m.Input("e", DType::kFloat32, shape);
    inputs.push_back("e");
    feeds["e"] = Tensor(exponents);
  }
  m.Node(op, inputs, {"y"});
  m.Output("y", DType::kFloat32);
  auto model = onnx::LoadModelBytes(m.Serialize());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  runtime::SessionOptions go, co;
  go.shared_device = SharedDevice();
  ASSERT_TRUE(go.shared_device);
  co.backend = runtime::Backend::kReference;
  auto gpu = runtime::Session::FromModel(*model, go);
  auto cpu = runtime::Session::FromModel(*model, co);
  ASSERT_TRUE(gpu.ok() && cpu.ok());
  auto got = (*gpu)->Run(feeds);
  auto want = (*cpu)->Run(feeds);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  const auto c = runtime::Compare(got->at("y"), want->at("y"), tol);
  std::cout << op << ": " << xs.size() << " points, max abs " << c.max_abs << ", max rel " << c.max_rel
            << " (atol " << tol.atol << ", rtol " << tol.rtol << ")\n";
  EXPECT_TRUE(c.ok) << c.message;
}

// Magnitudes stay above 1e-37: GPUs may flush subnormal inputs and results to zero (WGSL allows it).
TEST(ElementwiseAccuracy, Erf) {
  CheckGrid("Erf", Concat({Linspace(-6, 6, 24001), SignedLogspace(-37, 0, 4000)}), {0, 5e-7});
}

TEST(ElementwiseAccuracy, LogAndSoftplus) {
  std::vector<float> pos;
  for (float v : SignedLogspace(-37, 38, 8000))
    if (v > 0) pos.push_back(v);
  CheckGrid("Log", Concat({pos, Linspace(0.5, 2, 30001)}), {0, 5e-7});
  // The tail for very negative x is exp(x) itself, so WGSL's exp bound applies there.
  CheckGrid("Softplus", Concat({Linspace(-80, 80, 32001), SignedLogspace(-30, 0, 2000)}), {0, 2e-5});
}

TEST(ElementwiseAccuracy, ExpFamily) {
  CheckGrid("Exp", Linspace(-87, 88, 35001), {0, 2e-5});
  // Overflow to inf and underflow to 0 (past the subnormal range, which a GPU may flush).
  CheckGrid("Exp", Concat({Linspace(88.8, 200, 1001), Linspace(-200, -104, 1001)}), {0, 0});
  CheckGrid("Sigmoid", Linspace(-80, 80, 32001), {0, 2e-5});
  const auto small = SignedLogspace(-30, -0.3, 4000);
  CheckGrid("Elu", Concat({Linspace(-20, 3, 23001), small}), {0, 1e-6});
  CheckGrid("Tanh", Concat({Linspace(-12, 12, 24001), small}), {0, 1e-6});
}

TEST(ElementwiseAccuracy, Trigonometric) {
  // The reduced argument is accurate to ~1e-7 absolute, so results near a zero are held to that.
  const runtime::Tolerance tol{1.5e-7, 1e-6};
  const auto xs =
      Concat({Linspace(-100, 100, 40001), Linspace(1e5, 1e6, 20001), SignedLogspace(-30, 0, 2000)});
  CheckGrid("Sin", xs, tol);
  CheckGrid("Cos", xs, tol);
  CheckGrid("Tan", Concat({Linspace(-1.5, 1.5, 30001), SignedLogspace(-30, 0, 2000)}), {1e-7, 2e-6});
}

TEST(ElementwiseAccuracy, InverseAndHyperbolic) {
  const auto unit = Concat({Linspace(-1, 1, 40001), SignedLogspace(-37, -0.3, 4000)});
  CheckGrid("Asin", unit, {0, 5e-7});
  CheckGrid("Acos", unit, {0, 5e-7});
  CheckGrid("Atanh", unit, {0, 5e-7});
  const auto wide = Concat({Linspace(-10, 10, 40001), SignedLogspace(-37, 30, 8000)});
  CheckGrid("Atan", wide, {0, 5e-7});
  CheckGrid("Asinh", wide, {0, 5e-7});
  std::vector<float> above_one;
  for (float v : Concat({Linspace(1, 3, 20001), SignedLogspace(-7, 38, 4000)}))
    if (v >= 1) above_one.push_back(v);
  for (float v : SignedLogspace(-7, -0.3, 2000))
    if (v > 0) above_one.push_back(1 + v);
  CheckGrid("Acosh", above_one, {0, 5e-7});
  const auto hyper = Concat({Linspace(-89, 89, 35001), SignedLogspace(-30, 0, 2000)});
  CheckGrid("Sinh", hyper, {0, 2e-5}, {}, 9);
  CheckGrid("Cosh", hyper, {0, 2e-5}, {}, 9);
}

// Values that overflow an 8- or 16-bit type are wrapped in the kernel that makes them, so the next
// kernel (here Cast, which reads the 32-bit word) sees what the type's own arithmetic leaves.
TEST(ElementwiseAccuracy, NarrowIntegersWrapBetweenKernels) {
  for (DType t : {DType::kInt8, DType::kUInt8, DType::kInt16, DType::kUInt16}) {
    SCOPED_TRACE(DTypeName(t));
    ModelBuilder m(17);
    m.Input("a", t, {64});
    m.Input("b", t, {64});
    m.Node("Mul", {"a", "b"}, {"p"});
    if (IsSigned(t))
      m.Node("Neg", {"p"}, {"n"});
    else
      m.Node("Add", {"p", "b"}, {"n"});
    m.Node("Cast", {"n"}, {"y"}, {IntAttr("to", static_cast<int64_t>(DType::kInt32))});
    m.Output("y", DType::kInt32);
    std::mt19937_64 rng(BaseSeed(5));
    const double hi = t == DType::kInt8 || t == DType::kUInt8 ? 256 : 65536;
    const double lo = IsSigned(t) ? -hi / 2 : 0;
    EXPECT_TRUE(MatchesReference(
        m.Serialize(),
        {{"a", RandomTensor(t, {64}, rng, lo, lo + hi)}, {"b", RandomTensor(t, {64}, rng, lo, lo + hi)}},
        {0, 0}));
  }
}

TEST(ElementwiseAccuracy, PowAndFmod) {
  std::vector<float> x, y, a, b;
  std::mt19937_64 rng(BaseSeed(11));
  std::uniform_real_distribution<double> e(-3, 3), p(-12, 12), ints(-20, 20);
  for (int i = 0; i < 30000; ++i) {
    x.push_back(static_cast<float>(std::pow(10.0, e(rng))));
    y.push_back(static_cast<float>(p(rng)));
  }
  // Negative bases with integral exponents, and values near 1 with large exponents.
  for (int i = 0; i < 5000; ++i) {
    x.push_back(static_cast<float>(-std::pow(10.0, e(rng) / 3)));
    y.push_back(static_cast<float>(std::floor(ints(rng))));
    x.push_back(static_cast<float>(1 + e(rng) * 1e-4));
    y.push_back(static_cast<float>(p(rng) * 800));
  }
  // |y ln x| reaches ~85 here: 1e-7 of it from the log, and WGSL's exp bound on top.
  CheckGrid("Pow", x, {0, 2e-5}, y);
  // fmod is exact, also for quotients far beyond 2^24.
  for (int i = 0; i < 20000; ++i) {
    a.push_back(static_cast<float>((i % 2 ? -1 : 1) * std::pow(10.0, 8 * e(rng))));
    b.push_back(static_cast<float>((i % 3 ? 1 : -1) * std::pow(10.0, 2 * e(rng))));
  }
  ModelBuilder m(17);
  m.Input("a", DType::kFloat32, {static_cast<int64_t>(a.size())});
  m.Input("b", DType::kFloat32, {static_cast<int64_t>(b.size())});
  m.Node("Mod", {"a", "b"}, {"y"}, {IntAttr("fmod", 1)});
  m.Output("y", DType::kFloat32);
  EXPECT_TRUE(MatchesReference(m.Serialize(), {{"a", Tensor(a)}, {"b", Tensor(b)}}, {0, 0}));
}

// Runs `bytes` on `backend` with zero-filled inputs of the given shapes; returns the error text, or ""
// (shapes are only known, and models only planned, when a run binds its inputs).
std::string RunError(const std::vector<uint8_t>& bytes, runtime::Backend backend,
                     const std::map<std::string, std::pair<DType, Shape>>& inputs) {
  auto model = onnx::LoadModelBytes(bytes);
  if (!model.ok()) return model.status().ToString();
  runtime::SessionOptions o;
  o.backend = backend;
  if (backend == runtime::Backend::kWebGpu) o.shared_device = SharedDevice();
  auto s = runtime::Session::FromModel(*model, o);
  if (!s.ok()) return s.status().ToString();
  std::map<std::string, HostTensor> feeds;
  for (const auto& [name, spec] : inputs) feeds[name] = HostTensor(spec.first, spec.second);
  auto r = (*s)->Run(feeds);
  return r.ok() ? "" : r.status().ToString();
}

TEST(ElementwiseErrors, RefusedModelsSayWhy) {
  using runtime::Backend;
  const DType f32 = DType::kFloat32;
  {
    ModelBuilder m(17);  // rank 9 with broadcasting: beyond the kernels' uniform shape arrays
    const Shape a = {2, 1, 1, 1, 1, 1, 1, 1, 3}, b = {1, 1, 1, 1, 1, 1, 1, 2, 1};
    m.Input("a", f32, a);
    m.Input("b", f32, b);
    m.Node("Add", {"a", "b"}, {"y"});
    m.Output("y", f32);
    const std::map<std::string, std::pair<DType, Shape>> in = {{"a", {f32, a}}, {"b", {f32, b}}};
    EXPECT_NE(RunError(m.Serialize(), Backend::kWebGpu, in).find("output rank 9 exceeds"), std::string::npos);
    EXPECT_EQ(RunError(m.Serialize(), Backend::kReference, in), "");
  }
  {
    ModelBuilder m(13);
    m.Input("a", f32, {3});
    m.Input("b", f32, {3});
    m.Node("Mod", {"a", "b"}, {"y"});
    m.Output("y", f32);
    EXPECT_NE(
        RunError(m.Serialize(), Backend::kReference, {{"a", {f32, {3}}}, {"b", {f32, {3}}}}).find("fmod must be 1"),
        std::string::npos);
  }
  {
    ModelBuilder m(13);
    m.Input("x", DType::kInt32, {3});
    m.Node("Shrink", {"x"}, {"y"}, {FloatAttr("bias", 1.5f)});
    m.Output("y", DType::kInt32);
    EXPECT_NE(RunError(m.Serialize(), Backend::kReference, {{"x", {DType::kInt32, {3}}}})
                  .find("bias 1.5 is not an integer"),
              std::string::npos);
  }
  {
    ModelBuilder m(7);  // equal shapes only before opset 8
    m.Input("a", f32, {2, 3});
    m.Input("b", f32, {3});
    m.Node("Max", {"a", "b"}, {"y"});
    m.Output("y", f32);
    EXPECT_NE(RunError(m.Serialize(), Backend::kReference, {{"a", {f32, {2, 3}}}, {"b", {f32, {3}}}})
                  .find("no broadcasting before opset 8"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace webconv::testing
