// The WebGPU Conv: a tiled implicit GEMM, rank-generic (three spatial axes, unit where the model has
// fewer). Per group, rows are output pixels (n, od, oh, ow), columns are output channels and the
// reduction runs over (ci, kd, kh, kw), matching the weight's memory order. A workgroup stages a
// TK x TM tile of the implicitly gathered input and a TK x TN tile of weights in workgroup memory;
// each thread accumulates an RM x RN register block. Taps outside the input read as zero through
// signed bounds checks; no padded copy of the input exists.
#include "ops/conv/conv.h"
#include "ops/conv/conv_epilogue.h"

namespace webconv::ops {
namespace {

struct Tiling {
  uint32_t tm, tn, tk, rm, rn;
  uint32_t threads() const { return (tm / rm) * (tn / rn); }
};

// Few output channels per group (depthwise, small heads) waste most of a wide column tile.
Tiling ChooseTiling(const ConvProblem& p) {
  if (p.out_per_group() <= 16) return {64, 16, 16, 4, 4};
  return {64, 64, 16, 4, 4};
}

std::vector<uint32_t> U32(std::initializer_list<int64_t> v) { return {v.begin(), v.end()}; }
std::vector<int32_t> I32(std::initializer_list<int64_t> v) { return {v.begin(), v.end()}; }

constexpr char kBody[] = R"(
var<workgroup> As: array<f32, TK * TM>;
var<workgroup> Bs: array<f32, TK * TN>;

// One element of the implicit im2col matrix: row m (output pixel), column k (ci, kd, kh, kw).
fn load_a(m: u32, k: u32, g: u32) -> f32 {
  if (m >= u.rows || k >= u.depth) { return 0.0; }
  let ow = m % out_dims(2u);
  var t = m / out_dims(2u);
  let oh = t % out_dims(1u);
  t = t / out_dims(1u);
  let od = t % out_dims(0u);
  let n = t / out_dims(0u);
  let kw = k % kernel(2u);
  var s = k / kernel(2u);
  let kh = s % kernel(1u);
  s = s / kernel(1u);
  let kd = s % kernel(0u);
  let ci = s / kernel(0u);
  let id = i32(od * stride(0u)) - pad(0u) + i32(kd * dilation(0u));
  let ih = i32(oh * stride(1u)) - pad(1u) + i32(kh * dilation(1u));
  let iw = i32(ow * stride(2u)) - pad(2u) + i32(kw * dilation(2u));
  if (id < 0 || ih < 0 || iw < 0 || id >= i32(in_dims(0u)) || ih >= i32(in_dims(1u)) || iw >= i32(in_dims(2u))) {
    return 0.0;
  }
  let c = g * u.cin_g + ci;
  return X[(((n * u.cin + c) * in_dims(0u) + u32(id)) * in_dims(1u) + u32(ih)) * in_dims(2u) + u32(iw)];
}

fn load_b(k: u32, co: u32, g: u32) -> f32 {
  if (k >= u.depth || co >= u.cout_g) { return 0.0; }
  return W[(g * u.cout_g + co) * u.depth + k];
}

@compute @workgroup_size(TN / RN, TM / RM, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let g = wid.z;
  let m0 = wid.x * TM;
  let n0 = wid.y * TN;
  let tid = lid.y * (TN / RN) + lid.x;
  var acc: array<array<f32, RN>, RM>;
  for (var k0 = 0u; k0 < u.depth; k0 += TK) {
    for (var e = tid; e < TK * TM; e += THREADS) {
      As[e] = load_a(m0 + e % TM, k0 + e / TM, g);
    }
    for (var e = tid; e < TK * TN; e += THREADS) {
      Bs[e] = load_b(k0 + e / TN, n0 + e % TN, g);
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
    if (m >= u.rows) { continue; }
    let n = m / out_sp;
    let sp = m % out_sp;
    for (var j = 0u; j < RN; j++) {
      let co = n0 + lid.x * RN + j;
      if (co >= u.cout_g) { continue; }
      conv_store(n, g * u.cout_g + co, sp, acc[i][j]);
    }
  }
}
)";

}  // namespace

Status ConvGpu(const ConvProblem& p, GpuContext& ctx) {
  const Tiling t = ChooseTiling(p);
  const int64_t rows = p.batch * p.out_spatial();
  const int64_t depth = p.in_per_group() * p.kernel_volume();
  const int64_t limit = int64_t{1} << 31;
  if (rows * p.out_per_group() >= limit || p.batch * p.in_channels * p.in_spatial() >= limit || depth >= limit)
    return BadModel("tensors with 2^31 or more elements are not supported by the WebGPU Conv kernel");
  const std::string name = "conv3d_f32_igemm_t" + std::to_string(t.tm) + "x" + std::to_string(t.tn) + "_r" +
                           std::to_string(t.rm) + "x" + std::to_string(t.rn) + ConvEpilogueTag(p);
  gpu::KernelBuilder b(name);
  b.Input("X", gpu::ScalarType::kF32).Input("W", gpu::ScalarType::kF32);
  std::vector<GpuRef> bind = {GpuContext::In(0), GpuContext::In(1)};
  const std::string store = AddConvEpilogue(p, b, &bind);
  auto& u = b.uniforms();
  u.AddU32("rows", static_cast<uint32_t>(rows));
  u.AddU32("depth", static_cast<uint32_t>(depth));
  u.AddU32("cin", static_cast<uint32_t>(p.in_channels));
  u.AddU32("cout", static_cast<uint32_t>(p.out_channels));
  u.AddU32("cin_g", static_cast<uint32_t>(p.in_per_group()));
  u.AddU32("cout_g", static_cast<uint32_t>(p.out_per_group()));
  const AxisGeometry* a = p.axis3;
  u.AddU32Array("in_dims", U32({a[0].in, a[1].in, a[2].in}), 4);
  u.AddU32Array("out_dims", U32({a[0].out, a[1].out, a[2].out}), 4);
  u.AddU32Array("kernel", U32({a[0].kernel, a[1].kernel, a[2].kernel}), 4);
  u.AddU32Array("stride", U32({a[0].stride, a[1].stride, a[2].stride}), 4);
  u.AddU32Array("dilation", U32({a[0].dilation, a[1].dilation, a[2].dilation}), 4);
  u.AddI32Array("pad", I32({a[0].pad_begin, a[1].pad_begin, a[2].pad_begin}), 4);
  std::string consts = "const TM: u32 = " + std::to_string(t.tm) + "u;\nconst TN: u32 = " + std::to_string(t.tn) +
                       "u;\nconst TK: u32 = " + std::to_string(t.tk) + "u;\nconst RM: u32 = " + std::to_string(t.rm) +
                       "u;\nconst RN: u32 = " + std::to_string(t.rn) + "u;\nconst THREADS: u32 = " +
                       std::to_string(t.threads()) + "u;\n";
  b.Body(consts + store + kBody);
  const uint32_t groups[3] = {static_cast<uint32_t>((rows + t.tm - 1) / t.tm),
                              static_cast<uint32_t>((p.out_per_group() + t.tn - 1) / t.tn),
                              static_cast<uint32_t>(p.group)};
  if (groups[0] > 65535 || groups[1] > 65535 || groups[2] > 65535)
    return BadModel("Conv dispatch of ", groups[0], "x", groups[1], "x", groups[2], " workgroups exceeds 65535 per dimension");
  ctx.Dispatch(b, bind, groups);
  return OkStatus();
}

}  // namespace webconv::ops
