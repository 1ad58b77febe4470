// Unit tests of the references whose arithmetic has edges the random tests do not reach: Range's length
// at the int64 extremes and scatter reductions that round once at the end (float16).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

const OpSchema& Row(const char* op, int opset) {
  static const auto rows = [] {
    std::vector<OpSchema> all;
    for (auto f : {RangeRows, ScatterElementsRows, ScatterNDRows}) {
      auto r = f();
      all.insert(all.end(), r.begin(), r.end());
    }
    return all;
  }();
  for (const OpSchema& s : rows)
    if (std::string(s.op_type) == op && s.min_opset <= opset && opset <= s.max_opset) return s;
  ADD_FAILURE() << "no row for " << op << " opset " << opset;
  return rows.front();
}

HostTensor Scalar(DType t, double v) {
  HostTensor h(t, {});
  h.SetDouble(0, v);
  return h;
}

HostTensor IntScalar(int64_t v) {
  HostTensor h(DType::kInt64, {});
  h.SetInt(0, v);
  return h;
}

// Infer (with every input known, as when planning) then reference.
Status RunRow(const OpSchema& s, const OpAttrs& attrs, int opset, const std::vector<const HostTensor*>& in,
              HostTensor* out) {
  InferContext ic;
  ic.attrs = attrs;
  ic.opset = opset;
  for (const HostTensor* t : in) ic.inputs.push_back({true, t->dtype(), t->shape(), t});
  ic.outputs.resize(1);
  WC_RETURN_IF_ERROR(s.infer(ic));
  std::vector<HostTensor> outs;
  outs.emplace_back(ic.outputs[0].dtype, ic.outputs[0].shape);
  RefContext rc;
  rc.attrs = attrs;
  rc.opset = opset;
  rc.inputs = in;
  rc.outputs = &outs;
  WC_RETURN_IF_ERROR(s.reference(rc));
  *out = std::move(outs[0]);
  return OkStatus();
}

Result<OpAttrs> Parse(const OpSchema& s, int opset, std::vector<onnx::AttributeProto> attrs) {
  auto keep = std::make_shared<std::vector<onnx::AttributeProto>>(std::move(attrs));
  AttrReader reader(keep.get(), keep);
  ParseContext pc{reader, opset, 3, 1};
  OpAttrs out;
  WC_RETURN_IF_ERROR(s.parse(pc, &out));
  return out;
}

TEST(RangeReference, ExactLengthAtInt64Extremes) {
  constexpr int64_t kLo = std::numeric_limits<int64_t>::lowest();
  const HostTensor lo = IntScalar(kLo), hi = IntScalar(std::numeric_limits<int64_t>::max());
  const HostTensor step = IntScalar(int64_t{1} << 62), back = IntScalar(-(int64_t{1} << 62));
  HostTensor y;
  ASSERT_TRUE(RunRow(Row("Range", 11), nullptr, 11, {&lo, &hi, &step}, &y).ok());
  ASSERT_EQ(y.shape(), (Shape{4}));  // ceil((2^64 - 1) / 2^62)
  EXPECT_EQ(y.GetInt(0), kLo);
  EXPECT_EQ(y.GetInt(3), int64_t{1} << 62);
  ASSERT_TRUE(RunRow(Row("Range", 11), nullptr, 11, {&hi, &lo, &back}, &y).ok());
  EXPECT_EQ(y.shape(), (Shape{4}));
  ASSERT_TRUE(RunRow(Row("Range", 11), nullptr, 11, {&lo, &hi, &back}, &y).ok());
  EXPECT_EQ(y.shape(), (Shape{0}));  // the wrong direction: empty, not an error
  const HostTensor one = IntScalar(1);
  const Status st = RunRow(Row("Range", 11), nullptr, 11, {&lo, &hi, &one}, &y);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message.find("more than 2^40"), std::string::npos) << st.message;
}

TEST(RangeReference, FloatLengthAndValues) {
  const HostTensor start = Scalar(DType::kFloat32, 1), limit = Scalar(DType::kFloat32, 2);
  const HostTensor delta = Scalar(DType::kFloat32, 0.1f);
  HostTensor y;
  ASSERT_TRUE(RunRow(Row("Range", 11), nullptr, 11, {&start, &limit, &delta}, &y).ok());
  // (2 - 1) / 0.100000001490116 = 9.99999985: ten elements, the last start + 9 * delta rounded once.
  ASSERT_EQ(y.shape(), (Shape{10}));
  EXPECT_EQ(y.GetDouble(9), static_cast<double>(static_cast<float>(1.0 + 9.0 * static_cast<double>(0.1f))));
  const HostTensor nan = Scalar(DType::kFloat32, std::numeric_limits<double>::quiet_NaN());
  EXPECT_FALSE(RunRow(Row("Range", 11), nullptr, 11, {&start, &limit, &nan}, &y).ok());
  const HostTensor mixed = Scalar(DType::kFloat64, 2);
  EXPECT_FALSE(RunRow(Row("Range", 11), nullptr, 11, {&start, &mixed, &delta}, &y).ok());
}

TEST(ScatterReference, Float16AddRoundsOnce) {
  // 2048 + 1 + 1 in float16 steps would stay 2048 (spacing 2 there); summed in double it is 2050.
  HostTensor data(DType::kFloat16, {1}), updates(DType::kFloat16, {2}), indices(DType::kInt64, {2});
  data.SetDouble(0, 2048);
  updates.SetDouble(0, 1);
  updates.SetDouble(1, 1);
  onnx::AttributeProto add;
  add.name = "reduction";
  add.type = onnx::AttributeProto::kString;
  add.s = "add";
  auto attrs = Parse(Row("ScatterElements", 16), 16, {add});
  ASSERT_TRUE(attrs.ok());
  HostTensor y;
  ASSERT_TRUE(RunRow(Row("ScatterElements", 16), *attrs, 16, {&data, &indices, &updates}, &y).ok());
  EXPECT_EQ(y.GetDouble(0), 2050);
  // Reductions are opset 16: an older node carrying one is rejected, naming the opset.
  const Status old = Parse(Row("ScatterND", 13), 13, {add}).status();
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.message.find("opset 16"), std::string::npos) << old.message;
}

TEST(ScatterReference, DuplicateIndicesWithoutReductionKeepTheLastUpdate) {
  HostTensor data(DType::kInt32, {3}), updates(DType::kInt32, {3}), indices(DType::kInt64, {3});
  for (int64_t i = 0; i < 3; ++i) updates.SetInt(i, 10 + i);
  indices.SetInt(0, 1);
  indices.SetInt(1, -2);  // the same element as index 1
  indices.SetInt(2, 0);
  auto attrs = Parse(Row("ScatterElements", 13), 13, {});
  ASSERT_TRUE(attrs.ok());
  HostTensor y;
  ASSERT_TRUE(RunRow(Row("ScatterElements", 13), *attrs, 13, {&data, &indices, &updates}, &y).ok());
  EXPECT_EQ(y.GetInt(0), 12);
  EXPECT_EQ(y.GetInt(1), 11);
  EXPECT_EQ(y.GetInt(2), 0);
}

}  // namespace
}  // namespace webconv::ops::tensor
