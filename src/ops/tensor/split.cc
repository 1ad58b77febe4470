// Split (opsets 1, 2, 11, 13). The part lengths come from the `split` attribute (opsets 1-12), from the
// optional second input (opset 1, and 13 on; it must be known when planning), or else are equal parts,
// which must divide the axis exactly (opset 18's num_outputs with a smaller last part is not handled).
// Viewed around the axis the input is [outer, extent, inner]; output j is columns [offset_j, offset_j +
// part_j) of the middle axis: the inverse of Concat's layout.
#include <cstring>
#include <optional>

#include "ops/elementwise/elementwise.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct SplitAttrs {
  int64_t axis = 0;
  std::optional<std::vector<int64_t>> split;  // the attribute form
  int outputs = 0;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  const bool input_form = ctx.opset == 1 || ctx.opset >= 13;
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, input_form ? 2 : 1));
  auto a = std::make_shared<SplitAttrs>();
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", 0, &a->axis));
  if (ctx.attrs.Has("split")) {
    if (ctx.opset >= 13) return BadModel("the split attribute became an input in opset 13");
    a->split.emplace();
    WC_RETURN_IF_ERROR(ctx.attrs.Ints("split", &*a->split));
  }
  if (ctx.num_outputs < 1) return BadModel("expects at least 1 output, got 0");
  a->outputs = ctx.num_outputs;
  *out = a;
  return OkStatus();
}

struct Layout {
  int64_t axis = 0, outer = 1, inner = 1;
  std::vector<int64_t> parts;  // per output, along the axis
};

// `split_input` is the second input's value when the node has one.
Result<Layout> Resolve(const SplitAttrs& a, const Shape& in, const HostTensor* split_input) {
  Layout l;
  const int64_t rank = static_cast<int64_t>(in.size());
  if (rank == 0) return BadModel("cannot split a scalar (input has rank 0)");
  WC_RETURN_IF_ERROR(NormalizeAxis(a.axis, rank, &l.axis));
  const int64_t dim = in[l.axis];
  if (split_input && a.split) return BadModel("split is given both as an attribute and as an input");
  if (split_input) {
    WC_RETURN_IF_ERROR(CheckIndexType(split_input->dtype(), "split"));
    if (split_input->shape().size() != 1)
      return BadModel("split must be 1-D, got shape ", ShapeString(split_input->shape()));
    l.parts = ToInts(*split_input);
  } else if (a.split) {
    l.parts = *a.split;
  }
  // An empty list is read as no list at all (as ONNX Runtime does): equal parts.
  if (!l.parts.empty()) {
    if (static_cast<int64_t>(l.parts.size()) != a.outputs)
      return BadModel("split has ", l.parts.size(), " entries for ", a.outputs, " outputs");
    int64_t total = 0;
    for (size_t j = 0; j < l.parts.size(); ++j) {
      if (l.parts[j] < 0 || l.parts[j] > dim)
        return BadModel("split[", j, "] = ", l.parts[j], " is outside [0, ", dim, "] (axis ", l.axis, ")");
      total += l.parts[j];  // each part <= dim <= 2^40: no overflow
    }
    if (total != dim) return BadModel("split sums to ", total, " but axis ", l.axis, " has ", dim);
  } else {
    if (dim % a.outputs != 0)
      return BadModel("axis ", l.axis, " of size ", dim, " does not split into ", a.outputs, " equal parts");
    l.parts.assign(static_cast<size_t>(a.outputs), dim / a.outputs);
  }
  for (int64_t k = 0; k < l.axis; ++k) l.outer *= in[k];
  for (int64_t k = l.axis + 1; k < rank; ++k) l.inner *= in[k];
  return l;
}

Status Infer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckMovableType(x.dtype));
  const HostTensor* split = ctx.has_input(1) ? ctx.inputs[1].constant : nullptr;
  WC_ASSIGN_OR_RETURN(Layout l, Resolve(ctx.Attrs<SplitAttrs>(), x.shape, split));
  for (size_t j = 0; j < ctx.outputs.size(); ++j) {
    ctx.outputs[j].dtype = x.dtype;
    ctx.outputs[j].shape = x.shape;
    ctx.outputs[j].shape[l.axis] = l.parts[j];
  }
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor& x = *ctx.inputs[0];
  const HostTensor* split = ctx.inputs.size() > 1 ? ctx.inputs[1] : nullptr;
  WC_ASSIGN_OR_RETURN(Layout l, Resolve(ctx.Attrs<SplitAttrs>(), x.shape(), split));
  const size_t es = DTypeSize(x.dtype());
  const int64_t in_block = x.shape()[l.axis] * l.inner;
  int64_t offset = 0;
  for (size_t j = 0; j < l.parts.size(); ++j) {
    const int64_t block = l.parts[j] * l.inner;
    HostTensor& y = ctx.out(j);
    if (y.dtype() != DType::kUndefined && block > 0)  // an absent output is an empty HostTensor
      for (int64_t o = 0; o < l.outer; ++o)
        std::memcpy(y.mutable_data() + static_cast<size_t>(o * block) * es,
                    x.data() + static_cast<size_t>(o * in_block + offset) * es,
                    static_cast<size_t>(block) * es);
    offset += block;
  }
  return OkStatus();
}

// One pass per present, non-empty output, each thread fetching one element of that output.
Status Gpu(GpuContext& ctx) {
  const Shape& in = ctx.inputs[0].shape;
  const HostTensor* split = ctx.has_input(1) ? ctx.inputs[1].constant : nullptr;
  WC_ASSIGN_OR_RETURN(Layout l, Resolve(ctx.Attrs<SplitAttrs>(), in, split));
  WC_RETURN_IF_ERROR(CheckGpuElements(in, "input"));
  const int64_t in_block = in[l.axis] * l.inner;
  int64_t offset = 0;
  for (size_t j = 0; j < l.parts.size(); ++j) {
    const int64_t block = l.parts[j] * l.inner;
    const int64_t n = block * l.outer;
    if (ctx.outputs[j].present && n > 0) {
      gpu::KernelBuilder b("split_b32");
      b.Input("X", gpu::ScalarType::kU32).Output("Y", gpu::ScalarType::kU32);
      auto& u = b.uniforms();
      u.AddU32("n", static_cast<uint32_t>(n));
      u.AddU32("block", static_cast<uint32_t>(block));
      u.AddU32("in_block", static_cast<uint32_t>(in_block));
      u.AddU32("offset", static_cast<uint32_t>(offset));
      b.Body(ElementwiseMain("Y[i] = X[(i / u.block) * u.in_block + u.offset + i % u.block];"));
      uint32_t groups[3];
      gpu::LinearGrid(static_cast<uint64_t>(n), kWorkgroup, groups);
      ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(static_cast<int>(j))}, groups);
    }
    offset += block;
  }
  return OkStatus();
}

OpSchema Row(int min_opset, int max_opset, std::vector<int> host_inputs) {
  OpSchema s;
  s.op_type = "Split";
  s.min_opset = min_opset;
  s.max_opset = max_opset;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.host_inputs = std::move(host_inputs);
  return s;
}

}  // namespace

std::vector<OpSchema> SplitRows() {
  return {Row(1, 1, {1}), Row(2, 12, {}), Row(13, 17, {1})};
}

}  // namespace webconv::ops::tensor
