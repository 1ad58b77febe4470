// LayerNormalization (opset 17): X is normalized over the axes from `axis` on, then multiplied by Scale
// and shifted by the optional B, both broadcast to X.shape[axis:]. The optional Mean and InvStdDev
// outputs have X's shape with those axes set to 1, in the stash type (float32).
#include "ops/elementwise/elementwise.h"
#include "ops/norm/row_norm.h"

namespace webconv::ops {
namespace {

struct LayerNormAttrs {
  int64_t axis = -1;
  double epsilon = 1e-5;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 3));
  if (ctx.num_outputs < 1 || ctx.num_outputs > 3)
    return BadModel("expects 1 to 3 outputs, got ", ctx.num_outputs);
  auto a = std::make_shared<LayerNormAttrs>();
  float epsilon = 1e-5f;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", -1, &a->axis));
  WC_RETURN_IF_ERROR(ctx.attrs.Float("epsilon", 1e-5f, &epsilon));
  if (!(epsilon >= 0)) return BadModel("epsilon is ", epsilon, "; it must be >= 0");
  a->epsilon = epsilon;
  int64_t stash = 1;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("stash_type", 1, &stash));
  // The statistics are computed in float64 by the reference and f32 on the GPU; a bfloat16 stash would
  // promise a lower precision than either delivers.
  if (stash != 1) return BadModel("stash_type ", stash, " is not supported (only 1, float32 statistics)");
  *out = a;
  return OkStatus();
}

// Strides of a parameter broadcast to `dims` (unidirectionally, leading 1s dropped), or an error.
Result<std::vector<int64_t>> ParamStrides(const TensorInfo& t, const char* name, const Shape& dims) {
  Shape s = t.shape;
  while (!s.empty() && s.front() == 1 && s.size() > dims.size()) s.erase(s.begin());
  bool ok = s.size() <= dims.size();
  for (size_t k = 0; ok && k < s.size(); ++k) {
    const int64_t d = dims[dims.size() - s.size() + k];
    ok = s[k] == d || s[k] == 1;
  }
  if (!ok)
    return BadModel(name, " has shape ", ShapeString(t.shape),
                    ", which does not broadcast to the normalized shape ", ShapeString(dims));
  return BroadcastStrides(s, dims);
}

Result<RowNormProblem> Resolve(const LayerNormAttrs& a, const std::vector<TensorInfo>& in,
                               const std::vector<bool>& outputs) {
  const TensorInfo& x = in[0];
  constexpr const char* kNames[] = {"X", "Scale", "B"};
  for (size_t k = 0; k < in.size() && k < 3; ++k) {
    if (!in[k].present) continue;
    if (!IsFloat(in[k].dtype) || in[k].dtype != x.dtype)
      return BadModel("input ", k, " (", kNames[k], ") has type ", DTypeName(in[k].dtype),
                      "; LayerNormalization takes floating-point tensors of one type");
  }
  if (!in[1].present) return BadModel("input 1 (Scale) is required");
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  if (rank == 0) return BadModel("X is a scalar; LayerNormalization needs rank >= 1");
  int64_t axis = 0;
  WC_RETURN_IF_ERROR(NormalizeAxis(a.axis, rank, &axis));
  RowNormProblem p;
  p.epsilon = a.epsilon;
  p.row_dims.assign(x.shape.begin() + axis, x.shape.end());
  p.rows = NumElements(Shape(x.shape.begin(), x.shape.begin() + axis));
  p.len = NumElements(p.row_dims);
  WC_ASSIGN_OR_RETURN(p.scale_strides, ParamStrides(in[1], "Scale", p.row_dims));
  p.has_bias = in.size() > 2 && in[2].present;
  if (p.has_bias) {
    WC_ASSIGN_OR_RETURN(p.bias_strides, ParamStrides(in[2], "B", p.row_dims));
  }
  if (outputs.size() > 1 && outputs[1]) p.mean_output = 1;
  if (outputs.size() > 2 && outputs[2]) p.invstd_output = 2;
  return p;
}

std::vector<bool> Present(const std::vector<TensorInfo>& outs) {
  std::vector<bool> r(outs.size());
  for (size_t k = 0; k < outs.size(); ++k) r[k] = outs[k].present;
  return r;
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<LayerNormAttrs>();
  WC_ASSIGN_OR_RETURN(RowNormProblem p, Resolve(a, ctx.inputs, Present(ctx.outputs)));
  const Shape& x = ctx.inputs[0].shape;
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = x;
  Shape stats = x;
  for (size_t k = x.size() - p.row_dims.size(); k < x.size(); ++k) stats[k] = 1;
  for (size_t k = 1; k < ctx.outputs.size(); ++k) {
    ctx.outputs[k].dtype = DType::kFloat32;
    ctx.outputs[k].shape = stats;
  }
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const std::vector<TensorInfo> in = ctx.input_infos();
  std::vector<bool> present;
  for (const HostTensor& t : *ctx.outputs) present.push_back(t.dtype() != DType::kUndefined);
  WC_ASSIGN_OR_RETURN(RowNormProblem p, Resolve(ctx.Attrs<LayerNormAttrs>(), in, present));
  return RowNormReference(p, ctx);
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(RowNormProblem p,
                      Resolve(ctx.Attrs<LayerNormAttrs>(), ctx.inputs, Present(ctx.outputs)));
  return RowNormGpu(p, ctx);
}

double Flops(const InferContext& ctx) {
  return 7.0 * static_cast<double>(NumElements(ctx.inputs[0].shape));
}

}  // namespace

std::vector<OpSchema> LayerNormRows() {
  OpSchema s;
  s.op_type = "LayerNormalization";
  s.min_opset = 17;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.flops = Flops;
  s.notes =
      "floating-point inputs of one type; stash_type 1 only; statistics over the axes from `axis` on; Scale "
      "and B broadcast to them; Mean/InvStdDev in float32";
  return {s};
}

}  // namespace webconv::ops
