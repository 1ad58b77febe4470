// Constant (a tensor held in the node's attributes) and ConstantOfShape (one value repeated over a
// shape given as a planning-time input). Constant is always folded; ConstantOfShape is folded when small
// and otherwise filled on the GPU, so a large zero buffer is never built on the host.
#include <cstring>
#include <limits>

#include "ops/elementwise/elementwise.h"
#include "ops/shape/shape_family.h"

namespace webconv::ops {
namespace {

struct ConstantAttrs {
  HostTensor value;
};

// A tensor attribute, with string tensors turned away by name (the host tensors hold no strings).
Status TensorAttr(const AttrReader& attrs, const char* name, HostTensor* out) {
  const onnx::AttributeProto* a = attrs.Find(name);
  if (a && a->t && a->t->data_type == static_cast<int32_t>(DType::kString))
    return BadModel("attribute '", name, "' is a string tensor; webconv holds only numeric and bool tensors");
  return attrs.Tensor(name, out);
}

struct ConstantForm {
  const char* name;
  int since;  // first opset that defines the attribute
};
constexpr ConstantForm kConstantForms[] = {{"value", 1},         {"sparse_value", 11}, {"value_float", 12},
                                           {"value_floats", 12}, {"value_int", 12},    {"value_ints", 12},
                                           {"value_string", 12}, {"value_strings", 12}};

Status ParseConstant(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 0, 0));
  std::string form;
  int count = 0;
  for (const ConstantForm& f : kConstantForms) {
    if (!ctx.attrs.Has(f.name)) continue;
    if (ctx.opset < f.since)
      return BadModel("attribute '", f.name, "' needs opset >= ", f.since, ", the model imports opset ",
                      ctx.opset);
    form = f.name;
    ++count;
  }
  if (count != 1)
    return BadModel(
        "needs exactly one of value, sparse_value, value_float(s), value_int(s), value_string(s); got ",
        count);
  auto a = std::make_shared<ConstantAttrs>();
  if (form == "value") {
    WC_RETURN_IF_ERROR(TensorAttr(ctx.attrs, "value", &a->value));
  } else if (form == "sparse_value") {
    return BadModel("sparse constants (attribute 'sparse_value') are not supported");
  } else if (form == "value_string" || form == "value_strings") {
    return BadModel("string constants (attribute '", form,
                    "') are not supported: webconv holds only numeric and ", "bool tensors");
  } else if (form == "value_float") {
    float v = 0;
    WC_RETURN_IF_ERROR(ctx.attrs.Float(form, 0, &v));
    a->value = HostTensor(DType::kFloat32, {});
    a->value.SetDouble(0, v);
  } else if (form == "value_int") {
    int64_t v = 0;
    WC_RETURN_IF_ERROR(ctx.attrs.Int(form, 0, &v));
    a->value = HostTensor(DType::kInt64, {});
    a->value.SetInt(0, v);
  } else if (form == "value_floats") {
    std::vector<float> v;
    WC_RETURN_IF_ERROR(ctx.attrs.Floats(form, &v));
    a->value = HostTensor(DType::kFloat32, {static_cast<int64_t>(v.size())});
    for (size_t i = 0; i < v.size(); ++i) a->value.SetDouble(static_cast<int64_t>(i), v[i]);
  } else {  // value_ints
    std::vector<int64_t> v;
    WC_RETURN_IF_ERROR(ctx.attrs.Ints(form, &v));
    a->value = HostTensor(DType::kInt64, {static_cast<int64_t>(v.size())});
    for (size_t i = 0; i < v.size(); ++i) a->value.SetInt(static_cast<int64_t>(i), v[i]);
  }
  *out = a;
  return OkStatus();
}

Status InferConstant(InferContext& ctx) {
  const HostTensor& v = ctx.Attrs<ConstantAttrs>().value;
  ctx.outputs[0].dtype = v.dtype();
  ctx.outputs[0].shape = v.shape();
  return OkStatus();
}

Status ReferenceConstant(RefContext& ctx) {
  // Shares the attribute's bytes (host tensors copy on write), so a large constant is not duplicated.
  ctx.out(0) = ctx.Attrs<ConstantAttrs>().value;
  return OkStatus();
}

Status ParseConstantOfShape(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  auto a = std::make_shared<ConstantAttrs>();
  if (ctx.attrs.Has("value")) {
    WC_RETURN_IF_ERROR(TensorAttr(ctx.attrs, "value", &a->value));
    if (a->value.num_elements() != 1)
      return BadModel("attribute 'value' must hold one element, got shape ", ShapeString(a->value.shape()));
  } else {
    a->value = HostTensor(DType::kFloat32, {1});  // the spec's default: float32 zero
  }
  *out = a;
  return OkStatus();
}

Status InferConstantOfShape(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(Shape shape, PlanningInts(ctx.inputs[0], "shape (input 0)", 1));
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] < 0) return BadModel("shape entry ", shape[i], " at index ", i, " is negative");
  WC_RETURN_IF_ERROR(CheckedNumElements(shape).status());
  ctx.outputs[0].dtype = ctx.Attrs<ConstantAttrs>().value.dtype();
  ctx.outputs[0].shape = std::move(shape);
  return OkStatus();
}

Status ReferenceConstantOfShape(RefContext& ctx) {
  const HostTensor& v = ctx.Attrs<ConstantAttrs>().value;
  HostTensor& y = ctx.out(0);
  const size_t size = DTypeSize(v.dtype());
  uint8_t* dst = y.mutable_data();
  for (size_t off = 0; off < y.byte_size(); off += size) std::memcpy(dst + off, v.data(), size);
  return OkStatus();
}

Status GpuConstantOfShape(GpuContext& ctx) {
  const HostTensor& v = ctx.Attrs<ConstantAttrs>().value;
  const gpu::ScalarType st = GpuType(ctx.outputs[0].dtype);
  const uint64_t n = static_cast<uint64_t>(NumElements(ctx.outputs[0].shape));
  if (n > std::numeric_limits<uint32_t>::max())
    return BadModel("output of ", n, " elements exceeds the 2^32 elements one WebGPU kernel addresses");
  gpu::KernelBuilder b(std::string("fill_") + gpu::WgslType(st));
  b.Output("Y", st);
  b.uniforms().AddU32("n", static_cast<uint32_t>(n));
  if (st == gpu::ScalarType::kF32) {
    b.uniforms().AddF32("value", static_cast<float>(v.GetDouble(0)));
  } else {
    const int64_t x = v.GetInt(0);
    if (st == gpu::ScalarType::kI32 &&
        (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max()))
      return BadModel("value ", x, " is outside the 32-bit range the WebGPU backend stores");
    if (st == gpu::ScalarType::kI32)
      b.uniforms().AddI32("value", static_cast<int32_t>(x));
    else
      b.uniforms().AddU32("value", static_cast<uint32_t>(x));
  }
  b.Body(ElementwiseMain("Y[i] = u.value;"));
  uint32_t groups[3];
  gpu::LinearGrid(n, kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> ConstantOps() {
  OpSchema constant;
  constant.op_type = "Constant";
  constant.parse = ParseConstant;
  constant.infer = InferConstant;
  constant.reference = ReferenceConstant;
  constant.notes = "folded when planning; value_string(s) and sparse_value are not supported";

  OpSchema fill;
  fill.op_type = "ConstantOfShape";
  fill.min_opset = 9;
  fill.parse = ParseConstantOfShape;
  fill.infer = InferConstantOfShape;
  fill.reference = ReferenceConstantOfShape;
  fill.gpu = GpuConstantOfShape;
  fill.host_inputs = {0};
  fill.notes = "folded when small, a WebGPU fill kernel otherwise";
  return {constant, fill};
}

}  // namespace webconv::ops
