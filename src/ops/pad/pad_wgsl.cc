// The WebGPU Pad: one thread per output element, rank-generic. Each thread walks its coordinate axis by
// axis with signed arithmetic (the same mapping as SourceIndex) and reads one input word or writes the
// constant. Elements move as raw 4-byte words, so one pipeline per mode serves f32, i32 and u32 data.
#include <cstring>
#include <limits>

#include "ops/pad/pad.h"

namespace webconv::ops {
namespace {

constexpr uint32_t kWorkgroup = 64;
constexpr uint32_t kMaxGpuRank = 8;

struct KernelAxis {
  int64_t out, stride, begin, crop, extent;
};

// Drops unpadded unit axes and merges neighbouring unpadded axes (always contiguous in the input):
// fewer axes mean fewer divisions per element, and NCHW padded only on H and W walks three axes.
std::vector<KernelAxis> KernelAxes(const PadGeometry& g, const Shape& in) {
  const std::vector<int64_t> strides = ContiguousStrides(in);
  std::vector<KernelAxis> axes;
  bool prev_unpadded = false;
  for (size_t k = 0; k < g.axes.size(); ++k) {
    const PadAxis& a = g.axes[k];
    if (a.unpadded() && a.in == 1) continue;
    if (a.unpadded() && prev_unpadded) {
      KernelAxis& p = axes.back();
      p.out *= a.in;
      p.extent = p.out;
      p.stride = strides[k];
      continue;
    }
    axes.push_back({a.out, strides[k], a.begin, a.crop, a.extent});
    prev_unpadded = a.unpadded();
  }
  // A scalar (or all-unit) tensor still walks one unit axis, so the uniform arrays are never empty.
  if (axes.empty()) axes.push_back({1, 1, 0, 0, 1});
  return axes;
}

// Maps j (relative to the kept input range) into [0, e) per mode; a constant kernel returns -1 instead.
const char* ModeWgsl(PadMode m) {
  switch (m) {
    case PadMode::kConstant:
      return "    if (j < 0 || j >= e) { return -1; }\n";
    case PadMode::kEdge:
      return "    j = clamp(j, 0, e - 1);\n";
    case PadMode::kReflect:
      return "    if (j < 0) { j = -j; } else if (j >= e) { j = 2 * (e - 1) - j; }\n";
    // WGSL's % keeps the dividend's sign.
    case PadMode::kWrap:
      return "    j = j % e;\n    if (j < 0) { j += e; }\n";
  }
  return "";
}

// The constant as the 4-byte word the GPU stores for the dtype.
Result<uint32_t> FillWord(const HostTensor& fill) {
  const DType t = fill.dtype();
  if (IsGpuFloat(t)) {  // float32, or float16 held as float32
    const float f = static_cast<float>(fill.GetDouble(0));
    uint32_t w;
    std::memcpy(&w, &f, 4);
    return w;
  }
  const int64_t v = fill.GetInt(0);
  if (GpuType(t) == gpu::ScalarType::kI32 &&
      (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()))
    return BadModel("constant_value ", v, " is outside the 32-bit range the WebGPU backend stores");
  return static_cast<uint32_t>(v);
}

std::vector<uint32_t> U32s(const std::vector<KernelAxis>& axes, int64_t KernelAxis::*f) {
  std::vector<uint32_t> r;
  for (const KernelAxis& a : axes) r.push_back(static_cast<uint32_t>(a.*f));
  return r;
}

std::vector<int32_t> I32s(const std::vector<KernelAxis>& axes, int64_t KernelAxis::*f) {
  std::vector<int32_t> r;
  for (const KernelAxis& a : axes) r.push_back(static_cast<int32_t>(a.*f));
  return r;
}

}  // namespace

Status PadGpu(const PadGeometry& g, const HostTensor& fill, GpuContext& ctx) {
  const Shape& in = ctx.inputs[0].shape;
  const int64_t n = NumElements(g.out_shape);
  if (n == 0) return OkStatus();  // an empty output needs no pass
  const std::vector<KernelAxis> axes = KernelAxes(g, in);
  if (axes.size() > kMaxGpuRank)
    return BadModel("rank ", in.size(), " (", axes.size(), " axes after merging unpadded ones) exceeds the ",
                    kMaxGpuRank, " axes the WebGPU Pad kernel handles");
  const bool constant = g.mode == PadMode::kConstant;
  gpu::KernelBuilder b(std::string("pad_") + PadModeName(g.mode) + "_b32");
  b.Input("X", gpu::ScalarType::kU32).Output("Y", gpu::ScalarType::kU32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("rank", static_cast<uint32_t>(axes.size()));
  if (constant) {
    WC_ASSIGN_OR_RETURN(uint32_t word, FillWord(fill));
    u.AddU32("fill", word);
  }
  u.AddU32Array("out_dims", U32s(axes, &KernelAxis::out), kMaxGpuRank);
  u.AddI32Array("in_strides", I32s(axes, &KernelAxis::stride), kMaxGpuRank);
  u.AddI32Array("pad_begin", I32s(axes, &KernelAxis::begin), kMaxGpuRank);
  u.AddI32Array("crop", I32s(axes, &KernelAxis::crop), kMaxGpuRank);
  u.AddI32Array("extent", I32s(axes, &KernelAxis::extent), kMaxGpuRank);
  const std::string source = std::string(
                                 "// The input word output element i reads (-1: the constant).\n"
                                 "fn source(i: u32) -> i32 {\n"
                                 "  var rem = i;\n  var off = 0;\n"
                                 "  for (var d = i32(u.rank) - 1; d >= 0; d--) {\n"
                                 "    let k = u32(d);\n"
                                 "    var j = i32(rem % out_dims(k)) - pad_begin(k);\n"
                                 "    rem = rem / out_dims(k);\n"
                                 "    let e = extent(k);\n") +
                             ModeWgsl(g.mode) +
                             "    off += (crop(k) + j) * in_strides(k);\n"
                             "  }\n  return off;\n}\n";
  const std::string store = constant ? "  let s = source(i);\n"
                                       "  if (s < 0) { Y[i] = u.fill; } else { Y[i] = X[u32(s)]; }\n"
                                     : "  Y[i] = X[u32(source(i))];\n";
  b.Body(
      gpu::LinearIndexWgsl(kWorkgroup) + source + "@compute @workgroup_size(" + std::to_string(kWorkgroup) +
      ")\nfn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n"
      "  let i = linear_index(gid, nwg);\n  if (i >= u.n) { return; }\n" +
      store + "}\n");
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace webconv::ops
