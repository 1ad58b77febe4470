// Pool differential tests: seeded random MaxPool / AveragePool / global pools of rank 1-3 run on WebGPU
// and on the float64 reference. CI draws a fixed sample; WEBCONV_FULL_SWEEP=1 (ctest label full_sweep)
// draws hundreds.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

enum class Op { kMax, kMaxIndices, kAverage, kGlobalMax, kGlobalAverage };

const char* OpName(Op op) {
  switch (op) {
    case Op::kMax:
    case Op::kMaxIndices:
      return "MaxPool";
    case Op::kAverage:
      return "AveragePool";
    case Op::kGlobalMax:
      return "GlobalMaxPool";
    case Op::kGlobalAverage:
      return "GlobalAveragePool";
  }
  return "?";
}

struct PoolCase {
  Op op = Op::kMax;
  int opset = 17;
  DType dtype = DType::kFloat32;
  int rank = 2;
  int64_t batch = 1, channels = 3;
  std::vector<int64_t> in, kernel, stride, dilation, pads;  // pads: begin..., end...
  std::string auto_pad = "NOTSET";
  int64_t ceil_mode = 0, count_include_pad = 0, storage_order = 0;
  bool global() const { return op == Op::kGlobalMax || op == Op::kGlobalAverage; }
  bool max() const { return op == Op::kMax || op == Op::kMaxIndices || op == Op::kGlobalMax; }

  Shape input_shape() const {
    Shape s = {batch, channels};
    s.insert(s.end(), in.begin(), in.end());
    return s;
  }
  std::string Describe() const {
    std::ostringstream os;
    auto list = [&](const char* n, const std::vector<int64_t>& v) {
      os << " " << n << "=[";
      for (size_t i = 0; i < v.size(); ++i) os << (i ? "," : "") << v[i];
      os << "]";
    };
    os << OpName(op) << "-" << opset << (op == Op::kMaxIndices ? " +Indices" : "") << " " << DTypeName(dtype)
       << " rank " << rank << " N=" << batch << " C=" << channels;
    list("in", in);
    if (!global()) {
      os << " auto_pad=" << auto_pad << " ceil_mode=" << ceil_mode
         << " count_include_pad=" << count_include_pad << " storage_order=" << storage_order;
      list("kernel", kernel);
      list("stride", stride);
      list("dilation", dilation);
      list("pads", pads);
    }
    return os.str();
  }
};

int64_t Pick(std::mt19937_64& rng, std::initializer_list<int64_t> v) {
  return *(v.begin() + static_cast<std::ptrdiff_t>(rng() % v.size()));
}

// Draws a legal problem: awkward channel counts, asymmetric pads, windows larger than the input where
// the padding allows it, and windows that cover only padding (pads >= kernel).
PoolCase Draw(std::mt19937_64& rng) {
  PoolCase c;
  c.op = static_cast<Op>(Pick(rng, {0, 0, 1, 1, 2, 2, 2, 3, 4}));
  c.rank = static_cast<int>(1 + rng() % 3);
  c.batch = Pick(rng, {1, 1, 2, 3});
  c.channels = Pick(rng, {1, 3, 5, 7});
  const int64_t max_in = c.rank == 3 ? 6 : c.rank == 2 ? 10 : 19;
  for (int i = 0; i < c.rank; ++i) c.in.push_back(1 + static_cast<int64_t>(rng() % max_in));
  if (c.global()) {
    c.opset = static_cast<int>(Pick(rng, {1, 17}));
    return c;
  }
  const bool max = c.max();
  const char* pads[] = {"NOTSET", "NOTSET", "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"};
  c.auto_pad = pads[rng() % 6];
  for (int i = 0; i < c.rank; ++i) {
    c.kernel.push_back(Pick(rng, {1, 2, 3, 3, 4, 5}));
    c.stride.push_back(Pick(rng, {1, 1, 2, 3}));
    // AveragePool gains dilations only in opset 19.
    c.dilation.push_back(max ? Pick(rng, {1, 1, 2, 3}) : 1);
  }
  for (int i = 0; i < 2 * c.rank; ++i) c.pads.push_back(Pick(rng, {0, 0, 1, 2, 3}));
  c.ceil_mode = static_cast<int64_t>(rng() % 2);
  if (c.op == Op::kAverage) c.count_include_pad = static_cast<int64_t>(rng() % 2);
  if (c.op == Op::kMaxIndices) c.storage_order = static_cast<int64_t>(rng() % 2);
  // The dilated kernel must fit the padded input (VALID pads nothing).
  for (int i = 0; i < c.rank; ++i) {
    const int64_t padded = c.in[i] + (c.auto_pad == "NOTSET" ? c.pads[i] + c.pads[i + c.rank] : 0);
    while ((c.kernel[i] - 1) * c.dilation[i] + 1 > padded && (c.dilation[i] > 1 || c.kernel[i] > 1)) {
      if (c.dilation[i] > 1)
        --c.dilation[i];
      else
        --c.kernel[i];
    }
  }
  // 8-bit MaxPool (opset 12+) makes ties common, which exercises the earliest-index rule.
  if (max && rng() % 4 == 0) c.dtype = rng() % 2 ? DType::kInt8 : DType::kUInt8;
  // An older opset where every attribute drawn exists.
  const bool has_dilation =
      std::any_of(c.dilation.begin(), c.dilation.end(), [](int64_t d) { return d > 1; });
  int lowest = 1;
  if (c.op == Op::kMaxIndices) lowest = 8;
  if (c.op == Op::kAverage && c.count_include_pad) lowest = 7;
  if (c.ceil_mode || has_dilation) lowest = 10;
  if (c.dtype != DType::kFloat32) lowest = 12;
  c.opset = rng() % 2
                ? 17
                : static_cast<int>(lowest + static_cast<int>(rng() % static_cast<uint64_t>(18 - lowest)));
  return c;
}

std::vector<uint8_t> BuildModel(const PoolCase& c) {
  ModelBuilder m(c.opset);
  m.Input("x", c.dtype, c.input_shape());
  std::vector<Attr> attrs;
  if (!c.global()) {
    attrs.push_back(IntsAttr("kernel_shape", c.kernel));
    attrs.push_back(IntsAttr("strides", c.stride));
    if (c.auto_pad == "NOTSET")
      attrs.push_back(IntsAttr("pads", c.pads));
    else
      attrs.push_back(StringAttr("auto_pad", c.auto_pad));
    if (c.opset >= 10) {
      attrs.push_back(IntAttr("ceil_mode", c.ceil_mode));
      if (c.max()) attrs.push_back(IntsAttr("dilations", c.dilation));
    }
    if (c.op == Op::kAverage && c.opset >= 7)
      attrs.push_back(IntAttr("count_include_pad", c.count_include_pad));
    if (c.op == Op::kMaxIndices) attrs.push_back(IntAttr("storage_order", c.storage_order));
  }
  std::vector<std::string> outputs = {"y"};
  if (c.op == Op::kMaxIndices) outputs.push_back("indices");
  m.Node(OpName(c.op), {"x"}, outputs, attrs, "pool");
  m.Output("y", c.dtype);
  if (c.op == Op::kMaxIndices) m.Output("indices", DType::kInt64);
  return m.Serialize();
}

HostTensor Input(const PoolCase& c, std::mt19937_64& rng) {
  if (c.dtype == DType::kInt8) return RandomTensor(c.dtype, c.input_shape(), rng, -128, 128);
  if (c.dtype == DType::kUInt8) return RandomTensor(c.dtype, c.input_shape(), rng, 0, 256);
  return RandomTensor(c.dtype, c.input_shape(), rng);
}

// A max picks one of its inputs, so it must match exactly; averages sum in f32 against float64.
runtime::Tolerance TolFor(const PoolCase& c) {
  return c.max() ? runtime::Tolerance{0, 0} : runtime::Tolerance{1e-6, 1e-5};
}

TEST(PoolRandom, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261125);
  const int count = SweepCount(160, 1600);
  std::cout << "PoolRandom seed " << seed << ", " << count
            << " problems (WEBCONV_SEED / WEBCONV_FULL_SWEEP)\n";
  for (int i = 0; i < count; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    const PoolCase c = Draw(rng);
    SCOPED_TRACE(::testing::Message() << "seed " << seed + i << ": " << c.Describe());
    const std::map<std::string, HostTensor> feeds = {{"x", Input(c, rng)}};
    EXPECT_TRUE(MatchesReference(BuildModel(c), feeds, TolFor(c)));
  }
}

// Planes that need a whole global-reduction workgroup or are split over several (two passes), and many
// small planes sharing workgroups.
TEST(PoolRandom, GlobalPoolsOnLargeAndManyPlanes) {
  std::mt19937_64 rng(BaseSeed(7));
  for (Op op : {Op::kGlobalMax, Op::kGlobalAverage}) {
    for (const auto& in : std::vector<std::vector<int64_t>>{{97, 101}, {5, 7, 129}, {4099}, {8, 8, 1000}}) {
      PoolCase c;
      c.op = op;
      c.batch = 2;
      c.channels = 3;
      c.rank = static_cast<int>(in.size());
      c.in = in;
      SCOPED_TRACE(c.Describe());
      EXPECT_TRUE(MatchesReference(BuildModel(c), {{"x", Input(c, rng)}}, TolFor(c)));
    }
    PoolCase c;
    c.op = op;
    c.channels = 65537;  // 257 workgroups of 256 one-thread planes, the last one nearly empty
    c.rank = 1;
    c.in = {3};
    SCOPED_TRACE(c.Describe());
    EXPECT_TRUE(MatchesReference(BuildModel(c), {{"x", Input(c, rng)}}, TolFor(c)));
  }
}

}  // namespace
}  // namespace webconv::testing
