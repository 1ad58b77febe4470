// MeanVarianceNormalization (opsets 9 and 13): y = (x - mean) / (std + 1e-9), mean and std (population)
// over `axes` (default [0, 2, 3]) for each index of the other axes, as ONNX's function body has it. The
// reference forms the statistics in double with two passes; the WebGPU kernels do the same in float32:
// one thread per kept index walks its reduced elements (so a kept index with many of them is one
// thread's work, fine for the statistics MVN is used for), then one thread per element normalizes.
#include <algorithm>
#include <cmath>
#include <vector>

#include "ops/elementwise/elementwise.h"
#include "ops/norm/row_norm.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops {
namespace {

constexpr double kEpsilon = 1e-9;  // added to the standard deviation, as in ONNX's definition
constexpr uint32_t kMaxRank = 8;   // of the WebGPU kernels' index arithmetic

struct MvnAttrs {
  std::vector<int64_t> axes = {0, 2, 3};
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  auto a = std::make_shared<MvnAttrs>();
  if (ctx.attrs.Has("axes")) WC_RETURN_IF_ERROR(ctx.attrs.Ints("axes", &a->axes));
  *out = a;
  return OkStatus();
}

// Which axes are reduced, normalized against the rank; the kept and reduced element counts.
struct MvnProblem {
  Shape shape;
  std::vector<bool> reduced;
  int64_t kept = 1, per_kept = 1;
};

Result<MvnProblem> Resolve(const MvnAttrs& a, const TensorInfo& x) {
  if (!IsFloat(x.dtype)) return BadModel("input type ", DTypeName(x.dtype), " is not a floating-point type");
  MvnProblem p;
  p.shape = x.shape;
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  p.reduced.assign(x.shape.size(), false);
  for (int64_t axis : a.axes) {
    int64_t k = 0;
    WC_RETURN_IF_ERROR(NormalizeAxis(axis, rank, &k, "axes"));
    if (p.reduced[static_cast<size_t>(k)]) return BadModel("axis ", axis, " is listed twice in axes");
    p.reduced[static_cast<size_t>(k)] = true;
  }
  for (size_t d = 0; d < x.shape.size(); ++d) (p.reduced[d] ? p.per_kept : p.kept) *= x.shape[d];
  return p;
}

Status Infer(InferContext& ctx) {
  WC_RETURN_IF_ERROR(Resolve(ctx.Attrs<MvnAttrs>(), ctx.inputs[0]).status());
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = ctx.inputs[0].shape;
  return OkStatus();
}

// The kept index of element i: its coordinates on the kept axes, row-major among them.
int64_t KeptIndex(const MvnProblem& p, int64_t i) {
  int64_t kept = 0, scale = 1;
  for (size_t d = p.shape.size(); d-- > 0;) {
    const int64_t c = i % p.shape[d];
    i /= p.shape[d];
    if (!p.reduced[d]) {
      kept += c * scale;
      scale *= p.shape[d];
    }
  }
  return kept;
}

Status Reference(RefContext& ctx) {
  WC_ASSIGN_OR_RETURN(MvnProblem p, Resolve(ctx.Attrs<MvnAttrs>(), ctx.input_infos()[0]));
  const HostTensor& x = *ctx.inputs[0];
  HostTensor& y = ctx.out(0);
  const int64_t n = x.num_elements();
  std::vector<int64_t> kept(static_cast<size_t>(n));
  std::vector<double> mean(static_cast<size_t>(p.kept), 0.0), sq(static_cast<size_t>(p.kept), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    kept[static_cast<size_t>(i)] = KeptIndex(p, i);
    mean[static_cast<size_t>(kept[static_cast<size_t>(i)])] += x.GetDouble(i);
  }
  for (double& m : mean) m /= static_cast<double>(p.per_kept);
  for (int64_t i = 0; i < n; ++i) {
    const double d = x.GetDouble(i) - mean[static_cast<size_t>(kept[static_cast<size_t>(i)])];
    sq[static_cast<size_t>(kept[static_cast<size_t>(i)])] += d * d;
  }
  for (int64_t i = 0; i < n; ++i) {
    const size_t k = static_cast<size_t>(kept[static_cast<size_t>(i)]);
    const double stddev = std::sqrt(sq[k] / static_cast<double>(p.per_kept));
    y.SetDouble(i, (x.GetDouble(i) - mean[k]) / (stddev + kEpsilon));
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(MvnProblem p, Resolve(ctx.Attrs<MvnAttrs>(), ctx.inputs[0]));
  if (p.shape.size() > kMaxRank) return BadModel("rank ", p.shape.size(), ": the WebGPU kernels take up to ", kMaxRank);
  const int64_t n = NumElements(p.shape);
  if (n == 0) return OkStatus();
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements(p.shape, "input"));
  // Kept and reduced axes, each as (extent, stride in X), outermost first.
  std::vector<int64_t> kept_extent, kept_stride, red_extent, red_stride, all_extent, kept_of_axis;
  const std::vector<int64_t> strides = ContiguousStrides(p.shape);
  int64_t scale = 1;
  std::vector<int64_t> kept_scale(p.shape.size(), 0);
  for (size_t d = p.shape.size(); d-- > 0;) {
    if (!p.reduced[d]) {
      kept_scale[d] = scale;
      scale *= p.shape[d];
    }
  }
  for (size_t d = 0; d < p.shape.size(); ++d) {
    (p.reduced[d] ? red_extent : kept_extent).push_back(p.shape[d]);
    (p.reduced[d] ? red_stride : kept_stride).push_back(strides[d]);
    all_extent.push_back(p.shape[d]);
    kept_of_axis.push_back(kept_scale[d]);
  }
  const GpuRef stats = ctx.Scratch(static_cast<uint64_t>(2 * p.kept));
  auto decompose = [](const std::string& count, const std::string& extent, const std::string& stride,
                      const std::string& index, const std::string& out) {
    return "  var " + out + " = 0u;\n  { var r = " + index + ";\n    for (var d = i32(u." + count +
           ") - 1; d >= 0; d = d - 1) {\n      " + out + " = " + out + " + (r % " + extent + "(u32(d))) * " + stride +
           "(u32(d));\n      r = r / " + extent + "(u32(d));\n    }\n  }\n";
  };
  gpu::KernelBuilder s("mvn_stats_f32");
  s.Input("X", gpu::ScalarType::kF32).Output("Stats", gpu::ScalarType::kF32);
  auto& su = s.uniforms();
  su.AddU32("n", static_cast<uint32_t>(p.kept));
  su.AddU32("per", static_cast<uint32_t>(p.per_kept));
  su.AddU32("kept_rank", static_cast<uint32_t>(kept_extent.size()));
  su.AddU32("red_rank", static_cast<uint32_t>(red_extent.size()));
  su.AddU32Array("kext", tensor::ToU32(kept_extent), kMaxRank);
  su.AddU32Array("kstr", tensor::ToU32(kept_stride), kMaxRank);
  su.AddU32Array("rext", tensor::ToU32(red_extent), kMaxRank);
  su.AddU32Array("rstr", tensor::ToU32(red_stride), kMaxRank);
  s.Body(ElementwiseMain(decompose("kept_rank", "kext", "kstr", "i", "base") +
                         "  var sum = 0.0;\n"
                         "  for (var j = 0u; j < u.per; j = j + 1u) {\n" +
                         decompose("red_rank", "rext", "rstr", "j", "off") +
                         "    sum = sum + X[base + off];\n  }\n"
                         "  let mean = sum / f32(u.per);\n"
                         "  var sq = 0.0;\n"
                         "  for (var j = 0u; j < u.per; j = j + 1u) {\n" +
                         decompose("red_rank", "rext", "rstr", "j", "off") +
                         "    let dev = X[base + off] - mean;\n    sq = sq + dev * dev;\n  }\n"
                         "  Stats[2u * i] = mean;\n  Stats[2u * i + 1u] = sqrt(sq / f32(u.per));"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(p.kept), kElementwiseWorkgroup, groups);
  ctx.Dispatch(s, {GpuContext::In(0), stats}, groups);
  gpu::KernelBuilder b("mvn_normalize_f32");
  b.Input("X", gpu::ScalarType::kF32).Input("Stats", gpu::ScalarType::kF32).Output("Y", gpu::ScalarType::kF32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("rank", static_cast<uint32_t>(all_extent.size()));
  u.AddU32Array("ext", tensor::ToU32(all_extent), kMaxRank);
  u.AddU32Array("kscale", tensor::ToU32(kept_of_axis), kMaxRank);
  // The kept index of element i: its coordinates weighted by kscale (0 on the reduced axes).
  b.Body(ElementwiseMain(decompose("rank", "ext", "kscale", "i", "k") +
                         "  Y[i] = (X[i] - Stats[2u * k]) / (Stats[2u * k + 1u] + 1e-9);"));
  gpu::LinearGrid(static_cast<uint64_t>(n), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), stats, GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> MeanVarianceNormRows() {
  OpSchema s;
  s.op_type = "MeanVarianceNormalization";
  s.min_opset = 9;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes = "floating-point; (x - mean) / (std + 1e-9) over axes (default [0, 2, 3]); on WebGPU one thread per kept "
            "index forms its statistics (rank up to 8)";
  return {s};
}

}  // namespace webconv::ops
