// The WebGPU pools. Windowed pools run one thread per output, rank-generic over three spatial axes (unit
// where the model has fewer): the window is clipped to the input once per axis with signed (i32) bases,
// so padding is index math, never a padded copy, and never a candidate for the max. Global pools reduce
// each (n, c) plane with a segment of a workgroup sized to the plane (and in two passes when a few large
// planes would leave the GPU idle).
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/pool/pool.h"

namespace webconv::ops {
namespace {

constexpr uint32_t kWindowWorkgroup = 64;
constexpr int64_t kLimit = int64_t{1} << 31;

std::vector<uint32_t> U32(std::initializer_list<int64_t> v) {
  return {v.begin(), v.end()};
}
std::vector<int32_t> I32(std::initializer_list<int64_t> v) {
  return {v.begin(), v.end()};
}

// The max of an empty window, as the reference defines it (-inf, or the 8-bit type's lowest value).
void AddEmptyUniform(gpu::UniformBlock& u, const PoolProblem& p) {
  switch (GpuType(p.dtype)) {
    case gpu::ScalarType::kF32:
      u.AddF32("empty", -std::numeric_limits<float>::infinity());
      break;
    case gpu::ScalarType::kI32:
      u.AddI32("empty", p.dtype == DType::kInt8 ? -128 : 0);
      break;
    case gpu::ScalarType::kU32:
      u.AddU32("empty", 0);
      break;
  }
}

// Taps [k0, k1) of axis `a` whose coordinate base + k * dil(a) lies in [lo, hi). Integer division costs
// tens of instructions on GPUs and dominated the kernel, so undilated windows get a division-free form.
constexpr char kClipDilated[] = R"(
fn dil(a: u32) -> i32 { return i32(dilation(a)); }
fn clip(a: u32, base: i32, lo: i32, hi: i32) -> vec2<i32> {
  let d = dil(a);
  let k = i32(kernel(a));
  var k0 = 0;
  if (base < lo) { k0 = min((lo - base + d - 1) / d, k); }
  var k1 = 0;
  if (hi > base) { k1 = min((hi - base + d - 1) / d, k); }
  return vec2<i32>(k0, max(k0, k1));
}
)";

constexpr char kClipUndilated[] = R"(
fn dil(a: u32) -> i32 { return 1; }
fn clip(a: u32, base: i32, lo: i32, hi: i32) -> vec2<i32> {
  let k = i32(kernel(a));
  let k0 = clamp(lo - base, 0, k);
  return vec2<i32>(k0, clamp(hi - base, k0, k));
}
)";

// `TAP` is the statement run on each input element `v` at (id, ih, iw); `FINISH` stores the result.
constexpr char kWindowMain[] = R"(
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= u.n) { return; }
  let ow = i % out_dims(2u);
  var t = i / out_dims(2u);
  let oh = t % out_dims(1u);
  t = t / out_dims(1u);
  let od = t % out_dims(0u);
  let xp = (t / out_dims(0u)) * u.in_sp;
  let base = vec3<i32>(i32(od * stride(0u)) - pad(0u), i32(oh * stride(1u)) - pad(1u),
                       i32(ow * stride(2u)) - pad(2u));
  let rd = clip(0u, base.x, 0, i32(in_dims(0u)));
  let rh = clip(1u, base.y, 0, i32(in_dims(1u)));
  let rw = clip(2u, base.z, 0, i32(in_dims(2u)));
  INIT
  for (var kd = rd.x; kd < rd.y; kd++) {
    let id = u32(base.x + kd * dil(0u));
    for (var kh = rh.x; kh < rh.y; kh++) {
      let ih = u32(base.y + kh * dil(1u));
      let row = xp + (id * in_dims(1u) + ih) * in_dims(2u);
      for (var kw = rw.x; kw < rw.y; kw++) {
        let iw = u32(base.z + kw * dil(2u));
        let v = X[row + iw];
        TAP
      }
    }
  }
  FINISH
}
)";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

Status WindowGpu(const PoolProblem& p, GpuContext& ctx) {
  const AxisGeometry* a = p.axis3;
  for (int k = 0; k < 3; ++k) {
    // Every signed coordinate, window end and padded extent the kernel forms stays below 2^31.
    if (a[k].in + a[k].pad_begin + a[k].pad_end + a[k].dilated_kernel() + a[k].stride >= kLimit)
      return BadModel("pool geometry ", DescribeGeometry({a[k]}),
                      " exceeds the 32-bit coordinates of the WebGPU pool kernel");
  }
  const gpu::ScalarType st = GpuType(p.dtype);
  const std::string T = gpu::WgslType(st);
  std::string name = p.is_max() ? "maxpool3d_" + T : "avgpool3d_" + T;
  if (p.with_indices) name += "_indices";
  const bool dilated = a[0].dilation > 1 || a[1].dilation > 1 || a[2].dilation > 1;
  if (dilated) name += "_dilated";
  gpu::KernelBuilder b(name);
  b.Input("X", st).Output("Y", st);
  if (p.with_indices) b.Output("Indices", gpu::ScalarType::kI32);
  auto& u = b.uniforms();
  const int64_t n = p.planes() * p.out_spatial();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("in_sp", static_cast<uint32_t>(p.in_spatial()));
  u.AddU32Array("in_dims", U32({a[0].in, a[1].in, a[2].in}), 4);
  u.AddU32Array("out_dims", U32({a[0].out, a[1].out, a[2].out}), 4);
  u.AddU32Array("kernel", U32({a[0].kernel, a[1].kernel, a[2].kernel}), 4);
  u.AddU32Array("stride", U32({a[0].stride, a[1].stride, a[2].stride}), 4);
  u.AddU32Array("dilation", U32({a[0].dilation, a[1].dilation, a[2].dilation}), 4);
  u.AddI32Array("pad", I32({a[0].pad_begin, a[1].pad_begin, a[2].pad_begin}), 4);
  std::string init, tap, finish;
  if (p.is_max()) {
    int64_t s[3];
    p.IndexStrides(s);
    u.AddU32Array("istride", U32({s[0], s[1], s[2]}), 4);
    AddEmptyUniform(u, p);
    // The first element in window order starts the max; later ones replace it only when strictly
    // greater, so ties keep the earliest index, as in the reference.
    init = "var best = u.empty;\n  var found = false;";
    if (p.with_indices) init += "\n  var arg = -1;";
    tap = "if (!found || v > best) {\n          best = v;\n          found = true;\n";
    if (p.with_indices)
      tap += "          arg = i32(xp + id * istride(0u) + ih * istride(1u) + iw * istride(2u));\n";
    tap += "        }";
    finish = "Y[i] = best;";
    if (p.with_indices) finish += "\n  Indices[i] = arg;";
  } else {
    // count_include_pad counts padding, but never the part of a ceil_mode window beyond the end padding.
    const bool inc = p.count_include_pad;
    u.AddI32Array("count_lo",
                  I32({inc ? -a[0].pad_begin : 0, inc ? -a[1].pad_begin : 0, inc ? -a[2].pad_begin : 0}), 4);
    u.AddI32Array("count_hi",
                  I32({a[0].in + (inc ? a[0].pad_end : 0), a[1].in + (inc ? a[1].pad_end : 0),
                       a[2].in + (inc ? a[2].pad_end : 0)}),
                  4);
    u.AddF32("nan", std::numeric_limits<float>::quiet_NaN());
    init = "var sum = 0.0;";
    tap = "sum += v;";
    finish =
        "let cd = clip(0u, base.x, count_lo(0u), count_hi(0u));\n"
        "  let ch = clip(1u, base.y, count_lo(1u), count_hi(1u));\n"
        "  let cw = clip(2u, base.z, count_lo(2u), count_hi(2u));\n"
        "  let count = f32(cd.y - cd.x) * f32(ch.y - ch.x) * f32(cw.y - cw.x);\n"
        "  Y[i] = select(sum / count, u.nan, count == 0.0);";
  }
  const std::string wg = "const WG: u32 = " + std::to_string(kWindowWorkgroup) + "u;\n";
  b.Body(wg + gpu::LinearIndexWgsl(kWindowWorkgroup) + (dilated ? kClipDilated : kClipUndilated) +
         Replace(Replace(Replace(kWindowMain, "INIT", init), "TAP", tap), "FINISH", finish));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kWindowWorkgroup, groups);
  std::vector<GpuRef> bind = {GpuContext::In(0), GpuContext::Out(0)};
  if (p.with_indices) bind.push_back(GpuContext::Out(1));
  ctx.Dispatch(b, bind, groups);
  return OkStatus();
}

// Each row (a plane, or one chunk of a plane) is reduced by a segment of u.tpp consecutive threads (a
// power of two), so one workgroup serves WG / tpp rows: small planes share a workgroup, large ones get
// all of it. A segment reads its row contiguously, then halves its partial results in workgroup memory.
constexpr char kGlobalMain[] = R"(
var<workgroup> part: array<T, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let lane = lid.x % u.tpp;
  let row = (wid.x + wid.y * nwg.x) * (WG / u.tpp) + lid.x / u.tpp;
  var acc = INIT;
  if (row < u.rows) {
    let first = (row % u.chunks) * u.chunk_len;
    let start = (row / u.chunks) * u.in_sp + first;
    let len = min(u.chunk_len, u.in_sp - first);
    for (var s = lane; s < len; s += u.tpp) { acc = combine(acc, X[start + s]); }
  }
  part[lid.x] = acc;
  workgroupBarrier();
  for (var w = u.tpp / 2u; w > 0u; w = w / 2u) {
    if (lane < w) { part[lid.x] = combine(part[lid.x], part[lid.x + w]); }
    workgroupBarrier();
  }
  if (lane == 0u && row < u.rows) { Y[row] = FINISH; }
}
)";

constexpr uint32_t kGlobalWorkgroup = 256;
// Few large planes leave most of a GPU idle: they are cut into chunks of at least this many elements,
// reduced in a first pass into a scratch row per plane, until about this many workgroups run.
constexpr int64_t kMinChunk = 4096, kTargetWorkgroups = 1024;

// Threads per row: enough that each reads about 16 elements, at most the whole workgroup.
uint32_t ThreadsPerRow(int64_t len) {
  uint32_t tpp = 1;
  while (tpp < kGlobalWorkgroup && int64_t{tpp} * 16 < len) tpp *= 2;
  return tpp;
}

// One reduction pass over `planes` planes of `in_sp` elements, each cut into `chunks` rows. `divisor`
// (AveragePool only) divides each row's sum: 1 for a first pass of partial sums.
void GlobalPass(const PoolProblem& p, int64_t planes, int64_t in_sp, int64_t chunks, double divisor,
                GpuRef in, GpuRef out, GpuContext& ctx) {
  const gpu::ScalarType st = GpuType(p.dtype);
  const std::string T = gpu::WgslType(st);
  const int64_t chunk_len = (in_sp + chunks - 1) / chunks, rows = planes * chunks;
  const uint32_t wg = kGlobalWorkgroup, tpp = ThreadsPerRow(chunk_len);
  gpu::KernelBuilder b((p.is_max() ? "globalmaxpool_" : "globalavgpool_") + T + "_wg" + std::to_string(wg));
  b.Input("X", st).Output("Y", st);
  auto& u = b.uniforms();
  u.AddU32("rows", static_cast<uint32_t>(rows));
  u.AddU32("in_sp", static_cast<uint32_t>(in_sp));
  u.AddU32("chunks", static_cast<uint32_t>(chunks));
  u.AddU32("chunk_len", static_cast<uint32_t>(chunk_len));
  u.AddU32("tpp", tpp);
  std::string head = "alias T = " + T + ";\nconst WG: u32 = " + std::to_string(wg) + "u;\n";
  std::string init, finish;
  if (p.is_max()) {
    AddEmptyUniform(u, p);
    head += "fn combine(a: T, b: T) -> T { return select(a, b, b > a); }\n";
    init = "u.empty";
    finish = "part[lid.x]";
  } else {
    u.AddF32("divisor", static_cast<float>(divisor));
    u.AddF32("nan", std::numeric_limits<float>::quiet_NaN());
    head += "fn combine(a: T, b: T) -> T { return a + b; }\n";
    init = "0.0";
    // The average of an empty plane is NaN, as in the reference.
    finish = "select(part[lid.x] / u.divisor, u.nan, u.divisor == 0.0)";
  }
  b.Body(head + Replace(Replace(kGlobalMain, "INIT", init), "FINISH", finish));
  const uint64_t rows_per_group = wg / tpp;
  const uint64_t workgroups = (static_cast<uint64_t>(rows) + rows_per_group - 1) / rows_per_group;
  uint32_t groups[3];
  gpu::LinearGrid(workgroups * wg, wg, groups);
  ctx.Dispatch(b, {in, out}, groups);
}

void GlobalGpu(const PoolProblem& p, GpuContext& ctx) {
  const int64_t planes = p.planes(), in_sp = p.in_spatial();
  const int64_t chunks = std::min(in_sp / kMinChunk, kTargetWorkgroups / std::max<int64_t>(planes, 1));
  if (chunks < 2) {
    GlobalPass(p, planes, in_sp, 1, static_cast<double>(in_sp), GpuContext::In(0), GpuContext::Out(0), ctx);
    return;
  }
  const GpuRef partial = ctx.Scratch(static_cast<uint64_t>(planes * chunks));
  GlobalPass(p, planes, in_sp, chunks, 1.0, GpuContext::In(0), partial, ctx);
  GlobalPass(p, planes, chunks, 1, static_cast<double>(in_sp), partial, GpuContext::Out(0), ctx);
}

}  // namespace

Status PoolGpu(const PoolProblem& p, GpuContext& ctx) {
  // Words are indexed with u32 and Indices are i32 on the GPU (the runtime widens them to int64).
  const int64_t in_elements = p.planes() * p.in_spatial(), out_elements = p.planes() * p.out_spatial();
  if (in_elements >= kLimit || out_elements >= kLimit)
    return BadModel("the input has ", in_elements, " and the output ", out_elements,
                    " elements; the WebGPU pool kernels support fewer than 2^31");
  if (!p.is_global()) return WindowGpu(p, ctx);
  GlobalGpu(p, ctx);
  return OkStatus();
}

}  // namespace webconv::ops
