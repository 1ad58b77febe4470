// MaxUnpool (opsets 9 and 11): the partial inverse of MaxPool. X [N, C, spatial...] holds pooled values
// and I (int64, X's shape) the flat index of each in the unpooled tensor [N, C, inferred...], where
// inferred[i] = (X[i] - 1) * stride - pad_begin - pad_end + kernel (I is MaxPool's Indices output).
// The unpooled tensor is zeros with X[k] at I[k]; an index repeated keeps the last X written, as a loop
// in order would. output_shape (input 2, known when planned) may ask for a larger spatial extent: the
// result is then padded with zeros at the end of each axis, as ONNX's reference does. An index outside
// the unpooled tensor is an error naming the node, on every backend.
//
// WebGPU: a scratch word per unpooled element receives, by atomicMax, 1 + the last position k that writes
// it (the scatter order cannot race), then each output element reads its winner's value.
#include <algorithm>

#include "ops/elementwise/elementwise.h"
#include "ops/pool/pool.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops {
namespace {

struct UnpoolAttrs {
  std::vector<int64_t> kernel, strides, pads;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 3));
  auto a = std::make_shared<UnpoolAttrs>();
  WC_RETURN_IF_ERROR(ctx.attrs.RequiredInts("kernel_shape", &a->kernel));
  WC_RETURN_IF_ERROR(ctx.attrs.Ints("strides", &a->strides));
  WC_RETURN_IF_ERROR(ctx.attrs.Ints("pads", &a->pads));
  const size_t r = a->kernel.size();
  if (r == 0) return BadModel("attribute kernel_shape is empty");
  if (a->strides.empty()) a->strides.assign(r, 1);
  if (a->pads.empty()) a->pads.assign(2 * r, 0);
  if (a->strides.size() != r || a->pads.size() != 2 * r)
    return BadModel("kernel_shape has ", r, " values: strides needs ", r, " and pads ", 2 * r, ", got ",
                    a->strides.size(), " and ", a->pads.size());
  for (size_t i = 0; i < r; ++i)
    if (a->kernel[i] < 1 || a->strides[i] < 1) return BadModel("kernel_shape and strides must be >= 1");
  for (int64_t p : a->pads)
    if (p < 0) return BadModel("pads must be >= 0, got ", p);
  *out = a;
  return OkStatus();
}

// The unpooled shape, and the output's (output_shape when given).
struct UnpoolShape {
  Shape inferred, output;
};

Result<UnpoolShape> Resolve(const UnpoolAttrs& a, const std::vector<TensorInfo>& in) {
  const TensorInfo& x = in[0];
  const TensorInfo& idx = in[1];
  const size_t r = a.kernel.size();
  if (x.shape.size() != r + 2)
    return BadModel("X has shape ", ShapeString(x.shape), ": with a ", r, "-axis kernel it needs rank ", r + 2);
  if (idx.dtype != DType::kInt64) return BadModel("I has type ", DTypeName(idx.dtype), ", expected int64");
  if (idx.shape != x.shape)
    return BadModel("I has shape ", ShapeString(idx.shape), ", X ", ShapeString(x.shape), ": they must match");
  UnpoolShape s;
  s.inferred = {x.shape[0], x.shape[1]};
  for (size_t i = 0; i < r; ++i) {
    const int64_t v = (x.shape[i + 2] - 1) * a.strides[i] - a.pads[i] - a.pads[i + r] + a.kernel[i];
    if (v < 1) return BadModel("the unpooled extent of spatial axis ", i, " is ", v, ": below 1");
    s.inferred.push_back(v);
  }
  s.output = s.inferred;
  if (in.size() > 2 && in[2].present) {
    const HostTensor* shape = in[2].constant;
    if (!shape) return BadModel("input 2 (output_shape) must be known when the graph is planned");
    if (shape->dtype() != DType::kInt64 || shape->num_elements() != static_cast<int64_t>(r + 2))
      return BadModel("output_shape must be ", r + 2, " int64 values, got ", DTypeName(shape->dtype()),
                      ShapeString(shape->shape()));
    for (size_t i = 0; i < r + 2; ++i) {
      const int64_t v = shape->GetInt(static_cast<int64_t>(i));
      if (i < 2 ? v != s.inferred[i] : v < s.inferred[i])
        return BadModel("output_shape ", ShapeString(Shape(shape->as<int64_t>(), shape->as<int64_t>() + r + 2)),
                        " must keep N and C and be at least the unpooled shape ", ShapeString(s.inferred));
      s.output[i] = v;
    }
  }
  return s;
}

Status Infer(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(UnpoolShape s, Resolve(ctx.Attrs<UnpoolAttrs>(), ctx.inputs));
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = s.output;
  return OkStatus();
}

Status IndexOutside(const int64_t* value, int64_t position, int64_t total) {
  return BadModel(value ? "index " + std::to_string(*value) : std::string("an index"), " (flat position ", position,
                  " of I) is outside the unpooled tensor's ", total, " elements");
}

// Flat position in `to` of the element at flat position `i` of `from` (same rank, `to` at least as large).
int64_t Embed(const Shape& from, const Shape& to, int64_t i) {
  int64_t out = 0, stride = 1;
  for (size_t d = from.size(); d-- > 0;) {
    out += (i % from[d]) * stride;
    i /= from[d];
    stride *= to[d];
  }
  return out;
}

Status Reference(RefContext& ctx) {
  WC_ASSIGN_OR_RETURN(UnpoolShape s, Resolve(ctx.Attrs<UnpoolAttrs>(), ctx.input_infos()));
  const HostTensor& x = *ctx.inputs[0];
  const HostTensor& idx = *ctx.inputs[1];
  HostTensor& y = ctx.out(0);
  const int64_t total = NumElements(s.inferred);
  std::fill(y.mutable_data(), y.mutable_data() + y.byte_size(), uint8_t{0});  // zero bits: 0 in every type
  for (int64_t k = 0; k < x.num_elements(); ++k) {
    const int64_t at = idx.GetInt(k);
    if (at < 0 || at >= total) return IndexOutside(&at, k, total);
    CopyElement(x, k, y, Embed(s.inferred, s.output, at));
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(UnpoolShape s, Resolve(ctx.Attrs<UnpoolAttrs>(), ctx.inputs));
  const TensorInfo& x = ctx.inputs[0];
  if (!GpuSupports(x.dtype)) return BadModel("the WebGPU backend does not hold ", DTypeName(x.dtype));
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements(s.output, "output"));
  const int64_t n = NumElements(x.shape), total = NumElements(s.inferred), out = NumElements(s.output);
  if (out == 0) return OkStatus();
  const gpu::ScalarType t = GpuType(x.dtype);
  const GpuRef winner = ctx.Scratch(static_cast<uint64_t>(total));
  uint32_t groups[3];
  {  // no writer yet
    gpu::KernelBuilder b("max_unpool_clear");
    b.Atomic("Win");
    b.uniforms().AddU32("n", static_cast<uint32_t>(total));
    b.Body(ElementwiseMain("atomicStore(&Win[i], 0u);"));
    gpu::LinearGrid(static_cast<uint64_t>(total), kElementwiseWorkgroup, groups);
    ctx.Dispatch(b, {winner}, groups);
  }
  if (n > 0) {  // each position offers itself to its index; the check word records the first bad one
    GpuIndexCheck check;
    check.indices_input = 1;
    check.describe = [total](int64_t position, const int64_t* value) { return IndexOutside(value, position, total); };
    const uint32_t slot = ctx.CheckIndices(std::move(check));
    gpu::KernelBuilder b("max_unpool_scatter");
    b.Input("I", gpu::ScalarType::kI32).Atomic("Win").Atomic("index_error");
    auto& u = b.uniforms();
    u.AddU32("n", static_cast<uint32_t>(n));
    u.AddU32("total", static_cast<uint32_t>(total));
    u.AddU32("check_slot", slot);
    b.Body(ElementwiseMain(
        "let at = I[i];\n"
        "  if (at < 0 || u32(at) >= u.total) {\n"
        "    atomicMax(&index_error[u.check_slot], u.n - i);\n"
        "    return;\n"
        "  }\n"
        "  atomicMax(&Win[u32(at)], i + 1u);"));
    gpu::LinearGrid(static_cast<uint64_t>(n), kElementwiseWorkgroup, groups);
    ctx.Dispatch(b, {GpuContext::In(1), winner, GpuContext::IndexCheckWords()}, groups);
  }
  // Each output element: its unpooled element's winner, or 0 (also in output_shape's padding).
  gpu::KernelBuilder b(std::string("max_unpool_gather_") + gpu::WgslType(t));
  b.Input("X", t).Atomic("Win").Output("Y", t);
  auto& u = b.uniforms();
  const size_t rank = s.output.size();
  if (rank > tensor::kMaxGpuRank) return BadModel("rank ", rank, " exceeds the WebGPU kernel's ", tensor::kMaxGpuRank);
  u.AddU32("n", static_cast<uint32_t>(out));
  u.AddU32("rank", static_cast<uint32_t>(rank));
  u.AddU32Array("out_dims", tensor::ToU32(s.output), tensor::kMaxGpuRank);
  u.AddU32Array("in_dims", tensor::ToU32(s.inferred), tensor::kMaxGpuRank);
  b.Body(ElementwiseMain(
      "var rest = i;\n"
      "  var at = 0u;\n"
      "  var stride = 1u;\n"
      "  var inside = true;\n"
      "  for (var d = i32(u.rank) - 1; d >= 0; d = d - 1) {\n"
      "    let c = rest % out_dims(u32(d));\n"
      "    rest = rest / out_dims(u32(d));\n"
      "    inside = inside && c < in_dims(u32(d));\n"
      "    at = at + c * stride;\n"
      "    stride = stride * in_dims(u32(d));\n"
      "  }\n"
      "  var w = 0u;\n"
      "  if (inside) { w = atomicLoad(&Win[at]); }\n"
      "  if (w > 0u) { Y[i] = X[w - 1u]; } else { Y[i] = " +
      std::string(t == gpu::ScalarType::kF32 ? "0.0" : t == gpu::ScalarType::kI32 ? "0" : "0u") + "; }"));
  gpu::LinearGrid(static_cast<uint64_t>(out), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), winner, GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> MaxUnpoolRows() {
  OpSchema s;
  s.op_type = "MaxUnpool";
  s.min_opset = 9;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.host_inputs = {2};
  s.notes = "output_shape known when planned (zeros pad the end of each axis); a repeated index keeps the last value; "
            "an index outside the unpooled tensor is an error";
  return {s};
}

}  // namespace webconv::ops
