// DepthToSpace (opsets 1, 11 with mode, 13) and SpaceToDepth (1, 13) on [N, C, H, W] tensors. Both are
// the reshape-transpose-reshape the spec gives, done as one strided read: the output is viewed as the
// 6-D transposed tensor, each of whose axes walks one axis of the 6-D view of the input.
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct BlockAttrs {
  int64_t blocksize = 0;
  bool crd = false;  // DepthToSpace mode CRD (column, row, depth); default DCR
  bool to_space = true;
};

Status Parse(const ParseContext& ctx, OpAttrs* out, bool to_space) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  auto a = std::make_shared<BlockAttrs>();
  a->to_space = to_space;
  WC_RETURN_IF_ERROR(ctx.attrs.RequiredInt("blocksize", &a->blocksize));
  if (a->blocksize < 1) return BadModel("blocksize must be >= 1, got ", a->blocksize);
  if (to_space && ctx.opset >= 11) {
    std::string mode;
    WC_RETURN_IF_ERROR(ctx.attrs.String("mode", "DCR", &mode));
    if (mode != "DCR" && mode != "CRD") return BadModel("mode '", mode, "' is not DCR or CRD");
    a->crd = mode == "CRD";
  }
  *out = a;
  return OkStatus();
}
Status ParseToSpace(const ParseContext& ctx, OpAttrs* out) {
  return Parse(ctx, out, true);
}
Status ParseToDepth(const ParseContext& ctx, OpAttrs* out) {
  return Parse(ctx, out, false);
}

struct Plan {
  Shape out;                     // the 4-D output
  Shape view;                    // the output as the 6-D transposed tensor
  std::vector<int64_t> strides;  // input strides of each view axis
};

Result<Plan> Resolve(const BlockAttrs& a, const Shape& x) {
  if (x.size() != 4) return BadModel("input must be 4-D [N, C, H, W], got shape ", ShapeString(x));
  const int64_t n = x[0], c = x[1], h = x[2], w = x[3], bs = a.blocksize;
  // Bounded so that bs^2 and every dim * bs below stay far from int64 overflow.
  if (bs > (int64_t{1} << 20)) return BadModel("blocksize ", bs, " exceeds 2^20");
  Shape in6;
  std::vector<int64_t> perm;
  Plan p;
  if (a.to_space) {
    if (c % (bs * bs) != 0) return BadModel("channels ", c, " are not a multiple of blocksize^2 = ", bs * bs);
    const int64_t cd = c / (bs * bs);
    if (a.crd) {
      in6 = {n, cd, bs, bs, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      in6 = {n, bs, bs, cd, h, w};
      perm = {0, 3, 4, 1, 5, 2};
    }
    p.out = {n, cd, h * bs, w * bs};
  } else {
    if (h % bs != 0 || w % bs != 0)
      return BadModel("height ", h, " and width ", w, " must be multiples of blocksize ", bs);
    in6 = {n, c, h / bs, bs, w / bs, bs};
    perm = {0, 3, 5, 1, 2, 4};
    if (bs > 1 && c > kMaxElements / (bs * bs)) return BadModel("output channels exceed 2^40");
    p.out = {n, c * bs * bs, h / bs, w / bs};
  }
  const auto st = ContiguousStrides(in6);
  for (int64_t k : perm) {
    p.view.push_back(in6[k]);
    p.strides.push_back(st[k]);
  }
  return p;
}

Status Infer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckMovableType(x.dtype));
  WC_ASSIGN_OR_RETURN(Plan p, Resolve(ctx.Attrs<BlockAttrs>(), x.shape));
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = p.out;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor& x = *ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(Plan p, Resolve(ctx.Attrs<BlockAttrs>(), x.shape()));
  HostTensor view(x.dtype(), p.view);
  CopyStrided(x, 0, p.strides, &view);
  ctx.out(0) = view.Reshaped(p.out);
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const BlockAttrs& a = ctx.Attrs<BlockAttrs>();
  WC_ASSIGN_OR_RETURN(Plan p, Resolve(a, ctx.inputs[0].shape));
  return DispatchStridedCopy(ctx, a.to_space ? "depth_to_space" : "space_to_depth", 0, p.view, p.strides);
}

OpSchema Row(const char* op, ParseFn parse) {
  OpSchema s;
  s.op_type = op;
  s.parse = parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  return s;
}

}  // namespace

std::vector<OpSchema> DepthSpaceRows() {
  return {Row("DepthToSpace", ParseToSpace), Row("SpaceToDepth", ParseToDepth)};
}

}  // namespace webconv::ops::tensor
