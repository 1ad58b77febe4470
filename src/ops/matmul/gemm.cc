// Gemm (opsets 1, 6, 7, 9, 11, 13): Y = alpha * A' B' + beta * C with 2-D A and B, each optionally
// transposed. C broadcasts unidirectionally to (M, N); before opset 7 only when broadcast=1, and it is
// optional from opset 11.
#include "ops/matmul/kernel.h"
#include "ops/matmul/reference.h"
#include "ops/matmul/rows.h"

namespace webconv::ops::matmul {
namespace {

struct GemmAttrs {
  float alpha = 1, beta = 1;
  bool trans_a = false, trans_b = false;
  bool legacy_exact_c = false;  // opset < 7 with broadcast=0
};

Status ReadFlag(const ParseContext& ctx, const char* name, bool* out) {
  int64_t v = 0;
  WC_RETURN_IF_ERROR(ctx.attrs.Int(name, 0, &v));
  if (v != 0 && v != 1) return BadModel(name, " is ", v, ", expected 0 or 1");
  *out = v == 1;
  return OkStatus();
}

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, ctx.opset >= 11 ? 2 : 3, 3));
  auto a = std::make_shared<GemmAttrs>();
  WC_RETURN_IF_ERROR(ctx.attrs.Float("alpha", 1.0f, &a->alpha));
  WC_RETURN_IF_ERROR(ctx.attrs.Float("beta", 1.0f, &a->beta));
  WC_RETURN_IF_ERROR(ReadFlag(ctx, "transA", &a->trans_a));
  WC_RETURN_IF_ERROR(ReadFlag(ctx, "transB", &a->trans_b));
  if (ctx.opset < 7) {
    bool broadcast = false;
    WC_RETURN_IF_ERROR(ReadFlag(ctx, "broadcast", &broadcast));
    a->legacy_exact_c = !broadcast;
  }
  *out = a;
  return OkStatus();
}

// The product's description for these operands. C is validated even when beta = 0, but then it is
// not read: as in BLAS, beta = 0 means C does not contribute, not even its NaNs.
Result<Geometry> Resolve(const GemmAttrs& at, const Shape& a, const Shape& b, const Shape* c) {
  WC_ASSIGN_OR_RETURN(Geometry g, GemmGeometry(a, b, c, at.trans_a, at.trans_b, at.legacy_exact_c));
  if (at.beta == 0.0f) g.has_c = false;
  return g;
}

Epilogue ToEpilogue(const GemmAttrs& a) { return Epilogue{true, a.alpha, a.beta}; }

Status Infer(InferContext& ctx) {
  const auto& at = ctx.Attrs<GemmAttrs>();
  const DType t = ctx.inputs[0].dtype;
  WC_RETURN_IF_ERROR(CheckProductType(t, ctx.opset));
  if (ctx.inputs[1].dtype != t)
    return BadModel("input types differ: A is ", DTypeName(t), ", B is ", DTypeName(ctx.inputs[1].dtype));
  const bool has_c = ctx.has_input(2);
  if (!has_c && ctx.opset < 11) return BadModel("input C is required before opset 11");
  if (has_c && ctx.inputs[2].dtype != t)
    return BadModel("input types differ: A is ", DTypeName(t), ", C is ", DTypeName(ctx.inputs[2].dtype));
  WC_ASSIGN_OR_RETURN(Geometry g, Resolve(at, ctx.inputs[0].shape, ctx.inputs[1].shape,
                                          has_c ? &ctx.inputs[2].shape : nullptr));
  ctx.outputs[0].dtype = t;
  ctx.outputs[0].shape = g.out_shape;
  return OkStatus();
}

// The float64 reference (`fast` false) or the fast CPU backend's float32 product.
Status Product(RefContext& ctx, bool fast) {
  const auto& at = ctx.Attrs<GemmAttrs>();
  const HostTensor* c = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  WC_ASSIGN_OR_RETURN(Geometry g, Resolve(at, ctx.inputs[0]->shape(), ctx.inputs[1]->shape(),
                                          c ? &c->shape() : nullptr));
  return (fast ? CpuProduct : ReferenceProduct)(g, ToEpilogue(at), *ctx.inputs[0], *ctx.inputs[1], c, &ctx.out(0));
}
Status Reference(RefContext& ctx) { return Product(ctx, false); }
Status Cpu(RefContext& ctx) { return Product(ctx, true); }

Status Gpu(GpuContext& ctx) {
  const auto& at = ctx.Attrs<GemmAttrs>();
  WC_ASSIGN_OR_RETURN(Geometry g, Resolve(at, ctx.inputs[0].shape, ctx.inputs[1].shape,
                                          ctx.has_input(2) ? &ctx.inputs[2].shape : nullptr));
  return DispatchProduct(ctx, "gemm", g, ToEpilogue(at));
}

// Each output element is K multiply-adds (the epilogue's few operations are not counted).
double Flops(const InferContext& ctx) {
  const auto& at = ctx.Attrs<GemmAttrs>();
  const Shape& a = ctx.inputs[0].shape;
  const int64_t k = at.trans_a ? a[0] : a[1];
  return 2.0 * static_cast<double>(k) * static_cast<double>(NumElements(ctx.outputs[0].shape));
}

}  // namespace

OpSchema GemmRow() {
  OpSchema s;
  s.op_type = "Gemm";
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.cpu = Cpu;
  s.gpu = Gpu;
  s.flops = Flops;
  s.notes = "A, B and C of one type, as MatMul; C optional from opset 11";
  return s;
}

}  // namespace webconv::ops::matmul
