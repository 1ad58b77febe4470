// Elementwise binary ops with numpy broadcasting (and the opset < 7 `broadcast`/`axis` form).
// One table row per op: float64 reference, exact int64 reference, and the WGSL expression.
#include <cmath>

#include "ops/elementwise/elementwise.h"
#include "ops/families.h"

namespace webconv::ops {
namespace {

struct BinaryDef {
  const char* op;
  double (*ref_float)(double a, double b);
  int64_t (*ref_int)(int64_t a, int64_t b);  // nullptr: floats only
  const char* wgsl;                          // expression in a and b (both of type T)
  const char* wgsl_int;                      // expression for integer T, when it differs
};

// Integer division truncates; division by zero yields the dividend, as WGSL defines it, so that the
// reference and the kernel agree on inputs ONNX leaves undefined.
int64_t IntDiv(int64_t a, int64_t b) {
  if (b == 0 || (b == -1 && a == std::numeric_limits<int64_t>::lowest())) return a;
  return a / b;
}

const BinaryDef kBinary[] = {
    {"Add", [](double a, double b) { return a + b; }, [](int64_t a, int64_t b) { return a + b; }, "a + b",
     nullptr},
    {"Sub", [](double a, double b) { return a - b; }, [](int64_t a, int64_t b) { return a - b; }, "a - b",
     nullptr},
    {"Mul", [](double a, double b) { return a * b; }, [](int64_t a, int64_t b) { return a * b; }, "a * b",
     nullptr},
    {"Div", [](double a, double b) { return a / b; }, IntDiv, "a / b", nullptr},
};

struct BinaryAttrs {
  const BinaryDef* def = nullptr;
  bool legacy = false;  // opset < 7: broadcasting only when broadcast=1, aligned at `axis`
  int64_t broadcast = 0, axis = -1;
  bool has_axis = false;
};

template <const char* kOp>
Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 2));
  auto a = std::make_shared<BinaryAttrs>();
  for (const BinaryDef& d : kBinary)
    if (std::string(kOp) == d.op) a->def = &d;
  if (ctx.opset < 7) {
    a->legacy = true;
    a->has_axis = ctx.attrs.Has("axis");
    WC_RETURN_IF_ERROR(ctx.attrs.Int("broadcast", 0, &a->broadcast));
    WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", -1, &a->axis));
  }
  *out = a;
  return OkStatus();
}

// B's shape as broadcasting sees it: under the legacy rules B is placed at `axis` of A.
Result<Shape> EffectiveB(const BinaryAttrs& a, const Shape& sa, const Shape& sb) {
  if (!a.legacy) return sb;
  if (a.broadcast == 0) {
    if (sa != sb) return BadModel("shapes ", ShapeString(sa), " and ", ShapeString(sb),
                                  " differ and broadcast=0 (opset < 7)");
    return sb;
  }
  if (sb.size() > sa.size()) return BadModel("B has higher rank than A under broadcast=1");
  int64_t axis = a.has_axis ? a.axis : static_cast<int64_t>(sa.size() - sb.size());
  if (axis < 0) axis += static_cast<int64_t>(sa.size());
  if (axis < 0 || axis + static_cast<int64_t>(sb.size()) > static_cast<int64_t>(sa.size()))
    return BadModel("axis ", a.axis, " does not place B ", ShapeString(sb), " inside A ", ShapeString(sa));
  Shape eff(sa.size(), 1);
  for (size_t k = 0; k < sb.size(); ++k) {
    if (sb[k] != 1 && sb[k] != sa[axis + k])
      return BadModel("B ", ShapeString(sb), " does not match A ", ShapeString(sa), " at axis ", axis);
    eff[axis + k] = sb[k];
  }
  return eff;
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<BinaryAttrs>();
  const DType t = ctx.inputs[0].dtype;
  if (ctx.inputs[1].dtype != t)
    return BadModel("input types differ: ", DTypeName(t), " and ", DTypeName(ctx.inputs[1].dtype));
  if (!IsFloat(t) && !IsInteger(t)) return BadModel("input type ", DTypeName(t), " is not supported");
  WC_ASSIGN_OR_RETURN(Shape eb, EffectiveB(a, ctx.inputs[0].shape, ctx.inputs[1].shape));
  WC_ASSIGN_OR_RETURN(ctx.outputs[0].shape, BroadcastShapes(ctx.inputs[0].shape, eb));
  ctx.outputs[0].dtype = t;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<BinaryAttrs>();
  const HostTensor& x = *ctx.inputs[0];
  const HostTensor& y = *ctx.inputs[1];
  HostTensor& z = ctx.out(0);
  WC_ASSIGN_OR_RETURN(Shape eb, EffectiveB(a, x.shape(), y.shape()));
  const Shape& out = z.shape();
  const auto sa = BroadcastStrides(x.shape(), out), sb = BroadcastStrides(eb, out);
  const int64_t n = z.num_elements();
  const size_t rank = out.size();
  std::vector<int64_t> coord(rank, 0);
  int64_t ia = 0, ib = 0;
  const bool is_int = IsInteger(x.dtype());
  for (int64_t o = 0; o < n; ++o) {
    if (is_int) z.SetInt(o, a.def->ref_int(x.GetInt(ia), y.GetInt(ib)));
    else z.SetDouble(o, a.def->ref_float(x.GetDouble(ia), y.GetDouble(ib)));
    // Advance the output coordinate like an odometer, keeping both input offsets in step.
    for (size_t k = rank; k-- > 0;) {
      ia += sa[k];
      ib += sb[k];
      if (++coord[k] < out[k]) break;
      ia -= sa[k] * out[k];
      ib -= sb[k] * out[k];
      coord[k] = 0;
    }
  }
  return OkStatus();
}

constexpr uint32_t kMaxGpuRank = 8;

std::vector<uint32_t> ToU32(const std::vector<int64_t>& v) { return {v.begin(), v.end()}; }

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<BinaryAttrs>();
  const DType t = ctx.inputs[0].dtype;
  const Shape& out = ctx.outputs[0].shape;
  if (out.size() > kMaxGpuRank) return BadModel("rank ", out.size(), " exceeds the WebGPU kernel's ", kMaxGpuRank);
  WC_ASSIGN_OR_RETURN(Shape eb, EffectiveB(a, ctx.inputs[0].shape, ctx.inputs[1].shape));
  const gpu::ScalarType st = GpuType(t);
  const std::string T = gpu::WgslType(st);
  std::string name = std::string("binary_") + a.def->op + "_" + T;
  for (char& c : name) c = static_cast<char>(std::tolower(c));
  const bool same = ctx.inputs[0].shape == out && eb == out;
  gpu::KernelBuilder b(name + (same ? "" : "_bcast"));
  b.Input("A", st).Input("B", st).Output("C", st);
  const uint64_t n = static_cast<uint64_t>(NumElements(out));
  b.uniforms().AddU32("n", static_cast<uint32_t>(n));
  const char* expr = IsInteger(t) && a.def->wgsl_int ? a.def->wgsl_int : a.def->wgsl;
  std::string body = "alias T = " + T + ";\nfn op(a: T, b: T) -> T { return " + expr + "; }\n";
  if (same) {
    body += ElementwiseMain("C[i] = op(A[i], B[i]);");
  } else {
    b.uniforms().AddU32("rank", static_cast<uint32_t>(out.size()));
    b.uniforms().AddU32Array("out_shape", ToU32(out), kMaxGpuRank);
    b.uniforms().AddU32Array("a_strides", ToU32(BroadcastStrides(ctx.inputs[0].shape, out)), kMaxGpuRank);
    b.uniforms().AddU32Array("b_strides", ToU32(BroadcastStrides(eb, out)), kMaxGpuRank);
    body +=
        "fn offsets(i: u32) -> vec2<u32> {\n"
        "  var rem = i;\n  var off = vec2<u32>(0u, 0u);\n"
        "  for (var d = i32(u.rank) - 1; d >= 0; d--) {\n"
        "    let k = u32(d);\n    let c = rem % out_shape(k);\n    rem = rem / out_shape(k);\n"
        "    off += c * vec2<u32>(a_strides(k), b_strides(k));\n  }\n  return off;\n}\n" +
        ElementwiseMain("let o = offsets(i);\n  C[i] = op(A[o.x], B[o.y]);");
  }
  b.Body(body);
  uint32_t groups[3];
  gpu::LinearGrid(n, kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::In(1), GpuContext::Out(0)}, groups);
  return OkStatus();
}

constexpr char kAdd[] = "Add", kSub[] = "Sub", kMul[] = "Mul", kDiv[] = "Div";

template <const char* kOp>
OpSchema Row() {
  OpSchema s;
  s.op_type = kOp;
  s.parse = Parse<kOp>;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  return s;
}

}  // namespace

std::vector<OpSchema> BinaryOps() { return {Row<kAdd>(), Row<kSub>(), Row<kMul>(), Row<kDiv>()}; }

}  // namespace webconv::ops
