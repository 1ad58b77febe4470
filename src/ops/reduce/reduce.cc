// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum
// and ReduceLogSumExp (opsets 1-17), and the family's registration. The axes are an attribute everywhere
// except ReduceSum-13 and later, which takes them as input 1 together with noop_with_empty_axes (the other
// reductions follow only in opset 18).
#include "ops/reduce/reduce.h"

#include "ops/families.h"
#include "ops/shape/shape_family.h"

namespace webconv::ops {

const char* ReduceName(ReduceKind k) {
  switch (k) {
    case ReduceKind::kSum:
      return "ReduceSum";
    case ReduceKind::kMean:
      return "ReduceMean";
    case ReduceKind::kMax:
      return "ReduceMax";
    case ReduceKind::kMin:
      return "ReduceMin";
    case ReduceKind::kProd:
      return "ReduceProd";
    case ReduceKind::kL1:
      return "ReduceL1";
    case ReduceKind::kL2:
      return "ReduceL2";
    case ReduceKind::kSumSquare:
      return "ReduceSumSquare";
    case ReduceKind::kLogSum:
      return "ReduceLogSum";
    case ReduceKind::kLogSumExp:
      return "ReduceLogSumExp";
  }
  return "?";
}

namespace {

struct ReduceAttrs {
  ReduceKind kind = ReduceKind::kSum;
  bool axes_input = false;  // ReduceSum-13+: the axes are input 1
  std::vector<int64_t> axes;
  bool keepdims = true;
  bool noop_with_empty_axes = false;
};

template <ReduceKind kKind>
Status Parse(const ParseContext& ctx, OpAttrs* out) {
  auto a = std::make_shared<ReduceAttrs>();
  a->kind = kKind;
  const char* op = ReduceName(kKind);
  a->axes_input = kKind == ReduceKind::kSum && ctx.opset >= 13;
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, a->axes_input ? 2 : 1));
  if (a->axes_input) {
    if (ctx.attrs.Has("axes"))
      return BadModel("attribute 'axes' is not part of ", op, "-", ctx.opset, " (the axes are input 1)");
    WC_RETURN_IF_ERROR(ReadFlag(ctx.attrs, "noop_with_empty_axes", false, &a->noop_with_empty_axes));
  } else {
    WC_RETURN_IF_ERROR(CheckAttrSince(ctx, op, "noop_with_empty_axes", kKind == ReduceKind::kSum ? 13 : 18));
    WC_RETURN_IF_ERROR(ctx.attrs.Ints("axes", &a->axes));
  }
  WC_RETURN_IF_ERROR(ReadFlag(ctx.attrs, "keepdims", true, &a->keepdims));
  *out = a;
  return OkStatus();
}

Status CheckType(ReduceKind k, int opset, DType t) {
  switch (t) {
    case DType::kFloat32:
    case DType::kFloat64:
    case DType::kFloat16:
    case DType::kInt32:
    case DType::kInt64:
    case DType::kUInt32:
    case DType::kUInt64:
      return OkStatus();
    case DType::kBFloat16:
      if (opset >= 13) return OkStatus();
      break;
    case DType::kInt8:
    case DType::kUInt8:
      if ((k == ReduceKind::kMax || k == ReduceKind::kMin) && opset >= 12) return OkStatus();
      break;
    default:
      break;
  }
  return BadModel("input type ", DTypeName(t), " is not supported by ", ReduceName(k), "-", opset);
}

// `axes_in` is input 1's value (ReduceSum-13+), nullptr when the node leaves it out.
Result<ReduceProblem> Resolve(const ReduceAttrs& a, int opset, DType dtype, const Shape& shape,
                              const std::vector<int64_t>* axes_in) {
  WC_RETURN_IF_ERROR(CheckType(a.kind, opset, dtype));
  const std::vector<int64_t>& axes = a.axes_input ? (axes_in ? *axes_in : std::vector<int64_t>{}) : a.axes;
  WC_ASSIGN_OR_RETURN(std::vector<bool> mask, ReducedAxesMask(axes, shape.size(), a.noop_with_empty_axes));
  ReduceProblem p;
  p.kind = a.kind;
  p.dtype = dtype;
  p.rows = MakeRowGeometry(shape, mask);
  p.out_shape = ReducedShape(shape, mask, a.keepdims);
  return p;
}

Result<ReduceProblem> ResolveInfo(const ReduceAttrs& a, int opset, const std::vector<TensorInfo>& in) {
  std::vector<int64_t> axes;
  const bool given = a.axes_input && in.size() > 1 && in[1].present;
  if (given) {
    WC_ASSIGN_OR_RETURN(axes, PlanningInts(in[1], "axes (input 1)", 1));
  }
  return Resolve(a, opset, in[0].dtype, in[0].shape, given ? &axes : nullptr);
}

Status Infer(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(ReduceProblem p, ResolveInfo(ctx.Attrs<ReduceAttrs>(), ctx.opset, ctx.inputs));
  ctx.outputs[0].dtype = p.dtype;
  ctx.outputs[0].shape = p.out_shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<ReduceAttrs>();
  const HostTensor& x = *ctx.inputs[0];
  const bool given = a.axes_input && ctx.inputs.size() > 1 && ctx.inputs[1];
  const std::vector<int64_t> axes = given ? ToInts(*ctx.inputs[1]) : std::vector<int64_t>{};
  WC_ASSIGN_OR_RETURN(ReduceProblem p, Resolve(a, ctx.opset, x.dtype(), x.shape(), given ? &axes : nullptr));
  return ReduceReference(p, x, &ctx.out(0));
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(ReduceProblem p, ResolveInfo(ctx.Attrs<ReduceAttrs>(), ctx.opset, ctx.inputs));
  return ReduceGpu(p, ctx);
}

double Flops(const InferContext& ctx) {
  return static_cast<double>(NumElements(ctx.inputs[0].shape));
}

template <ReduceKind kKind>
OpSchema Row(const char* notes) {
  OpSchema s;
  s.op_type = ReduceName(kKind);
  s.parse = Parse<kKind>;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.flops = Flops;
  if (kKind == ReduceKind::kSum) s.host_inputs = {1};
  s.notes = notes;
  return s;
}

}  // namespace

std::vector<OpSchema> ReduceRows() {
  using K = ReduceKind;
  return {
      Row<K::kSum>(
          "float16/float32/float64, int32/int64, uint32/uint64 (bfloat16 from opset 13), as every Reduce*; "
          "axes as attribute (< 13) or input 1 (>= 13, known when planning); noop_with_empty_axes"),
      Row<K::kMean>("any axes, keepdims; integers divide exactly (truncating)"),
      Row<K::kMax>("NaN propagates; int8/uint8 from opset 12"),
      Row<K::kMin>("NaN propagates; int8/uint8 from opset 12"),
      Row<K::kProd>("any axes, keepdims"),
      Row<K::kL1>("any axes, keepdims"),
      Row<K::kL2>("any axes, keepdims"),
      Row<K::kSumSquare>("any axes, keepdims"),
      Row<K::kLogSum>("any axes, keepdims"),
      Row<K::kLogSumExp>("stable: the row's max is subtracted before exp"),
  };
}

std::vector<OpSchema> ReduceOps() {
  std::vector<OpSchema> rows = ReduceRows();
  for (auto part : {ArgRows, SoftmaxRows, CumSumRows, HardmaxRows, LossRows, TopKRows})
    for (OpSchema& s : part()) rows.push_back(std::move(s));
  return rows;
}

}  // namespace webconv::ops
