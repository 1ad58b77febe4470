// Transpose (opsets 1 and 13, which differ only in the types they list): a strided read of the input.
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct TransposeAttrs {
  bool has_perm = false;
  std::vector<int64_t> perm;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  auto a = std::make_shared<TransposeAttrs>();
  a->has_perm = ctx.attrs.Has("perm");
  WC_RETURN_IF_ERROR(ctx.attrs.Ints("perm", &a->perm));
  *out = a;
  return OkStatus();
}

// The permutation for an input of `rank`: the attribute, checked, or the reversed axes by default.
Result<std::vector<int64_t>> Perm(const TransposeAttrs& a, size_t rank) {
  std::vector<int64_t> perm(rank);
  if (!a.has_perm) {
    for (size_t k = 0; k < rank; ++k) perm[k] = static_cast<int64_t>(rank - 1 - k);
    return perm;
  }
  if (a.perm.size() != rank)
    return BadModel("perm has ", a.perm.size(), " entries for a rank-", rank, " input");
  std::vector<bool> seen(rank, false);
  for (size_t k = 0; k < rank; ++k) {
    const int64_t p = a.perm[k];
    if (p < 0 || p >= static_cast<int64_t>(rank))
      return BadModel("perm[", k, "] = ", p, " is outside [0, ", rank, ") for a rank-", rank, " input");
    if (seen[p]) return BadModel("perm lists axis ", p, " twice, so it is not a permutation");
    seen[p] = true;
  }
  return a.perm;
}

// Input strides in output axis order: output axis k walks input axis perm[k].
std::vector<int64_t> PermutedStrides(const Shape& in, const std::vector<int64_t>& perm) {
  const auto strides = ContiguousStrides(in);
  std::vector<int64_t> r(perm.size());
  for (size_t k = 0; k < perm.size(); ++k) r[k] = strides[perm[k]];
  return r;
}

Status Infer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckMovableType(x.dtype));
  WC_ASSIGN_OR_RETURN(auto perm, Perm(ctx.Attrs<TransposeAttrs>(), x.shape.size()));
  Shape out(perm.size());
  for (size_t k = 0; k < perm.size(); ++k) out[k] = x.shape[perm[k]];
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = out;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor& x = *ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(auto perm, Perm(ctx.Attrs<TransposeAttrs>(), x.shape().size()));
  CopyStrided(x, 0, PermutedStrides(x.shape(), perm), &ctx.out(0));
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const Shape& in = ctx.inputs[0].shape;
  WC_ASSIGN_OR_RETURN(auto perm, Perm(ctx.Attrs<TransposeAttrs>(), in.size()));
  return DispatchStridedCopy(ctx, "transpose", 0, ctx.outputs[0].shape, PermutedStrides(in, perm));
}

}  // namespace

std::vector<OpSchema> TransposeRows() {
  OpSchema s;
  s.op_type = "Transpose";
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  return {s};
}

}  // namespace webconv::ops::tensor
