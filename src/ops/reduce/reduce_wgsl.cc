// The WebGPU Reduce* kernels. Each row is reduced by a segment of lanes (row_wgsl.h). When a few long rows
// would leave most of the GPU idle, each row is cut into chunks reduced in a first pass into a scratch row
// of partials, which a second pass merges: every reduction here is a merge of partial results of the same
// kind (sums of squares add up, a log-sum-exp of chunk log-sum-exps is the whole one), and the op's final
// step (the mean's division, L2's root, LogSum's log) runs only in the second pass.
#include <algorithm>
#include <cctype>
#include <limits>

#include "ops/elementwise/elementwise.h"
#include "ops/reduce/reduce.h"
#include "ops/reduce/row_wgsl.h"

namespace webconv::ops {
namespace {

// Rows shorter than two chunks of this many elements are never split; splitting stops at about this
// many workgroups.
constexpr int64_t kMinChunk = 4096, kTargetWorkgroups = 1024;

enum class Pass { kWhole, kPartial, kMerge };

struct PassTypes {
  gpu::ScalarType in, acc, out;
};

bool IsFloat32(gpu::ScalarType t) {
  return t == gpu::ScalarType::kF32;
}

// Element -> accumulator, of `v`. A merge pass reads partials that are already mapped.
std::string MapExpr(ReduceKind k, Pass pass) {
  if (pass == Pass::kMerge) return "v";
  switch (k) {
    case ReduceKind::kL1:
      return "abs(v)";
    case ReduceKind::kL2:
    case ReduceKind::kSumSquare:
      return "v * v";
    case ReduceKind::kLogSumExp:
      return "f32(v)";
    default:
      return "v";
  }
}

// The merge of two accumulators `a` and `b`; a NaN, once met, wins every later max/min.
std::string MergeExpr(ReduceKind k, gpu::ScalarType acc) {
  switch (k) {
    case ReduceKind::kMax:
      return IsFloat32(acc) ? "select(a, b, b > a || is_nan(b))" : "max(a, b)";
    case ReduceKind::kMin:
      return IsFloat32(acc) ? "select(a, b, b < a || is_nan(b))" : "min(a, b)";
    case ReduceKind::kProd:
      return "a * b";
    default:
      return "a + b";
  }
}

// Accumulator `a` -> stored value. Logarithms of 0 and of negative numbers are spelled out because
// Vulkan leaves log() undefined there.
std::string FinishExpr(ReduceKind k, Pass pass, const PassTypes& t) {
  if (pass == Pass::kPartial) return "a";
  const std::string acc = gpu::WgslType(t.acc), out = gpu::WgslType(t.out);
  const bool fl = IsFloat32(t.acc);
  switch (k) {
    case ReduceKind::kMean:
      return fl ? "select(a / f32(u.count), u.nan, u.count == 0u)"
                : "select(a / " + acc + "(u.count), " + acc + "(0), u.count == 0u)";
    case ReduceKind::kL2:
      return fl ? "sqrt(a)" : out + "(sqrt(f32(a)))";
    case ReduceKind::kLogSum:
      return out + "(select(select(log(f32(a)), u.neg_inf, f32(a) == 0.0), u.nan, f32(a) < 0.0))";
    default:
      return "a";
  }
}

constexpr char kPlainBody[] = R"(  var acc = u.ident;
  for (var r = r0 + lane; r < r1; r += u.tpp) { acc = merge_seg(acc, map(X[base + red_offset(r)])); }
  let total = seg(lid.x, lane, acc);
  if (live && lane == 0u) { Y[g] = finish(total); }
)";

// The max first, then the sum of exp(x - max): no exp overflows. An infinite max shifts by 0, so the
// sum itself gives -inf (every element -inf, or an empty row) or +inf.
constexpr char kLogSumExpBody[] = R"(  var m = u.neg_inf;
  for (var r = r0 + lane; r < r1; r += u.tpp) { m = merge_seg_max(m, map(X[base + red_offset(r)])); }
  m = seg_max(lid.x, lane, m);
  let shift = select(m, 0.0, is_inf(m));
  var s = 0.0;
  for (var r = r0 + lane; r < r1; r += u.tpp) { s += exp(map(X[base + red_offset(r)]) - shift); }
  s = seg_sum(lid.x, lane, s);
  let lse = select(shift + log(s), u.neg_inf, s == 0.0);
  if (live && lane == 0u) { Y[g] = OUT(lse); }
)";

double Identity(ReduceKind k, DType t) {
  const double inf = std::numeric_limits<double>::infinity();
  switch (k) {
    case ReduceKind::kProd:
      return 1;
    case ReduceKind::kMax:
      return IsFloat(t) ? -inf : static_cast<double>(TypeLowest(t));
    case ReduceKind::kMin:
      return IsFloat(t) ? inf : static_cast<double>(TypeHighest(t));
    default:
      return 0;
  }
}

void DispatchPass(const ReduceProblem& p, Pass pass, const RowGeometry& g, const RowLaunch& l, GpuRef in,
                  GpuRef out, GpuContext& ctx) {
  const gpu::ScalarType st = GpuType(p.dtype);
  const bool lse = p.kind == ReduceKind::kLogSumExp;
  const gpu::ScalarType acc = lse ? gpu::ScalarType::kF32 : st;
  const PassTypes t = {pass == Pass::kMerge ? acc : st, acc, pass == Pass::kPartial ? acc : st};
  const std::string in_t = gpu::WgslType(t.in), acc_t = gpu::WgslType(t.acc), out_t = gpu::WgslType(t.out);
  std::string name = std::string("reduce_") + (ReduceName(p.kind) + 6) + "_" + in_t;
  if (t.out != t.in) name += "_" + out_t;
  if (pass != Pass::kWhole) name += pass == Pass::kPartial ? "_partial" : "_merge";
  name += RowSpecName(g);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

  gpu::KernelBuilder b(name);
  b.Input("X", t.in).Output("Y", t.out);
  auto& u = b.uniforms();
  AddRowUniforms(u, g, l);
  u.AddU32("count", static_cast<uint32_t>(p.rows.len));
  AddScalarUniform(u, "ident", acc, Identity(p.kind, p.dtype));
  u.AddF32("nan", std::numeric_limits<float>::quiet_NaN());
  u.AddF32("neg_inf", -std::numeric_limits<float>::infinity());
  std::string wgsl =
      RowPrelude(g) + "fn map(v: " + in_t + ") -> " + acc_t + " { return " + MapExpr(p.kind, pass) + "; }\n";
  if (lse) {
    wgsl += SegmentMergeFn("seg_max", "f32", MergeExpr(ReduceKind::kMax, acc)) +
            SegmentMergeFn("seg_sum", "f32", "a + b");
    std::string body = kLogSumExpBody;
    body.replace(body.find("OUT("), 3, out_t);
    wgsl += RowMain(body);
  } else {
    wgsl += "fn finish(a: " + acc_t + ") -> " + out_t + " { return " + FinishExpr(p.kind, pass, t) + "; }\n" +
            SegmentMergeFn("seg", acc_t, MergeExpr(p.kind, acc)) + RowMain(kPlainBody);
  }
  b.Body(wgsl);
  uint32_t groups[3];
  RowGroups(g, l, groups);
  ctx.Dispatch(b, {in, out}, groups);
}

}  // namespace

Status ReduceGpu(const ReduceProblem& p, GpuContext& ctx) {
  const RowGeometry& g = p.rows;
  WC_RETURN_IF_ERROR(CheckRowsFitGpu(g, NumElements(ctx.inputs[0].shape), g.rows));
  const int64_t chunks = std::min(g.len / kMinChunk, kTargetWorkgroups / std::max<int64_t>(g.rows, 1));
  if (chunks < 2) {
    DispatchPass(p, Pass::kWhole, g, WholeRows(g), GpuContext::In(0), GpuContext::Out(0), ctx);
    return OkStatus();
  }
  RowLaunch split;
  split.chunks = chunks;
  split.chunk_len = (g.len + chunks - 1) / chunks;
  split.tpp = LanesPerItem(g, g.rows * chunks, split.chunk_len);
  const GpuRef partial = ctx.Scratch(static_cast<uint64_t>(g.rows * chunks));
  DispatchPass(p, Pass::kPartial, g, split, GpuContext::In(0), partial, ctx);
  // The partials form rows of `chunks` contiguous words.
  RowGeometry m;
  m.kept_dims = {g.rows};
  m.kept_strides = {chunks};
  m.red_dims = {chunks};
  m.red_strides = {1};
  m.rows = g.rows;
  m.len = chunks;
  DispatchPass(p, Pass::kMerge, m, WholeRows(m), partial, GpuContext::Out(0), ctx);
  return OkStatus();
}

}  // namespace webconv::ops
