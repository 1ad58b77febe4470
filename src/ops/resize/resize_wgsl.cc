// The WebGPU Resize: one thread per output element, rank-generic (rank <= 8, a uniform). Each thread
// walks its output coordinate axis by axis: copied ("direct") axes add their offset, resized axes map
// the coordinate with the geometry's (x + a) * num / den + b. Nearest mode then adds one source offset
// per axis and moves a 4-byte word, whatever the dtype; linear and cubic keep 2 or 4 taps per resized
// axis and sum over every combination of taps (4 for bilinear, 16 for bicubic).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "ops/elementwise/elementwise.h"
#include "ops/resize/resize.h"

namespace webconv::ops {
namespace {

constexpr uint32_t kWorkgroup = kElementwiseWorkgroup;
constexpr size_t kMaxRank = 8;

// f32 rounding may move a coordinate that is exactly an integer or a half in the float64 reference
// (an exact tie in nearest mode, an edge of the tf_crop_and_resize range) by a few ulps: within about
// 4 ulps of a half-integer it is taken as that half-integer.
constexpr char kCoordinate[] = R"(
fn coef(bits: u32) -> f32 { return bitcast<f32>(bits); }
fn coordinate(k: u32, x: u32) -> f32 {
  let c = (f32(x) + coef(ca(k))) * coef(cnum(k)) / coef(cden(k)) + coef(cb(k));
  let h = round(c * 2.0) * 0.5;
  return select(c, h, abs(c - h) <= max(abs(c), 1.0) * 5e-7);
}
fn clamp_coordinate(k: u32, c: f32) -> f32 {
  return select(clamp(c, -4.0, f32(in_shape(k)) + 4.0), -4.0, c != c);
}
fn is_outside(k: u32, c: f32) -> bool { return !(c >= 0.0 && c <= f32(in_shape(k)) - 1.0); }
fn source(k: u32, i: i32) -> u32 { return u32(clamp(i, 0, i32(in_shape(k)) - 1)) * in_stride(k); }
fn nearest(k: u32, c: f32) -> i32 {
  switch rule(k) {
    case 0u: { return i32(ceil(c - 0.5)); }
    case 1u: { return i32(floor(c + 0.5)); }
    case 2u: { return i32(floor(c)); }
    default: { return i32(ceil(c)); }
  }
}
)";

constexpr char kNearestMain[] = R"(
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= u.n) { return; }
  var rest = i;
  var src = 0u;
  var outside = false;
  for (var j = 0u; j < u.rank; j++) {
    let k = u.rank - 1u - j;
    let x = rest % out_shape(k);
    rest = rest / out_shape(k);
    if (direct(k) != 0u) {
      src += x * in_stride(k);
      continue;
    }
    let c = coordinate(k, x);
    outside = outside || is_outside(k, c);
    src += source(k, nearest(k, clamp_coordinate(k, c)));
  }
  Y[i] = STORE;
}
)";

constexpr char kInterpMain[] = R"(
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= u.n) { return; }
  var rest = i;
  var src = 0u;
  var outside = false;
  var first: array<i32, 8>;
  var w: array<vec4<f32>, 8>;
  var axis: array<u32, 8>;
  var r = 0u;
  for (var j = 0u; j < u.rank; j++) {
    let k = u.rank - 1u - j;
    let x = rest % out_shape(k);
    rest = rest / out_shape(k);
    if (direct(k) != 0u) {
      src += x * in_stride(k);
      continue;
    }
    let c = coordinate(k, x);
    outside = outside || is_outside(k, c);
    let cc = clamp_coordinate(k, c);
    let f = floor(cc);
    first[r] = i32(f) - FIRST_OFFSET;
    w[r] = weights(k, first[r], cc - f);
    axis[r] = k;
    r++;
  }
  EXTRAPOLATE
  var acc = 0.0;
  let combos = 1u << (r * LOG_TAPS);
  for (var t = 0u; t < combos; t++) {
    var off = src;
    var wt = 1.0;
    var bits = t;
    for (var j = 0u; j < r; j++) {
      let tap = bits & (TAPS - 1u);
      bits = bits >> LOG_TAPS;
      off += source(axis[j], first[j] + i32(tap));
      wt *= w[j][tap];
    }
    acc += wt * f32(X[off]);
  }
  Y[i] = STORE;
}
)";

constexpr char kLinearWeights[] = R"(
fn weights(k: u32, first: i32, t: f32) -> vec4<f32> { return vec4<f32>(1.0 - t, t, 0.0, 0.0); }
)";

constexpr char kCubicWeights[] = R"(
fn weights(k: u32, first: i32, t: f32) -> vec4<f32> {
  let A = u.cubic_a;
  let s = 1.0 + t;
  let q = 1.0 - t;
  let v = 2.0 - t;
  var w = vec4<f32>(((A * s - 5.0 * A) * s + 8.0 * A) * s - 4.0 * A,
                    ((A + 2.0) * t - (A + 3.0)) * t * t + 1.0,
                    ((A + 2.0) * q - (A + 3.0)) * q * q + 1.0,
                    ((A * v - 5.0 * A) * v + 8.0 * A) * v - 4.0 * A);
  EXCLUDE
  return w;
}
)";

// exclude_outside: taps beyond the axis weigh nothing and the rest are renormalized.
constexpr char kExclude[] = R"(let idx = vec4<i32>(first) + vec4<i32>(0, 1, 2, 3);
  w = select(w, vec4<f32>(0.0), (idx < vec4<i32>(0)) | (idx >= vec4<i32>(i32(in_shape(k)))));
  let sum = w.x + w.y + w.z + w.w;
  if (sum != 0.0) { w = w / sum; })";

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

uint32_t F32Bits(double v) {
  const float f = static_cast<float>(v);
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

// The extrapolation value as the reference stores it, then as the tensor's 4-byte GPU word.
uint32_t ExtrapolationWord(const ResizeProblem& p) {
  const gpu::ScalarType st = GpuType(p.dtype);
  if (st == gpu::ScalarType::kF32) return F32Bits(p.extrapolation);
  double v = std::nearbyint(p.extrapolation);
  v = std::clamp(v, static_cast<double>(TypeLowest(p.dtype)), static_cast<double>(TypeHighest(p.dtype)));
  v = ClampToGpuRange(v, st);
  if (st == gpu::ScalarType::kI32) return static_cast<uint32_t>(static_cast<int32_t>(v));
  return static_cast<uint32_t>(v);
}

// The integer range an interpolated value saturates to, as f32 bounds the GPU word can hold.
void AddIntegerRange(const ResizeProblem& p, gpu::UniformBlock& u) {
  const gpu::ScalarType st = GpuType(p.dtype);
  const double lo = ClampToGpuRange(static_cast<double>(TypeLowest(p.dtype)), st);
  double hi = ClampToGpuRange(static_cast<double>(TypeHighest(p.dtype)), st);
  float hf = static_cast<float>(hi);
  // 2^31 - 1 and 2^32 - 1 round up in f32; the largest f32 below the bound converts without overflow.
  if (static_cast<double>(hf) > hi) hf = std::nextafter(hf, 0.0f);
  u.AddF32("lo", static_cast<float>(lo));
  u.AddF32("hi", hf);
}

}  // namespace

Status ResizeGpu(const ResizeProblem& p, GpuContext& ctx) {
  const size_t rank = p.axes.size();
  if (rank > kMaxRank) return BadModel("X has rank ", rank, "; the WebGPU Resize kernel handles rank <= 8");
  const Shape out_shape = p.out_shape();
  const int64_t n = NumElements(out_shape), in_n = NumElements(ctx.inputs[0].shape);
  if (n >= (int64_t{1} << 31) || in_n >= (int64_t{1} << 31))
    return BadModel("X has ", in_n, " and Y ", n,
                    " elements; the WebGPU Resize kernel handles fewer than 2^31");
  if (n == 0) return OkStatus();
  const bool nearest = p.mode == ResizeMode::kNearest;
  const gpu::ScalarType st = nearest ? gpu::ScalarType::kU32 : GpuType(p.dtype);
  const std::string T = gpu::WgslType(st);
  std::string name = "resize_nearest_b32";
  if (!nearest) name = (p.mode == ResizeMode::kLinear ? "resize_linear_" : "resize_cubic_") + T;
  if (p.exclude_outside) name += "_exclude_outside";
  if (p.extrapolate) name += "_crop";
  gpu::KernelBuilder b(name);
  b.Input("X", st).Output("Y", st);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("rank", static_cast<uint32_t>(rank));
  std::vector<uint32_t> in_shape, out, direct, rule, ca, cnum, cden, cb, in_stride;
  const std::vector<int64_t> strides = ContiguousStrides(ctx.inputs[0].shape);
  for (size_t k = 0; k < rank; ++k) {
    const ResizeAxis& ax = p.axes[k];
    in_shape.push_back(static_cast<uint32_t>(ax.in));
    out.push_back(static_cast<uint32_t>(ax.out));
    in_stride.push_back(static_cast<uint32_t>(strides[k]));
    direct.push_back(ax.direct ? 1 : 0);
    rule.push_back(static_cast<uint32_t>(ax.rule));
    ca.push_back(F32Bits(ax.a));
    cnum.push_back(F32Bits(ax.num));
    cden.push_back(F32Bits(ax.den));
    cb.push_back(F32Bits(ax.b));
  }
  u.AddU32Array("in_shape", in_shape, kMaxRank);
  u.AddU32Array("out_shape", out, kMaxRank);
  u.AddU32Array("in_stride", in_stride, kMaxRank);
  u.AddU32Array("direct", direct, kMaxRank);
  u.AddU32Array("rule", rule, kMaxRank);
  u.AddU32Array("ca", ca, kMaxRank);
  u.AddU32Array("cnum", cnum, kMaxRank);
  u.AddU32Array("cden", cden, kMaxRank);
  u.AddU32Array("cb", cb, kMaxRank);
  std::string body;
  if (nearest) {
    std::string store = "X[src]";
    if (p.extrapolate) {
      u.AddU32("extrapolation", ExtrapolationWord(p));
      store = "select(X[src], u.extrapolation, outside)";
    }
    body = ReplaceAll(kNearestMain, "STORE", store);
  } else {
    const bool cubic = p.mode == ResizeMode::kCubic;
    std::string store = "acc";
    if (st != gpu::ScalarType::kF32) {
      AddIntegerRange(p, u);
      store = T + "(clamp(round(acc), u.lo, u.hi))";
    }
    std::string extrapolate;
    if (p.extrapolate) {
      u.AddU32("extrapolation", ExtrapolationWord(p));
      extrapolate = "if (outside) {\n    Y[i] = bitcast<" + T + ">(u.extrapolation);\n    return;\n  }";
    }
    if (cubic) u.AddF32("cubic_a", static_cast<float>(p.cubic_a));
    body = ReplaceAll(ReplaceAll(kInterpMain, "STORE", store), "EXTRAPOLATE", extrapolate);
    body = ReplaceAll(
        ReplaceAll(ReplaceAll(body, "FIRST_OFFSET", cubic ? "1" : "0"), "LOG_TAPS", cubic ? "2u" : "1u"),
        "TAPS", cubic ? "4u" : "2u");
    body =
        (cubic ? ReplaceAll(kCubicWeights, "EXCLUDE", p.exclude_outside ? kExclude : "") : kLinearWeights) +
        body;
  }
  b.Body("const WG: u32 = " + std::to_string(kWorkgroup) + "u;\n" + gpu::LinearIndexWgsl(kWorkgroup) +
         kCoordinate + body);
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace webconv::ops
