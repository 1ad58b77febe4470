// Pool semantics with known answers on both backends (column-major Indices in 3-D, windows that cover
// only padding, count_include_pad with ceil_mode), and the attribute checks that must refuse a model.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "differential.h"
#include "model_builder.h"
#include "onnx/loader.h"
#include "runtime/session.h"

namespace webconv::testing {
namespace {

using runtime::Backend;

Result<std::map<std::string, HostTensor>> RunModel(const std::vector<uint8_t>& model, const HostTensor& x,
                                                   Backend backend) {
  WC_ASSIGN_OR_RETURN(auto loaded, onnx::LoadModelBytes(model));
  runtime::SessionOptions o;
  o.backend = backend;
  if (backend == Backend::kWebGpu) o.shared_device = SharedDevice();
  WC_ASSIGN_OR_RETURN(auto session, runtime::Session::FromModel(loaded, o));
  return session->Run({{"x", x}});
}

HostTensor Iota(const Shape& shape) {
  HostTensor t(DType::kFloat32, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.SetDouble(i, static_cast<double>(i));
  return t;
}

std::vector<uint8_t> Pool(const char* op, int opset, const Shape& x, const std::vector<Attr>& attrs,
                          bool indices = false) {
  ModelBuilder m(opset);
  m.Input("x", DType::kFloat32, x);
  std::vector<std::string> outs = {"y"};
  if (indices) outs.push_back("i");
  m.Node(op, {"x"}, outs, attrs, "pool");
  m.Output("y", DType::kFloat32);
  if (indices) m.Output("i", DType::kInt64);
  return m.Serialize();
}

class PoolSemantics : public ::testing::TestWithParam<Backend> {};

// With increasing values every window's max is its last element, so Indices follow from the geometry.
TEST_P(PoolSemantics, ColumnMajorIndicesIn3D) {
  const Shape xs = {2, 1, 3, 4, 5};
  auto out = RunModel(
      Pool("MaxPool", 12, xs, {IntsAttr("kernel_shape", {2, 2, 2}), IntAttr("storage_order", 1)}, true),
      Iota(xs), GetParam());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const HostTensor& y = out->at("y");
  const HostTensor& ind = out->at("i");
  ASSERT_EQ(y.shape(), (Shape{2, 1, 2, 3, 4}));
  int64_t k = 0;
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t d = 0; d < 2; ++d)
      for (int64_t h = 0; h < 3; ++h)
        for (int64_t w = 0; w < 4; ++w, ++k) {
          const int64_t row_major = n * 60 + (d + 1) * 20 + (h + 1) * 5 + (w + 1);
          EXPECT_EQ(y.GetDouble(k), static_cast<double>(row_major)) << k;
          EXPECT_EQ(ind.GetInt(k), n * 60 + (d + 1) + (h + 1) * 3 + (w + 1) * 12) << k;
        }
}

// Windows that see only padding: the max of nothing is -inf with index -1; the average of nothing NaN.
TEST_P(PoolSemantics, WindowsCoveringOnlyPadding) {
  const Shape xs = {1, 1, 2};
  const std::vector<Attr> attrs = {IntsAttr("kernel_shape", {1}), IntsAttr("pads", {2, 0})};
  auto mx = RunModel(Pool("MaxPool", 12, xs, attrs, true), Iota(xs), GetParam());
  ASSERT_TRUE(mx.ok()) << mx.status().ToString();
  const double inf = std::numeric_limits<double>::infinity();
  const double want_y[] = {-inf, -inf, 0, 1};
  const int64_t want_i[] = {-1, -1, 0, 1};
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(mx->at("y").GetDouble(k), want_y[k]) << k;
    EXPECT_EQ(mx->at("i").GetInt(k), want_i[k]) << k;
  }
  auto avg = RunModel(Pool("AveragePool", 11, xs, attrs), Iota(xs), GetParam());
  ASSERT_TRUE(avg.ok()) << avg.status().ToString();
  EXPECT_TRUE(std::isnan(avg->at("y").GetDouble(0)));
  EXPECT_EQ(avg->at("y").GetDouble(3), 1.0);
}

// The last ceil_mode window runs past the end padding; that part is not counted even with
// count_include_pad (as ONNX Runtime and PyTorch divide).
TEST_P(PoolSemantics, CountIncludePadStopsAtTheEndPadding) {
  const Shape xs = {1, 1, 6};
  HostTensor ones(DType::kFloat32, xs);
  for (int k = 0; k < 6; ++k) ones.SetDouble(k, 1.0);
  auto out = RunModel(Pool("AveragePool", 11, xs,
                           {IntsAttr("kernel_shape", {3}), IntsAttr("strides", {2}), IntsAttr("pads", {1, 1}),
                            IntAttr("ceil_mode", 1), IntAttr("count_include_pad", 1)}),
                      ones, GetParam());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const HostTensor& y = out->at("y");
  ASSERT_EQ(y.shape(), (Shape{1, 1, 4}));
  const double want[] = {2.0 / 3, 1, 1, 0.5};
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(y.GetDouble(k), want[k], 1e-6) << k;
}

INSTANTIATE_TEST_SUITE_P(Backends, PoolSemantics, ::testing::Values(Backend::kReference, Backend::kWebGpu),
                         [](const auto& info) { return std::string(runtime::BackendName(info.param)); });

// Pad (constant zero) -> AveragePool. With count_include_pad=1 and no ceil_mode the Pad folds into the
// pool's pads; the result must equal the unfolded graph's, which keeps the Pad because its output is also
// a graph output. (With ceil_mode the fold would lose a window: the last one may start in the Pad's end
// zeros, which are input to the unfolded pool but padding to a folded one.)
std::vector<uint8_t> PadThenAverage(int64_t count_include_pad, int64_t ceil_mode, bool keep_pad) {
  ModelBuilder m(17);
  m.Input("x", DType::kFloat32, {2, 3, 5, 6});
  HostTensor pads(DType::kInt64, {8});
  const int64_t amounts[] = {0, 0, 1, 2, 0, 0, 2, 1};
  for (int k = 0; k < 8; ++k) pads.SetInt(k, amounts[k]);
  m.Initializer("pads", pads);
  m.Node("Pad", {"x", "pads"}, {"p"}, {}, "pad");
  m.Node("AveragePool", {"p"}, {"y"},
         {IntsAttr("kernel_shape", {3, 3}), IntsAttr("strides", {2, 2}), IntsAttr("pads", {1, 0, 0, 1}),
          IntAttr("ceil_mode", ceil_mode), IntAttr("count_include_pad", count_include_pad)},
         "pool");
  m.Output("y", DType::kFloat32);
  if (keep_pad) m.Output("p", DType::kFloat32);
  return m.Serialize();
}

TEST(PoolRewrite, ZeroPadFoldsOnlyIntoAveragesThatCountPadding) {
  std::mt19937_64 rng(BaseSeed(3));
  const HostTensor x = RandomTensor(DType::kFloat32, {2, 3, 5, 6}, rng);
  for (int64_t include : {1, 0}) {
    for (int64_t ceil : {0, 1}) {
      SCOPED_TRACE(::testing::Message() << "count_include_pad " << include << " ceil_mode " << ceil);
      auto loaded = onnx::LoadModelBytes(PadThenAverage(include, ceil, false));
      ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
      runtime::SessionOptions o;
      o.backend = Backend::kReference;
      auto session = runtime::Session::FromModel(*loaded, o);
      ASSERT_TRUE(session.ok()) << session.status().ToString();
      EXPECT_EQ((*session)->graph().rewrites.size(), include && !ceil ? 1u : 0u);
      auto folded = (*session)->Run({{"x", x}});
      auto kept = RunModel(PadThenAverage(include, ceil, true), x, Backend::kReference);
      ASSERT_TRUE(folded.ok() && kept.ok());
      const auto c = runtime::Compare(folded->at("y"), kept->at("y"), runtime::Tolerance{1e-12, 1e-12});
      EXPECT_TRUE(c.ok) << c.message;
      EXPECT_TRUE(
          MatchesReference(PadThenAverage(include, ceil, false), {{"x", x}}, runtime::Tolerance{1e-6, 1e-5}));
    }
  }
}

struct Refusal {
  const char* what;
  const char* op;
  int opset;
  Shape x;
  std::vector<Attr> attrs;
  bool indices;
  const char* message;  // a part of the expected message
};

TEST(PoolValidation, RefusesBadModels) {
  const std::vector<Attr> k2 = {IntsAttr("kernel_shape", {2, 2})};
  const Refusal cases[] = {
      {"dilations before MaxPool-10",
       "MaxPool",
       8,
       {1, 1, 4, 4},
       {IntsAttr("kernel_shape", {2, 2}), IntsAttr("dilations", {2, 2})},
       false,
       "'dilations' is not part of MaxPool-8"},
      {"ceil_mode before MaxPool-10",
       "MaxPool",
       9,
       {1, 1, 4, 4},
       {IntsAttr("kernel_shape", {2, 2}), IntAttr("ceil_mode", 1)},
       false,
       "'ceil_mode' is not part of MaxPool-9"},
      {"storage_order before MaxPool-8",
       "MaxPool",
       7,
       {1, 1, 4, 4},
       {IntsAttr("kernel_shape", {2, 2}), IntAttr("storage_order", 0)},
       false,
       "'storage_order'"},
      {"Indices before MaxPool-8", "MaxPool", 7, {1, 1, 4, 4}, k2, true, "MaxPool-7 has one"},
      {"AveragePool dilations before opset 19",
       "AveragePool",
       17,
       {1, 1, 4, 4},
       {IntsAttr("kernel_shape", {2, 2}), IntsAttr("dilations", {1, 1})},
       false,
       "arrives in opset 19"},
      {"count_include_pad before AveragePool-7",
       "AveragePool",
       6,
       {1, 1, 4, 4},
       {IntsAttr("kernel_shape", {2, 2}), IntAttr("count_include_pad", 1)},
       false,
       "'count_include_pad'"},
      {"count_include_pad 2",
       "AveragePool",
       11,
       {1, 1, 4, 4},
       {IntsAttr("kernel_shape", {2, 2}), IntAttr("count_include_pad", 2)},
       false,
       "count_include_pad must be 0 or 1"},
      {"storage_order 2",
       "MaxPool",
       12,
       {1, 1, 4, 4},
       {IntsAttr("kernel_shape", {2, 2}), IntAttr("storage_order", 2)},
       false,
       "storage_order must be 0 or 1"},
      {"no kernel_shape", "MaxPool", 12, {1, 1, 4, 4}, {}, false, "kernel_shape is required"},
      {"kernel_shape too short", "MaxPool", 12, {1, 1, 4, 4, 4}, k2, false, "kernel_shape has 2 values"},
      {"pads wrong length",
       "AveragePool",
       11,
       {1, 1, 4, 4},
       {IntsAttr("kernel_shape", {2, 2}), IntsAttr("pads", {1, 1})},
       false,
       "pads has 2 values"},
      {"negative pads",
       "MaxPool",
       12,
       {1, 1, 4, 4},
       {IntsAttr("kernel_shape", {2, 2}), IntsAttr("pads", {0, -1, 0, 0})},
       false,
       "pads has value -1"},
      {"kernel beyond the padded input",
       "MaxPool",
       12,
       {1, 1, 4, 4},
       {IntsAttr("kernel_shape", {5, 2})},
       false,
       "exceeds the padded input"},
      {"four spatial axes",
       "MaxPool",
       12,
       {1, 1, 2, 2, 2, 2},
       {IntsAttr("kernel_shape", {1, 1, 1, 1})},
       false,
       "1 to 3 spatial axes"},
      {"global pool of rank 2", "GlobalAveragePool", 1, {2, 3}, {}, false, "needs [N, C, spatial...]"},
  };
  for (const Refusal& r : cases) {
    SCOPED_TRACE(r.what);
    HostTensor x(DType::kFloat32, r.x);
    for (Backend b : {Backend::kReference, Backend::kWebGpu}) {
      auto out = RunModel(Pool(r.op, r.opset, r.x, r.attrs, r.indices), x, b);
      ASSERT_FALSE(out.ok());
      EXPECT_EQ(out.status().code, StatusCode::kBadModel) << out.status().ToString();
      EXPECT_NE(out.status().ToString().find(r.message), std::string::npos) << out.status().ToString();
    }
  }
}

// MaxPool accepts 8-bit integers only from opset 12 on.
TEST(PoolValidation, Int8MaxPoolNeedsOpset12) {
  for (int opset : {11, 12}) {
    ModelBuilder m(opset);
    m.Input("x", DType::kInt8, {1, 1, 3});
    m.Node("MaxPool", {"x"}, {"y"}, {IntsAttr("kernel_shape", {2})}, "pool");
    m.Output("y", DType::kInt8);
    HostTensor x(DType::kInt8, {1, 1, 3});
    for (int k = 0; k < 3; ++k) x.SetInt(k, -5 + 3 * k);
    auto out = RunModel(m.Serialize(), x, Backend::kReference);
    if (opset == 11) {
      ASSERT_FALSE(out.ok());
      EXPECT_NE(out.status().ToString().find("int8 is not supported by MaxPool-11"), std::string::npos)
          << out.status().ToString();
    } else {
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      EXPECT_EQ(out->at("y").GetInt(0), -2);
      EXPECT_EQ(out->at("y").GetInt(1), 1);
    }
  }
}

}  // namespace
}  // namespace webconv::testing
