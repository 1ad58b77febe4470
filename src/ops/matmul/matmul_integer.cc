// MatMulInteger (opset 10) and QLinearMatMul (opset 10): numpy-style matrix products (batch broadcast,
// 1-D operands) of 8-bit integers with zero points.
//   MatMulInteger:  y (int32) = sum_k (a - a_zero_point) * (b - b_zero_point)
//   QLinearMatMul:  y = saturate(round_half_to_even(float(acc) * M) + y_zero_point), acc as above and
//                   M = a_scale * b_scale / y_scale in float32
// A's zero point (and scale) is one value or one per row of A ([M]); B's one value or one per column ([N]).
// ONNX's N-D per-row forms ([..., M, 1]) are refused by name. Sums are exact int32 (wrapping where they
// overflow); requantization is float32 as in QLinearConv (conv_integer.cc), with the same correctly
// rounded division on WebGPU, so every backend forms the same M.

#include "ops/cast/requantize.h"
#include "ops/elementwise/elementwise.h"
#include "ops/families.h"
#include "ops/matmul/geometry.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops {
namespace {

struct IntegerMatMulAttrs {
  bool qlinear = false;
};

// Input positions: MatMulInteger (a, b, a_zp, b_zp); QLinearMatMul (a, a_scale, a_zp, b, b_scale, b_zp,
// y_scale, y_zp). -1: no such input.
struct Slots {
  int a, b, a_zp, b_zp, a_scale, b_scale, y_scale, y_zp;
};
constexpr Slots kMatMulInteger = {0, 1, 2, 3, -1, -1, -1, -1};
constexpr Slots kQLinear = {0, 3, 2, 5, 1, 4, 6, 7};

Status Parse(const ParseContext& ctx, OpAttrs* out, bool qlinear) {
  WC_RETURN_IF_ERROR(qlinear ? CheckInputCount(ctx, 8, 8) : CheckInputCount(ctx, 2, 4));
  auto a = std::make_shared<IntegerMatMulAttrs>();
  a->qlinear = qlinear;
  *out = a;
  return OkStatus();
}
Status ParseMatMulInteger(const ParseContext& ctx, OpAttrs* out) { return Parse(ctx, out, false); }
Status ParseQLinearMatMul(const ParseContext& ctx, OpAttrs* out) { return Parse(ctx, out, true); }

// One value, or one per row (of A: `along` = M) or column (of B: N), as a 1-D tensor.
Status CheckParameter(const TensorInfo* t, const char* what, DType want, int64_t along, const char* per) {
  if (!t) return OkStatus();
  if (t->dtype != want) return BadModel(what, " has type ", DTypeName(t->dtype), ", expected ", DTypeName(want));
  const int64_t n = NumElements(t->shape);
  if (t->shape.size() > 1 || !(n == 1 || n == along))
    return BadModel(what, " has shape ", ShapeString(t->shape), ": one value or one per ", per, " ([", along,
                    "]) is supported");
  return OkStatus();
}

Result<matmul::Geometry> Resolve(const IntegerMatMulAttrs& a, const std::vector<TensorInfo>& in) {
  const Slots s = a.qlinear ? kQLinear : kMatMulInteger;
  const TensorInfo& ta = in[static_cast<size_t>(s.a)];
  const TensorInfo& tb = in[static_cast<size_t>(s.b)];
  if (!IsByteType(ta.dtype) || !IsByteType(tb.dtype))
    return BadModel("A and B have types ", DTypeName(ta.dtype), " and ", DTypeName(tb.dtype), ": uint8 or int8 each");
  WC_ASSIGN_OR_RETURN(matmul::Geometry g, matmul::MatMulGeometry(ta.shape, tb.shape));
  WC_RETURN_IF_ERROR(CheckParameter(PresentInput(in, s.a_zp), "a_zero_point", ta.dtype, g.m, "row of A"));
  WC_RETURN_IF_ERROR(CheckParameter(PresentInput(in, s.b_zp), "b_zero_point", tb.dtype, g.n, "column of B"));
  if (a.qlinear) {
    for (int i : {s.a_scale, s.b_scale, s.y_scale, s.a_zp, s.b_zp, s.y_zp})
      if (!PresentInput(in, i)) return BadModel("input ", i, " is required");
    WC_RETURN_IF_ERROR(CheckParameter(PresentInput(in, s.a_scale), "a_scale", DType::kFloat32, g.m, "row of A"));
    WC_RETURN_IF_ERROR(CheckParameter(PresentInput(in, s.b_scale), "b_scale", DType::kFloat32, g.n, "column of B"));
    WC_RETURN_IF_ERROR(CheckParameter(PresentInput(in, s.y_scale), "y_scale", DType::kFloat32, 1, "tensor"));
    const TensorInfo* y_zp = PresentInput(in, s.y_zp);
    if (!IsByteType(y_zp->dtype)) return BadModel("y_zero_point has type ", DTypeName(y_zp->dtype), ": uint8 or int8");
    WC_RETURN_IF_ERROR(CheckParameter(y_zp, "y_zero_point", y_zp->dtype, 1, "tensor"));
  }
  return g;
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<IntegerMatMulAttrs>();
  WC_ASSIGN_OR_RETURN(matmul::Geometry g, Resolve(a, ctx.inputs));
  ctx.outputs[0].dtype = a.qlinear ? ctx.inputs[static_cast<size_t>(kQLinear.y_zp)].dtype : DType::kInt32;
  ctx.outputs[0].shape = g.out_shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<IntegerMatMulAttrs>();
  WC_ASSIGN_OR_RETURN(matmul::Geometry g, Resolve(a, ctx.input_infos()));
  const Slots s = a.qlinear ? kQLinear : kMatMulInteger;
  auto in = [&](int i) -> const HostTensor* {
    return i >= 0 && static_cast<size_t>(i) < ctx.inputs.size() ? ctx.inputs[static_cast<size_t>(i)] : nullptr;
  };
  const HostTensor &ta = *in(s.a), &tb = *in(s.b);
  const HostTensor *a_zp = in(s.a_zp), *b_zp = in(s.b_zp);
  auto per = [](const HostTensor* t, int64_t i) { return t->num_elements() == 1 ? int64_t{0} : i; };
  HostTensor& y = ctx.out(0);
  matmul::ForEachBatch(g, [&](int64_t z, int64_t a_off, int64_t b_off) {
    for (int64_t m = 0; m < g.m; ++m)
      for (int64_t n = 0; n < g.n; ++n) {
        const int64_t az = a_zp ? a_zp->GetInt(per(a_zp, m)) : 0, bz = b_zp ? b_zp->GetInt(per(b_zp, n)) : 0;
        int64_t acc = 0;
        for (int64_t k = 0; k < g.k; ++k)
          acc += (ta.GetInt(a_off + m * g.a_m + k * g.a_k) - az) * (tb.GetInt(b_off + k * g.b_k + n * g.b_n) - bz);
        const int32_t sum = WrapInt32(acc);
        const int64_t at = (z * g.m + m) * g.n + n;
        if (!a.qlinear) {
          y.SetInt(at, sum);
          continue;
        }
        const float mult = RequantizeMultiplier(static_cast<float>(in(s.a_scale)->GetDouble(per(in(s.a_scale), m))),
                                                static_cast<float>(in(s.b_scale)->GetDouble(per(in(s.b_scale), n))),
                                                static_cast<float>(in(s.y_scale)->GetDouble(0)));
        y.SetDouble(at, Requantize(sum, mult, in(s.y_zp)->GetInt(0), y.dtype()));
      }
  });
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<IntegerMatMulAttrs>();
  WC_ASSIGN_OR_RETURN(matmul::Geometry g, Resolve(a, ctx.inputs));
  const Slots s = a.qlinear ? kQLinear : kMatMulInteger;
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements(g.out_shape, "output"));
  const int64_t total = g.batch_count() * g.m * g.n;
  if (total == 0) return OkStatus();
  if (g.batch.size() > tensor::kMaxGpuRank)
    return BadModel("batch rank ", g.batch.size(), " exceeds the WebGPU kernel's ", tensor::kMaxGpuRank);
  const bool has_az = PresentInput(ctx.inputs, s.a_zp), has_bz = PresentInput(ctx.inputs, s.b_zp);
  gpu::KernelBuilder b(std::string(a.qlinear ? "qlinear_matmul" : "matmul_integer") + (has_az ? "_az" : "") +
                       (has_bz ? "_bz" : ""));
  std::vector<GpuRef> refs;
  auto input = [&](const char* n, gpu::ScalarType t, int slot) {
    b.Input(n, t);
    refs.push_back(GpuContext::In(slot));
  };
  input("A", GpuType(ctx.inputs[static_cast<size_t>(s.a)].dtype), s.a);
  input("B", GpuType(ctx.inputs[static_cast<size_t>(s.b)].dtype), s.b);
  if (has_az) input("AZ", GpuType(ctx.inputs[static_cast<size_t>(s.a)].dtype), s.a_zp);
  if (has_bz) input("BZ", GpuType(ctx.inputs[static_cast<size_t>(s.b)].dtype), s.b_zp);
  if (a.qlinear) {
    input("AS", gpu::ScalarType::kF32, s.a_scale);
    input("BS", gpu::ScalarType::kF32, s.b_scale);
    input("YS", gpu::ScalarType::kF32, s.y_scale);
    input("YZ", GpuType(ctx.outputs[0].dtype), s.y_zp);
  }
  const gpu::ScalarType yt = a.qlinear ? GpuType(ctx.outputs[0].dtype) : gpu::ScalarType::kI32;
  b.Output("Y", yt);
  refs.push_back(GpuContext::Out(0));
  auto& u = b.uniforms();
  auto count = [&](int slot) {
    return slot >= 0 && PresentInput(ctx.inputs, slot) && NumElements(ctx.inputs[static_cast<size_t>(slot)].shape) > 1 ? 1u : 0u;
  };
  u.AddU32("n", static_cast<uint32_t>(total));
  u.AddU32("rows", static_cast<uint32_t>(g.m));
  u.AddU32("cols", static_cast<uint32_t>(g.n));
  u.AddU32("depth", static_cast<uint32_t>(g.k));
  u.AddU32("a_m", static_cast<uint32_t>(g.a_m));
  u.AddU32("a_k", static_cast<uint32_t>(g.a_k));
  u.AddU32("b_k", static_cast<uint32_t>(g.b_k));
  u.AddU32("b_n", static_cast<uint32_t>(g.b_n));
  u.AddU32("batch_rank", static_cast<uint32_t>(g.batch.size()));
  u.AddU32("az_rows", count(s.a_zp));
  u.AddU32("bz_cols", count(s.b_zp));
  u.AddU32("as_rows", count(s.a_scale));
  u.AddU32("bs_cols", count(s.b_scale));
  u.AddU32Array("batch_dims", tensor::ToU32(g.batch), tensor::kMaxGpuRank);
  u.AddU32Array("a_batch", tensor::ToU32(g.a_batch_strides), tensor::kMaxGpuRank);
  u.AddU32Array("b_batch", tensor::ToU32(g.b_batch_strides), tensor::kMaxGpuRank);
  std::string body =
      "let col = i % u.cols;\n"
      "  let row = (i / u.cols) % u.rows;\n"
      "  var z = i / (u.cols * u.rows);\n"
      "  var a_off = 0u;\n"
      "  var b_off = 0u;\n"
      "  for (var d = i32(u.batch_rank) - 1; d >= 0; d = d - 1) {\n"
      "    let c = z % batch_dims(u32(d));\n"
      "    z = z / batch_dims(u32(d));\n"
      "    a_off = a_off + c * a_batch(u32(d));\n"
      "    b_off = b_off + c * b_batch(u32(d));\n"
      "  }\n" +
      std::string(has_az ? "  let az = i32(AZ[select(0u, row, u.az_rows == 1u)]);\n" : "  let az = 0;\n") +
      std::string(has_bz ? "  let bz = i32(BZ[select(0u, col, u.bz_cols == 1u)]);\n" : "  let bz = 0;\n") +
      "  var acc = 0;\n"
      "  for (var k = 0u; k < u.depth; k = k + 1u) {\n"
      "    acc = acc + (i32(A[a_off + row * u.a_m + k * u.a_k]) - az) * (i32(B[b_off + k * u.b_k + col * u.b_n]) - bz);\n"
      "  }\n";
  b.Body(IntegerProductWgsl(body, a.qlinear, ctx.outputs[0].dtype, "AS[select(0u, row, u.as_rows == 1u)]",
                            "BS[select(0u, col, u.bs_cols == 1u)]"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(total), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, refs, groups);
  return OkStatus();
}

OpSchema Row(const char* op, ParseFn parse) {
  OpSchema s;
  s.op_type = op;
  s.min_opset = 10;
  s.parse = parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes = "uint8/int8; batch broadcast and 1-D operands; zero points and scales per tensor, per row of A or per "
            "column of B; a direct (untuned) kernel on WebGPU";
  return s;
}

}  // namespace

std::vector<OpSchema> IntegerMatMulOps() {
  return {Row("MatMulInteger", ParseMatMulInteger), Row("QLinearMatMul", ParseQLinearMatMul)};
}

}  // namespace webconv::ops
