// Reduce-family differential tests: seeded random Reduce*, ArgMax/ArgMin and Softmax/LogSoftmax problems
// (ranks 0-5, awkward extents, negative and empty axes, keepdims, every opset form) run on WebGPU and on
// the float64 reference. CI draws a fixed sample; WEBCONV_FULL_SWEEP=1 (ctest label full_sweep) draws more.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

const char* const kReduceOps[] = {"ReduceSum",    "ReduceMean",     "ReduceMax", "ReduceMin",
                                  "ReduceProd",   "ReduceL1",       "ReduceL2",  "ReduceSumSquare",
                                  "ReduceLogSum", "ReduceLogSumExp"};

struct Case {
  std::string op;
  int opset = 17;
  DType dtype = DType::kFloat32;
  Shape shape;
  bool has_axes = false;  // axes given (attribute, or input 1 for ReduceSum-13+)
  std::vector<int64_t> axes;
  int64_t axis = 0;  // ArgMax/ArgMin/Softmax/LogSoftmax
  int64_t keepdims = 1, noop = 0, last = 0;

  bool reduce() const { return op.rfind("Reduce", 0) == 0; }
  bool arg() const { return op == "ArgMax" || op == "ArgMin"; }
  bool axes_input() const { return op == "ReduceSum" && opset >= 13; }
  std::string Describe() const {
    std::ostringstream os;
    os << op << "-" << opset << " " << DTypeName(dtype) << " x=" << ShapeString(shape);
    if (reduce()) {
      os << (has_axes ? " axes=" + ShapeString(axes) : std::string(" axes=<none>"))
         << " keepdims=" << keepdims;
      if (axes_input()) os << " noop_with_empty_axes=" << noop;
    } else {
      os << " axis=" << axis;
      if (arg()) os << " keepdims=" << keepdims << " select_last_index=" << last;
    }
    return os.str();
  }
};

int64_t Pick(std::mt19937_64& rng, std::initializer_list<int64_t> v) {
  return *(v.begin() + static_cast<std::ptrdiff_t>(rng() % v.size()));
}

Case Draw(std::mt19937_64& rng) {
  Case c;
  const uint64_t kind = rng() % 14;
  if (kind < 10)
    c.op = kReduceOps[kind];
  else
    c.op = kind == 10 ? "ArgMax" : kind == 11 ? "ArgMin" : kind == 12 ? "Softmax" : "LogSoftmax";
  const int rank = std::max(static_cast<int>(rng() % 6), c.reduce() ? 0 : 1);
  for (int i = 0; i < rank; ++i) c.shape.push_back(Pick(rng, {1, 2, 3, 5, 7, 1, 3, 16, 33}));
  // At most a few thousand elements: SwiftShader runs the kernels on this machine's CPU.
  while (NumElements(c.shape) > 6000)
    *std::max_element(c.shape.begin(), c.shape.end()) = Pick(rng, {1, 2, 3});
  const int64_t r = static_cast<int64_t>(c.shape.size());
  c.keepdims = static_cast<int64_t>(rng() % 2);
  c.opset = static_cast<int>(Pick(rng, {1, 6, 11, 12, 13, 17}));
  if (c.reduce()) {
    // A random subset of the axes, each written negative half of the time; sometimes none at all.
    c.has_axes = rng() % 5 != 0;
    for (int64_t i = 0; i < r && c.has_axes; ++i)
      if (rng() % 2) c.axes.push_back(rng() % 2 ? i - r : i);
    std::shuffle(c.axes.begin(), c.axes.end(), rng);
    if (c.axes_input()) c.noop = static_cast<int64_t>(rng() % 2);
  } else {
    c.axis = static_cast<int64_t>(rng() % static_cast<uint64_t>(r)) - (rng() % 2 ? r : 0);
  }
  if (c.arg()) c.last = c.opset >= 12 ? static_cast<int64_t>(rng() % 2) : 0;
  // Integer inputs where the op allows them; ties are then common, which exercises select_last_index.
  const bool int_ok = c.op != "ReduceLogSum" && c.op != "ReduceLogSumExp";
  if (rng() % 3 == 0 && int_ok) {
    if (c.arg())
      c.dtype = rng() % 2 ? DType::kInt32 : DType::kUInt8;
    else if (c.op == "ReduceMax" || c.op == "ReduceMin")
      c.dtype = c.opset >= 12 && rng() % 2 ? DType::kInt8 : DType::kInt32;
    else if (c.reduce())
      c.dtype = rng() % 2 ? DType::kInt32 : DType::kUInt32;
  }
  return c;
}

std::vector<uint8_t> BuildModel(const Case& c) {
  ModelBuilder m(c.opset);
  m.Input("x", c.dtype, c.shape);
  std::vector<Attr> attrs;
  std::vector<std::string> inputs = {"x"};
  if (c.reduce() || c.arg()) attrs.push_back(IntAttr("keepdims", c.keepdims));
  if (c.axes_input()) {
    attrs.push_back(IntAttr("noop_with_empty_axes", c.noop));
    if (c.has_axes && !c.axes.empty()) {
      HostTensor t(DType::kInt64, {static_cast<int64_t>(c.axes.size())});
      for (size_t i = 0; i < c.axes.size(); ++i) t.SetInt(static_cast<int64_t>(i), c.axes[i]);
      m.Initializer("axes", t);
      inputs.push_back("axes");
    }
  } else if (c.reduce() && c.has_axes) {
    attrs.push_back(IntsAttr("axes", c.axes));
  }
  if (!c.reduce()) attrs.push_back(IntAttr("axis", c.axis));
  if (c.arg() && c.opset >= 12) attrs.push_back(IntAttr("select_last_index", c.last));
  m.Node(c.op, inputs, {"y"}, attrs, "node");
  m.Output("y", c.arg() ? DType::kInt64 : c.dtype);
  return m.Serialize();
}

HostTensor Input(const Case& c, std::mt19937_64& rng) {
  if (c.dtype == DType::kInt8) return RandomTensor(c.dtype, c.shape, rng, -128, 128);
  if (c.dtype == DType::kUInt8) return RandomTensor(c.dtype, c.shape, rng, 0, 6);
  // Small integers keep sums, squares and products inside 32 bits (the GPU's words).
  if (IsInteger(c.dtype)) {
    const bool prod = c.op == "ReduceProd";
    return RandomTensor(c.dtype, c.shape, rng, prod || c.dtype == DType::kUInt32 ? 0 : -20, prod ? 3 : 20);
  }
  // Products near 1 neither overflow nor vanish; LogSum needs a positive sum.
  if (c.op == "ReduceProd") return RandomTensor(c.dtype, c.shape, rng, 0.9, 1.1);
  if (c.op == "ReduceLogSum") return RandomTensor(c.dtype, c.shape, rng, 0.05, 1.0);
  if (c.op == "Softmax" || c.op == "LogSoftmax" || c.op == "ReduceLogSumExp")
    return RandomTensor(c.dtype, c.shape, rng, -30, 30);
  return RandomTensor(c.dtype, c.shape, rng);
}

// Max, min and arg* select an element, and integers are exact, so they must match exactly. The rest
// accumulates in f32 against float64: sums of up to ~10^5 terms of either sign may cancel to near 0, hence
// the absolute part; exp and log add a few ulps.
runtime::Tolerance TolFor(const Case& c) {
  if (c.arg() || c.op == "ReduceMax" || c.op == "ReduceMin" || IsInteger(c.dtype)) return {0, 0};
  if (c.op == "Softmax" || c.op == "LogSoftmax") return {1e-6, 1e-5};
  return {1e-4, 1e-4};
}

::testing::AssertionResult Check(const Case& c, std::mt19937_64& rng) {
  const runtime::Tolerance tol = TolFor(c);
  return MatchesReference(BuildModel(c), {{"x", Input(c, rng)}}, tol)
         << " (tolerance atol " << tol.atol << ", rtol " << tol.rtol << ")";
}

TEST(ReduceRandom, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261201);
  const int count = SweepCount(50, 2000);
  std::cout << "ReduceRandom seed " << seed << ", " << count
            << " problems (WEBCONV_SEED / WEBCONV_FULL_SWEEP)\n";
  for (int i = 0; i < count; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    const Case c = Draw(rng);
    SCOPED_TRACE(::testing::Message() << "seed " << seed + i << ": " << c.Describe());
    EXPECT_TRUE(Check(c, rng));
  }
}

// Long rows: whole-workgroup segments, rows split into chunks over two passes, strided rows, and many
// short rows sharing workgroups.
TEST(ReduceRandom, LongAndManyRows) {
  std::mt19937_64 rng(BaseSeed(11));
  struct Big {
    const char* op;
    Shape shape;
    std::vector<int64_t> axes;
    int64_t axis;
  };
  const Big bigs[] = {
      {"ReduceSum", {2, 70001}, {1}, 0},       {"ReduceMean", {100003}, {}, 0},
      {"ReduceLogSumExp", {3, 20011}, {1}, 0}, {"ReduceMax", {40009, 3}, {0}, 0},
      {"ReduceL2", {5, 9001, 2}, {0, 1}, 0},   {"ReduceMin", {70001}, {0}, 0},
      {"ReduceSumSquare", {65537, 3}, {1}, 0}, {"ReduceProd", {3, 2, 4099}, {-1}, 0},
      {"ArgMax", {2, 30011}, {}, 1},           {"ArgMin", {30011, 2}, {}, 0},
      {"Softmax", {3, 9001}, {}, -1},          {"LogSoftmax", {9001, 3}, {}, 0},
      {"Softmax", {4, 257, 5}, {}, 1},
  };
  for (const Big& b : bigs) {
    Case c;
    c.op = b.op;
    c.shape = b.shape;
    c.has_axes = !b.axes.empty();
    c.axes = b.axes;
    c.axis = b.axis;
    c.opset = c.op == "ReduceSum" ? 13 : 17;
    SCOPED_TRACE(c.Describe());
    EXPECT_TRUE(Check(c, rng));
  }
}

}  // namespace
}  // namespace webconv::testing
