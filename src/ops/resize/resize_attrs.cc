// Resize and Upsample attributes for every opset form: Upsample-1 (height_scale/width_scale),
// Upsample-7 (scales attribute), Upsample-9 and Resize-10 (scales input), Resize-11 (roi, scales,
// sizes, coordinate modes, cubic) and Resize-13 (roi and scales optional).
#include "ops/resize/resize.h"

namespace webconv::ops {
namespace {

Status ParseMode(const std::string& mode, bool upsample, int opset, ResizeAttrs* a) {
  if (mode == "nearest") {
    a->mode = ResizeMode::kNearest;
  } else if (mode == "linear" || (upsample && mode == "bilinear")) {
    // Upsample-1 names its linear mode "bilinear".
    a->mode = ResizeMode::kLinear;
  } else if (mode == "cubic" && !upsample && opset >= 11) {
    a->mode = ResizeMode::kCubic;
  } else {
    return BadModel("mode '", mode, "' is not one of ",
                    upsample      ? "nearest, linear"
                    : opset >= 11 ? "nearest, linear, cubic"
                                  : "nearest, linear");
  }
  return OkStatus();
}

Status ParseCoordMode(const std::string& s, CoordMode* out) {
  static const struct {
    const char* name;
    CoordMode mode;
  } kModes[] = {
      {"half_pixel", CoordMode::kHalfPixel},
      {"pytorch_half_pixel", CoordMode::kPytorchHalfPixel},
      {"align_corners", CoordMode::kAlignCorners},
      {"asymmetric", CoordMode::kAsymmetric},
      // Dropped from the spec in opset 13 but still written by converters; accepted as ONNX Runtime does.
      {"tf_half_pixel_for_nn", CoordMode::kTfHalfPixelForNN},
      {"tf_crop_and_resize", CoordMode::kTfCropAndResize}};
  for (const auto& m : kModes) {
    if (s == m.name) {
      *out = m.mode;
      return OkStatus();
    }
  }
  return BadModel("coordinate_transformation_mode '", s,
                  "' is not one of half_pixel, pytorch_half_pixel, align_corners, asymmetric, "
                  "tf_half_pixel_for_nn, tf_crop_and_resize");
}

Status ParseNearestMode(const std::string& s, NearestRule* out) {
  if (s == "round_prefer_floor")
    *out = NearestRule::kRoundPreferFloor;
  else if (s == "round_prefer_ceil")
    *out = NearestRule::kRoundPreferCeil;
  else if (s == "floor")
    *out = NearestRule::kFloor;
  else if (s == "ceil")
    *out = NearestRule::kCeil;
  else
    return BadModel("nearest_mode '", s,
                    "' is not one of round_prefer_floor, round_prefer_ceil, floor, ceil");
  return OkStatus();
}

Status ParseResize11(const ParseContext& ctx, ResizeAttrs* a) {
  std::string coord, nearest;
  WC_RETURN_IF_ERROR(ctx.attrs.String("coordinate_transformation_mode", "half_pixel", &coord));
  WC_RETURN_IF_ERROR(ParseCoordMode(coord, &a->coord));
  WC_RETURN_IF_ERROR(ctx.attrs.String("nearest_mode", "round_prefer_floor", &nearest));
  WC_RETURN_IF_ERROR(ParseNearestMode(nearest, &a->nearest));
  float cubic_a = -0.75f, extrapolation = 0;
  WC_RETURN_IF_ERROR(ctx.attrs.Float("cubic_coeff_a", -0.75f, &cubic_a));
  WC_RETURN_IF_ERROR(ctx.attrs.Float("extrapolation_value", 0, &extrapolation));
  a->cubic_a = cubic_a;
  a->extrapolation = extrapolation;
  int64_t exclude = 0;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("exclude_outside", 0, &exclude));
  if (exclude != 0 && exclude != 1) return BadModel("exclude_outside is ", exclude, "; it must be 0 or 1");
  // Only cubic reads neighbours beyond the edge, so the attribute changes nothing in the other modes.
  a->exclude_outside = exclude == 1;
  a->roi_input = 1;
  a->scales_input = 2;
  a->sizes_input = 3;
  return OkStatus();
}

Status ParseUpsampleScales(const ParseContext& ctx, ResizeAttrs* a) {
  if (ctx.opset >= 9) {
    a->scales_input = 1;
    return OkStatus();
  }
  if (ctx.opset >= 7) {
    if (!ctx.attrs.Has("scales")) return BadModel("Upsample-", ctx.opset, " needs the 'scales' attribute");
    return ctx.attrs.Floats("scales", &a->scales_attr);
  }
  // Upsample-1 scales the two innermost axes of an [N, C, H, W] tensor.
  float h = 0, w = 0;
  if (!ctx.attrs.Has("height_scale") || !ctx.attrs.Has("width_scale"))
    return BadModel("Upsample-1 needs the 'height_scale' and 'width_scale' attributes");
  WC_RETURN_IF_ERROR(ctx.attrs.Float("height_scale", 1, &h));
  WC_RETURN_IF_ERROR(ctx.attrs.Float("width_scale", 1, &w));
  a->scales_attr = {1.0f, 1.0f, h, w};
  a->four_d = true;
  return OkStatus();
}

}  // namespace

Result<ResizeAttrs> ParseResizeAttrs(const ParseContext& ctx, bool upsample) {
  ResizeAttrs a;
  a.upsample = upsample;
  if (upsample) {
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, ctx.opset >= 9 ? 2 : 1, ctx.opset >= 9 ? 2 : 1));
  } else if (ctx.opset >= 13) {
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 4));
  } else if (ctx.opset >= 11) {
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, 3, 4));
  } else {
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 2));
  }
  if (ctx.num_outputs != 1) return BadModel("expects 1 output, got ", ctx.num_outputs);
  std::string mode;
  WC_RETURN_IF_ERROR(ctx.attrs.String("mode", "nearest", &mode));
  WC_RETURN_IF_ERROR(ParseMode(mode, upsample, ctx.opset, &a));
  if (upsample) {
    WC_RETURN_IF_ERROR(ParseUpsampleScales(ctx, &a));
  } else if (ctx.opset >= 11) {
    WC_RETURN_IF_ERROR(ParseResize11(ctx, &a));
  } else {
    a.scales_input = 1;
  }
  if (upsample || ctx.opset < 11) {
    // Before coordinate_transformation_mode existed, coordinates were x / scale.
    a.coord = CoordMode::kAsymmetric;
    a.legacy_nearest = true;
  }
  return a;
}

}  // namespace webconv::ops
