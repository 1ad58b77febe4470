// Differential tests of Split, Expand, Tile, Range, ScatterElements/Scatter, ScatterND, DepthToSpace and
// SpaceToDepth: seeded random problems (every opset form, negative axes and indices, duplicate indices
// with every reduction, unit and empty axes, GPU-held dtypes) run on WebGPU and on the float64
// reference, and the reference is checked against the naive oracles of oracles.cc. CI draws a fixed
// sample; WEBCONV_FULL_SWEEP=1 (ctest label full_sweep) draws many more.
#include <gtest/gtest.h>

#include <sstream>

#include "differential.h"
#include "model_builder.h"
#include "onnx/loader.h"
#include "problem.h"
#include "runtime/session.h"

namespace webconv::testing {
namespace {

::testing::AssertionResult Check(const Problem& p) {
  auto loaded = onnx::LoadModelBytes(p.model);
  if (!loaded.ok()) return ::testing::AssertionFailure() << "load: " << loaded.status().ToString();
  runtime::SessionOptions co, go;
  co.backend = runtime::Backend::kReference;
  go.shared_device = SharedDevice();
  go.fold_constants = p.fold;
  if (!go.shared_device) return ::testing::AssertionFailure() << "no device";
  auto cpu = runtime::Session::FromModel(*loaded, co);
  if (!cpu.ok()) return ::testing::AssertionFailure() << "cpu session: " << cpu.status().ToString();
  auto want = (*cpu)->Run(p.feeds);
  if (!want.ok()) return ::testing::AssertionFailure() << "cpu run: " << want.status().ToString();
  for (const auto& [name, expected] : p.oracle) {
    const auto c = runtime::Compare(want->at(name), expected, kExact);
    if (!c.ok) return ::testing::AssertionFailure() << "reference vs oracle, '" << name << "': " << c.message;
  }
  auto gpu = runtime::Session::FromModel(*loaded, go);
  if (!gpu.ok()) return ::testing::AssertionFailure() << "webgpu session: " << gpu.status().ToString();
  auto got = (*gpu)->Run(p.feeds);
  if (!got.ok()) return ::testing::AssertionFailure() << "webgpu run: " << got.status().ToString();
  for (const auto& [name, expected] : *want) {
    const auto c = runtime::Compare(got->at(name), expected, p.tol);
    if (!c.ok)
      return ::testing::AssertionFailure() << "webgpu vs reference, '" << name << "' (tolerance atol "
                                           << p.tol.atol << " rtol " << p.tol.rtol << "): " << c.message;
  }
  return ::testing::AssertionSuccess();
}

TEST(TensorMoreRandom, MatchesReferenceAndOracle) {
  const uint64_t seed = BaseSeed(20261124);
  const int count = SweepCount(210, 7000);
  std::cout << "TensorMoreRandom seed " << seed << ", " << count
            << " problems (WEBCONV_SEED / WEBCONV_FULL_SWEEP)\n";
  for (int i = 0; i < count; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    Problem p;
    switch (i % 7) {
      case 0:
        p = DrawSplit(rng);
        break;
      case 1:
        p = DrawExpandOrTile(rng, false);
        break;
      case 2:
        p = DrawExpandOrTile(rng, true);
        break;
      case 3:
        p = DrawRange(rng);
        break;
      case 4:
        p = DrawScatterElements(rng);
        break;
      case 5:
        p = DrawScatterND(rng);
        break;
      default:
        p = DrawDepthSpace(rng);
        break;
    }
    SCOPED_TRACE(::testing::Message() << "seed " << seed + i << ": " << p.what);
    EXPECT_TRUE(Check(p));
  }
}

// ScatterND's row kernel runs only for large outputs: one fixed problem takes it, duplicates included.
TEST(TensorMoreRandom, ScatterNDRowKernel) {
  std::mt19937_64 rng(5);
  for (const char* reduction : {"none", "add", "mul"}) {
    SCOPED_TRACE(reduction);
    EXPECT_TRUE(Check(ScatterNDProblem(rng, 16, reduction, DType::kFloat32, {4, 3, 30000}, {2, 3, 2})));
  }
}

// Invalid problems fail at plan time with a message carrying the numbers; never a crash.
Status PlanError(const std::string& op, int opset, const Shape& x,
                 const std::map<std::string, HostTensor>& consts, const std::vector<std::string>& inputs,
                 const std::vector<Attr>& attrs = {}, int outputs = 1) {
  ModelBuilder m(opset);
  m.Input("x", DType::kFloat32, x);
  for (const auto& [name, v] : consts) m.Initializer(name, v);
  std::vector<std::string> outs;
  for (int j = 0; j < outputs; ++j) outs.push_back("y" + std::to_string(j));
  m.Node(op, inputs, outs, attrs, "bad");
  for (const auto& o : outs) m.Output(o, DType::kFloat32);
  auto loaded = onnx::LoadModelBytes(m.Serialize());
  if (!loaded.ok()) return loaded.status();
  runtime::SessionOptions o;
  o.backend = runtime::Backend::kReference;
  auto s = runtime::Session::FromModel(*loaded, o);
  if (!s.ok()) return s.status();
  auto got = (*s)->Run({{"x", HostTensor(DType::kFloat32, x)}});
  return got.ok() ? OkStatus() : got.status();
}

void ExpectError(const Status& s, const std::string& fragment) {
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find(fragment), std::string::npos) << s.ToString();
}

HostTensor Scalar(DType t, double v) {
  HostTensor h(t, {});
  h.SetDouble(0, v);
  return h;
}

TEST(TensorMoreErrors, InvalidProblemsAreRejectedWithNumbers) {
  const std::vector<std::string> x_s = {"x", "s"};
  ExpectError(PlanError("Split", 13, {5}, {{"s", Ints1({2, 2})}}, x_s, {}, 2),
              "split sums to 4 but axis 0 has 5");
  ExpectError(PlanError("Split", 13, {5}, {}, {"x"}, {}, 3),
              "axis 0 of size 5 does not split into 3 equal parts");
  ExpectError(PlanError("Split", 11, {6}, {}, {"x"}, {IntsAttr("split", {3, 3})}, 3),
              "split has 2 entries for 3");
  ExpectError(PlanError("Tile", 13, {2, 3}, {{"s", Ints1({1, -2})}}, x_s),
              "repeat count -2 for axis 1 is negative");
  ExpectError(PlanError("Tile", 13, {2, 3}, {{"s", Ints1({int64_t{1} << 40, 1})}}, x_s),
              "axis 0 of size 2 repeated 1099511627776 times exceeds 2^40 elements");
  ExpectError(PlanError("Tile", 13, {2, 3}, {{"s", Ints1({2})}}, x_s),
              "repeats has 1 entries for a rank-2 input");
  ExpectError(PlanError("Expand", 13, {3}, {{"s", Ints1({2})}}, x_s),
              "shapes [3] and [2] cannot be broadcast");
  ExpectError(PlanError("Expand", 13, {3}, {{"s", Ints1({-1, 3})}}, x_s), "shape[0] = -1 is negative");
  ExpectError(PlanError("DepthToSpace", 13, {1, 3, 2, 2}, {}, {"x"}, {IntAttr("blocksize", 2)}),
              "channels 3 are not a multiple of blocksize^2 = 4");
  ExpectError(PlanError("SpaceToDepth", 13, {1, 3, 3, 2}, {}, {"x"}, {IntAttr("blocksize", 2)}),
              "height 3 and width 2 must be multiples of blocksize 2");
  const std::map<std::string, HostTensor> range = {{"a", Scalar(DType::kFloat32, 1)},
                                                   {"b", Scalar(DType::kFloat32, 5)},
                                                   {"c", Scalar(DType::kFloat32, 0)}};
  ExpectError(PlanError("Range", 11, {1}, range, {"a", "b", "c"}), "delta is 0");
  const std::map<std::string, HostTensor> huge = {
      {"a", Ints({0}, {})}, {"b", Ints({INT64_MAX}, {})}, {"c", Ints({1}, {})}};
  ExpectError(PlanError("Range", 11, {1}, huge, {"a", "b", "c"}), "has more than 2^40 elements");
  const std::map<std::string, HostTensor> scatter = {{"i", Ints({7, 0}, {2})},
                                                     {"u", HostTensor(DType::kFloat32, {2})}};
  ExpectError(PlanError("ScatterElements", 13, {3}, scatter, {"x", "i", "u"}),
              "index 7 (flat position 0 of the indices) is out of range for data axis 0 of size 3");
  ExpectError(
      PlanError("ScatterElements", 16, {3}, scatter, {"x", "i", "u"}, {StringAttr("reduction", "max")}),
      "reduction 'max' needs opset 18");
  const std::map<std::string, HostTensor> nd = {{"i", Ints({0, 1}, {2, 1})},
                                                {"u", HostTensor(DType::kFloat32, {2, 3})}};
  ExpectError(PlanError("ScatterND", 16, {3, 4}, nd, {"x", "i", "u"}),
              "updates have shape [2,3]; indices [2,1] and data [3,4] need [2,4]");
}

}  // namespace
}  // namespace webconv::testing
