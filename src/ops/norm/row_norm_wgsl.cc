// The WebGPU row normalizations, in two or three passes:
//  1. statistics: each row (or chunk of a row) is reduced by a segment of `tpp` consecutive threads (a
//     power of two; small rows share a workgroup, large ones get all of it), mean first, then the sum
//     of squared deviations from it, each halved in workgroup memory;
//  2. only when a few long rows would leave the GPU idle: rows are cut into chunks in pass 1, and one
//     thread per row merges its chunks' (mean, M2) pairs (Chan et al.'s parallel variance);
//  3. apply: one thread per element.
// The statistics live in a scratch buffer [mean of each row | invstd of each row], copied to the Mean
// and InvStdDev outputs when the node names them.
#include <algorithm>
#include <limits>

#include "ops/elementwise/elementwise.h"
#include "ops/norm/row_norm.h"

namespace webconv::ops {
namespace {

constexpr uint32_t kStatsWorkgroup = 256;
constexpr int64_t kMinChunk = 4096, kTargetWorkgroups = 1024;
constexpr size_t kMaxRowRank = 8;

constexpr char kStatsMain[] = R"(
var<workgroup> part: array<f32, WG>;

fn segment_sum(l: u32, lane: u32, v: f32) -> f32 {
  part[l] = v;
  workgroupBarrier();
  for (var w = u.tpp / 2u; w > 0u; w = w / 2u) {
    if (lane < w) { part[l] += part[l + w]; }
    workgroupBarrier();
  }
  let total = part[l - lane];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let lane = lid.x % u.tpp;
  let seg = (wid.x + wid.y * nwg.x) * (WG / u.tpp) + lid.x / u.tpp;
  var start = 0u;
  var len = 0u;
  if (seg < u.segs) {
    let first = (seg % u.chunks) * u.chunk_len;
    start = (seg / u.chunks) * u.len + first;
    len = min(u.chunk_len, u.len - first);
  }
  var acc = 0.0;
  for (var s = lane; s < len; s += u.tpp) { acc += X[start + s]; }
  let mean = segment_sum(lid.x, lane, acc) / f32(max(len, 1u));
  var acc2 = 0.0;
  for (var s = lane; s < len; s += u.tpp) {
    let d = X[start + s] - mean;
    acc2 += d * d;
  }
  let m2 = segment_sum(lid.x, lane, acc2);
  if (lane == 0u && seg < u.segs) {
    WRITE
  }
}
)";

constexpr char kWriteFinal[] = R"(Stats[seg] = select(mean, u.nan, len == 0u);
    Stats[u.segs + seg] = select(1.0 / sqrt(m2 / f32(len) + u.epsilon), u.nan, len == 0u);)";
constexpr char kWritePartial[] = R"(Stats[2u * seg] = mean;
    Stats[2u * seg + 1u] = m2;)";

constexpr char kCombine[] = R"(
  let base = 2u * i * u.chunks;
  var n = 0.0;
  var mean = 0.0;
  var m2 = 0.0;
  for (var c = 0u; c < u.chunks; c++) {
    let nb = f32(min(u.chunk_len, u.len - c * u.chunk_len));
    let delta = Partial[base + 2u * c] - mean;
    let total = n + nb;
    mean += delta * nb / total;
    m2 += Partial[base + 2u * c + 1u] + delta * delta * n * nb / total;
    n = total;
  }
  Stats[i] = mean;
  Stats[u.rows + i] = 1.0 / sqrt(m2 / n + u.epsilon);)";

uint32_t ThreadsPerRow(int64_t len) {
  uint32_t tpp = 1;
  while (tpp < kStatsWorkgroup && int64_t{tpp} * 16 < len) tpp *= 2;
  return tpp;
}

void AddChunking(gpu::UniformBlock& u, const RowNormProblem& p, int64_t chunks) {
  u.AddU32("len", static_cast<uint32_t>(p.len));
  u.AddU32("chunks", static_cast<uint32_t>(chunks));
  u.AddU32("chunk_len", static_cast<uint32_t>((p.len + chunks - 1) / chunks));
  u.AddF32("epsilon", static_cast<float>(p.epsilon));
}

void StatsPass(const RowNormProblem& p, int64_t chunks, GpuRef out, GpuContext& ctx) {
  const int64_t segs = p.rows * chunks;
  const uint32_t tpp = ThreadsPerRow((p.len + chunks - 1) / chunks);
  const bool whole = chunks == 1;
  gpu::KernelBuilder b(whole ? "rownorm_stats_f32_wg256" : "rownorm_partial_stats_f32_wg256");
  b.Input("X", gpu::ScalarType::kF32).Output("Stats", gpu::ScalarType::kF32);
  auto& u = b.uniforms();
  u.AddU32("segs", static_cast<uint32_t>(segs));
  AddChunking(u, p, chunks);
  u.AddU32("tpp", tpp);
  u.AddF32("nan", std::numeric_limits<float>::quiet_NaN());
  std::string body = kStatsMain;
  body.replace(body.find("WRITE"), 5, whole ? kWriteFinal : kWritePartial);
  b.Body("const WG: u32 = " + std::to_string(kStatsWorkgroup) + "u;\n" + body);
  const uint64_t per_group = kStatsWorkgroup / tpp;
  uint32_t groups[3];
  gpu::LinearGrid((static_cast<uint64_t>(segs) + per_group - 1) / per_group * kStatsWorkgroup,
                  kStatsWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), out}, groups);
}

void CombinePass(const RowNormProblem& p, int64_t chunks, GpuRef partial, GpuRef stats, GpuContext& ctx) {
  gpu::KernelBuilder b("rownorm_combine_f32");
  b.Input("Partial", gpu::ScalarType::kF32).Output("Stats", gpu::ScalarType::kF32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(p.rows));
  u.AddU32("rows", static_cast<uint32_t>(p.rows));
  AddChunking(u, p, chunks);
  b.Body(ElementwiseMain(kCombine));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(p.rows), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {partial, stats}, groups);
}

// Scale and B are laid out like a row: element j of the row reads parameter j.
bool FlatParams(const RowNormProblem& p) {
  return !p.per_row && p.scale_strides == ContiguousStrides(p.row_dims) &&
         (!p.has_bias || p.bias_strides == p.scale_strides);
}

void ApplyPass(const RowNormProblem& p, GpuRef stats, GpuContext& ctx) {
  const bool flat = FlatParams(p);
  std::string name = p.per_row ? "instancenorm_apply_f32"
                     : flat    ? "layernorm_apply_f32"
                               : "layernorm_apply_f32_bcast";
  if (!p.has_bias) name += "_nobias";
  gpu::KernelBuilder b(name);
  b.Input("X", gpu::ScalarType::kF32).Input("S", gpu::ScalarType::kF32).Input("Scale", gpu::ScalarType::kF32);
  if (p.has_bias) b.Input("Bias", gpu::ScalarType::kF32);
  b.Output("Y", gpu::ScalarType::kF32);
  auto& u = b.uniforms();
  const int64_t n = p.rows * p.len;
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("rows", static_cast<uint32_t>(p.rows));
  u.AddU32("len", static_cast<uint32_t>(p.len));
  std::string index = "let si = j;\n  let bi = j;\n  ";
  if (p.per_row) {
    u.AddU32("channels", static_cast<uint32_t>(p.channels));
    index = "let si = row % u.channels;\n  let bi = si;\n  ";
  } else if (!flat) {
    std::vector<uint32_t> dims, ss, bs;
    for (size_t k = 0; k < p.row_dims.size(); ++k) {
      dims.push_back(static_cast<uint32_t>(p.row_dims[k]));
      ss.push_back(static_cast<uint32_t>(p.scale_strides[k]));
      bs.push_back(static_cast<uint32_t>(p.has_bias ? p.bias_strides[k] : 0));
    }
    u.AddU32("row_rank", static_cast<uint32_t>(p.row_dims.size()));
    u.AddU32Array("row_dims", dims, kMaxRowRank);
    u.AddU32Array("sstride", ss, kMaxRowRank);
    u.AddU32Array("bstride", bs, kMaxRowRank);
    index =
        "var si = 0u;\n  var bi = 0u;\n  var rest = j;\n"
        "  for (var k = u.row_rank; k > 0u; k--) {\n"
        "    let c = rest % row_dims(k - 1u);\n    rest = rest / row_dims(k - 1u);\n"
        "    si += c * sstride(k - 1u);\n    bi += c * bstride(k - 1u);\n  }\n  ";
  }
  const std::string bias = p.has_bias ? " + Bias[bi]" : "";
  b.Body(ElementwiseMain("let row = i / u.len;\n  let j = i % u.len;\n  " + index +
                         "Y[i] = (X[i] - S[row]) * S[u.rows + row] * Scale[si]" + bias + ";"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kElementwiseWorkgroup, groups);
  std::vector<GpuRef> bind = {GpuContext::In(0), stats, GpuContext::In(1)};
  if (p.has_bias) bind.push_back(GpuContext::In(2));
  bind.push_back(GpuContext::Out(0));
  ctx.Dispatch(b, bind, groups);
}

void CopyStatistic(const RowNormProblem& p, GpuRef stats, int64_t offset, int output, GpuContext& ctx) {
  gpu::KernelBuilder b("copy_offset_b32");
  b.Input("X", gpu::ScalarType::kU32).Output("Y", gpu::ScalarType::kU32);
  b.uniforms().AddU32("n", static_cast<uint32_t>(p.rows));
  b.uniforms().AddU32("offset", static_cast<uint32_t>(offset));
  b.Body(ElementwiseMain("Y[i] = X[i + u.offset];"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(p.rows), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {stats, GpuContext::Out(output)}, groups);
}

}  // namespace

Status RowNormGpu(const RowNormProblem& p, GpuContext& ctx) {
  const int64_t n = p.rows * p.len;
  if (n >= (int64_t{1} << 31) || 2 * p.rows >= (int64_t{1} << 31))
    return BadModel("X has ", n, " elements in ", p.rows, " rows; the WebGPU kernels handle fewer than 2^31");
  if (!p.per_row && !FlatParams(p) && p.row_dims.size() > kMaxRowRank)
    return BadModel("Scale or B broadcasts over ", p.row_dims.size(),
                    " normalized axes; the WebGPU kernel handles up to 8");
  if (p.rows == 0) return OkStatus();
  const GpuRef stats = ctx.Scratch(static_cast<uint64_t>(2 * p.rows));
  const int64_t chunks = std::min(p.len / kMinChunk, kTargetWorkgroups / p.rows);
  if (chunks < 2) {
    StatsPass(p, 1, stats, ctx);
  } else {
    const GpuRef partial = ctx.Scratch(static_cast<uint64_t>(2 * p.rows * chunks));
    StatsPass(p, chunks, partial, ctx);
    CombinePass(p, chunks, partial, stats, ctx);
  }
  if (n > 0) ApplyPass(p, stats, ctx);
  if (p.mean_output >= 0) CopyStatistic(p, stats, 0, p.mean_output, ctx);
  if (p.invstd_output >= 0) CopyStatistic(p, stats, p.rows, p.invstd_output, ctx);
  return OkStatus();
}

}  // namespace webconv::ops
