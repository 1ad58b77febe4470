// The WebGPU ConvTranspose: gather form, no atomics, as a tiled implicit GEMM per stride phase.
//
// Along an axis, the outputs o with the same o mod stride ("phase") receive the same kernel taps:
// tap k reaches o when o + pad - k * dilation is a multiple of the stride, so the valid taps are
// k0, k0 + step, k0 + 2 step, ... with step = stride / gcd(stride, dilation), and their input index
// falls by dilation / gcd per step. Within a phase the problem is therefore a dense stride-1
// correlation: rows are output pixels of that phase (n, qd, qh, qw), columns are output channels, and
// the reduction runs over (ci, jd, jh, jw) with no invalid taps. One dispatch covers every phase and
// group (grid y = phase x column tile, z = group); each workgroup derives its phase's first tap and
// tap count per axis once, stages a TK x TM input tile and a TK x TN weight tile in workgroup memory,
// and each thread accumulates an RM x RN register block, as the Conv kernel does. Outputs no tap
// reaches get the bias alone; every output is written exactly once.
#include <numeric>

#include "ops/conv_transpose/conv_transpose.h"

namespace webconv::ops {
namespace {

struct Tiling {
  uint32_t tm, tn, tk, rm, rn;
  uint32_t threads() const { return (tm / rm) * (tn / rn); }
};

Tiling ChooseTiling(const ConvTransposeProblem& p) {
  if (p.out_per_group() <= 16) return {64, 16, 16, 4, 4};
  return {64, 64, 16, 4, 4};
}

std::vector<uint32_t> U32(std::initializer_list<int64_t> v) {
  return {v.begin(), v.end()};
}

constexpr char kBody[] = R"(
var<workgroup> As: array<f32, TK * TM>;
var<workgroup> Bs: array<f32, TK * TN>;

// One stride phase of one axis: outputs o = first + q * stride(a) (q < rows) receive kernel taps
// k = k0 + j * tap_step(a) (j < nk) from inputs i = base + q - j * in_step(a).
struct AxisPhase {
  first: u32,
  rows: u32,
  k0: u32,
  nk: u32,
  base: i32,
}

fn axis_phase(a: u32, first: u32) -> AxisPhase {
  let s = stride(a);
  var p = AxisPhase(first, (out_dims(a) - first + s - 1u) / s, 0u, 0u, 0);
  let t = i32(first) + pad(a);  // position of the phase's first output in the unpadded full result
  let r = u32(((t % i32(s)) + i32(s)) % i32(s));
  let dm = dilation(a) % s;
  var kd_mod = 0u;  // (k * dilation) mod stride, stepped without overflow
  let kmax = min(kernel(a), tap_step(a));
  for (var k = 0u; k < kmax; k++) {
    if (kd_mod == r) {
      p.k0 = k;
      p.nk = (kernel(a) - k + tap_step(a) - 1u) / tap_step(a);
      p.base = (t - i32(k * dilation(a))) / i32(s);  // exact: t - k * dilation is a multiple of s
      break;
    }
    kd_mod = (kd_mod + dm) % s;
  }
  return p;
}

// Row m of the phase's implicit input matrix, reduction index k = (ci, jd, jh, jw).
fn load_a(m: u32, k: u32, g: u32, rows: u32, depth: u32, pd: AxisPhase, ph: AxisPhase, pw: AxisPhase) -> f32 {
  if (m >= rows || k >= depth) { return 0.0; }
  let qw = m % pw.rows;
  var t = m / pw.rows;
  let qh = t % ph.rows;
  t = t / ph.rows;
  let qd = t % pd.rows;
  let n = t / pd.rows;
  let jw = k % pw.nk;
  var c = k / pw.nk;
  let jh = c % ph.nk;
  c = c / ph.nk;
  let jd = c % pd.nk;
  let ci = c / pd.nk;
  let id = pd.base + i32(qd) - i32(jd * in_step(0u));
  let ih = ph.base + i32(qh) - i32(jh * in_step(1u));
  let iw = pw.base + i32(qw) - i32(jw * in_step(2u));
  if (id < 0 || ih < 0 || iw < 0 || id >= i32(in_dims(0u)) || ih >= i32(in_dims(1u)) ||
      iw >= i32(in_dims(2u))) {
    return 0.0;
  }
  let x_c = n * u.cin + g * u.cin_g + ci;
  return X[((x_c * in_dims(0u) + u32(id)) * in_dims(1u) + u32(ih)) * in_dims(2u) + u32(iw)];
}

// Weight W[c, co, kd, kh, kw] for reduction index k = (ci, jd, jh, jw) of the phase.
fn load_b(k: u32, co: u32, g: u32, depth: u32, pd: AxisPhase, ph: AxisPhase, pw: AxisPhase) -> f32 {
  if (k >= depth || co >= u.cout_g) { return 0.0; }
  let jw = k % pw.nk;
  var c = k / pw.nk;
  let jh = c % ph.nk;
  c = c / ph.nk;
  let jd = c % pd.nk;
  let ci = c / pd.nk;
  let kd = pd.k0 + jd * tap_step(0u);
  let kh = ph.k0 + jh * tap_step(1u);
  let kw = pw.k0 + jw * tap_step(2u);
  let w_c = (g * u.cin_g + ci) * u.cout_g + co;
  return W[((w_c * kernel(0u) + kd) * kernel(1u) + kh) * kernel(2u) + kw];
}

@compute @workgroup_size(TN / RN, TM / RM, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let g = wid.z;
  let col_tiles = (u.cout_g + TN - 1u) / TN;
  let phase = wid.y / col_tiles;
  let n0 = (wid.y % col_tiles) * TN;
  let pw = axis_phase(2u, phase % phases(2u));
  let ph = axis_phase(1u, (phase / phases(2u)) % phases(1u));
  let pd = axis_phase(0u, phase / (phases(2u) * phases(1u)));
  let rows = u.batch * pd.rows * ph.rows * pw.rows;
  let m0 = wid.x * TM;
  if (m0 >= rows) { return; }
  let depth = u.cin_g * pd.nk * ph.nk * pw.nk;
  let tid = lid.y * (TN / RN) + lid.x;
  var acc: array<array<f32, RN>, RM>;
  for (var k0 = 0u; k0 < depth; k0 += TK) {
    for (var e = tid; e < TK * TM; e += THREADS) {
      As[e] = load_a(m0 + e % TM, k0 + e / TM, g, rows, depth, pd, ph, pw);
    }
    for (var e = tid; e < TK * TN; e += THREADS) {
      Bs[e] = load_b(k0 + e / TN, n0 + e % TN, g, depth, pd, ph, pw);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var a: array<f32, RM>;
      var b: array<f32, RN>;
      for (var i = 0u; i < RM; i++) { a[i] = As[kk * TM + lid.y * RM + i]; }
      for (var j = 0u; j < RN; j++) { b[j] = Bs[kk * TN + lid.x * RN + j]; }
      for (var i = 0u; i < RM; i++) {
        for (var j = 0u; j < RN; j++) { acc[i][j] = fma(a[i], b[j], acc[i][j]); }
      }
    }
    workgroupBarrier();
  }
  let out_sp = out_dims(0u) * out_dims(1u) * out_dims(2u);
  for (var i = 0u; i < RM; i++) {
    let m = m0 + lid.y * RM + i;
    if (m >= rows) { continue; }
    let qw = m % pw.rows;
    var t = m / pw.rows;
    let qh = t % ph.rows;
    t = t / ph.rows;
    let qd = t % pd.rows;
    let n = t / pd.rows;
    let od = pd.first + qd * stride(0u);
    let oh = ph.first + qh * stride(1u);
    let ow = pw.first + qw * stride(2u);
    let sp = (od * out_dims(1u) + oh) * out_dims(2u) + ow;
    for (var j = 0u; j < RN; j++) {
      let co = n0 + lid.x * RN + j;
      if (co >= u.cout_g) { continue; }
      let gco = g * u.cout_g + co;
      Y[(n * u.cout + gco) * out_sp + sp] = epilogue(acc[i][j], gco);
    }
  }
}
)";

}  // namespace

Status ConvTransposeGpu(const ConvTransposeProblem& p, GpuContext& ctx) {
  const Tiling t = ChooseTiling(p);
  const AxisGeometry* a = p.axis3;
  // Every index the kernel forms (element offsets, tap positions, pads) must fit in i32/u32.
  const int64_t limit = int64_t{1} << 31;
  bool fits = p.batch * p.in_channels * p.in_spatial() < limit &&
              p.batch * p.out_channels * p.out_spatial() < limit &&
              p.in_channels * p.out_per_group() * p.kernel_volume() < limit;
  for (int k = 0; k < 3; ++k)
    fits = fits && a[k].stride * (a[k].in - 1) + a[k].dilated_kernel() < limit && a[k].pad_begin < limit &&
           a[k].pad_begin > -limit && a[k].out < limit;
  if (!fits) return BadModel("ConvTranspose tensors or extents of 2^31 or more are not supported on WebGPU");
  if (p.batch * p.out_channels * p.out_spatial() == 0) return OkStatus();  // nothing to write

  int64_t phases[3], tap_step[3], in_step[3], max_rows = p.batch, phase_count = 1;
  for (int k = 0; k < 3; ++k) {
    const int64_t gcd = std::gcd(a[k].stride, a[k].dilation);
    phases[k] = std::min(a[k].stride, a[k].out);
    tap_step[k] = a[k].stride / gcd;
    in_step[k] = a[k].dilation / gcd;
    max_rows *= (a[k].out + a[k].stride - 1) / a[k].stride;
    phase_count *= phases[k];
  }
  const int64_t col_tiles = (p.out_per_group() + t.tn - 1) / t.tn;
  const int64_t grid[3] = {(max_rows + t.tm - 1) / t.tm, phase_count * col_tiles, p.group};
  if (grid[0] > 65535 || grid[1] > 65535 || grid[2] > 65535)
    return BadModel("ConvTranspose dispatch of ", grid[0], "x", grid[1], "x", grid[2],
                    " workgroups exceeds 65535 per dimension");

  const std::string name = "conv_transpose3d_f32_phase_igemm_t" + std::to_string(t.tm) + "x" +
                           std::to_string(t.tn) + "_r" + std::to_string(t.rm) + "x" + std::to_string(t.rn) +
                           (p.has_bias ? "_bias" : "");
  gpu::KernelBuilder b(name);
  b.Input("X", gpu::ScalarType::kF32).Input("W", gpu::ScalarType::kF32);
  if (p.has_bias) b.Input("Bias", gpu::ScalarType::kF32);
  b.Output("Y", gpu::ScalarType::kF32);
  auto& u = b.uniforms();
  u.AddU32("batch", static_cast<uint32_t>(p.batch));
  u.AddU32("cin", static_cast<uint32_t>(p.in_channels));
  u.AddU32("cout", static_cast<uint32_t>(p.out_channels));
  u.AddU32("cin_g", static_cast<uint32_t>(p.in_per_group()));
  u.AddU32("cout_g", static_cast<uint32_t>(p.out_per_group()));
  u.AddU32Array("in_dims", U32({a[0].in, a[1].in, a[2].in}), 4);
  u.AddU32Array("out_dims", U32({a[0].out, a[1].out, a[2].out}), 4);
  u.AddU32Array("kernel", U32({a[0].kernel, a[1].kernel, a[2].kernel}), 4);
  u.AddU32Array("stride", U32({a[0].stride, a[1].stride, a[2].stride}), 4);
  u.AddU32Array("dilation", U32({a[0].dilation, a[1].dilation, a[2].dilation}), 4);
  u.AddI32Array("pad",
                {static_cast<int32_t>(a[0].pad_begin), static_cast<int32_t>(a[1].pad_begin),
                 static_cast<int32_t>(a[2].pad_begin)},
                4);
  u.AddU32Array("phases", U32({phases[0], phases[1], phases[2]}), 4);
  u.AddU32Array("tap_step", U32({tap_step[0], tap_step[1], tap_step[2]}), 4);
  u.AddU32Array("in_step", U32({in_step[0], in_step[1], in_step[2]}), 4);
  const std::string consts =
      "const TM: u32 = " + std::to_string(t.tm) + "u;\nconst TN: u32 = " + std::to_string(t.tn) +
      "u;\nconst TK: u32 = " + std::to_string(t.tk) + "u;\nconst RM: u32 = " + std::to_string(t.rm) +
      "u;\nconst RN: u32 = " + std::to_string(t.rn) +
      "u;\nconst THREADS: u32 = " + std::to_string(t.threads()) + "u;\n";
  const std::string epilogue = p.has_bias ? "fn epilogue(v: f32, c: u32) -> f32 { return v + Bias[c]; }\n"
                                          : "fn epilogue(v: f32, c: u32) -> f32 { return v; }\n";
  b.Body(consts + epilogue + kBody);
  const uint32_t groups[3] = {static_cast<uint32_t>(grid[0]), static_cast<uint32_t>(grid[1]),
                              static_cast<uint32_t>(grid[2])};
  std::vector<GpuRef> bind = {GpuContext::In(0), GpuContext::In(1)};
  if (p.has_bias) bind.push_back(GpuContext::In(2));
  bind.push_back(GpuContext::Out(0));
  ctx.Dispatch(b, bind, groups);
  return OkStatus();
}

}  // namespace webconv::ops
