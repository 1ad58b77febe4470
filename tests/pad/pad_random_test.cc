// Pad differential tests: seeded random problems (every mode, ranks 0-4, begin != end, negative pads,
// every opset form, GPU-held dtypes) run on WebGPU and on the float64 reference, and the reference is
// checked against an independent oracle that builds each axis' index list explicitly. CI draws a fixed
// sample; WEBCONV_FULL_SWEEP=1 (ctest label full_sweep) draws many more.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "differential.h"
#include "model_builder.h"
#include "onnx/loader.h"
#include "runtime/session.h"

namespace webconv::testing {
namespace {

struct PadCase {
  int opset = 13;
  DType dtype = DType::kFloat32;
  std::string mode = "constant";
  Shape in;
  std::vector<int64_t> pads;  // begin..., end...
  bool has_value = false;
  double value = 0;
  std::string Describe() const {
    std::ostringstream os;
    os << "opset " << opset << " " << DTypeName(dtype) << " mode=" << mode << " in=" << ShapeString(in)
       << " pads=" << ShapeString(pads);
    if (has_value) os << " value=" << value;
    return os.str();
  }
};

int64_t Pick(std::mt19937_64& rng, std::initializer_list<int64_t> v) {
  return *(v.begin() + static_cast<std::ptrdiff_t>(rng() % v.size()));
}

PadCase Draw(std::mt19937_64& rng) {
  PadCase c;
  c.opset = static_cast<int>(Pick(rng, {1, 2, 6, 10, 11, 13, 13, 17, 17}));
  if (c.opset >= 11) {
    const DType types[] = {DType::kFloat32, DType::kFloat32, DType::kInt32,
                           DType::kInt64,   DType::kUInt8,   DType::kBool};
    c.dtype = types[rng() % 6];
  }
  const char* modes[] = {"constant", "reflect", "edge", "wrap"};
  c.mode = modes[rng() % 4];
  const int rank = static_cast<int>(Pick(rng, {0, 1, 1, 2, 2, 3, 3, 4, 4}));
  for (int k = 0; k < rank; ++k) {
    const bool empty = c.mode == "constant" && rng() % 12 == 0;
    c.in.push_back(empty ? 0 : Pick(rng, {1, 2, 3, 4, 5, 6}));
  }
  c.pads.assign(2 * rank, 0);
  for (int k = 0; k < rank; ++k) {
    int64_t& b = c.pads[k];
    int64_t& e = c.pads[k + rank];
    b = Pick(rng, {-2, -1, 0, 0, 1, 2, 3, 5});
    e = Pick(rng, {-2, -1, 0, 0, 1, 2, 3, 5});
    // Keep the problem legal: crops fit the axis; reflect pads stay below what is kept.
    while (std::max<int64_t>(-b, 0) + std::max<int64_t>(-e, 0) > c.in[k]) (b < e ? b : e) += 1;
    const int64_t extent = c.in[k] - std::max<int64_t>(-b, 0) - std::max<int64_t>(-e, 0);
    if (c.mode == "constant") continue;
    const int64_t limit = c.mode == "reflect" ? extent - 1 : extent == 0 ? 0 : 1 << 20;
    b = std::min(b, std::max<int64_t>(limit, 0));
    e = std::min(e, std::max<int64_t>(limit, 0));
  }
  c.has_value = rng() % 3 != 0;
  if (c.dtype == DType::kBool)
    c.value = static_cast<double>(rng() % 2);
  else if (c.dtype == DType::kUInt8)
    c.value = static_cast<double>(rng() % 256);
  else if (c.dtype == DType::kFloat32)
    c.value = static_cast<float>(static_cast<double>(rng() % 1000) / 64.0 - 7.0);
  else
    c.value = static_cast<double>(static_cast<int64_t>(rng() % 2001) - 1000);
  return c;
}

std::vector<uint8_t> BuildModel(const PadCase& c) {
  ModelBuilder m(c.opset);
  m.Input("x", c.dtype, c.in);
  std::vector<Attr> attrs = {StringAttr("mode", c.mode)};
  std::vector<std::string> inputs = {"x"};
  if (c.opset >= 11) {
    HostTensor pads(DType::kInt64, {static_cast<int64_t>(c.pads.size())});
    for (size_t k = 0; k < c.pads.size(); ++k) pads.SetInt(static_cast<int64_t>(k), c.pads[k]);
    m.Initializer("pads", pads);
    inputs.push_back("pads");
    if (c.has_value) {
      HostTensor v(c.dtype, {});
      v.SetDouble(0, c.value);
      m.Initializer("value", v);
      inputs.push_back("value");
    }
  } else {
    attrs.push_back(IntsAttr(c.opset == 1 ? "paddings" : "pads", c.pads));
    if (c.has_value) attrs.push_back(FloatAttr("value", static_cast<float>(c.value)));
  }
  m.Node("Pad", inputs, {"y"}, attrs, "pad");
  m.Output("y", c.dtype);
  return m.Serialize();
}

// The input index each output position of one axis reads (-1: the constant), built as numpy.pad would
// lay it out after the negative pads crop the axis.
std::vector<int64_t> AxisIndices(const std::string& mode, int64_t dim, int64_t pb, int64_t pe) {
  std::vector<int64_t> kept;
  for (int64_t i = std::max<int64_t>(-pb, 0); i < dim - std::max<int64_t>(-pe, 0); ++i) kept.push_back(i);
  const int64_t size = static_cast<int64_t>(kept.size());
  std::vector<int64_t> front(static_cast<size_t>(std::max<int64_t>(pb, 0)));
  std::vector<int64_t> back;
  for (int64_t t = 1; t <= static_cast<int64_t>(front.size()); ++t) {
    int64_t v = -1;
    if (mode == "edge") v = kept.front();
    if (mode == "reflect") v = kept[t];
    if (mode == "wrap") v = kept[(size - t % size) % size];
    front[front.size() - t] = v;
  }
  for (int64_t t = 1; t <= pe; ++t) {
    int64_t v = -1;
    if (mode == "edge") v = kept.back();
    if (mode == "reflect") v = kept[size - 1 - t];
    if (mode == "wrap") v = kept[(t - 1) % size];
    back.push_back(v);
  }
  front.insert(front.end(), kept.begin(), kept.end());
  front.insert(front.end(), back.begin(), back.end());
  return front;
}

HostTensor Oracle(const PadCase& c, const HostTensor& x) {
  const size_t rank = c.in.size();
  std::vector<std::vector<int64_t>> index(rank);
  Shape out;
  for (size_t k = 0; k < rank; ++k) {
    index[k] = AxisIndices(c.mode, c.in[k], c.pads[k], c.pads[k + rank]);
    out.push_back(static_cast<int64_t>(index[k].size()));
  }
  HostTensor fill(c.dtype, {});
  fill.SetDouble(0, c.has_value ? c.value : 0.0);
  HostTensor y(c.dtype, out);
  std::vector<int64_t> coord(rank, 0);
  for (int64_t o = 0; o < y.num_elements(); ++o) {
    int64_t src = 0;
    bool inside = true;
    for (size_t k = 0; k < rank; ++k) {
      const int64_t i = index[k][static_cast<size_t>(coord[k])];
      inside = inside && i >= 0;
      src = src * c.in[k] + std::max<int64_t>(i, 0);
    }
    y.SetDouble(o, inside ? x.GetDouble(src) : fill.GetDouble(0));
    for (size_t k = rank; k-- > 0;) {
      if (++coord[k] < out[k]) break;
      coord[k] = 0;
    }
  }
  return y;
}

::testing::AssertionResult ReferenceMatchesOracle(const std::vector<uint8_t>& model, const PadCase& c,
                                                  const HostTensor& x) {
  auto loaded = onnx::LoadModelBytes(model);
  if (!loaded.ok()) return ::testing::AssertionFailure() << loaded.status().ToString();
  runtime::SessionOptions o;
  o.backend = runtime::Backend::kReference;
  auto s = runtime::Session::FromModel(*loaded, o);
  if (!s.ok()) return ::testing::AssertionFailure() << s.status().ToString();
  auto got = (*s)->Run({{"x", x}});
  if (!got.ok()) return ::testing::AssertionFailure() << got.status().ToString();
  const auto cmp = runtime::Compare(got->at("y"), Oracle(c, x), runtime::Tolerance{0, 0});
  if (!cmp.ok) return ::testing::AssertionFailure() << "reference vs oracle: " << cmp.message;
  return ::testing::AssertionSuccess();
}

HostTensor Feed(const PadCase& c, std::mt19937_64& rng) {
  switch (c.dtype) {
    case DType::kBool:
      return RandomTensor(c.dtype, c.in, rng, 0, 2);
    case DType::kUInt8:
      return RandomTensor(c.dtype, c.in, rng, 0, 256);
    case DType::kFloat32:
      return RandomTensor(c.dtype, c.in, rng);
    default:
      return RandomTensor(c.dtype, c.in, rng, -1000, 1000);
  }
}

TEST(PadRandom, MatchesReferenceAndOracle) {
  const uint64_t seed = BaseSeed(20261125);
  const int count = SweepCount(300, 5000);
  std::cout << "PadRandom seed " << seed << ", " << count
            << " problems (WEBCONV_SEED / WEBCONV_FULL_SWEEP)\n";
  for (int i = 0; i < count; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    const PadCase c = Draw(rng);
    SCOPED_TRACE(::testing::Message() << "seed " << seed + i << ": " << c.Describe());
    const auto model = BuildModel(c);
    const HostTensor x = Feed(c, rng);
    EXPECT_TRUE(ReferenceMatchesOracle(model, c, x));
    // Pad moves elements: both backends must agree bit for bit.
    EXPECT_TRUE(MatchesReference(model, {{"x", x}}, runtime::Tolerance{0, 0}));
  }
}

// An invalid Pad fails at load or plan with a message carrying the numbers; never a crash.
Status PlanError(const PadCase& c, DType value_type = DType::kUndefined) {
  ModelBuilder m(c.opset);
  m.Input("x", c.dtype, c.in);
  HostTensor pads(DType::kInt64, {static_cast<int64_t>(c.pads.size())});
  for (size_t k = 0; k < c.pads.size(); ++k) pads.SetInt(static_cast<int64_t>(k), c.pads[k]);
  m.Initializer("pads", pads);
  std::vector<std::string> inputs = {"x", "pads"};
  if (value_type != DType::kUndefined) {
    m.Initializer("value", HostTensor(value_type, {}));
    inputs.push_back("value");
  }
  m.Node("Pad", inputs, {"y"}, {StringAttr("mode", c.mode)}, "pad");
  m.Output("y", c.dtype);
  auto loaded = onnx::LoadModelBytes(m.Serialize());
  if (!loaded.ok()) return loaded.status();
  runtime::SessionOptions o;
  o.backend = runtime::Backend::kReference;
  auto s = runtime::Session::FromModel(*loaded, o);
  if (!s.ok()) return s.status();
  auto got = (*s)->Run({{"x", HostTensor(c.dtype, c.in)}});
  return got.ok() ? OkStatus() : got.status();
}

void ExpectError(const Status& s, const std::string& fragment) {
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find(fragment), std::string::npos) << s.ToString();
}

TEST(PadErrors, InvalidProblemsAreRejectedWithNumbers) {
  PadCase c;
  c.in = {3};
  c.mode = "reflect";
  c.pads = {3, 0};
  ExpectError(PlanError(c), "reflect padding of axis 0 by 3 and 0 must be smaller than the axis' extent 3");
  c.pads = {-1, 2};
  ExpectError(PlanError(c), "by 0 and 2 must be smaller than the axis' extent 2");
  c.mode = "edge";
  c.in = {0, 2};
  c.pads = {1, 0, 0, 0};
  ExpectError(PlanError(c), "edge padding of axis 0");
  c.mode = "constant";
  c.in = {3};
  c.pads = {-2, -2};
  ExpectError(PlanError(c), "crop 4 elements from axis 0, which has 3");
  c.in = {2, 2};
  c.pads = {1, 1};
  ExpectError(PlanError(c), "pads has 2 entries");
  c.pads = {0, 0, 0, 0};
  ExpectError(PlanError(c, DType::kInt64), "constant_value has type int64 but data has type float32");
  c.mode = "symmetric";
  ExpectError(PlanError(c), "mode 'symmetric'");
}

}  // namespace
}  // namespace webconv::testing
