// The machinery shared by every BinaryDef row: numpy broadcasting (or the opset < 7 form), the
// reference loop over broadcast offsets and the one-thread-per-element kernel.
#include "ops/elementwise/binary.h"

#include "ops/elementwise/elementwise.h"
#include "ops/elementwise/wgsl_math.h"
#include "ops/families.h"

namespace webconv::ops {
namespace {

Result<Shape> EffectiveB(const BinaryAttrs& a, const Shape& sa, const Shape& sb) {
  if (a.def->effective_b) return a.def->effective_b(a, sa, sb);
  if (a.legacy) return LegacyBroadcastB(a.broadcast, a.has_axis, a.axis, sa, sb);
  return sb;
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<BinaryAttrs>();
  WC_ASSIGN_OR_RETURN(DType out, a.def->types(ctx.inputs[0].dtype, ctx.inputs[1].dtype, a));
  WC_ASSIGN_OR_RETURN(Shape eb, EffectiveB(a, ctx.inputs[0].shape, ctx.inputs[1].shape));
  WC_ASSIGN_OR_RETURN(ctx.outputs[0].shape, BroadcastShapes(ctx.inputs[0].shape, eb));
  ctx.outputs[0].dtype = out;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<BinaryAttrs>();
  const HostTensor& x = *ctx.inputs[0];
  const HostTensor& y = *ctx.inputs[1];
  HostTensor& z = ctx.out(0);
  WC_ASSIGN_OR_RETURN(Shape eb, EffectiveB(a, x.shape(), y.shape()));
  ForEachBroadcast(z.shape(), {x.shape(), eb},
                   [&](int64_t o, const int64_t* off) { a.def->ref(x, off[0], y, off[1], z, o, a); });
  return OkStatus();
}

Status Cpu(RefContext& ctx) {
  const auto& a = ctx.Attrs<BinaryAttrs>();
  WC_ASSIGN_OR_RETURN(Shape eb, EffectiveB(a, ctx.inputs[0]->shape(), ctx.inputs[1]->shape()));
  if (BinaryCpu(a.def->f32, *ctx.inputs[0], *ctx.inputs[1], eb, &ctx.out(0))) return OkStatus();
  return Reference(ctx);
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<BinaryAttrs>();
  const Shape& out = ctx.outputs[0].shape;
  WC_ASSIGN_OR_RETURN(Shape eb, EffectiveB(a, ctx.inputs[0].shape, ctx.inputs[1].shape));
  const gpu::ScalarType ta = GpuType(ctx.inputs[0].dtype), tb = GpuType(ctx.inputs[1].dtype);
  const gpu::ScalarType tc = GpuType(ctx.outputs[0].dtype);
  gpu::UniformBlock u;
  u.AddU32("n", static_cast<uint32_t>(NumElements(out)));
  bool same = false;
  WC_ASSIGN_OR_RETURN(std::string offsets, BroadcastOffsetsWgsl(u, out, {ctx.inputs[0].shape, eb}, &same));
  std::vector<gpu::ScalarType> types = {ta};
  if (tb != ta) types.push_back(tb);
  std::string name = KernelName("binary", a.def->op, types);
  if (a.fmod) name += "_fmod";
  if (a.shift_left) name += "_left";
  gpu::KernelBuilder b(name + (same ? "" : "_bcast"));
  b.Input("A", ta).Input("B", tb).Output("C", tc);
  b.uniforms() = u;
  const bool f32 = ta == gpu::ScalarType::kF32 || tb == gpu::ScalarType::kF32;
  b.Body(WgslMathFunctions(f32 ? a.def->math : 0) + NarrowWgsl(ctx.outputs[0].dtype) +
         a.def->wgsl(ta, tb, tc, a) + offsets +
         ElementwiseMain("let o = offsets(i);\n  C[i] = narrow(op(A[o[0]], B[o[1]]));"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(NumElements(out)), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::In(1), GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

Status ParseBinary(const BinaryDef& d, const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 2));
  auto a = std::make_shared<BinaryAttrs>();
  a->def = &d;
  a->opset = ctx.opset;
  if (ctx.opset < 7) {
    a->legacy = true;
    a->has_axis = ctx.attrs.Has("axis");
    WC_RETURN_IF_ERROR(ctx.attrs.Int("broadcast", 0, &a->broadcast));
    WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", -1, &a->axis));
  }
  if (std::string(d.op) == "BitShift") {
    std::string dir;
    WC_RETURN_IF_ERROR(ctx.attrs.String("direction", "", &dir));
    if (dir != "LEFT" && dir != "RIGHT") return BadModel("direction must be LEFT or RIGHT, got '", dir, "'");
    a->shift_left = dir == "LEFT";
  }
  if (std::string(d.op) == "Mod") {
    WC_RETURN_IF_ERROR(ctx.attrs.Int("fmod", 0, &a->fmod));
    if (a->fmod != 0 && a->fmod != 1) return BadModel("fmod must be 0 or 1, got ", a->fmod);
  }
  *out = a;
  return OkStatus();
}

OpSchema BinaryRow(const BinaryDef& d, ParseFn parse) {
  OpSchema s;
  s.op_type = d.op;
  s.min_opset = d.since;
  s.parse = parse;
  s.infer = Infer;
  s.reference = Reference;
  s.cpu = Cpu;
  s.gpu = Gpu;
  s.notes = d.notes;
  return s;
}

bool IsUnsignedInt(DType t) {
  return t == DType::kBool || (IsInteger(t) && !IsSigned(t));
}

std::string WgslOpHeader(gpu::ScalarType a, gpu::ScalarType b, gpu::ScalarType c) {
  return std::string("fn op(a: ") + gpu::WgslType(a) + ", b: " + gpu::WgslType(b) + ") -> " +
         gpu::WgslType(c) + " ";
}

Result<DType> SameNumericType(DType a, DType b, const BinaryAttrs&) {
  if (a != b) return BadModel("input types differ: ", DTypeName(a), " and ", DTypeName(b));
  if (!IsFloat(a) && !IsInteger(a)) return BadModel("input type ", DTypeName(a), " is not supported");
  return a;
}

Result<DType> SameTypeToBool(DType a, DType b, const BinaryAttrs&) {
  if (a != b) return BadModel("input types differ: ", DTypeName(a), " and ", DTypeName(b));
  if (!IsFloat(a) && !IsInteger(a) && a != DType::kBool)
    return BadModel("input type ", DTypeName(a), " is not supported");
  return DType::kBool;
}

std::vector<OpSchema> BinaryOps() {
  std::vector<OpSchema> all;
  for (auto rows : {ArithRows, PowRows, CompareRows, PReluRows}) {
    auto more = rows();
    all.insert(all.end(), more.begin(), more.end());
  }
  return all;
}

}  // namespace webconv::ops
