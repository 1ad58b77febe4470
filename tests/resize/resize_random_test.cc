// Resize / Upsample differential tests: seeded random problems over every opset form (Upsample-7 and -9,
// Resize-10, -11 and -13), ranks 1-5, awkward extents, nearest / linear / cubic with every coordinate
// and rounding mode, scales or sizes, on WebGPU against the float64 reference; plus the errors a
// malformed node must give. Scales are dyadic and extents small: f32 then represents every coordinate
// the reference computes exactly, so nearest-mode ties must agree bit for bit.
#include <gtest/gtest.h>

#include <sstream>

#include "differential.h"
#include "model_builder.h"
#include "onnx/loader.h"
#include "runtime/session.h"

namespace webconv::testing {
namespace {

struct ResizeCase {
  int opset = 13;
  DType dtype = DType::kFloat32;
  Shape x;
  std::string mode = "nearest", coord = "half_pixel", nearest_mode = "round_prefer_floor";
  float cubic_a = -0.75f;
  int64_t exclude_outside = 0;
  std::vector<float> scales, roi;
  std::vector<int64_t> sizes;
  float extrapolation = 0;

  std::string Describe() const {
    std::ostringstream os;
    os << (opset < 10 ? "Upsample-" : "Resize-") << opset << " " << DTypeName(dtype)
       << " x=" << ShapeString(x) << " mode=" << mode;
    if (opset >= 11)
      os << " coord=" << coord << " nearest_mode=" << nearest_mode << " cubic_a=" << cubic_a
         << " exclude_outside=" << exclude_outside << " extrapolation=" << extrapolation;
    os << " scales=[";
    for (float s : scales) os << s << ",";
    os << "] sizes=" << ShapeString(sizes) << " roi=[";
    for (float r : roi) os << r << ",";
    os << "]";
    return os.str();
  }
};

template <typename T>
T Pick(std::mt19937_64& rng, std::initializer_list<T> v) {
  return *(v.begin() + static_cast<std::ptrdiff_t>(rng() % v.size()));
}

ResizeCase Draw(std::mt19937_64& rng) {
  ResizeCase c;
  c.opset = Pick(rng, {7, 9, 10, 11, 13, 13, 13});
  const bool upsample = c.opset < 10;
  const int rank = Pick(rng, {1, 2, 3, 4, 4, 4, 5});
  for (int k = 0; k < rank; ++k) c.x.push_back(Pick<int64_t>(rng, {1, 2, 3, 5, 7}));
  c.mode = c.opset >= 11 ? Pick<std::string>(rng, {"nearest", "linear", "cubic"})
                         : Pick<std::string>(rng, {"nearest", "linear"});
  if (c.mode == "nearest" && rng() % 3 == 0)
    c.dtype = Pick(rng, {DType::kInt32, DType::kUInt8, DType::kInt64});
  const bool use_sizes = c.opset >= 11 && rng() % 2 == 0;
  for (int k = 0; k < rank; ++k) {
    const bool resized = rng() % 3 != 0;
    if (use_sizes)
      c.sizes.push_back(resized ? Pick<int64_t>(rng, {1, 2, 3, 4, 5, 8, 9, 11}) : c.x[k]);
    else if (upsample)
      c.scales.push_back(resized ? Pick(rng, {1.5f, 2.0f, 2.5f, 3.0f}) : 1.0f);
    else
      c.scales.push_back(resized ? Pick(rng, {0.5f, 0.75f, 1.25f, 1.5f, 2.0f, 3.0f}) : 1.0f);
  }
  if (c.opset >= 11) {
    c.coord = Pick<std::string>(rng, {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                                      "tf_half_pixel_for_nn", "tf_crop_and_resize"});
    c.nearest_mode = Pick<std::string>(rng, {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"});
    c.cubic_a = Pick(rng, {-0.75f, -0.5f});
    c.exclude_outside = c.mode == "cubic" ? static_cast<int64_t>(rng() % 2) : 0;
    if (c.coord == "tf_crop_and_resize") {
      for (int k = 0; k < rank; ++k) c.roi.push_back(Pick(rng, {0.0f, 0.25f, -0.25f, 0.5f}));
      for (int k = 0; k < rank; ++k) c.roi.push_back(Pick(rng, {1.0f, 0.75f, 1.25f, 1.5f}));
      c.extrapolation = Pick(rng, {0.0f, 2.0f, -7.0f});
    }
  }
  return c;
}

std::vector<uint8_t> BuildModel(const ResizeCase& c) {
  ModelBuilder m(c.opset);
  m.Input("x", c.dtype, c.x);
  std::vector<Attr> attrs = {StringAttr("mode", c.mode)};
  std::vector<std::string> inputs = {"x"};
  auto floats = [](const std::vector<float>& v) {
    HostTensor t(DType::kFloat32, {static_cast<int64_t>(v.size())});
    for (size_t i = 0; i < v.size(); ++i) t.SetDouble(static_cast<int64_t>(i), v[i]);
    return t;
  };
  if (c.opset == 7) {
    attrs.push_back(FloatsAttr("scales", c.scales));
  } else if (c.opset < 11) {
    m.Initializer("scales", floats(c.scales));
    inputs.push_back("scales");
  } else {
    attrs.push_back(StringAttr("coordinate_transformation_mode", c.coord));
    attrs.push_back(StringAttr("nearest_mode", c.nearest_mode));
    attrs.push_back(FloatAttr("cubic_coeff_a", c.cubic_a));
    attrs.push_back(IntAttr("exclude_outside", c.exclude_outside));
    attrs.push_back(FloatAttr("extrapolation_value", c.extrapolation));
    // Opset 11 needs roi and scales inputs even when unused: empty tensors stand for them.
    m.Initializer("roi", floats(c.roi));
    inputs.push_back(c.roi.empty() && c.opset >= 13 ? "" : "roi");
    if (!c.scales.empty() || c.opset == 11) {
      m.Initializer("scales", floats(c.scales));
      inputs.push_back("scales");
    } else {
      inputs.push_back("");
    }
    if (!c.sizes.empty()) {
      HostTensor s(DType::kInt64, {static_cast<int64_t>(c.sizes.size())});
      for (size_t i = 0; i < c.sizes.size(); ++i) s.SetInt(static_cast<int64_t>(i), c.sizes[i]);
      m.Initializer("sizes", s);
      inputs.push_back("sizes");
    }
  }
  m.Node(c.opset < 10 ? "Upsample" : "Resize", inputs, {"y"}, attrs, "resize");
  m.Output("y", c.dtype);
  return m.Serialize();
}

HostTensor Input(const ResizeCase& c, std::mt19937_64& rng) {
  return IsFloat(c.dtype) ? RandomTensor(c.dtype, c.x, rng) : RandomTensor(c.dtype, c.x, rng, 0, 100);
}

// Nearest mode moves elements: exact. Linear and cubic sum up to 4^rank f32 products of values in [-1, 1].
runtime::Tolerance ToleranceFor(const ResizeCase& c) {
  return c.mode == "nearest" ? runtime::Tolerance{0, 0} : runtime::Tolerance{1e-5, 1e-4};
}

TEST(ResizeRandom, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261130);
  const int count = SweepCount(80, 2000);
  std::cout << "ResizeRandom seed " << seed << ", " << count << " problems\n";
  for (int i = 0; i < count; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    const ResizeCase c = Draw(rng);
    const runtime::Tolerance tol = ToleranceFor(c);
    SCOPED_TRACE(::testing::Message() << "seed " << seed + i << ": " << c.Describe() << " (atol " << tol.atol
                                      << ", rtol " << tol.rtol << ")");
    EXPECT_TRUE(MatchesReference(BuildModel(c), {{"x", Input(c, rng)}}, tol));
  }
}

// Integers interpolate in f32 and round half to even: a dyadic upsampling gives exact halves.
TEST(ResizeIntegers, LinearRoundsHalfToEvenAndCubicSaturates) {
  for (const char* mode : {"linear", "cubic"}) {
    for (DType t : {DType::kUInt8, DType::kInt32}) {
      ResizeCase c;
      c.dtype = t;
      c.mode = mode;
      c.x = {1, 2, 3, 4};
      c.scales = {1, 1, 2, 2};
      SCOPED_TRACE(c.Describe());
      std::mt19937_64 rng(3);
      HostTensor x(t, c.x);
      for (int64_t i = 0; i < x.num_elements(); ++i) x.SetInt(i, (i * 97) % 256);
      EXPECT_TRUE(MatchesReference(BuildModel(c), {{"x", x}}, runtime::Tolerance{0, 0}));
    }
  }
}

// The legacy forms: Upsample-1 names its scales height_scale/width_scale and its linear mode "bilinear";
// Resize-10 (like ONNX Runtime) takes the ceiling of a downsampled nearest coordinate x / scale.
TEST(ResizeLegacy, UpsampleOneAndResizeTenNearestDownsampling) {
  for (const char* mode : {"nearest", "bilinear"}) {
    ModelBuilder m(1);
    m.Input("x", DType::kFloat32, {1, 2, 3, 4});
    m.Node("Upsample", {"x"}, {"y"},
           {StringAttr("mode", mode), FloatAttr("height_scale", 2), FloatAttr("width_scale", 1.5f)}, "up");
    m.Output("y", DType::kFloat32);
    std::mt19937_64 rng(5);
    SCOPED_TRACE(mode);
    EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, {1, 2, 3, 4}, rng)}},
                                 runtime::Tolerance{1e-6, 1e-5}));
  }
  ResizeCase c;
  c.opset = 10;
  c.x = {5};
  c.scales = {0.6f};
  HostTensor x(DType::kFloat32, c.x);
  for (int64_t i = 0; i < 5; ++i) x.SetDouble(i, static_cast<double>(10 * i));
  EXPECT_TRUE(MatchesReference(BuildModel(c), {{"x", x}}, runtime::Tolerance{0, 0}));
  auto loaded = onnx::LoadModelBytes(BuildModel(c));
  ASSERT_TRUE(loaded.ok());
  runtime::SessionOptions o;
  o.backend = runtime::Backend::kReference;
  auto s = runtime::Session::FromModel(*loaded, o);
  ASSERT_TRUE(s.ok());
  auto got = (*s)->Run({{"x", x}});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  // Coordinates 0, 1.67, 3.33 take their ceilings 0, 2, 4.
  const HostTensor& y = got->at("y");
  ASSERT_EQ(y.shape(), Shape({3}));
  EXPECT_EQ(y.GetDouble(0), 0);
  EXPECT_EQ(y.GetDouble(1), 20);
  EXPECT_EQ(y.GetDouble(2), 40);
}

Status BuildError(const ResizeCase& c) {
  auto loaded = onnx::LoadModelBytes(BuildModel(c));
  if (!loaded.ok()) return loaded.status();
  runtime::SessionOptions o;
  o.backend = runtime::Backend::kReference;
  auto s = runtime::Session::FromModel(*loaded, o);
  if (!s.ok()) return s.status();
  std::mt19937_64 rng(1);
  auto got = (*s)->Run({{"x", Input(c, rng)}});
  return got.ok() ? OkStatus() : got.status();
}

void ExpectError(const ResizeCase& c, const std::string& fragment) {
  const Status s = BuildError(c);
  EXPECT_FALSE(s.ok()) << c.Describe();
  EXPECT_NE(s.ToString().find(fragment), std::string::npos) << s.ToString();
}

TEST(ResizeErrors, MalformedNodesAreRejected) {
  ResizeCase c;
  c.x = {1, 2, 3};
  c.scales = {1, 2};
  ExpectError(c, "scales has shape [2]; it needs 3 entries for a rank-3 X");
  c.scales = {1, 2, 2};
  c.sizes = {1, 4, 6};
  ExpectError(c, "scales and sizes are both given");
  c.sizes.clear();
  c.scales = {1, 0, 2};
  ExpectError(c, "scales[1] is 0");
  c.scales = {1, 2, 2};
  c.mode = "bicubic";
  ExpectError(c, "mode 'bicubic' is not one of nearest, linear, cubic");
  c.mode = "nearest";
  c.coord = "tf_crop_and_resize";
  ExpectError(c, "tf_crop_and_resize needs the roi input");
  c.coord = "half_pixel";
  c.nearest_mode = "nearest";
  ExpectError(c, "nearest_mode 'nearest' is not one of");
  c.nearest_mode = "floor";
  c.opset = 10;
  c.mode = "cubic";
  ExpectError(c, "mode 'cubic' is not one of nearest, linear");
  c.opset = 9;
  c.mode = "nearest";
  c.scales = {1, 0.5f, 2};
  ExpectError(c, "Upsample needs scales >= 1");
  c.opset = 13;
  c.scales.clear();
  c.sizes = {1, -2, 3};
  ExpectError(c, "sizes[1] is -2");
}

}  // namespace
}  // namespace webconv::testing
