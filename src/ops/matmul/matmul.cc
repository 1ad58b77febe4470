// MatMul (opsets 1, 9, 13): numpy matmul of any-rank operands; the registration of this family.
#include "ops/families.h"
#include "ops/matmul/kernel.h"
#include "ops/matmul/reference.h"
#include "ops/matmul/rows.h"

namespace webconv::ops {
namespace matmul {

Status CheckProductType(DType t, int opset) {
  const bool ok = t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 ||
                  (t == DType::kBFloat16 && opset >= 13) ||
                  (opset >= 9 && (t == DType::kInt32 || t == DType::kInt64 || t == DType::kUInt32 ||
                                  t == DType::kUInt64));
  if (!ok) return BadModel("type ", DTypeName(t), " is not allowed at opset ", opset);
  return OkStatus();
}

namespace {

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 2));
  *out = std::make_shared<int>(0);
  return OkStatus();
}

Status Infer(InferContext& ctx) {
  const DType t = ctx.inputs[0].dtype;
  WC_RETURN_IF_ERROR(CheckProductType(t, ctx.opset));
  if (ctx.inputs[1].dtype != t)
    return BadModel("input types differ: A is ", DTypeName(t), ", B is ", DTypeName(ctx.inputs[1].dtype));
  WC_ASSIGN_OR_RETURN(Geometry g, MatMulGeometry(ctx.inputs[0].shape, ctx.inputs[1].shape));
  ctx.outputs[0].dtype = t;
  ctx.outputs[0].shape = g.out_shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  WC_ASSIGN_OR_RETURN(Geometry g, MatMulGeometry(ctx.inputs[0]->shape(), ctx.inputs[1]->shape()));
  return ReferenceProduct(g, Epilogue{}, *ctx.inputs[0], *ctx.inputs[1], nullptr, &ctx.out(0));
}

Status Cpu(RefContext& ctx) {
  WC_ASSIGN_OR_RETURN(Geometry g, MatMulGeometry(ctx.inputs[0]->shape(), ctx.inputs[1]->shape()));
  return CpuProduct(g, Epilogue{}, *ctx.inputs[0], *ctx.inputs[1], nullptr, &ctx.out(0));
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(Geometry g, MatMulGeometry(ctx.inputs[0].shape, ctx.inputs[1].shape));
  return DispatchProduct(ctx, "matmul", g, Epilogue{});
}

// K is A's last dim for every rank; each output element is K multiply-adds.
double Flops(const InferContext& ctx) {
  return 2.0 * static_cast<double>(ctx.inputs[0].shape.back()) *
         static_cast<double>(NumElements(ctx.outputs[0].shape));
}

}  // namespace

OpSchema MatMulRow() {
  OpSchema s;
  s.op_type = "MatMul";
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.cpu = Cpu;
  s.gpu = Gpu;
  s.flops = Flops;
  s.notes =
      "A and B of one type: float16/float32/float64 (bfloat16 from opset 13), int32/int64/uint32/uint64 "
      "from opset 9";
  return s;
}

}  // namespace matmul

std::vector<OpSchema> MatMulOps() {
  std::vector<OpSchema> rows = {matmul::MatMulRow(), matmul::GemmRow()};
  for (OpSchema& s : IntegerMatMulOps()) rows.push_back(std::move(s));
  for (OpSchema& s : EinsumRows()) rows.push_back(std::move(s));
  for (OpSchema& s : DetRows()) rows.push_back(std::move(s));
  return rows;
}

}  // namespace webconv::ops
