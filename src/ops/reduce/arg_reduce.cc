// ArgMax and ArgMin (opsets 1-17): the index of the first (or, with select_last_index from opset 12, the
// last) extreme element along one axis. As in numpy, a NaN counts as more extreme than any number. The
// output is int64; on the GPU it is held as i32 like every int64 tensor.
#include <cmath>
#include <limits>

#include "ops/elementwise/elementwise.h"
#include "ops/reduce/reduce.h"
#include "ops/reduce/row_wgsl.h"

namespace webconv::ops {
namespace {

struct ArgAttrs {
  bool max = true;
  int64_t axis = 0;
  bool keepdims = true;
  bool last = false;  // select_last_index
};

const char* OpName(bool max) {
  return max ? "ArgMax" : "ArgMin";
}

template <bool kMax>
Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  auto a = std::make_shared<ArgAttrs>();
  a->max = kMax;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", 0, &a->axis));
  WC_RETURN_IF_ERROR(ReadFlag(ctx.attrs, "keepdims", true, &a->keepdims));
  WC_RETURN_IF_ERROR(CheckAttrSince(ctx, OpName(kMax), "select_last_index", 12));
  WC_RETURN_IF_ERROR(ReadFlag(ctx.attrs, "select_last_index", false, &a->last));
  *out = a;
  return OkStatus();
}

struct ArgProblem {
  RowGeometry rows;
  Shape out_shape;
};

Result<ArgProblem> Resolve(const ArgAttrs& a, int opset, DType t, const Shape& shape) {
  const bool ok = (IsInteger(t) && t != DType::kBool) || t == DType::kFloat32 || t == DType::kFloat64 ||
                  t == DType::kFloat16 || (t == DType::kBFloat16 && opset >= 13);
  if (!ok) return BadModel("input type ", DTypeName(t), " is not supported by ", OpName(a.max), "-", opset);
  int64_t axis = 0;
  WC_RETURN_IF_ERROR(NormalizeAxis(a.axis, static_cast<int64_t>(shape.size()), &axis));
  std::vector<bool> mask(shape.size(), false);
  mask[static_cast<size_t>(axis)] = true;
  ArgProblem p;
  p.rows = MakeRowGeometry(shape, mask);
  p.out_shape = ReducedShape(shape, mask, a.keepdims);
  if (p.rows.len == 0 && p.rows.rows > 0)
    return BadModel("axis ", axis, " of input shape ", ShapeString(shape), " is empty: it has no ",
                    a.max ? "largest" : "smallest", " element");
  return p;
}

Status Infer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(ArgProblem p, Resolve(ctx.Attrs<ArgAttrs>(), ctx.opset, x.dtype, x.shape));
  ctx.outputs[0].dtype = DType::kInt64;
  ctx.outputs[0].shape = p.out_shape;
  return OkStatus();
}

// > 0 when v is more extreme than best, 0 on a tie (NaNs tie with each other and beat numbers).
template <typename V>
int Compare(V v, V best, bool max) {
  if constexpr (std::is_floating_point_v<V>) {
    const bool vn = std::isnan(v), bn = std::isnan(best);
    if (vn || bn) return vn && bn ? 0 : vn ? 1 : -1;
  }
  if (v == best) return 0;
  return (max ? v > best : v < best) ? 1 : -1;
}

template <typename V, typename Get>
void ArgRows(const ArgAttrs& a, const RowGeometry& g, Get get, HostTensor* y) {
  for (int64_t row = 0; row < g.rows; ++row) {
    const int64_t base = WalkOffset(g.kept_dims, g.kept_strides, row);
    OffsetWalker w(g.red_dims, g.red_strides);
    V best{};
    int64_t arg = 0;
    for (int64_t r = 0; r < g.len; ++r, w.Next()) {
      const V v = get(base + w.offset());
      const int c = r == 0 ? 1 : Compare(v, best, a.max);
      if (c > 0 || (c == 0 && a.last)) {
        best = v;
        arg = r;
      }
    }
    y->SetInt(row, arg);
  }
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<ArgAttrs>();
  const HostTensor& x = *ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(ArgProblem p, Resolve(a, ctx.opset, x.dtype(), x.shape()));
  HostTensor* y = &ctx.out(0);
  if (IsFloat(x.dtype()))
    ArgRows<double>(
        a, p.rows, [&](int64_t i) { return x.GetDouble(i); }, y);
  else if (x.dtype() == DType::kUInt64)
    ArgRows<uint64_t>(
        a, p.rows, [&](int64_t i) { return static_cast<uint64_t>(x.GetInt(i)); }, y);
  else
    ArgRows<int64_t>(
        a, p.rows, [&](int64_t i) { return x.GetInt(i); }, y);
  return OkStatus();
}

// The extreme value first, then the first (or last) index holding it.
constexpr char kArgBody[] = R"(  var m = u.ident;
  for (var r = r0 + lane; r < r1; r += u.tpp) { m = merge_seg_val(m, X[base + red_offset(r)]); }
  m = seg_val(lid.x, lane, m);
  var idx = u.no_index;
  for (var r = r0 + lane; r < r1; r += u.tpp) {
    if (same(X[base + red_offset(r)], m)) { idx = merge_seg_idx(idx, i32(r)); }
  }
  idx = seg_idx(lid.x, lane, idx);
  if (live && lane == 0u) { Y[g] = idx; }
)";

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<ArgAttrs>();
  const TensorInfo& x = ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(ArgProblem p, Resolve(a, ctx.opset, x.dtype, x.shape));
  const RowGeometry& g = p.rows;
  WC_RETURN_IF_ERROR(CheckRowsFitGpu(g, NumElements(x.shape), g.rows));
  const gpu::ScalarType st = GpuType(x.dtype);
  const std::string T = gpu::WgslType(st);
  const bool fl = st == gpu::ScalarType::kF32;
  gpu::KernelBuilder b(std::string(a.max ? "argmax_" : "argmin_") + T + (a.last ? "_last" : "") +
                       RowSpecName(g));
  b.Input("X", st).Output("Y", gpu::ScalarType::kI32);
  const RowLaunch l = WholeRows(g);
  auto& u = b.uniforms();
  AddRowUniforms(u, g, l);
  const double inf = std::numeric_limits<double>::infinity();
  const double ident =
      fl ? (a.max ? -inf : inf) : static_cast<double>(a.max ? TypeLowest(x.dtype) : TypeHighest(x.dtype));
  AddScalarUniform(u, "ident", st, ident);
  u.AddI32("no_index", a.last ? -1 : std::numeric_limits<int32_t>::max());
  const char* cmp = a.max ? ">" : "<";
  const std::string merge = fl ? std::string("select(a, b, b ") + cmp + " a || is_nan(b))"
                               : std::string(a.max ? "max(a, b)" : "min(a, b)");
  const std::string same = fl ? "v == m || (is_nan(v) && is_nan(m))" : "v == m";
  b.Body(RowPrelude(g) + "fn same(v: " + T + ", m: " + T + ") -> bool { return " + same + "; }\n" +
         SegmentMergeFn("seg_val", T, merge) +
         SegmentMergeFn("seg_idx", "i32", a.last ? "max(a, b)" : "min(a, b)") + RowMain(kArgBody));
  uint32_t groups[3];
  RowGroups(g, l, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

template <bool kMax>
OpSchema Row() {
  OpSchema s;
  s.op_type = OpName(kMax);
  s.parse = Parse<kMax>;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes =
      "integers and float16/float32/float64 (bfloat16 from opset 13); select_last_index from opset 12; NaN "
      "counts as the extreme; int64 indices as i32 on WebGPU";
  return s;
}

}  // namespace

std::vector<OpSchema> ArgRows() {
  return {Row<true>(), Row<false>()};
}

}  // namespace webconv::ops
