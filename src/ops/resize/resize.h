// Resize (opsets 10-17) and its ancestor Upsample (opsets 1-9): attributes, and the per-axis geometry
// shared by the float64 reference and the WGSL generator.
//
// Each output coordinate x of an axis maps to a source coordinate c = (x + a) * num / den + b: every
// coordinate_transformation_mode has this form, written so that the exact arithmetic of a tie (c an
// integer or a half) survives rounding whenever c is representable (e.g. (x + 0.5) * in / out rather
// than (x + 0.5) / (out / in)). Nearest mode rounds c by a per-axis rule; linear and cubic weigh 2 or 4
// neighbours of floor(c), clamped into the axis (edge replication), as the ONNX reference does.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "ops/op_schema.h"

namespace webconv::ops {

enum class ResizeMode { kNearest, kLinear, kCubic };
enum class CoordMode {
  kHalfPixel,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNN,
  kTfCropAndResize
};
// How nearest mode rounds a source coordinate. Opsets <= 10 have no nearest_mode: they floor when
// upsampling and take the ceiling when downsampling an axis, as ONNX Runtime does.
enum class NearestRule { kRoundPreferFloor = 0, kRoundPreferCeil = 1, kFloor = 2, kCeil = 3 };

struct ResizeAttrs {
  bool upsample = false;  // the Upsample op (scales >= 1)
  ResizeMode mode = ResizeMode::kNearest;
  CoordMode coord = CoordMode::kHalfPixel;
  bool legacy_nearest = false;  // opset <= 10: floor up, ceil down
  NearestRule nearest = NearestRule::kRoundPreferFloor;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation = 0;
  std::vector<float> scales_attr;                           // Upsample-1 (height/width) and Upsample-7
  bool four_d = false;                                      // Upsample-1: X must be [N, C, H, W]
  int scales_input = -1, roi_input = -1, sizes_input = -1;  // input indices for this opset, -1 if none
};

struct ResizeAxis {
  int64_t in = 0, out = 0;
  double a = 0, num = 1, den = 1, b = 0;  // c = (x + a) * num / den + b
  NearestRule rule = NearestRule::kRoundPreferFloor;
  bool direct = false;  // c == x for every x: the axis is copied, never interpolated
  double Coordinate(int64_t x) const { return (static_cast<double>(x) + a) * num / den + b; }
};

// Neighbours of a source coordinate: taps first .. first+count-1 (clamped into [0, in) when read) with
// these weights.
struct ResizeTaps {
  int64_t first = 0;
  int count = 1;
  std::array<double, 4> w = {1, 0, 0, 0};
};

struct ResizeProblem {
  DType dtype = DType::kUndefined;
  ResizeMode mode = ResizeMode::kNearest;
  bool extrapolate = false;  // tf_crop_and_resize: a coordinate outside [0, in - 1] gives `extrapolation`
  double extrapolation = 0;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  std::vector<ResizeAxis> axes;
  Shape out_shape() const;
  int taps_per_axis() const { return mode == ResizeMode::kNearest ? 1 : mode == ResizeMode::kLinear ? 2 : 4; }
};

Result<ResizeAttrs> ParseResizeAttrs(const ParseContext& ctx, bool upsample);
// Resolves scales, sizes and roi (known values: host inputs) against X's shape.
Result<ResizeProblem> ResolveResize(const ResizeAttrs& a, const std::vector<TensorInfo>& in);

// Source coordinates are clamped into [-4, in + 4] before rounding: beyond that every tap reads the
// edge anyway, and integer conversions stay defined.
double ClampCoordinate(double c, int64_t in);
int64_t NearestIndex(double c, NearestRule rule);
ResizeTaps Taps(const ResizeProblem& p, const ResizeAxis& axis, double c);
bool Outside(const ResizeAxis& axis, double c);

Status ResizeReference(const ResizeProblem& p, const HostTensor& x, HostTensor* y);
Status ResizeGpu(const ResizeProblem& p, GpuContext& ctx);

// GridSample (grid_sample.cc) and RoiAlign (roi_align.cc).
std::vector<OpSchema> GridSampleRows();
std::vector<OpSchema> RoiAlignRows();

}  // namespace webconv::ops
