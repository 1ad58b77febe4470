// MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool (opsets 1-17): 1-D, 2-D and 3-D windows with
// every padding form, on both backends. Attributes that arrive in a later opset are refused in models
// of an earlier one, as onnx.defs lists them.
#include "ops/pool/pool.h"

#include <algorithm>

#include "ops/families.h"

namespace webconv::ops {

void PoolProblem::IndexStrides(int64_t s[3]) const {
  const AxisGeometry* a = axis3;
  if (column_major) {
    // The first spatial axis varies fastest; the leading unit axes keep their zero coordinate.
    s[0] = 1;
    s[1] = a[0].in;
    s[2] = a[0].in * a[1].in;
  } else {
    s[0] = a[1].in * a[2].in;
    s[1] = a[2].in;
    s[2] = 1;
  }
}

Result<PoolProblem> ResolvePool(const PoolAttrs& a, const TensorInfo& x, bool with_indices) {
  const size_t rank = x.shape.size();
  PoolProblem p;
  p.kind = a.kind;
  p.dtype = x.dtype;
  p.count_include_pad = a.count_include_pad;
  p.column_major = a.column_major;
  p.with_indices = with_indices;
  AxisGeometry unit;
  unit.in = unit.out = 1;
  for (AxisGeometry& g : p.axis3) g = unit;
  if (p.is_global()) {
    if (rank < 3) return BadModel("input X has rank ", rank, "; a global pool needs [N, C, spatial...]");
    p.batch = x.shape[0];
    p.channels = x.shape[1];
    AxisGeometry& g = p.axis3[2];
    g.in = g.kernel = NumElements(Shape(x.shape.begin() + 2, x.shape.end()));
    p.out_shape = Shape(rank, 1);
    p.out_shape[0] = p.batch;
    p.out_shape[1] = p.channels;
    return p;
  }
  const size_t n = a.window.kernel_shape.size();
  if (rank < 3 || rank > 5)
    return BadModel("input X has rank ", rank, "; pools need [N, C, spatial...] with 1 to 3 spatial axes");
  if (n != rank - 2)
    return BadModel("kernel_shape has ", n, " values but input X has ", rank - 2, " spatial axes");
  p.batch = x.shape[0];
  p.channels = x.shape[1];
  WC_ASSIGN_OR_RETURN(
      auto axes, ResolveForward(a.window, Shape(x.shape.begin() + 2, x.shape.end()), a.window.kernel_shape));
  const size_t lead = 3 - axes.size();
  p.out_shape = {p.batch, p.channels};
  for (size_t i = 0; i < axes.size(); ++i) {
    p.axis3[lead + i] = axes[i];
    p.out_shape.push_back(axes[i].out);
  }
  return p;
}

void ClipTaps(const AxisGeometry& a, int64_t base, int64_t lo, int64_t hi, int64_t* k0, int64_t* k1) {
  *k0 = base >= lo ? 0 : (lo - base + a.dilation - 1) / a.dilation;
  *k1 = hi <= base ? 0 : std::min(a.kernel, (hi - base + a.dilation - 1) / a.dilation);
  if (*k0 > a.kernel) *k0 = a.kernel;
  if (*k1 < *k0) *k1 = *k0;
}

namespace {

const char* KindName(PoolKind k) {
  switch (k) {
    case PoolKind::kMax:
      return "MaxPool";
    case PoolKind::kAverage:
      return "AveragePool";
    case PoolKind::kGlobalMax:
      return "GlobalMaxPool";
    case PoolKind::kGlobalAverage:
      return "GlobalAveragePool";
  }
  return "?";
}

// An attribute the op gained in opset `since` (19 and later: not part of any opset handled here).
struct Gate {
  const char* attr;
  int since;
};

Status CheckGates(const ParseContext& ctx, PoolKind kind, std::initializer_list<Gate> gates) {
  for (const Gate& g : gates)
    if (ctx.opset < g.since && ctx.attrs.Has(g.attr))
      return BadModel("attribute '", g.attr, "' is not part of ", KindName(kind), "-", ctx.opset,
                      " (it arrives in opset ", g.since, ")");
  return OkStatus();
}

Status ReadFlag(const AttrReader& attrs, const char* name, bool* out) {
  int64_t v = 0;
  WC_RETURN_IF_ERROR(attrs.Int(name, 0, &v));
  if (v != 0 && v != 1) return BadModel(name, " must be 0 or 1, got ", v);
  *out = v == 1;
  return OkStatus();
}

template <PoolKind kKind>
Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  const int max_outputs = kKind == PoolKind::kMax && ctx.opset >= 8 ? 2 : 1;
  if (ctx.num_outputs < 1 || ctx.num_outputs > max_outputs)
    return BadModel("has ", ctx.num_outputs, " outputs; ", KindName(kKind), "-", ctx.opset, " has ",
                    max_outputs == 1 ? "one" : "one or two");
  auto a = std::make_shared<PoolAttrs>();
  a->kind = kKind;
  if (kKind == PoolKind::kMax) {
    WC_RETURN_IF_ERROR(CheckGates(ctx, kKind, {{"storage_order", 8}, {"ceil_mode", 10}, {"dilations", 10}}));
    int64_t order = 0;
    WC_RETURN_IF_ERROR(ctx.attrs.Int("storage_order", 0, &order));
    if (order != 0 && order != 1) return BadModel("storage_order must be 0 or 1, got ", order);
    a->column_major = order == 1;
  } else if (kKind == PoolKind::kAverage) {
    WC_RETURN_IF_ERROR(
        CheckGates(ctx, kKind, {{"count_include_pad", 7}, {"ceil_mode", 10}, {"dilations", 19}}));
    WC_RETURN_IF_ERROR(ReadFlag(ctx.attrs, "count_include_pad", &a->count_include_pad));
  }
  if (kKind == PoolKind::kMax || kKind == PoolKind::kAverage) {
    WC_RETURN_IF_ERROR(ParseWindowAttrs(ctx.attrs, true, &a->window));
    if (a->window.kernel_shape.empty()) return BadModel("kernel_shape is required");
  }
  *out = a;
  return OkStatus();
}

bool WantsIndices(const std::vector<TensorInfo>& outputs) {
  return outputs.size() > 1 && outputs[1].present;
}

Status CheckType(PoolKind kind, int opset, DType t) {
  if (t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16) return OkStatus();
  // MaxPool-12 added 8-bit integers.
  if (kind == PoolKind::kMax && opset >= 12 && (t == DType::kInt8 || t == DType::kUInt8)) return OkStatus();
  return BadModel("input type ", DTypeName(t), " is not supported by ", KindName(kind), "-", opset);
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<PoolAttrs>();
  WC_RETURN_IF_ERROR(CheckType(a.kind, ctx.opset, ctx.inputs[0].dtype));
  WC_ASSIGN_OR_RETURN(PoolProblem p, ResolvePool(a, ctx.inputs[0], WantsIndices(ctx.outputs)));
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = p.out_shape;
  if (p.with_indices) {
    ctx.outputs[1].dtype = DType::kInt64;
    ctx.outputs[1].shape = p.out_shape;
  }
  return OkStatus();
}

// The float64 reference (`fast` false) or the fast CPU backend's float32 loop where it applies.
Status Run(RefContext& ctx, bool fast) {
  const HostTensor& x = *ctx.inputs[0];
  // An absent optional output arrives as an empty tensor without a dtype.
  HostTensor* indices =
      ctx.outputs->size() > 1 && ctx.out(1).dtype() == DType::kInt64 ? &ctx.out(1) : nullptr;
  WC_ASSIGN_OR_RETURN(PoolProblem p, ResolvePool(ctx.Attrs<PoolAttrs>(), {true, x.dtype(), x.shape(), &x},
                                                 indices != nullptr));
  if (fast && PoolCpuHandles(p, x, indices)) return PoolCpu(p, x, &ctx.out(0));
  return PoolReference(p, x, &ctx.out(0), indices);
}
Status Reference(RefContext& ctx) { return Run(ctx, false); }
Status Cpu(RefContext& ctx) { return Run(ctx, true); }

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(PoolProblem p,
                      ResolvePool(ctx.Attrs<PoolAttrs>(), ctx.inputs[0], WantsIndices(ctx.outputs)));
  return PoolGpu(p, ctx);
}

double Flops(const InferContext& ctx) {
  auto p = ResolvePool(ctx.Attrs<PoolAttrs>(), ctx.inputs[0], false);
  if (!p.ok()) return 0;
  return static_cast<double>(p->planes()) * static_cast<double>(p->out_spatial()) *
         static_cast<double>(p->kernel_volume());
}

// A constant-zero Pad in front folds exactly only into an average that counts padding: its zeros join
// the sum and the divisor either way. MaxPool cannot take it (a zero can win a max, padding never does),
// nor an average that excludes padding from its divisor, nor ceil_mode, whose rule that the last window
// starts before the input's end would move that end back from the Pad's zeros to the original input.
bool AbsorbPad(const OpAttrs& attrs, const std::vector<int64_t>& begin, const std::vector<int64_t>& end,
               OpAttrs* out) {
  const auto& a = attrs.As<PoolAttrs>();
  if (a.kind != PoolKind::kAverage || !a.count_include_pad || a.window.ceil_mode) return false;
  auto folded = std::make_shared<PoolAttrs>(a);
  if (!AddPadsToWindow(&folded->window, begin, end)) return false;
  *out = folded;
  return true;
}

// OpSchema::as_window_mean of AveragePool.
bool AsWindowMean(const OpAttrs& attrs, const TensorInfo& x, const Shape& y, int64_t window[3]) {
  if (x.dtype != DType::kFloat32) return false;
  auto p = ResolvePool(attrs.As<PoolAttrs>(), x, false);
  if (!p.ok() || p->kind != PoolKind::kAverage || p->out_shape != y) return false;
  for (int a = 0; a < 3; ++a) {
    const AxisGeometry& g = p->axis3[a];
    // Non-overlapping windows tiling the input from its start; a tail shorter than a window is
    // dropped (floor mode), which out == in / kernel confirms.
    if (g.kernel != g.stride || g.dilation != 1 || g.pad_begin != 0 || g.pad_end != 0 || g.out != g.in / g.kernel)
      return false;
    window[a] = g.kernel;
  }
  return true;
}

template <PoolKind kKind>
OpSchema Row(const char* notes) {
  OpSchema s;
  s.op_type = KindName(kKind);
  s.parse = Parse<kKind>;
  s.infer = Infer;
  s.reference = Reference;
  s.cpu = Cpu;
  s.gpu = Gpu;
  s.flops = Flops;
  if (kKind == PoolKind::kAverage) {
    s.absorb_zero_pad = AbsorbPad;
    s.as_window_mean = AsWindowMean;
  }
  s.notes = notes;
  return s;
}

}  // namespace

std::vector<OpSchema> PoolOps() {
  std::vector<OpSchema> rows = {
      Row<PoolKind::kMax>("float16/float32/float64, int8/uint8 from opset 12; 1-D/2-D/3-D; explicit, VALID "
                          "and SAME pads; strides, dilations, ceil_mode; "
                          "Indices in either storage order"),
      Row<PoolKind::kAverage>(
          "float16/float32/float64; 1-D/2-D/3-D; explicit, VALID and SAME pads; strides, ceil_mode, "
          "count_include_pad"),
      Row<PoolKind::kGlobalMax>(
          "float16/float32/float64; any rank >= 3; one workgroup reduction per (n, c) on WebGPU"),
      Row<PoolKind::kGlobalAverage>(
          "float16/float32/float64; any rank >= 3; one workgroup reduction per (n, c) on WebGPU"),
  };
  for (OpSchema& s : MaxUnpoolRows()) rows.push_back(std::move(s));
  return rows;
}

}  // namespace webconv::ops
