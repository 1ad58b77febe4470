// Softmax and LogSoftmax (opsets 1-17). Before opset 13 the input is read as a 2-D matrix split at `axis`
// (default 1) and each row of the flattened trailing axes is normalized; from 13 on only the single axis
// `axis` (default -1) is. Both subtract the row's max before exp, so no exp overflows.
#include <cmath>
#include <limits>

#include "ops/reduce/reduce.h"
#include "ops/reduce/row_wgsl.h"

namespace webconv::ops {
namespace {

struct SoftmaxAttrs {
  bool log = false;
  int64_t axis = 1;
};

const char* OpName(bool log) {
  return log ? "LogSoftmax" : "Softmax";
}

template <bool kLog>
Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  auto a = std::make_shared<SoftmaxAttrs>();
  a->log = kLog;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", ctx.opset >= 13 ? -1 : 1, &a->axis));
  *out = a;
  return OkStatus();
}

Result<RowGeometry> Resolve(const SoftmaxAttrs& a, int opset, DType t, const Shape& shape) {
  const bool ok = t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 ||
                  (t == DType::kBFloat16 && opset >= 13);
  if (!ok) return BadModel("input type ", DTypeName(t), " is not supported by ", OpName(a.log), "-", opset);
  int64_t axis = 0;
  WC_RETURN_IF_ERROR(NormalizeAxis(a.axis, static_cast<int64_t>(shape.size()), &axis));
  std::vector<bool> mask(shape.size(), false);
  for (size_t i = static_cast<size_t>(axis); i < shape.size(); ++i) mask[i] = opset < 13 || i == size_t(axis);
  return MakeRowGeometry(shape, mask);
}

Status Infer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_RETURN_IF_ERROR(Resolve(ctx.Attrs<SoftmaxAttrs>(), ctx.opset, x.dtype, x.shape).status());
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = x.shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<SoftmaxAttrs>();
  const HostTensor& x = *ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(RowGeometry g, Resolve(a, ctx.opset, x.dtype(), x.shape()));
  HostTensor& y = ctx.out(0);
  for (int64_t row = 0; row < g.rows; ++row) {
    const int64_t base = WalkOffset(g.kept_dims, g.kept_strides, row);
    double m = -std::numeric_limits<double>::infinity();
    OffsetWalker w(g.red_dims, g.red_strides);
    for (int64_t r = 0; r < g.len; ++r, w.Next()) {
      const double v = x.GetDouble(base + w.offset());
      if (!std::isnan(m) && (std::isnan(v) || v > m)) m = v;
    }
    double s = 0;
    OffsetWalker ws(g.red_dims, g.red_strides);
    for (int64_t r = 0; r < g.len; ++r, ws.Next()) s += std::exp(x.GetDouble(base + ws.offset()) - m);
    const double log_s = std::log(s);
    OffsetWalker wo(g.red_dims, g.red_strides);
    for (int64_t r = 0; r < g.len; ++r, wo.Next()) {
      const int64_t i = base + wo.offset();
      const double d = x.GetDouble(i) - m;
      y.SetDouble(i, a.log ? d - log_s : std::exp(d) / s);
    }
  }
  return OkStatus();
}

constexpr char kSoftmaxBody[] = R"(  var m = u.neg_inf;
  for (var r = r0 + lane; r < r1; r += u.tpp) { m = merge_seg_max(m, X[base + red_offset(r)]); }
  m = seg_max(lid.x, lane, m);
  var s = 0.0;
  for (var r = r0 + lane; r < r1; r += u.tpp) { s += exp(X[base + red_offset(r)] - m); }
  s = seg_sum(lid.x, lane, s);
  let log_s = log(s);
  for (var r = r0 + lane; r < r1; r += u.tpp) {
    let i = base + red_offset(r);
    Y[i] = STORE;
  }
)";

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<SoftmaxAttrs>();
  const TensorInfo& x = ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(RowGeometry g, Resolve(a, ctx.opset, x.dtype, x.shape));
  const int64_t n = NumElements(x.shape);
  WC_RETURN_IF_ERROR(CheckRowsFitGpu(g, n, n));
  gpu::KernelBuilder b(std::string(a.log ? "logsoftmax_f32" : "softmax_f32") + RowSpecName(g));
  b.Input("X", gpu::ScalarType::kF32).Output("Y", gpu::ScalarType::kF32);
  const RowLaunch l = WholeRows(g);
  auto& u = b.uniforms();
  AddRowUniforms(u, g, l);
  u.AddF32("neg_inf", -std::numeric_limits<float>::infinity());
  std::string body = kSoftmaxBody;
  body.replace(body.find("STORE"), 5, a.log ? "X[i] - m - log_s" : "exp(X[i] - m) / s");
  b.Body(RowPrelude(g) + SegmentMergeFn("seg_max", "f32", "select(a, b, b > a || is_nan(b))") +
         SegmentMergeFn("seg_sum", "f32", "a + b") + RowMain(body));
  uint32_t groups[3];
  RowGroups(g, l, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

double Flops(const InferContext& ctx) {
  // max, subtract, exp, sum, and the final divide or subtract, per element.
  return 5.0 * static_cast<double>(NumElements(ctx.inputs[0].shape));
}

template <bool kLog>
OpSchema Row() {
  OpSchema s;
  s.op_type = OpName(kLog);
  s.parse = Parse<kLog>;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.flops = Flops;
  s.notes =
      "float16/float32/float64 (bfloat16 from opset 13); opset < 13: rows of the input flattened at axis "
      "(default 1); >= 13: one axis (default -1)";
  return s;
}

}  // namespace

std::vector<OpSchema> SoftmaxRows() {
  return {Row<false>(), Row<true>()};
}

}  // namespace webconv::ops
