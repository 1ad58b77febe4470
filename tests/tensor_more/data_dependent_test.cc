// Ops whose output shape depends on the input values (NonZero, Compress, Unique, NonMaxSuppression): they
// have no WebGPU kernel and are evaluated by the float64 reference when the graph is planned, from inputs
// that are constants, graph inputs bound by value, or values folded from them. A node whose input a GPU
// kernel computes (folding off) is refused, naming the node; random graph inputs give the same outputs on
// webgpu, cpu and ref (including a kernel that reads a folded result), and those outputs hold the ops'
// defining properties.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

#include "differential.h"
#include "model_builder.h"
#include "onnx/loader.h"

namespace webconv::testing {
namespace {

const runtime::Tolerance kExact{0, 0};

HostTensor Scalar1(DType t, double v) {
  HostTensor s(t, {1});
  if (IsFloat(t))
    s.SetDouble(0, v);
  else
    s.SetInt(0, static_cast<int64_t>(v));
  return s;
}

// Runs `model` on WebGPU with constant folding off: a node whose inputs another node computes then keeps
// its kernel, so its output is not known when the graph is planned.
Result<std::map<std::string, HostTensor>> RunOnWebGpuUnfolded(
    const std::vector<uint8_t>& model, const std::map<std::string, HostTensor>& feeds) {
  WC_ASSIGN_OR_RETURN(auto loaded, onnx::LoadModelBytes(model));
  runtime::SessionOptions o;
  o.backend = runtime::Backend::kWebGpu;
  ApplyTestTuning(&o);
  o.shared_device = SharedDevice();
  if (!o.shared_device) return Error(StatusCode::kDevice, "no WebGPU device");
  o.fold_constants = false;
  WC_ASSIGN_OR_RETURN(auto session, runtime::Session::FromModel(loaded, o));
  return session->Run(feeds);
}

TEST(DataDependent, InputComputedByAKernelIsRefusedNamingTheNode) {
  {
    ModelBuilder m(13);
    m.Input("x", DType::kFloat32, {3, 4});
    m.Node("Relu", {"x"}, {"r"}, {}, "relu");
    m.Node("NonZero", {"r"}, {"y"}, {}, "nz");
    m.Output("y", DType::kInt64);
    HostTensor x(DType::kFloat32, {3, 4});
    for (int64_t i = 0; i < 12; ++i) x.SetDouble(i, i % 3 - 1.0);
    auto out = RunOnWebGpuUnfolded(m.Serialize(), {{"x", x}});
    ASSERT_FALSE(out.ok()) << "with folding off Relu runs on the GPU, so NonZero's output shape is not known";
    const std::string text = out.status().ToString();
    EXPECT_NE(text.find("'nz'"), std::string::npos) << text;
    EXPECT_NE(text.find("input 0 ('r') must be known when the graph is planned"), std::string::npos) << text;
    // With the default folding, x is bound by value and Relu is evaluated when planning: every backend
    // agrees.
    EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", x}}, kExact));
  }
  {
    ModelBuilder m(11);
    m.Input("boxes", DType::kFloat32, {1, 4, 4});
    m.Input("s", DType::kFloat32, {1, 2, 4});
    m.Node("Sigmoid", {"s"}, {"scores"}, {}, "sigmoid");
    m.Node("NonMaxSuppression", {"boxes", "scores"}, {"sel"}, {}, "nms");
    m.Output("sel", DType::kInt64);
    std::mt19937_64 rng(1);
    std::printf("seed 1\n");
    const std::map<std::string, HostTensor> feeds = {
        {"boxes", RandomTensor(DType::kFloat32, {1, 4, 4}, rng, 0, 1)},
        {"s", RandomTensor(DType::kFloat32, {1, 2, 4}, rng)}};
    auto out = RunOnWebGpuUnfolded(m.Serialize(), feeds);
    ASSERT_FALSE(out.ok());
    const std::string text = out.status().ToString();
    EXPECT_NE(text.find("'nms'"), std::string::npos) << text;
    EXPECT_NE(text.find("input 1 ('scores') must be known when the graph is planned"), std::string::npos)
        << text;
  }
}

// Inputs the ops refuse fail on every backend alike, naming the node and the reason.
TEST(DataDependent, BadInputsAreRefusedWithTheReason) {
  {
    ModelBuilder m(11);
    m.Input("x", DType::kFloat32, {4});
    m.Input("cond", DType::kInt64, {4});
    m.Node("Compress", {"x", "cond"}, {"y"}, {}, "compress");
    m.Output("y", DType::kFloat32);
    HostTensor x(DType::kFloat32, {4}), cond(DType::kInt64, {4});
    EXPECT_TRUE(
        FailsAlikeOnEveryBackend(m.Serialize(), {{"x", x}, {"cond", cond}},
                                 {"Compress", "'compress'", "condition has type int64, expected bool"}));
  }
  for (int64_t spatial : {2, 3}) {
    ModelBuilder m(11);
    m.Input("boxes", DType::kFloat32, {1, spatial, 4});
    m.Input("scores", DType::kFloat32, {1, 1, 2});
    m.Input("max", DType::kInt64, {1});
    m.Input("iou", DType::kFloat32, {1});
    m.Node("NonMaxSuppression", {"boxes", "scores", "max", "iou"}, {"sel"}, {}, "nms");
    m.Output("sel", DType::kInt64);
    const std::map<std::string, HostTensor> feeds = {
        {"boxes", HostTensor(DType::kFloat32, {1, spatial, 4})},
        {"scores", HostTensor(DType::kFloat32, {1, 1, 2})},
        {"max", Scalar1(DType::kInt64, 2)},
        {"iou", Scalar1(DType::kFloat32, spatial == 2 ? 1.5 : 0.5)}};
    if (spatial == 2) {
      EXPECT_TRUE(FailsAlikeOnEveryBackend(
          m.Serialize(), feeds,
          {"NonMaxSuppression", "'nms'", "iou_threshold is 1.5: it must lie in [0, 1]"}));
    } else {
      EXPECT_TRUE(FailsAlikeOnEveryBackend(
          m.Serialize(), feeds,
          {"'nms'",
           "scores must have shape [num_batches, num_classes, spatial_dimension] = [1, num_classes, 3]"}));
    }
  }
  {
    ModelBuilder m(11);
    m.Input("x", DType::kInt32, {2, 3});
    m.Node("Unique", {"x"}, {"y"}, {IntAttr("axis", 2)}, "unique");
    m.Output("y", DType::kInt32);
    EXPECT_TRUE(FailsAlikeOnEveryBackend(m.Serialize(), {{"x", HostTensor(DType::kInt32, {2, 3})}},
                                         {"Unique", "'unique'", "axis"}));
  }
}

// Row-major coordinates of flat index i.
std::vector<int64_t> Coords(const Shape& shape, int64_t i) {
  std::vector<int64_t> c(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    c[d] = i % shape[d];
    i /= shape[d];
  }
  return c;
}

TEST(DataDependent, NonZeroRandomInputsAgreeOnEveryBackend) {
  const uint64_t seed = BaseSeed(9);
  std::printf("NonZero seed %llu (WEBCONV_SEED)\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  const std::vector<std::pair<DType, Shape>> configs = {
      {DType::kFloat32, {5, 7}}, {DType::kInt32, {2, 3, 4}}, {DType::kBool, {9}},
      {DType::kInt64, {}},       {DType::kFloat32, {4, 0}},  {DType::kUInt8, {3, 1, 5}}};
  for (const auto& [t, shape] : configs) {
    SCOPED_TRACE(::testing::Message() << DTypeName(t) << " " << ShapeString(shape));
    ModelBuilder m(13);
    m.Input("x", t, shape);
    m.Node("NonZero", {"x"}, {"y"}, {}, "nz");
    m.Output("y", DType::kInt64);
    const HostTensor x = RandomIntegers(t, shape, rng, 0, t == DType::kBool ? 1 : 2);
    EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", x}}, kExact));
    auto out = RunOn(runtime::Backend::kWebGpu, m.Serialize(), {{"x", x}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const HostTensor& y = out->at("y");
    int64_t nonzero = 0;
    for (int64_t i = 0; i < x.num_elements(); ++i) nonzero += x.GetInt(i) != 0;
    const int64_t rank = std::max<int64_t>(static_cast<int64_t>(shape.size()), 1);
    ASSERT_EQ(y.shape(), (Shape{rank, nonzero}));
    // Every column addresses a nonzero element, in increasing row-major order.
    int64_t previous = -1;
    for (int64_t j = 0; j < nonzero; ++j) {
      int64_t flat = 0;
      for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
        flat = flat * shape[d] + y.GetInt(d * nonzero + j);
      if (shape.empty()) {
        EXPECT_EQ(y.GetInt(j), 0);
      }
      EXPECT_GT(flat, previous);
      EXPECT_NE(x.GetInt(flat), 0);
      previous = flat;
    }
  }
}

TEST(DataDependent, CompressRandomInputsAgreeOnEveryBackend) {
  const uint64_t seed = BaseSeed(11);
  std::printf("Compress seed %llu (WEBCONV_SEED)\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  const Shape shape = {4, 5, 3};
  struct Config {
    bool has_axis;
    int64_t axis;
    int64_t cond_length;
  };
  const Config configs[] = {{false, 0, 60}, {false, 0, 17}, {true, 0, 4},
                            {true, 1, 3},   {true, -1, 3},  {true, 2, 2}};
  for (const Config& c : configs) {
    SCOPED_TRACE(::testing::Message()
                 << (c.has_axis ? "axis " + std::to_string(c.axis) : std::string("no axis"))
                 << ", condition of " << c.cond_length);
    ModelBuilder m(11);
    m.Input("x", DType::kFloat32, shape);
    m.Input("cond", DType::kBool, {c.cond_length});
    std::vector<Attr> attrs;
    if (c.has_axis) attrs.push_back(IntAttr("axis", c.axis));
    m.Node("Compress", {"x", "cond"}, {"y"}, attrs, "compress");
    m.Input("bias", DType::kFloat32, {1});
    m.Node("Add", {"y", "bias"}, {"z"}, {}, "add");  // a kernel reading the folded result
    m.Output("y", DType::kFloat32);
    m.Output("z", DType::kFloat32);
    const std::map<std::string, HostTensor> feeds = {
        {"x", RandomTensor(DType::kFloat32, shape, rng)},
        {"cond", RandomIntegers(DType::kBool, {c.cond_length}, rng, 0, 1)},
        {"bias", RandomTensor(DType::kFloat32, {1}, rng)}};
    EXPECT_TRUE(MatchesReference(m.Serialize(), feeds, kExact));
    auto out = RunOn(runtime::Backend::kWebGpu, m.Serialize(), feeds);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    // The kept slices, by the definition: entry k of the condition keeps slice k.
    const HostTensor& x = feeds.at("x");
    const HostTensor& cond = feeds.at("cond");
    const HostTensor& y = out->at("y");
    if (!c.has_axis) {
      int64_t j = 0;
      for (int64_t k = 0; k < std::min<int64_t>(c.cond_length, x.num_elements()); ++k)
        if (cond.GetInt(k)) {
          EXPECT_EQ(y.GetDouble(j++), x.GetDouble(k));
        }
      EXPECT_EQ(y.shape(), (Shape{j}));
    } else {
      const size_t axis = static_cast<size_t>(c.axis < 0 ? c.axis + 3 : c.axis);
      std::vector<int64_t> kept;
      for (int64_t k = 0; k < std::min<int64_t>(c.cond_length, shape[axis]); ++k)
        if (cond.GetInt(k)) kept.push_back(k);
      Shape want = shape;
      want[axis] = static_cast<int64_t>(kept.size());
      ASSERT_EQ(y.shape(), want);
      for (int64_t i = 0; i < y.num_elements(); ++i) {
        std::vector<int64_t> at = Coords(want, i);
        at[axis] = kept[static_cast<size_t>(at[axis])];
        EXPECT_EQ(y.GetDouble(i), x.GetDouble((at[0] * shape[1] + at[1]) * shape[2] + at[2]));
      }
    }
  }
}

TEST(DataDependent, UniqueRandomInputsAgreeOnEveryBackend) {
  const uint64_t seed = BaseSeed(13);
  std::printf("Unique seed %llu (WEBCONV_SEED)\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  struct Config {
    DType type;
    Shape shape;
    bool has_axis;
    int64_t axis;
    int sorted;
  };
  const Config configs[] = {
      {DType::kFloat32, {20}, false, 0, 1},      {DType::kFloat32, {4, 6}, false, 0, 0},
      {DType::kInt32, {3, 7}, false, 0, 1},      {DType::kInt64, {12}, false, 0, 0},
      {DType::kFloat32, {8, 2}, true, 0, 1},     {DType::kInt32, {2, 9}, true, 1, 0},
      {DType::kFloat32, {2, 6, 2}, true, -2, 1}, {DType::kInt64, {2, 6, 2}, true, 1, 0},
  };
  for (const Config& c : configs) {
    SCOPED_TRACE(::testing::Message()
                 << DTypeName(c.type) << " " << ShapeString(c.shape) << " sorted " << c.sorted
                 << (c.has_axis ? " axis " + std::to_string(c.axis) : std::string()));
    ModelBuilder m(11);
    m.Input("x", c.type, c.shape);
    std::vector<Attr> attrs = {IntAttr("sorted", c.sorted)};
    if (c.has_axis) attrs.push_back(IntAttr("axis", c.axis));
    m.Node("Unique", {"x"}, {"y", "indices", "inverse", "counts"}, attrs, "unique");
    m.Input("bias", c.type, {1});
    m.Node("Add", {"y", "bias"}, {"sum"}, {}, "add");  // a kernel reading the folded result
    m.Output("y", c.type);
    m.Output("indices", DType::kInt64);
    m.Output("inverse", DType::kInt64);
    m.Output("counts", DType::kInt64);
    m.Output("sum", c.type);
    // Few distinct values (slices of two-valued elements with an axis), so that repeats are common.
    const HostTensor x = RandomIntegers(c.type, c.shape, rng, c.has_axis ? 0 : -3, c.has_axis ? 1 : 3);
    const std::map<std::string, HostTensor> feeds = {{"x", x},
                                                     {"bias", RandomIntegers(c.type, {1}, rng, -3, 3)}};
    EXPECT_TRUE(MatchesReference(m.Serialize(), feeds, kExact));
    auto out = RunOn(runtime::Backend::kWebGpu, m.Serialize(), feeds);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const HostTensor& y = out->at("y");
    const HostTensor& indices = out->at("indices");
    const HostTensor& inverse = out->at("inverse");
    const HostTensor& counts = out->at("counts");
    // The input as `extent` slices of [outer, inner] around the axis.
    const int64_t rank = static_cast<int64_t>(c.shape.size());
    const int64_t axis = c.has_axis ? (c.axis < 0 ? c.axis + rank : c.axis) : 0;
    int64_t outer = 1, inner = 1;
    const int64_t extent = c.has_axis ? c.shape[static_cast<size_t>(axis)] : x.num_elements();
    for (int64_t d = 0; c.has_axis && d < rank; ++d) {
      if (d < axis) outer *= c.shape[static_cast<size_t>(d)];
      if (d > axis) inner *= c.shape[static_cast<size_t>(d)];
    }
    const int64_t groups = indices.num_elements();
    ASSERT_EQ(counts.num_elements(), groups);
    ASSERT_EQ(inverse.num_elements(), extent);
    ASSERT_EQ(y.num_elements(), outer * groups * inner);
    auto slice = [&](const HostTensor& t, int64_t n, int64_t k) {
      std::vector<int64_t> v;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t in = 0; in < inner; ++in) v.push_back(t.GetInt((o * n + k) * inner + in));
      return v;
    };
    int64_t total = 0;
    for (int64_t g = 0; g < groups; ++g) {
      EXPECT_EQ(slice(y, groups, g), slice(x, extent, indices.GetInt(g))) << "Y holds X's slice at indices";
      total += counts.GetInt(g);
      if (g > 0 && c.sorted) {
        EXPECT_LT(slice(y, groups, g - 1), slice(y, groups, g)) << "sorted, distinct";
      } else if (g > 0) {
        EXPECT_LT(indices.GetInt(g - 1), indices.GetInt(g)) << "order of first occurrence";
      }
    }
    EXPECT_EQ(total, extent);
    std::vector<int64_t> seen(static_cast<size_t>(groups), 0);
    for (int64_t k = 0; k < extent; ++k) {
      const int64_t g = inverse.GetInt(k);
      ASSERT_TRUE(g >= 0 && g < groups);
      EXPECT_EQ(slice(x, extent, k), slice(y, groups, g)) << "inverse_indices map X onto Y";
      if (seen[static_cast<size_t>(g)]++ == 0) {
        EXPECT_EQ(indices.GetInt(g), k) << "indices are first occurrences";
      }
    }
    for (int64_t g = 0; g < groups; ++g) EXPECT_EQ(seen[static_cast<size_t>(g)], counts.GetInt(g));
  }
}

// Intersection over union of boxes i and j of batch b ([y1, x1, y2, x2] or, with center_point_box,
// [x_center, y_center, width, height]).
double IoU(const HostTensor& boxes, int64_t spatial, int64_t b, int64_t i, int64_t j, bool center_point_box) {
  double lo[2][2], hi[2][2];  // [box][axis]
  for (int k = 0; k < 2; ++k) {
    const int64_t at = (b * spatial + (k == 0 ? i : j)) * 4;
    const double v[4] = {boxes.GetDouble(at), boxes.GetDouble(at + 1), boxes.GetDouble(at + 2),
                         boxes.GetDouble(at + 3)};
    for (int a = 0; a < 2; ++a) {
      if (center_point_box) {
        lo[k][a] = v[a] - v[a + 2] / 2;
        hi[k][a] = v[a] + v[a + 2] / 2;
      } else {
        lo[k][a] = std::min(v[a], v[a + 2]);
        hi[k][a] = std::max(v[a], v[a + 2]);
      }
    }
  }
  double inter = 1, area0 = 1, area1 = 1;
  for (int a = 0; a < 2; ++a) {
    inter *= std::max(0.0, std::min(hi[0][a], hi[1][a]) - std::max(lo[0][a], lo[1][a]));
    area0 *= hi[0][a] - lo[0][a];
    area1 *= hi[1][a] - lo[1][a];
  }
  return inter / (area0 + area1 - inter);
}

TEST(DataDependent, NonMaxSuppressionRandomInputsAgreeOnEveryBackend) {
  const uint64_t seed = BaseSeed(15);
  std::printf("NonMaxSuppression seed %llu (WEBCONV_SEED)\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  struct Config {
    int center_point_box;
    int64_t batches, classes, boxes, max_out;
    float iou;
    bool score_threshold;
    float threshold;
  };
  const Config configs[] = {{0, 1, 1, 12, 5, 0.5f, false, 0},
                            {1, 2, 3, 10, 4, 0.3f, true, 0.4f},
                            {0, 2, 2, 16, 100, 0.1f, true, 0.2f},
                            {1, 1, 2, 8, 0, 0.5f, false, 0},
                            {1, 3, 1, 20, 20, 0.0f, true, 0.5f}};
  for (const Config& c : configs) {
    SCOPED_TRACE(::testing::Message()
                 << "center_point_box " << c.center_point_box << " [" << c.batches << ", " << c.classes
                 << ", " << c.boxes << "] max " << c.max_out << " iou " << c.iou
                 << (c.score_threshold ? " score_threshold " + std::to_string(c.threshold) : std::string()));
    ModelBuilder m(11);
    const Shape bshape = {c.batches, c.boxes, 4}, sshape = {c.batches, c.classes, c.boxes};
    m.Input("boxes", DType::kFloat32, bshape);
    m.Input("scores", DType::kFloat32, sshape);
    m.Input("max", DType::kInt64, {1});
    m.Input("iou", DType::kFloat32, {1});
    std::vector<std::string> inputs = {"boxes", "scores", "max", "iou"};
    if (c.score_threshold) {
      m.Input("thr", DType::kFloat32, {1});
      inputs.push_back("thr");
    }
    m.Node("NonMaxSuppression", inputs, {"sel"}, {IntAttr("center_point_box", c.center_point_box)}, "nms");
    m.Output("sel", DType::kInt64);
    // Boxes in a small field so that many overlap: corners (or centers) in [0, 4], sizes up to 2.
    HostTensor boxes = RandomTensor(DType::kFloat32, bshape, rng, 0, 4);
    if (c.center_point_box)
      for (int64_t i = 2; i < boxes.num_elements(); i += 4) {
        boxes.SetDouble(i, std::fabs(boxes.GetDouble(i)) / 2);
        boxes.SetDouble(i + 1, std::fabs(boxes.GetDouble(i + 1)) / 2);
      }
    std::map<std::string, HostTensor> feeds = {
        {"boxes", boxes},
        {"scores", RandomTensor(DType::kFloat32, sshape, rng, 0, 1)},
        {"max", Scalar1(DType::kInt64, static_cast<double>(c.max_out))},
        {"iou", Scalar1(DType::kFloat32, c.iou)}};
    if (c.score_threshold) feeds["thr"] = Scalar1(DType::kFloat32, c.threshold);
    EXPECT_TRUE(MatchesReference(m.Serialize(), feeds, kExact));
    auto out = RunOn(runtime::Backend::kWebGpu, m.Serialize(), feeds);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const HostTensor& sel = out->at("sel");
    ASSERT_EQ(sel.shape().size(), 2u);
    ASSERT_EQ(sel.shape()[1], 3);
    const HostTensor& scores = feeds.at("scores");
    // Batch by batch, class by class; within a class at most max_out boxes, by non-increasing score, each
    // above the score threshold.
    std::map<std::pair<int64_t, int64_t>, int64_t> per_class;
    for (int64_t r = 0; r < sel.shape()[0]; ++r) {
      const int64_t b = sel.GetInt(3 * r), cl = sel.GetInt(3 * r + 1), box = sel.GetInt(3 * r + 2);
      ASSERT_TRUE(b >= 0 && b < c.batches && cl >= 0 && cl < c.classes && box >= 0 && box < c.boxes);
      const double score = scores.GetDouble((b * c.classes + cl) * c.boxes + box);
      if (c.score_threshold) {
        EXPECT_GT(score, c.threshold);
      }
      if (r > 0) {
        const int64_t pb = sel.GetInt(3 * r - 3), pc = sel.GetInt(3 * r - 2), pbox = sel.GetInt(3 * r - 1);
        EXPECT_LE(pb * c.classes + pc, b * c.classes + cl) << "batch by batch, class by class";
        if (pb == b && pc == cl) {
          EXPECT_GE(scores.GetDouble((b * c.classes + cl) * c.boxes + pbox), score);
        }
      }
      EXPECT_LE(++per_class[std::make_pair(b, cl)], c.max_out);
      // No two boxes picked for one class overlap by more than the IoU threshold.
      for (int64_t q = 0; q < r; ++q)
        if (sel.GetInt(3 * q) == b && sel.GetInt(3 * q + 1) == cl) {
          EXPECT_LE(IoU(boxes, c.boxes, b, sel.GetInt(3 * q + 2), box, c.center_point_box != 0), c.iou)
              << "rows " << q << " and " << r;
        }
    }
    if (c.max_out == 0) {
      EXPECT_EQ(sel.shape()[0], 0) << "max_output_boxes_per_class 0 selects nothing";
    }
  }
}

// MelWeightMatrix: every input sets the shape, so the node is evaluated when planning on every backend.
// Its filters, as the definition has them: values in [0, 1], each filter peaks at exactly 1 (a triangle's
// apex on a bin edge), and one filter's nonzero rows are contiguous.
std::vector<uint8_t> MelModel() {
  ModelBuilder m(17);
  m.Input("bins", DType::kInt64, {});
  m.Input("dft", DType::kInt64, {});
  m.Input("rate", DType::kInt64, {});
  m.Input("lower", DType::kFloat32, {});
  m.Input("upper", DType::kFloat32, {});
  m.Node("MelWeightMatrix", {"bins", "dft", "rate", "lower", "upper"}, {"w"}, {}, "mel");
  m.Output("w", DType::kFloat32);
  return m.Serialize();
}

std::map<std::string, HostTensor> MelFeeds(int64_t bins, int64_t dft, int64_t rate, double lower, double upper) {
  std::map<std::string, HostTensor> f;
  const std::pair<const char*, int64_t> ints[] = {{"bins", bins}, {"dft", dft}, {"rate", rate}};
  for (const auto& [name, v] : ints) {
    HostTensor t(DType::kInt64, {});
    t.SetInt(0, v);
    f[name] = t;
  }
  const std::pair<const char*, double> floats[] = {{"lower", lower}, {"upper", upper}};
  for (const auto& [name, v] : floats) {
    HostTensor t(DType::kFloat32, {});
    t.SetDouble(0, v);
    f[name] = t;
  }
  return f;
}

TEST(DataDependent, MelWeightMatrixFiltersAreTriangles) {
  for (const auto& [bins, dft, rate, lower, upper] :
       {std::tuple{8, 64, 16000, 0.0, 8000.0}, std::tuple{5, 31, 8000, 300.0, 3000.0}, std::tuple{3, 16, 1000, 0.0, 500.0}}) {
    const auto feeds = MelFeeds(bins, dft, rate, lower, upper);
    EXPECT_TRUE(MatchesReference(MelModel(), feeds, runtime::Tolerance{0, 0}));
    auto out = RunOn(runtime::Backend::kReference, MelModel(), feeds);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const HostTensor& w = out->at("w");
    ASSERT_EQ(w.shape(), (Shape{dft / 2 + 1, bins}));
    for (int64_t i = 0; i < bins; ++i) {
      double peak = 0;
      int64_t first = -1, last = -1;
      for (int64_t r = 0; r < dft / 2 + 1; ++r) {
        const double v = w.GetDouble(r * bins + i);
        EXPECT_GE(v, 0.0);
        EXPECT_LE(v, 1.0);
        peak = std::max(peak, v);
        if (v > 0) {
          if (first < 0) first = r;
          EXPECT_TRUE(last < 0 || last == r - 1) << "filter " << i << " has a gap before row " << r;
          last = r;
        }
      }
      // A band above the spectrum (upper past Nyquist) may lose its apex; these bands stay below it.
      EXPECT_EQ(peak, 1.0) << "filter " << i << " of (" << bins << ", " << dft << ", " << rate << ")";
    }
  }
  EXPECT_TRUE(FailsAlikeOnEveryBackend(MelModel(), MelFeeds(0, 64, 16000, 0, 8000), {"MelWeightMatrix 'mel'", "num_mel_bins is 0"}));
}

// TfIdfVectorizer on the ONNX specification's own example: tokens [94, 17, 36, 12, 28] with up to 2 skips
// give the bigrams [94, 17] and [36, 12] (no skip) and [94, 12] and [17, 28] (2 skips) once each; the
// counts below are worked out by hand from that definition. Each mode on every backend; a bad mode is
// refused naming the node.
std::vector<uint8_t> TfIdfModel(const std::string& mode, const std::vector<float>& weights) {
  ModelBuilder m(9);
  m.Input("x", DType::kInt64, {2, 5});
  std::vector<Attr> attrs = {StringAttr("mode", mode), IntAttr("min_gram_length", 1), IntAttr("max_gram_length", 2),
                             IntAttr("max_skip_count", 2), IntsAttr("ngram_counts", {0, 2}),
                             IntsAttr("ngram_indexes", {5, 0, 1, 2, 3, 4}),
                             IntsAttr("pool_int64s", {28, 7, 94, 17, 94, 12, 17, 28, 36, 12})};
  if (!weights.empty()) attrs.push_back(FloatsAttr("weights", weights));
  m.Node("TfIdfVectorizer", {"x"}, {"y"}, attrs, "tfidf");
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

TEST(DataDependent, TfIdfVectorizerCountsTheSpecificationsExample) {
  HostTensor x(DType::kInt64, {2, 5});
  const int64_t tokens[10] = {94, 17, 36, 12, 28, 7, 7, 28, 28, 1};
  for (int i = 0; i < 10; ++i) x.SetInt(i, tokens[i]);
  const std::vector<float> weights = {0.5f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f};
  for (const std::string mode : {"TF", "IDF", "TFIDF"}) {
    EXPECT_TRUE(MatchesReference(TfIdfModel(mode, weights), {{"x", x}}, runtime::Tolerance{0, 0})) << mode;
  }
  auto out = RunOn(runtime::Backend::kReference, TfIdfModel("TF", {}), {{"x", x}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const HostTensor& y = out->at("y");
  ASSERT_EQ(y.shape(), (Shape{2, 6}));
  // Columns: 5 <- unigram 28, 0 <- unigram 7, then bigrams 1 [94,17], 2 [94,12], 3 [17,28], 4 [36,12].
  // Row 1, [7, 7, 28, 28, 1]: the unigrams twice each, none of the bigrams at any distance.
  const double row0[6] = {0, 1, 1, 1, 1, 1}, row1[6] = {2, 0, 0, 0, 0, 2};
  for (int k = 0; k < 6; ++k) {
    EXPECT_EQ(y.GetDouble(k), row0[k]) << "row 0 column " << k;
    EXPECT_EQ(y.GetDouble(6 + k), row1[k]) << "row 1 column " << k;
  }
  for (runtime::Backend b : {runtime::Backend::kWebGpu, runtime::Backend::kReference}) {
    auto bad = RunOn(b, TfIdfModel("BM25", {}), {{"x", x}});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().ToString().find("TfIdfVectorizer 'tfidf': mode must be TF, IDF or TFIDF, got 'BM25'"),
              std::string::npos)
        << bad.status().ToString();
  }
}

}  // namespace
}  // namespace webconv::testing
