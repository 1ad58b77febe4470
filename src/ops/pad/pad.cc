// Pad (opsets 1-17): `paddings` (1) and `pads`/`value` (2-10) attributes; pads and constant_value as
// inputs from 11, known when planning. Modes constant, reflect, edge, and wrap, which ONNX adds in
// opset 19 but exporters emit earlier; negative pads crop. Any rank, any dtype webconv holds.
#include "ops/pad/pad.h"

#include <cmath>
#include <cstring>

#include "ops/families.h"

namespace webconv::ops {
namespace {

Status ParseMode(const std::string& s, PadMode* mode) {
  for (PadMode m : {PadMode::kConstant, PadMode::kReflect, PadMode::kEdge, PadMode::kWrap}) {
    if (s == PadModeName(m)) {
      *mode = m;
      return OkStatus();
    }
  }
  return BadModel("mode '", s, "' is not one of constant, reflect, edge, wrap");
}

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  auto a = std::make_shared<PadAttrs>();
  std::string mode;
  WC_RETURN_IF_ERROR(ctx.attrs.String("mode", "constant", &mode));
  WC_RETURN_IF_ERROR(ParseMode(mode, &a->mode));
  if (ctx.opset >= 11) {
    // Pad-18 adds `axes` as input 3.
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, ctx.opset >= 18 ? 4 : 3));
    a->from_inputs = true;
  } else {
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
    // Opset 1 spells it `paddings`; some old exporters wrote `pads` there too, and vice versa.
    const char* name = ctx.opset == 1 ? "paddings" : "pads";
    const char* other = ctx.opset == 1 ? "pads" : "paddings";
    if (!ctx.attrs.Has(name) && ctx.attrs.Has(other)) name = other;
    WC_RETURN_IF_ERROR(ctx.attrs.RequiredInts(name, &a->pads));
    float value = 0;
    WC_RETURN_IF_ERROR(ctx.attrs.Float("value", 0.0f, &value));
    a->value = value;
  }
  *out = a;
  return OkStatus();
}

struct PadPlan {
  PadGeometry geometry;
  HostTensor fill;  // one element of the data's dtype
};

// Input i's value: from the reference's tensors, else from what planning knows; `present` says
// whether the node names the input at all.
const HostTensor* InputValue(size_t i, const std::vector<TensorInfo>& infos,
                             const std::vector<const HostTensor*>& values, bool* present) {
  const HostTensor* v = i < values.size() ? values[i] : nullptr;
  if (!v && i < infos.size() && infos[i].present) v = infos[i].constant;
  *present = v || (i < infos.size() && infos[i].present);
  return v;
}

Result<std::vector<int64_t>> ReadInts(const HostTensor& t, const char* name) {
  if (t.dtype() != DType::kInt64 && t.dtype() != DType::kInt32)
    return BadModel(name, " must be int64 (or int32), got ", DTypeName(t.dtype()));
  // [1, n] as well as [n]: some exporters keep a leading unit axis on pads.
  const Shape& s = t.shape();
  if (!(s.size() == 1 || (s.size() == 2 && s[0] == 1)))
    return BadModel(name, " must be 1-D, got shape ", ShapeString(s));
  return ToInts(t);
}

Result<PadPlan> Resolve(const PadAttrs& a, DType dtype, const Shape& data,
                        const std::vector<TensorInfo>& infos, const std::vector<const HostTensor*>& values) {
  PadPlan p;
  p.fill = HostTensor(dtype, {});
  std::vector<int64_t> pads = a.pads;
  std::optional<std::vector<int64_t>> axes;
  if (!a.from_inputs) {
    p.fill.SetDouble(0, a.value);
  } else {
    bool present = false;
    const HostTensor* t = InputValue(1, infos, values, &present);
    if (!t) return BadModel("pads (input 1) must be known when the graph is planned");
    WC_ASSIGN_OR_RETURN(pads, ReadInts(*t, "pads"));
    t = InputValue(2, infos, values, &present);
    if (present && !t) return BadModel("constant_value (input 2) must be known when the graph is planned");
    if (t) {
      if (t->dtype() != dtype)
        return BadModel("constant_value has type ", DTypeName(t->dtype()), " but data has type ",
                        DTypeName(dtype));
      if (t->num_elements() != 1)
        return BadModel("constant_value must hold one element, got shape ", ShapeString(t->shape()));
      std::memcpy(p.fill.mutable_data(), t->data(), DTypeSize(dtype));
    }
    t = InputValue(3, infos, values, &present);
    if (present && !t) return BadModel("axes (input 3) must be known when the graph is planned");
    if (t) {
      WC_ASSIGN_OR_RETURN(auto v, ReadInts(*t, "axes"));
      axes = std::move(v);
    }
  }
  WC_ASSIGN_OR_RETURN(p.geometry, ResolvePad(a.mode, data, pads, axes));
  return p;
}

Status CheckDataType(DType t) {
  if (!IsSupportedDType(t) || DTypeSize(t) == 0)
    return BadModel("data type ", DTypeName(t), " is not supported");
  return OkStatus();
}

Status Infer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckDataType(x.dtype));
  WC_ASSIGN_OR_RETURN(PadPlan p, Resolve(ctx.Attrs<PadAttrs>(), x.dtype, x.shape, ctx.inputs, {}));
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = p.geometry.out_shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor& x = *ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckDataType(x.dtype()));
  WC_ASSIGN_OR_RETURN(PadPlan p, Resolve(ctx.Attrs<PadAttrs>(), x.dtype(), x.shape(), {}, ctx.inputs));
  PadReference(p.geometry, x, p.fill, &ctx.out(0));
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(PadPlan p, Resolve(ctx.Attrs<PadAttrs>(), x.dtype, x.shape, ctx.inputs, {}));
  return PadGpu(p.geometry, p.fill, ctx);
}

// For the rewrite that folds a zero Pad into the Conv or pool reading it (ir/rewrite_pad.cc).
bool AsZeroPad(const OpAttrs& attrs, int /*opset*/, const std::vector<const HostTensor*>& inputs, size_t rank,
               std::vector<int64_t>* begin, std::vector<int64_t>* end) {
  const auto& a = attrs.As<PadAttrs>();
  if (a.mode != PadMode::kConstant) return false;
  std::vector<int64_t> pads = a.pads;
  if (a.from_inputs) {
    if (inputs.size() < 2 || inputs.size() > 3 || !inputs[1]) return false;  // unknown pads, or Pad-18 axes
    if (inputs.size() == 3) {
      // An unknown constant_value reads as nullptr, like one named "": neither is known to be zero.
      const HostTensor* v = inputs[2];
      if (!v || v->num_elements() != 1 || v->GetDouble(0) != 0.0 || std::signbit(v->GetDouble(0)))
        return false;
    }
    auto v = ReadInts(*inputs[1], "pads");
    if (!v.ok()) return false;
    pads = std::move(v).value();
  } else if (a.value != 0.0 || std::signbit(a.value)) {
    return false;
  }
  if (pads.size() != 2 * rank) return false;
  for (int64_t p : pads)
    if (p < 0) return false;
  begin->assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(rank));
  end->assign(pads.begin() + static_cast<std::ptrdiff_t>(rank), pads.end());
  return true;
}

}  // namespace

std::vector<OpSchema> PadOps() {
  OpSchema pad;
  pad.op_type = "Pad";
  pad.parse = Parse;
  pad.infer = Infer;
  pad.reference = Reference;
  pad.gpu = Gpu;
  pad.as_zero_pad = AsZeroPad;
  pad.host_inputs = {1, 2, 3};
  pad.notes =
      "constant, reflect, edge and wrap (wrap is accepted at every opset; ONNX lists it from 19); "
      "negative pads crop first, as ONNX Runtime does; any rank";
  return {pad};
}

}  // namespace webconv::ops
