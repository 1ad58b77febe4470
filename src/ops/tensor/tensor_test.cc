// Unit tests of the tensor family: Slice's clamping arithmetic and the references of every op, run
// through their schema rows exactly as the planner runs them (parse is bypassed: attrs are built here).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "ops/tensor/slice_geometry.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::lowest();

SliceGeometry Slice1(int64_t dim, int64_t start, int64_t end, int64_t step) {
  SliceParams p;
  p.starts = {start};
  p.ends = {end};
  p.steps = std::vector<int64_t>{step};
  auto g = ResolveSlice({dim}, p);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? g.value() : SliceGeometry{};
}

TEST(SliceGeometry, ClampsLikeTheSpec) {
  struct Case {
    int64_t dim, start, end, step, len, first;
  };
  const Case cases[] = {
      {10, 0, kMax, 1, 10, 0},     {10, 2, kMax, 3, 3, 2},     {10, -1, kMin, -1, 10, 9},
      {10, kMax, kMin, -1, 10, 9}, {10, 1000, 1000, 1, 0, 10}, {10, -1000, 3, 1, 3, 0},
      {10, 0, -1, 1, 9, 0},        {10, 9, 0, -3, 3, 9},       {10, 5, 5, 1, 0, 5},
      {10, 5, 6, kMax, 1, 5},      {10, 5, 4, kMin, 1, 5},     {10, 3, 1, 1, 0, 3},
      {0, 0, kMax, 1, 0, 0},       {0, -1, kMin, -1, 0, 0},    {1, 0, kMin, -1, 1, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message()
                 << "dim " << c.dim << " start " << c.start << " end " << c.end << " step " << c.step);
    const SliceGeometry g = Slice1(c.dim, c.start, c.end, c.step);
    ASSERT_EQ(g.out.size(), 1u);
    EXPECT_EQ(g.out[0], c.len);
    if (c.len > 0) {
      EXPECT_EQ(g.base, c.first);
    }
  }
}

TEST(SliceGeometry, RejectsBadParameters) {
  SliceParams p;
  p.starts = {0, 0};
  p.ends = {1};
  EXPECT_FALSE(ResolveSlice({4, 4}, p).ok());
  p.ends = {1, 1};
  p.axes = std::vector<int64_t>{1, -1};
  EXPECT_FALSE(ResolveSlice({4, 4}, p).ok());  // axis 1 twice
  p.axes = std::vector<int64_t>{0, 2};
  EXPECT_FALSE(ResolveSlice({4, 4}, p).ok());
  p.axes.reset();
  p.steps = std::vector<int64_t>{1, 0};
  EXPECT_FALSE(ResolveSlice({4, 4}, p).ok());
}

TEST(SliceGeometry, NegativeStepsGiveNegativeStrides) {
  SliceParams p;
  p.starts = {20, 10, 4};
  p.ends = {0, 0, 1};
  p.axes = std::vector<int64_t>{0, 1, 2};
  p.steps = std::vector<int64_t>{-1, -3, -2};
  auto g = ResolveSlice({20, 10, 5}, p);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->out, (Shape{19, 3, 2}));
  EXPECT_EQ(g->base, 19 * 50 + 9 * 5 + 4);
  EXPECT_EQ(g->strides, (std::vector<int64_t>{-50, -15, -2}));
}

const OpSchema& Find(const char* op) {
  static const auto rows = [] {
    std::vector<OpSchema> all;
    for (auto f : {TransposeRows, ConcatRows, GatherRows, GatherElementsRows, GatherNDRows, SliceRows}) {
      auto r = f();
      all.insert(all.end(), r.begin(), r.end());
    }
    return all;
  }();
  for (const OpSchema& s : rows)
    if (std::string(s.op_type) == op) return s;
  ADD_FAILURE() << op;
  return rows[0];
}

HostTensor Iota(DType t, Shape shape) {
  HostTensor h(t, std::move(shape));
  for (int64_t i = 0; i < h.num_elements(); ++i) h.SetInt(i, i);
  return h;
}

HostTensor Ints(DType t, Shape shape, std::vector<int64_t> v) {
  HostTensor h(t, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) h.SetInt(static_cast<int64_t>(i), v[i]);
  return h;
}

std::vector<int64_t> Values(const HostTensor& h) {
  return ToInts(h.Reshaped({h.num_elements()}));
}

// Runs infer then reference; returns the status of whichever failed first.
Status RunOp(const char* op, const OpAttrs& attrs, int opset, const std::vector<const HostTensor*>& in,
             HostTensor* out) {
  InferContext ic;
  ic.attrs = attrs;
  ic.opset = opset;
  for (const HostTensor* t : in)
    ic.inputs.push_back({t != nullptr, t ? t->dtype() : DType::kUndefined, t ? t->shape() : Shape{}, t});
  ic.outputs.resize(1);
  WC_RETURN_IF_ERROR(Find(op).infer(ic));
  std::vector<HostTensor> outs;
  outs.emplace_back(ic.outputs[0].dtype, ic.outputs[0].shape);
  RefContext rc;
  rc.attrs = attrs;
  rc.opset = opset;
  rc.inputs = in;
  rc.outputs = &outs;
  WC_RETURN_IF_ERROR(Find(op).reference(rc));
  *out = std::move(outs[0]);
  return OkStatus();
}

// The attrs structs are private to each op's file; each op's Parse is reached through an AttrReader.
Result<OpAttrs> Parse(const char* op, int opset, int num_inputs, std::vector<onnx::AttributeProto> attrs) {
  auto keep = std::make_shared<std::vector<onnx::AttributeProto>>(std::move(attrs));
  AttrReader reader(keep.get(), keep);
  ParseContext pc{reader, opset, num_inputs, 1};
  OpAttrs out;
  WC_RETURN_IF_ERROR(Find(op).parse(pc, &out));
  return out;
}

onnx::AttributeProto IntAttr(const char* name, int64_t v) {
  onnx::AttributeProto a;
  a.name = name;
  a.type = onnx::AttributeProto::kInt;
  a.i = v;
  return a;
}

onnx::AttributeProto IntsAttr(const char* name, std::vector<int64_t> v) {
  onnx::AttributeProto a;
  a.name = name;
  a.type = onnx::AttributeProto::kInts;
  a.ints = std::move(v);
  return a;
}

TEST(TensorReference, TransposeDefaultAndPerm) {
  const HostTensor x = Iota(DType::kFloat64, {2, 3, 4});
  HostTensor y;
  auto def = Parse("Transpose", 13, 1, {});
  ASSERT_TRUE(def.ok());
  ASSERT_TRUE(RunOp("Transpose", *def, 13, {&x}, &y).ok());
  EXPECT_EQ(y.shape(), (Shape{4, 3, 2}));
  EXPECT_EQ(Values(y)[1], 12);  // y[0,0,1] = x[1,0,0]
  auto perm = Parse("Transpose", 1, 1, {IntsAttr("perm", {1, 0, 0})});
  ASSERT_TRUE(perm.ok());
  EXPECT_FALSE(RunOp("Transpose", *perm, 1, {&x}, &y).ok());
  auto short_perm = Parse("Transpose", 1, 1, {IntsAttr("perm", {1, 0})});
  ASSERT_TRUE(short_perm.ok());
  EXPECT_FALSE(RunOp("Transpose", *short_perm, 1, {&x}, &y).ok());
}

TEST(TensorReference, ConcatWithEmptyInputAndBadShapes) {
  const HostTensor a = Iota(DType::kInt64, {2, 2}), empty(DType::kInt64, {2, 0}),
                   b = Iota(DType::kInt64, {2, 1});
  HostTensor y;
  auto attrs = Parse("Concat", 13, 3, {IntAttr("axis", -1)});
  ASSERT_TRUE(attrs.ok());
  ASSERT_TRUE(RunOp("Concat", *attrs, 13, {&a, &empty, &b}, &y).ok());
  EXPECT_EQ(Values(y), (std::vector<int64_t>{0, 1, 0, 2, 3, 1}));
  const HostTensor bad = Iota(DType::kInt64, {3, 1});
  const Status st = RunOp("Concat", *attrs, 13, {&a, &bad}, &y);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message.find("[3,1]"), std::string::npos) << st.message;
  EXPECT_FALSE(Parse("Concat", 4, 2, {}).ok());  // axis is required from opset 4
  auto legacy = Parse("Concat", 1, 2, {});       // ... and defaults to 1 before
  ASSERT_TRUE(legacy.ok());
  ASSERT_TRUE(RunOp("Concat", *legacy, 1, {&a, &b}, &y).ok());
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
}

TEST(TensorReference, GatherWrapsAndReportsOutOfRange) {
  const HostTensor x = Iota(DType::kFloat16, {3, 2});
  HostTensor y;
  auto attrs = Parse("Gather", 13, 2, {IntAttr("axis", 0)});
  ASSERT_TRUE(attrs.ok());
  const HostTensor idx = Ints(DType::kInt32, {2}, {-1, 0});
  ASSERT_TRUE(RunOp("Gather", *attrs, 13, {&x, &idx}, &y).ok());
  EXPECT_EQ(Values(y), (std::vector<int64_t>{4, 5, 0, 1}));
  const HostTensor bad = Ints(DType::kInt64, {2}, {0, 3});
  const Status st = RunOp("Gather", *attrs, 13, {&x, &bad}, &y);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message.find("index 3"), std::string::npos) << st.message;
  // Runtime indices (not known to infer) reach the reference, which must fail the same way.
  RefContext rc;
  rc.attrs = *attrs;
  rc.inputs = {&x, &bad};
  std::vector<HostTensor> outs;
  outs.emplace_back(DType::kFloat16, Shape{2, 2});
  rc.outputs = &outs;
  EXPECT_FALSE(Find("Gather").reference(rc).ok());
}

TEST(TensorReference, GatherElementsAndND) {
  const HostTensor x = Iota(DType::kInt32, {2, 2});
  HostTensor y;
  auto ge = Parse("GatherElements", 13, 2, {IntAttr("axis", 1)});
  ASSERT_TRUE(ge.ok());
  const HostTensor idx = Ints(DType::kInt64, {2, 2}, {0, 0, -1, 0});
  ASSERT_TRUE(RunOp("GatherElements", *ge, 13, {&x, &idx}, &y).ok());
  EXPECT_EQ(Values(y), (std::vector<int64_t>{0, 0, 3, 2}));
  auto nd = Parse("GatherND", 12, 2, {IntAttr("batch_dims", 1)});
  ASSERT_TRUE(nd.ok());
  const HostTensor tuples = Ints(DType::kInt64, {2, 1}, {1, 0});
  ASSERT_TRUE(RunOp("GatherND", *nd, 12, {&x, &tuples}, &y).ok());
  EXPECT_EQ(Values(y), (std::vector<int64_t>{1, 2}));
  const HostTensor bad = Ints(DType::kInt64, {2, 1}, {1, 2});
  EXPECT_FALSE(RunOp("GatherND", *nd, 12, {&x, &bad}, &y).ok());
}

TEST(TensorReference, SliceFromInputsAndAttributes) {
  const HostTensor x = Iota(DType::kInt64, {4});
  HostTensor y;
  auto attrs = Parse("Slice", 13, 5, {});
  ASSERT_TRUE(attrs.ok());
  const HostTensor starts = Ints(DType::kInt64, {1}, {-1}), ends = Ints(DType::kInt64, {1}, {kMin});
  const HostTensor steps = Ints(DType::kInt64, {1}, {-2});
  ASSERT_TRUE(RunOp("Slice", *attrs, 13, {&x, &starts, &ends, nullptr, &steps}, &y).ok());
  EXPECT_EQ(Values(y), (std::vector<int64_t>{3, 1}));
  auto legacy = Parse("Slice", 1, 1, {IntsAttr("starts", {1}), IntsAttr("ends", {kMax})});
  ASSERT_TRUE(legacy.ok());
  ASSERT_TRUE(RunOp("Slice", *legacy, 1, {&x}, &y).ok());
  EXPECT_EQ(Values(y), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_FALSE(Parse("Slice", 9, 1, {IntsAttr("starts", {1})}).ok());  // ends is required
}

}  // namespace
}  // namespace webconv::ops::tensor
