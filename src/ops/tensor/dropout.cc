// Dropout, as inference runs it: the output is the input and the optional mask is all ones (true).
// Training mode is accepted only where it drops nothing (ratio 0), since anything else draws random
// numbers and gives a different output on every run:
//   opsets 1-6:  attributes is_test (default 0: training) and ratio (default 0.5); mask of type T;
//   opsets 7-11: inference only (attribute ratio, not used); mask of type T before opset 10, bool from 10;
//   opsets 12+:  inputs ratio (default 0.5) and training_mode (default false), both known when planned.
#include <cstring>

#include "ops/elementwise/elementwise.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct DropoutAttrs {
  bool is_test = true;  // opsets 1-6
  double ratio = 0.5;   // opsets 1-11 (opsets 12+ take it from input 1)
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, ctx.opset >= 12 ? 3 : 1));
  auto a = std::make_shared<DropoutAttrs>();
  if (ctx.opset < 7) {
    int64_t is_test = 0;
    WC_RETURN_IF_ERROR(ctx.attrs.Int("is_test", 0, &is_test));
    a->is_test = is_test != 0;
  }
  if (ctx.opset < 12) {
    float ratio = 0.5f;
    WC_RETURN_IF_ERROR(ctx.attrs.Float("ratio", 0.5f, &ratio));
    a->ratio = ratio;
  }
  *out = a;
  return OkStatus();
}

// Fails unless this node drops nothing: inference mode, or training mode with ratio 0.
Status CheckDropsNothing(const DropoutAttrs& a, int opset, const std::vector<TensorInfo>& in) {
  bool training = false;
  double ratio = a.ratio;
  if (opset < 7) {
    training = !a.is_test;
  } else if (opset >= 12) {
    if (in.size() > 2 && in[2].present) {
      if (in[2].dtype != DType::kBool) return BadModel("training_mode has type ", DTypeName(in[2].dtype), ", not bool");
      if (NumElements(in[2].shape) != 1) return BadModel("training_mode must be a scalar");
      if (!in[2].constant) return BadModel("training_mode (input 2) must be known when the graph is planned");
      training = in[2].constant->GetInt(0) != 0;
    }
    if (in.size() > 1 && in[1].present) {
      if (!IsFloat(in[1].dtype)) return BadModel("ratio has type ", DTypeName(in[1].dtype), ": a float is needed");
      if (NumElements(in[1].shape) != 1) return BadModel("ratio must be a scalar");
      if (training && !in[1].constant) return BadModel("ratio (input 1) must be known when the graph is planned");
      if (in[1].constant) ratio = in[1].constant->GetDouble(0);
    }
  }
  if (!(ratio >= 0 && ratio < 1)) return BadModel("ratio is ", ratio, ": it must be in [0, 1)");
  if (training && ratio != 0)
    return BadModel("training mode with ratio ", ratio,
                    " drops random elements on every run; webconv runs models for inference (ratio 0 or "
                    "training_mode false)");
  return OkStatus();
}

DType MaskType(int opset, DType data) { return opset >= 10 ? DType::kBool : data; }

Status Infer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  if (!IsFloat(x.dtype)) return BadModel("data has type ", DTypeName(x.dtype), ": a float type is needed");
  WC_RETURN_IF_ERROR(CheckDropsNothing(ctx.Attrs<DropoutAttrs>(), ctx.opset, ctx.inputs));
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = x.shape;
  if (ctx.outputs.size() > 1) {
    ctx.outputs[1].dtype = MaskType(ctx.opset, x.dtype);
    ctx.outputs[1].shape = x.shape;
  }
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor& x = *ctx.inputs[0];
  HostTensor& y = ctx.out(0);
  if (x.byte_size()) std::memcpy(y.mutable_data(), x.data(), x.byte_size());  // same dtype and shape
  if (ctx.outputs->size() > 1) {
    HostTensor& mask = ctx.out(1);
    for (int64_t i = 0; i < mask.num_elements(); ++i) mask.SetDouble(i, 1.0);
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckDropsNothing(ctx.Attrs<DropoutAttrs>(), ctx.opset, ctx.inputs));
  if (!IsGpuFloat(x.dtype)) return BadModel("data has type ", DTypeName(x.dtype), ", which WebGPU does not hold");
  WC_RETURN_IF_ERROR(CheckGpuElements(x.shape, "data"));
  const uint64_t n = static_cast<uint64_t>(NumElements(x.shape));
  if (n == 0) return OkStatus();
  const bool mask = ctx.outputs.size() > 1 && ctx.outputs[1].present;
  gpu::KernelBuilder b(mask ? "dropout_copy_mask" : "dropout_copy");
  b.Input("X", gpu::ScalarType::kF32).Output("Y", gpu::ScalarType::kF32);
  std::string body = "Y[i] = X[i];";
  std::vector<GpuRef> bindings = {GpuContext::In(0), GpuContext::Out(0)};
  if (mask) {
    const gpu::ScalarType t = GpuType(ctx.outputs[1].dtype);  // u32 for bool, f32 for a float mask
    b.Output("M", t);
    body += t == gpu::ScalarType::kF32 ? "\n  M[i] = 1.0;" : "\n  M[i] = 1u;";
    bindings.push_back(GpuContext::Out(1));
  }
  b.uniforms().AddU32("n", static_cast<uint32_t>(n));
  b.Body(ElementwiseMain(body));
  uint32_t groups[3];
  gpu::LinearGrid(n, kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, bindings, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> DropoutRows() {
  OpSchema s;
  s.op_type = "Dropout";
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.host_inputs = {1, 2};
  s.notes =
      "inference: the output is the input, the mask all true; training mode only with ratio 0 (anything "
      "else is refused: it would draw random numbers); ratio and training_mode known when planned";
  return {s};
}

}  // namespace webconv::ops::tensor
