// CumSum (opsets 11-17): running sums along one axis, inclusive or (exclusive=1) shifted by one, from the
// front or (reverse=1) from the back. The axis is an input tensor (a scalar, int32 or int64) that must be
// known when the graph is planned (a constant, or a graph input bound at run time).
//
// The reference adds in double for floating types (so a float32 CumSum is the float64 running sum rounded
// once) and in wrapping int64 for integers. The WebGPU kernel runs one invocation per line along the axis
// and adds in f32 / i32 / u32, the types it holds: float32 sums differ from the reference by the running
// rounding of an f32 accumulator, which the comparison tolerances cover for the lengths tests use.
#include "ops/elementwise/elementwise.h"
#include "ops/reduce/reduce.h"

namespace webconv::ops {
namespace {

struct CumSumAttrs {
  bool exclusive = false, reverse = false;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 2));
  auto a = std::make_shared<CumSumAttrs>();
  WC_RETURN_IF_ERROR(ReadFlag(ctx.attrs, "exclusive", false, &a->exclusive));
  WC_RETURN_IF_ERROR(ReadFlag(ctx.attrs, "reverse", false, &a->reverse));
  *out = a;
  return OkStatus();
}

bool IsCumSumType(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kInt32 || t == DType::kInt64 ||
         t == DType::kUInt32 || t == DType::kUInt64;
}

Result<AxisLines> Resolve(DType t, const Shape& shape, const HostTensor* axis_tensor) {
  if (!IsCumSumType(t))
    return BadModel("input type ", DTypeName(t), " is not one of float, double, int32, int64, uint32, uint64");
  if (!axis_tensor) return BadModel("input 1 (axis) must be known when the graph is planned");
  if (axis_tensor->dtype() != DType::kInt32 && axis_tensor->dtype() != DType::kInt64)
    return BadModel("axis has type ", DTypeName(axis_tensor->dtype()), ", expected int32 or int64");
  if (axis_tensor->num_elements() != 1)
    return BadModel("axis must be a scalar, got shape ", ShapeString(axis_tensor->shape()));
  if (shape.empty()) return BadModel("the input is a scalar: it has no axis to sum along");
  int64_t axis = 0;
  WC_RETURN_IF_ERROR(NormalizeAxis(axis_tensor->GetInt(0), static_cast<int64_t>(shape.size()), &axis));
  return SplitAtAxis(shape, axis);
}

Status Infer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_RETURN_IF_ERROR(Resolve(x.dtype, x.shape, ctx.inputs[1].constant).status());
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = x.shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<CumSumAttrs>();
  const HostTensor& x = *ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(AxisLines l, Resolve(x.dtype(), x.shape(), ctx.inputs[1]));
  HostTensor& y = ctx.out(0);
  const bool fl = IsFloat(x.dtype());
  for (int64_t o = 0; o < l.outer; ++o) {
    for (int64_t in = 0; in < l.inner; ++in) {
      double sum = 0;
      uint64_t isum = 0;  // wraps as the type's own arithmetic does
      for (int64_t s = 0; s < l.len; ++s) {
        const int64_t k = a.reverse ? l.len - 1 - s : s;
        const int64_t i = l.at(o, k, in);
        if (a.exclusive) {
          if (fl) y.SetDouble(i, sum);
          else y.SetInt(i, static_cast<int64_t>(isum));
        }
        if (fl) sum += x.GetDouble(i);
        else isum += static_cast<uint64_t>(x.GetInt(i));
        if (!a.exclusive) {
          if (fl) y.SetDouble(i, sum);
          else y.SetInt(i, static_cast<int64_t>(isum));
        }
      }
    }
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<CumSumAttrs>();
  const TensorInfo& x = ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(AxisLines l, Resolve(x.dtype, x.shape, ctx.inputs[1].constant));
  WC_RETURN_IF_ERROR(CheckLinesFitGpu(l));
  if (l.lines() == 0 || l.len == 0) return OkStatus();
  const gpu::ScalarType st = GpuType(x.dtype);
  const std::string T = gpu::WgslType(st);
  gpu::KernelBuilder b(std::string("cumsum_") + T + (a.exclusive ? "_exclusive" : "") + (a.reverse ? "_reverse" : ""));
  b.Input("X", st).Output("Y", st);
  AddLineUniforms(b.uniforms(), l);
  // One invocation walks one line.
  const std::string k = a.reverse ? "u.len - 1u - s" : "s";
  std::string walk = "let start = line_start(i);\n  var acc = " + T + "(0);\n";
  walk += "  for (var s = 0u; s < u.len; s++) {\n    let e = start + (" + k + ") * u.inner;\n";
  walk += a.exclusive ? "    Y[e] = acc;\n    acc = acc + X[e];\n" : "    acc = acc + X[e];\n    Y[e] = acc;\n";
  walk += "  }";
  b.Body(LineStartWgsl() + ElementwiseMain(walk));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(l.lines()), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> CumSumRows() {
  OpSchema s;
  s.op_type = "CumSum";
  s.min_opset = 11;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.host_inputs = {1};
  s.notes =
      "float, double (reference only), int32, int64 (i32 on WebGPU), uint32, uint64; exclusive and reverse";
  return {s};
}

}  // namespace webconv::ops
