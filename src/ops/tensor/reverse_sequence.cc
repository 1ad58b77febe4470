// ReverseSequence (opset 10): for each batch entry b, the first sequence_lens[b] steps along the time axis
// are reversed and the rest copied. time_axis and batch_axis are axes 0 and 1, in either order
// (defaults 0 and 1); the input has rank >= 2 and sequence_lens is int64 [batch]. A length outside
// [0, time extent] is an error naming the node, on every backend (the GPU checks the lengths first).
#include "ops/elementwise/elementwise.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct ReverseSequenceAttrs {
  int64_t time_axis = 0, batch_axis = 1;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 2));
  auto a = std::make_shared<ReverseSequenceAttrs>();
  WC_RETURN_IF_ERROR(ctx.attrs.Int("time_axis", 0, &a->time_axis));
  WC_RETURN_IF_ERROR(ctx.attrs.Int("batch_axis", 1, &a->batch_axis));
  if (!((a->time_axis == 0 && a->batch_axis == 1) || (a->time_axis == 1 && a->batch_axis == 0)))
    return BadModel("time_axis ", a->time_axis, " and batch_axis ", a->batch_axis, ": they must be 0 and 1, in either order");
  *out = a;
  return OkStatus();
}

struct SequenceShape {
  int64_t time = 0, batch = 0, inner = 1;
};

Result<SequenceShape> Resolve(const ReverseSequenceAttrs& a, const std::vector<TensorInfo>& in) {
  const TensorInfo &x = in[0], &lens = in[1];
  if (x.shape.size() < 2) return BadModel("the input has shape ", ShapeString(x.shape), ": rank >= 2 is needed");
  SequenceShape s;
  s.time = x.shape[static_cast<size_t>(a.time_axis)];
  s.batch = x.shape[static_cast<size_t>(a.batch_axis)];
  for (size_t d = 2; d < x.shape.size(); ++d) s.inner *= x.shape[d];
  if (lens.dtype != DType::kInt64) return BadModel("sequence_lens has type ", DTypeName(lens.dtype), ", expected int64");
  if (lens.shape != Shape{s.batch})
    return BadModel("sequence_lens has shape ", ShapeString(lens.shape), ", expected [", s.batch, "]");
  return s;
}

Status Infer(InferContext& ctx) {
  WC_RETURN_IF_ERROR(CheckMovableType(ctx.inputs[0].dtype));
  WC_RETURN_IF_ERROR(Resolve(ctx.Attrs<ReverseSequenceAttrs>(), ctx.inputs).status());
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = ctx.inputs[0].shape;
  return OkStatus();
}

Status LengthOutOfRange(const int64_t* value, int64_t position, int64_t time) {
  return BadModel("sequence_lens[", position, "] is ", value ? std::to_string(*value) : std::string("a value"),
                  ": it must lie in [0, ", time, "]");
}

// Flat index of (t, b, r) for the attribute's axis order.
int64_t At(const ReverseSequenceAttrs& a, const SequenceShape& s, int64_t t, int64_t b, int64_t r) {
  return (a.time_axis == 0 ? t * s.batch + b : b * s.time + t) * s.inner + r;
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<ReverseSequenceAttrs>();
  WC_ASSIGN_OR_RETURN(SequenceShape s, Resolve(a, ctx.input_infos()));
  const HostTensor &x = *ctx.inputs[0], &lens = *ctx.inputs[1];
  HostTensor& y = ctx.out(0);
  for (int64_t b = 0; b < s.batch; ++b) {
    const int64_t len = lens.GetInt(b);
    if (len < 0 || len > s.time) return LengthOutOfRange(&len, b, s.time);
    for (int64_t t = 0; t < s.time; ++t)
      for (int64_t r = 0; r < s.inner; ++r) CopyElement(x, At(a, s, t < len ? len - 1 - t : t, b, r), y, At(a, s, t, b, r));
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<ReverseSequenceAttrs>();
  WC_ASSIGN_OR_RETURN(SequenceShape s, Resolve(a, ctx.inputs));
  WC_RETURN_IF_ERROR(CheckGpuElements(ctx.inputs[0].shape, "input"));
  const int64_t n = NumElements(ctx.inputs[0].shape);
  if (n == 0) return OkStatus();
  GpuIndexCheck check;
  check.indices_input = 1;
  const int64_t time = s.time;
  check.describe = [time](int64_t position, const int64_t* value) { return LengthOutOfRange(value, position, time); };
  const uint32_t slot = ctx.CheckIndices(std::move(check));
  // 4-byte words whatever the type (tensor_common.h).
  gpu::KernelBuilder b(std::string("reverse_sequence_time") + std::to_string(a.time_axis));
  b.Input("X", gpu::ScalarType::kU32).Input("L", gpu::ScalarType::kI32).Output("Y", gpu::ScalarType::kU32);
  b.Atomic("index_error");
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("time", static_cast<uint32_t>(s.time));
  u.AddU32("batch", static_cast<uint32_t>(s.batch));
  u.AddU32("inner", static_cast<uint32_t>(s.inner));
  u.AddU32("check_slot", slot);
  const bool time_first = a.time_axis == 0;
  b.Body(ElementwiseMain(
      "let r = i % u.inner;\n"
      "  let outer = i / u.inner;\n" +
      std::string(time_first ? "  let t = outer / u.batch;\n  let bi = outer % u.batch;\n"
                             : "  let bi = outer / u.time;\n  let t = outer % u.time;\n") +
      "  let len = L[bi];\n"
      "  if (len < 0 || len > i32(u.time)) {\n"
      "    if (t == 0u && r == 0u) { atomicMax(&index_error[u.check_slot], u.batch - bi); }\n"
      "    Y[i] = X[i];\n"
      "    return;\n"
      "  }\n"
      "  let src_t = select(t, u32(len) - 1u - t, t < u32(len));\n" +
      std::string(time_first ? "  Y[i] = X[(src_t * u.batch + bi) * u.inner + r];"
                             : "  Y[i] = X[(bi * u.time + src_t) * u.inner + r];")));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::In(1), GpuContext::Out(0), GpuContext::IndexCheckWords()}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> ReverseSequenceRows() {
  OpSchema s;
  s.op_type = "ReverseSequence";
  s.min_opset = 10;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes = "every type (4-byte words on WebGPU); a length outside [0, time] is an error";
  return {s};
}

}  // namespace webconv::ops::tensor
