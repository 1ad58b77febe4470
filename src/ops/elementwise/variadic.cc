// Variadic elementwise ops: Max, Min, Sum, Mean over 1..N inputs, with numpy broadcasting from opset 8
// (equal shapes before). Max and Min propagate NaN and pick one input's value exactly; Sum and Mean
// add in double on the reference and in f32, input by input, on the GPU.
#include <cmath>
#include <limits>

#include "ops/elementwise/elementwise.h"
#include "ops/elementwise/wgsl_math.h"
#include "ops/families.h"

namespace webconv::ops {
namespace {

enum class Kind { kMax, kMin, kSum, kMean };

struct VariadicAttrs {
  Kind kind = Kind::kMax;
  int opset = 0;
};

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kMax:
      return "max";
    case Kind::kMin:
      return "min";
    case Kind::kSum:
      return "sum";
    case Kind::kMean:
      return "mean";
  }
  return "?";
}

template <Kind K>
Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, std::numeric_limits<int>::max()));
  auto a = std::make_shared<VariadicAttrs>();
  a->kind = K;
  a->opset = ctx.opset;
  *out = a;
  return OkStatus();
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<VariadicAttrs>();
  const DType t = ctx.inputs[0].dtype;
  const bool ordered = a.kind == Kind::kMax || a.kind == Kind::kMin;
  if (!IsFloat(t) && !(ordered && IsInteger(t)))
    return BadModel("input type ", DTypeName(t), " is not supported");
  Shape out = ctx.inputs[0].shape;
  for (size_t k = 0; k < ctx.inputs.size(); ++k) {
    const TensorInfo& in = ctx.inputs[k];
    if (!in.present) return BadModel("input ", k, " is missing");
    if (in.dtype != t)
      return BadModel("input ", k, " has type ", DTypeName(in.dtype), ", expected ", DTypeName(t));
    if (a.opset < 8) {
      if (in.shape != out)
        return BadModel("input ", k, " has shape ", ShapeString(in.shape), " but input 0 has ",
                        ShapeString(out), " (no broadcasting before opset 8)");
    } else {
      WC_ASSIGN_OR_RETURN(out, BroadcastShapes(out, in.shape));
    }
  }
  ctx.outputs[0] = {true, t, out, nullptr};
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<VariadicAttrs>();
  HostTensor& y = ctx.out(0);
  std::vector<Shape> shapes;
  for (const HostTensor* in : ctx.inputs) shapes.push_back(in->shape());
  const auto& in = ctx.inputs;
  const size_t m = in.size();
  const bool is_float = IsFloat(y.dtype());
  ForEachBroadcast(y.shape(), shapes, [&](int64_t o, const int64_t* off) {
    if (a.kind == Kind::kSum || a.kind == Kind::kMean) {
      double s = 0;
      for (size_t k = 0; k < m; ++k) s += in[k]->GetDouble(off[k]);
      y.SetDouble(o, a.kind == Kind::kMean ? s / static_cast<double>(m) : s);
      return;
    }
    size_t best = 0;
    bool nan = false;
    for (size_t k = 0; k < m; ++k) {
      if (is_float && std::isnan(in[k]->GetDouble(off[k]))) nan = true;
      const int order = CompareElements(*in[k], off[k], *in[best], off[best]);
      if (order == (a.kind == Kind::kMax ? 1 : -1)) best = k;
    }
    if (nan)
      y.SetDouble(o, std::numeric_limits<double>::quiet_NaN());
    else
      CopyElement(*in[best], off[best], y, o);
  });
  return OkStatus();
}

// Storage bindings one kernel may use (WebGPU's default maxStorageBuffersPerShaderStage): the output,
// which from the second pass on also holds the running result, and up to 7 inputs.
constexpr size_t kMaxBindings = 8;

std::string CombineWgsl(Kind k, gpu::ScalarType st) {
  const std::string T = gpu::WgslType(st);
  std::string s = "fn combine(a: " + T + ", b: " + T + ") -> " + T + " {\n";
  if (k == Kind::kSum || k == Kind::kMean) return s + "  return a + b;\n}\n";
  const std::string pick = k == Kind::kMax ? "max(a, b)" : "min(a, b)";
  if (st == gpu::ScalarType::kF32) s += "  if (is_nan(a) || is_nan(b)) { return a + b; }\n";
  return s + "  return " + pick + ";\n}\n";
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<VariadicAttrs>();
  const Shape& out = ctx.outputs[0].shape;
  const gpu::ScalarType st = GpuType(ctx.outputs[0].dtype);
  const size_t m = ctx.inputs.size();
  const uint64_t n = static_cast<uint64_t>(NumElements(out));
  uint32_t groups[3];
  gpu::LinearGrid(n, kElementwiseWorkgroup, groups);
  for (size_t first = 0; first < m;) {
    const bool acc = first > 0;
    const size_t count = std::min(m - first, kMaxBindings - 1);
    const bool last = first + count == m;
    const bool divide = a.kind == Kind::kMean && last;
    const Kind shown = a.kind == Kind::kMean && !last ? Kind::kSum : a.kind;
    gpu::UniformBlock u;
    u.AddU32("n", static_cast<uint32_t>(n));
    if (divide) u.AddF32("count", static_cast<float>(m));
    std::vector<Shape> shapes;
    for (size_t k = 0; k < count; ++k) shapes.push_back(ctx.inputs[first + k].shape);
    bool same = false;
    WC_ASSIGN_OR_RETURN(std::string offsets, BroadcastOffsetsWgsl(u, out, shapes, &same));
    std::string name = KernelName("variadic", KindName(shown), {st}) + "_in" + std::to_string(count);
    gpu::KernelBuilder b(name + (acc ? "_acc" : "") + (divide ? "_div" : "") + (same ? "" : "_bcast"));
    std::vector<GpuRef> bindings;
    for (size_t k = 0; k < count; ++k) {
      b.Input("X" + std::to_string(k), st);
      bindings.push_back(GpuContext::In(static_cast<int>(first + k)));
    }
    b.Output("Y", st);
    bindings.push_back(GpuContext::Out(0));
    b.uniforms() = u;
    std::string main = "let o = offsets(i);\n  var r = " + std::string(acc ? "Y[i]" : "X0[o[0]]") + ";\n";
    for (size_t k = acc ? 0 : 1; k < count; ++k)
      main += "  r = combine(r, X" + std::to_string(k) + "[o[" + std::to_string(k) + "]]);\n";
    main += divide ? "  Y[i] = r / u.count;" : "  Y[i] = r;";
    b.Body(WgslMathFunctions(0) + CombineWgsl(shown, st) + offsets + ElementwiseMain(main));
    ctx.Dispatch(b, bindings, groups);
    first += count;
  }
  return OkStatus();
}

template <Kind K>
OpSchema Row(const char* op) {
  OpSchema s;
  s.op_type = op;
  s.parse = Parse<K>;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes = K == Kind::kMax || K == Kind::kMin ? "floating-point or integer inputs" : "floating-point inputs";
  return s;
}

}  // namespace

std::vector<OpSchema> WhereRows();  // where.cc

std::vector<OpSchema> NaryOps() {
  std::vector<OpSchema> all = {Row<Kind::kMax>("Max"), Row<Kind::kMin>("Min"), Row<Kind::kSum>("Sum"),
                               Row<Kind::kMean>("Mean")};
  for (OpSchema& s : WhereRows()) all.push_back(std::move(s));
  return all;
}

}  // namespace webconv::ops
