// Resize geometry: output shape and the per-axis coordinate map, resolved once from scales or sizes
// (and roi), then read by the reference and the WGSL generator alike.
//
// With scales given, the resized length in the coordinate formulas is the real product scale × in, not
// its floor: the spec defines scale = length_resized / length_original, and the ONNX reference (and its
// test data, e.g. align_corners downsampling 4 -> 2 at scale 0.6) computes it so. The output extent is
// floor(scale × in); roi does not enter it, as in the ONNX reference and ONNX Runtime.
#include <algorithm>
#include <cmath>

#include "ops/resize/resize.h"

namespace webconv::ops {
namespace {

const char* OpName(const ResizeAttrs& a) {
  return a.upsample ? "Upsample" : "Resize";
}

// A present input with at least one element (Resize-11 passes an empty tensor for an unused input).
const TensorInfo* Given(const std::vector<TensorInfo>& in, int index) {
  if (index < 0 || index >= static_cast<int>(in.size()) || !in[index].present) return nullptr;
  if (NumElements(in[index].shape) == 0) return nullptr;
  return &in[index];
}

Result<std::vector<double>> HostValues(const TensorInfo& t, const char* name, size_t rank, size_t per_axis,
                                       bool floats) {
  if (!t.constant)
    return BadModel(name, " must be known when the graph is planned (a constant or a graph input)");
  if (floats ? !IsFloat(t.dtype) : !(t.dtype == DType::kInt64 || t.dtype == DType::kInt32))
    return BadModel(name, " has type ", DTypeName(t.dtype), "; it must be ", floats ? "float" : "int64");
  const int64_t count = t.constant->num_elements();
  if (t.shape.size() != 1 || count != static_cast<int64_t>(rank * per_axis))
    return BadModel(name, " has shape ", ShapeString(t.shape), "; it needs ", rank * per_axis,
                    " entries for a rank-", rank, " X");
  std::vector<double> v(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i)
    v[static_cast<size_t>(i)] =
        floats ? t.constant->GetDouble(i) : static_cast<double>(t.constant->GetInt(i));
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i])) return BadModel(name, "[", i, "] is ", v[i], "; it must be finite");
  return v;
}

// Fills a, num, den and b of axis `k` for the node's coordinate mode. `len` is the resized length.
void MapAxis(CoordMode coord, double len, double scale, bool sizes, const std::vector<double>& roi, size_t k,
             ResizeAxis* ax) {
  const double in = static_cast<double>(ax->in);
  // x / scale, kept as x * in / out when out is an exact integer.
  const double num = sizes ? in : 1.0, den = sizes ? len : scale;
  switch (coord) {
    case CoordMode::kPytorchHalfPixel:
      if (ax->out <= 1) {
        ax->num = 0;  // c = 0
        return;
      }
      [[fallthrough]];
    case CoordMode::kHalfPixel:
      *ax = {ax->in, ax->out, 0.5, num, den, -0.5};
      return;
    case CoordMode::kAsymmetric:
      *ax = {ax->in, ax->out, 0, num, den, 0};
      return;
    case CoordMode::kTfHalfPixelForNN:
      *ax = {ax->in, ax->out, 0.5, num, den, 0};
      return;
    case CoordMode::kAlignCorners:
      if (ax->out > 1)
        *ax = {ax->in, ax->out, 0, in - 1, len - 1, 0};
      else
        ax->num = 0;
      return;
    case CoordMode::kTfCropAndResize: {
      const double start = roi[k], end = roi[roi.size() / 2 + k];
      if (ax->out > 1)
        *ax = {ax->in, ax->out, 0, (end - start) * (in - 1), len - 1, start * (in - 1)};
      else
        *ax = {ax->in, ax->out, 0, 0, 1, 0.5 * (start + end) * (in - 1)};
      return;
    }
  }
}

}  // namespace

Shape ResizeProblem::out_shape() const {
  Shape s;
  for (const ResizeAxis& ax : axes) s.push_back(ax.out);
  return s;
}

Result<ResizeProblem> ResolveResize(const ResizeAttrs& a, const std::vector<TensorInfo>& in) {
  const TensorInfo& x = in[0];
  const size_t rank = x.shape.size();
  if (!IsSupportedDType(x.dtype))
    return BadModel("X has type ", DTypeName(x.dtype), ", which is not supported");
  if (rank == 0) return BadModel("X is a scalar; ", OpName(a), " needs a tensor of rank >= 1");
  ResizeProblem p;
  p.dtype = x.dtype;
  p.mode = a.mode;
  p.cubic_a = a.cubic_a;
  p.exclude_outside = a.exclude_outside && a.mode == ResizeMode::kCubic;
  p.extrapolate = a.coord == CoordMode::kTfCropAndResize;
  p.extrapolation = a.extrapolation;

  std::vector<double> scales, sizes, roi;
  const TensorInfo* scales_in = Given(in, a.scales_input);
  const TensorInfo* sizes_in = Given(in, a.sizes_input);
  if (a.four_d && rank != 4)
    return BadModel("X has shape ", ShapeString(x.shape),
                    "; Upsample-1 scales H and W of an [N, C, H, W] tensor");
  if (!a.scales_attr.empty()) {
    if (a.scales_attr.size() != rank)
      return BadModel("scales has ", a.scales_attr.size(), " entries for a rank-", rank, " X");
    scales.assign(a.scales_attr.begin(), a.scales_attr.end());
  } else if (scales_in && sizes_in) {
    return BadModel("scales and sizes are both given; only one of them may be");
  } else if (scales_in) {
    WC_ASSIGN_OR_RETURN(scales, HostValues(*scales_in, "scales", rank, 1, true));
  } else if (sizes_in) {
    WC_ASSIGN_OR_RETURN(sizes, HostValues(*sizes_in, "sizes", rank, 1, false));
  } else {
    return BadModel(a.sizes_input >= 0 ? "neither scales nor sizes is given (one must be non-empty)"
                                       : "scales is empty");
  }
  if (p.extrapolate) {
    const TensorInfo* roi_in = Given(in, a.roi_input);
    if (!roi_in) return BadModel("coordinate_transformation_mode tf_crop_and_resize needs the roi input");
    WC_ASSIGN_OR_RETURN(roi, HostValues(*roi_in, "roi", rank, 2, true));
  }
  const double min_scale = a.upsample ? 1.0 : 0.0;
  for (size_t k = 0; k < scales.size(); ++k) {
    if (!std::isfinite(scales[k]) || scales[k] < min_scale || scales[k] <= 0)
      return BadModel("scales[", k, "] is ", scales[k], "; ", OpName(a), " needs ",
                      a.upsample ? "scales >= 1" : "finite scales > 0");
  }
  for (size_t k = 0; k < rank; ++k) {
    ResizeAxis ax;
    ax.in = x.shape[k];
    double len = 0, scale = 1;
    if (!sizes.empty()) {
      if (sizes[k] < 0) return BadModel("sizes[", k, "] is ", sizes[k], "; sizes must be >= 0");
      if (ax.in == 0 && sizes[k] != 0)
        return BadModel("sizes[", k, "] is ", sizes[k], " for an empty axis of X ", ShapeString(x.shape));
      len = sizes[k];
      if (ax.in > 0) scale = len / static_cast<double>(ax.in);
    } else {
      scale = scales[k];
      len = scale * static_cast<double>(ax.in);
    }
    if (len > static_cast<double>(kMaxElements))
      return BadModel("output axis ", k, " would have ", len, " elements (X ", ShapeString(x.shape), ")");
    ax.out = static_cast<int64_t>(std::floor(len));
    MapAxis(a.coord, len, scale, !sizes.empty(), roi, k, &ax);
    ax.rule = a.nearest;
    if (a.legacy_nearest) ax.rule = scale < 1 ? NearestRule::kCeil : NearestRule::kFloor;
    // Such an axis reads source element x for output x, whatever the mode (cubic and linear weights at
    // an integer coordinate are exactly 1 on that element).
    ax.direct = ax.in == 0 || (ax.in == ax.out && ax.num == ax.den && ax.a * ax.num / ax.den + ax.b == 0);
    p.axes.push_back(ax);
  }
  WC_RETURN_IF_ERROR(CheckedNumElements(p.out_shape()).status().Prefixed("output: "));
  return p;
}

double ClampCoordinate(double c, int64_t in) {
  // NaN (an extreme roi overflowing to inf - inf) reads the first element; such a coordinate is outside.
  return std::isnan(c) ? -4.0 : std::clamp(c, -4.0, static_cast<double>(in) + 4.0);
}

int64_t NearestIndex(double c, NearestRule rule) {
  switch (rule) {
    case NearestRule::kRoundPreferFloor:
      return static_cast<int64_t>(std::ceil(c - 0.5));
    case NearestRule::kRoundPreferCeil:
      return static_cast<int64_t>(std::floor(c + 0.5));
    case NearestRule::kFloor:
      return static_cast<int64_t>(std::floor(c));
    case NearestRule::kCeil:
      return static_cast<int64_t>(std::ceil(c));
  }
  return 0;
}

bool Outside(const ResizeAxis& axis, double c) {
  return !(c >= 0 && c <= static_cast<double>(axis.in - 1));
}

ResizeTaps Taps(const ResizeProblem& p, const ResizeAxis& axis, double c) {
  c = ClampCoordinate(c, axis.in);
  ResizeTaps t;
  if (p.mode == ResizeMode::kNearest) {
    t.first = NearestIndex(c, axis.rule);
    return t;
  }
  const double f = std::floor(c), r = c - f;
  if (p.mode == ResizeMode::kLinear) {
    t.first = static_cast<int64_t>(f);
    t.count = 2;
    t.w = {1 - r, r, 0, 0};
    return t;
  }
  // Keys' cubic convolution kernel with parameter A at distances 1 + r, r, 1 - r and 2 - r.
  const double A = p.cubic_a, s = 1 + r, q = 1 - r, u = 2 - r;
  t.first = static_cast<int64_t>(f) - 1;
  t.count = 4;
  t.w = {((A * s - 5 * A) * s + 8 * A) * s - 4 * A, ((A + 2) * r - (A + 3)) * r * r + 1,
         ((A + 2) * q - (A + 3)) * q * q + 1, ((A * u - 5 * A) * u + 8 * A) * u - 4 * A};
  if (p.exclude_outside) {
    double sum = 0;
    for (int j = 0; j < 4; ++j) {
      const int64_t idx = t.first + j;
      if (idx < 0 || idx >= axis.in) t.w[j] = 0;
      sum += t.w[j];
    }
    if (sum != 0)
      for (double& w : t.w) w /= sum;
  }
  return t;
}

}  // namespace webconv::ops
