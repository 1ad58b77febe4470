// GridSample (opset 16): samples X [N, C, H, W] at the points of grid [N, Ho, Wo, 2] ((x, y) each in
// [-1, 1] across the input's width and height) into Y [N, C, Ho, Wo], with mode bilinear (the default),
// nearest or bicubic, padding_mode zeros (the default), border or reflection, and align_corners. ONNX's
// backend cases are PyTorch's grid_sample outputs, and this follows its definition:
// - a grid value g becomes the input coordinate (g + 1) / 2 * (size - 1) with align_corners, else
//   ((g + 1) * size - 1) / 2;
// - border clamps a coordinate to [0, size - 1]; reflection reflects it about the edges (the pixel
//   centres with align_corners, the outer pixel edges without) and then clamps it; zeros leaves it;
// - bilinear and nearest transform the sampling point itself (nearest rounds half to even), bicubic
//   (A = -0.75 over 4 x 4 taps) transforms each tap's coordinate instead;
// - a read outside the input is 0.
#include <cmath>

#include "ops/elementwise/elementwise.h"
#include "ops/resize/resize.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops {
namespace {

struct GridSampleAttrs {
  enum Mode { kBilinear, kNearest, kBicubic } mode = kBilinear;
  enum Padding { kZeros, kBorder, kReflection } padding = kZeros;
  bool align_corners = false;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 2));
  auto a = std::make_shared<GridSampleAttrs>();
  std::string mode, padding;
  WC_RETURN_IF_ERROR(ctx.attrs.String("mode", "bilinear", &mode));
  WC_RETURN_IF_ERROR(ctx.attrs.String("padding_mode", "zeros", &padding));
  if (mode == "bilinear") a->mode = GridSampleAttrs::kBilinear;
  else if (mode == "nearest") a->mode = GridSampleAttrs::kNearest;
  else if (mode == "bicubic") a->mode = GridSampleAttrs::kBicubic;
  else return BadModel("attribute mode is '", mode, "': bilinear, nearest or bicubic");
  if (padding == "zeros") a->padding = GridSampleAttrs::kZeros;
  else if (padding == "border") a->padding = GridSampleAttrs::kBorder;
  else if (padding == "reflection") a->padding = GridSampleAttrs::kReflection;
  else return BadModel("attribute padding_mode is '", padding, "': zeros, border or reflection");
  int64_t align = 0;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("align_corners", 0, &align));
  a->align_corners = align != 0;
  *out = a;
  return OkStatus();
}

Status Check(const TensorInfo& x, const TensorInfo& grid) {
  if (!IsFloat(x.dtype)) return BadModel("X has type ", DTypeName(x.dtype), ": a float type is needed");
  if (grid.dtype != x.dtype) return BadModel("grid has type ", DTypeName(grid.dtype), ", X ", DTypeName(x.dtype));
  if (x.shape.size() != 4) return BadModel("X has shape ", ShapeString(x.shape), ": [N, C, H, W] is needed");
  if (grid.shape.size() != 4 || grid.shape[0] != x.shape[0] || grid.shape[3] != 2)
    return BadModel("grid has shape ", ShapeString(grid.shape), ": [", x.shape[0], ", Ho, Wo, 2] is needed");
  return OkStatus();
}

Status Infer(InferContext& ctx) {
  const TensorInfo &x = ctx.inputs[0], &grid = ctx.inputs[1];
  WC_RETURN_IF_ERROR(Check(x, grid));
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = {x.shape[0], x.shape[1], grid.shape[1], grid.shape[2]};
  return OkStatus();
}

double Unnormalize(double g, int64_t size, bool align) {
  return align ? (g + 1) / 2 * static_cast<double>(size - 1) : ((g + 1) * static_cast<double>(size) - 1) / 2;
}

// PyTorch's reflect_coordinates: reflect x into [twice_low / 2, twice_high / 2].
double Reflect(double x, double twice_low, double twice_high) {
  if (twice_low == twice_high) return 0;
  const double low = twice_low / 2, span = (twice_high - twice_low) / 2;
  x = std::fabs(x - low);
  const double extra = std::fmod(x, span);
  const double flips = std::floor(x / span);
  return std::fmod(flips, 2.0) == 0 ? extra + low : span - extra + low;
}

double Transform(const GridSampleAttrs& a, double x, int64_t size) {
  if (a.padding == GridSampleAttrs::kZeros) return x;
  if (a.padding == GridSampleAttrs::kReflection)
    x = a.align_corners ? Reflect(x, 0, 2.0 * static_cast<double>(size - 1))
                        : Reflect(x, -1, 2.0 * static_cast<double>(size) - 1);
  return std::min(static_cast<double>(size - 1), std::max(0.0, x));
}

void CubicCoefficients(double t, double c[4]) {
  const double A = -0.75;
  auto near = [&](double x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };
  auto far = [&](double x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; };
  c[0] = far(t + 1), c[1] = near(t), c[2] = near(1 - t), c[3] = far(2 - t);
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<GridSampleAttrs>();
  const HostTensor &x = *ctx.inputs[0], &grid = *ctx.inputs[1];
  const auto infos = ctx.input_infos();
  WC_RETURN_IF_ERROR(Check(infos[0], infos[1]));
  const int64_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  const int64_t Ho = grid.shape()[1], Wo = grid.shape()[2];
  HostTensor& y = ctx.out(0);
  auto pixel = [&](int64_t n, int64_t c, int64_t r, int64_t col) {
    return r >= 0 && r < H && col >= 0 && col < W ? x.GetDouble(((n * C + c) * H + r) * W + col) : 0.0;
  };
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < Ho; ++oh)
      for (int64_t ow = 0; ow < Wo; ++ow) {
        const int64_t g = ((n * Ho + oh) * Wo + ow) * 2;
        double ix = Unnormalize(grid.GetDouble(g), W, a.align_corners);
        double iy = Unnormalize(grid.GetDouble(g + 1), H, a.align_corners);
        for (int64_t c = 0; c < C; ++c) {
          double v = 0;
          if (a.mode == GridSampleAttrs::kBicubic) {
            const double x0 = std::floor(ix), y0 = std::floor(iy);
            double cx[4], cy[4];
            CubicCoefficients(ix - x0, cx);
            CubicCoefficients(iy - y0, cy);
            for (int j = 0; j < 4; ++j)
              for (int i = 0; i < 4; ++i) {
                // Each tap's coordinate goes through the padding transform (as get_value_bounded does).
                const double tx = Transform(a, x0 - 1 + i, W), ty = Transform(a, y0 - 1 + j, H);
                v += cy[j] * cx[i] * pixel(n, c, static_cast<int64_t>(ty), static_cast<int64_t>(tx));
              }
          } else {
            const double sx = Transform(a, ix, W), sy = Transform(a, iy, H);
            if (a.mode == GridSampleAttrs::kNearest) {
              v = pixel(n, c, static_cast<int64_t>(std::nearbyint(sy)), static_cast<int64_t>(std::nearbyint(sx)));
            } else {
              const double x0 = std::floor(sx), y0 = std::floor(sy), fx = sx - x0, fy = sy - y0;
              const int64_t xi = static_cast<int64_t>(x0), yi = static_cast<int64_t>(y0);
              v = (1 - fy) * ((1 - fx) * pixel(n, c, yi, xi) + fx * pixel(n, c, yi, xi + 1)) +
                  fy * ((1 - fx) * pixel(n, c, yi + 1, xi) + fx * pixel(n, c, yi + 1, xi + 1));
            }
          }
          y.SetDouble(((n * C + c) * Ho + oh) * Wo + ow, v);
        }
      }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<GridSampleAttrs>();
  const TensorInfo &x = ctx.inputs[0], &grid = ctx.inputs[1];
  WC_RETURN_IF_ERROR(Check(x, grid));
  if (!IsGpuFloat(x.dtype)) return BadModel("X has type ", DTypeName(x.dtype), ": WebGPU holds float32 and float16");
  const Shape out = {x.shape[0], x.shape[1], grid.shape[1], grid.shape[2]};
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements(out, "output"));
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements(x.shape, "X"));
  const int64_t total = NumElements(out);
  if (total == 0) return OkStatus();
  static const char* kModes[] = {"bilinear", "nearest", "bicubic"};
  static const char* kPads[] = {"zeros", "border", "reflection"};
  gpu::KernelBuilder b(std::string("grid_sample_") + kModes[a.mode] + "_" + kPads[a.padding] +
                       (a.align_corners ? "_aligned" : ""));
  b.Input("X", gpu::ScalarType::kF32).Input("G", gpu::ScalarType::kF32).Output("Y", gpu::ScalarType::kF32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(total));
  u.AddU32("channels", static_cast<uint32_t>(x.shape[1]));
  u.AddU32("in_h", static_cast<uint32_t>(x.shape[2]));
  u.AddU32("in_w", static_cast<uint32_t>(x.shape[3]));
  u.AddU32("out_h", static_cast<uint32_t>(grid.shape[1]));
  u.AddU32("out_w", static_cast<uint32_t>(grid.shape[2]));
  const std::string aligned = a.align_corners ? "true" : "false";
  std::string helpers =
      "fn unnormalize(g: f32, size: u32) -> f32 {\n"
      "  if (" + aligned + ") { return (g + 1.0) / 2.0 * f32(size - 1u); }\n"
      "  return ((g + 1.0) * f32(size) - 1.0) / 2.0;\n}\n"
      "fn reflect(v: f32, twice_low: f32, twice_high: f32) -> f32 {\n"
      "  if (twice_low == twice_high) { return 0.0; }\n"
      "  let low = twice_low / 2.0;\n  let span = (twice_high - twice_low) / 2.0;\n"
      "  let d = abs(v - low);\n  let extra = d - floor(d / span) * span;\n"
      "  let flips = floor(d / span);\n"
      "  return select(span - extra + low, extra + low, flips - floor(flips / 2.0) * 2.0 == 0.0);\n}\n"
      "fn transform(v: f32, size: u32) -> f32 {\n";
  if (a.padding == GridSampleAttrs::kZeros) {
    helpers += "  return v;\n}\n";
  } else {
    if (a.padding == GridSampleAttrs::kReflection)
      helpers += a.align_corners ? "  let r = reflect(v, 0.0, 2.0 * f32(size - 1u));\n"
                                 : "  let r = reflect(v, -1.0, 2.0 * f32(size) - 1.0);\n";
    else
      helpers += "  let r = v;\n";
    helpers += "  return clamp(r, 0.0, f32(size - 1u));\n}\n";
  }
  helpers +=
      "fn pixel(plane: u32, r: f32, c: f32) -> f32 {\n"
      "  if (r < 0.0 || r >= f32(u.in_h) || c < 0.0 || c >= f32(u.in_w)) { return 0.0; }\n"
      "  return X[plane + u32(r) * u.in_w + u32(c)];\n}\n"
      "fn cubic(t: f32) -> vec4<f32> {\n"
      "  let A = -0.75;\n"
      "  let t1 = t + 1.0;\n  let t2 = 1.0 - t;\n  let t3 = 2.0 - t;\n"
      "  return vec4<f32>(((A * t1 - 5.0 * A) * t1 + 8.0 * A) * t1 - 4.0 * A,\n"
      "                   ((A + 2.0) * t - (A + 3.0)) * t * t + 1.0,\n"
      "                   ((A + 2.0) * t2 - (A + 3.0)) * t2 * t2 + 1.0,\n"
      "                   ((A * t3 - 5.0 * A) * t3 + 8.0 * A) * t3 - 4.0 * A);\n}\n";
  std::string body =
      "let ow = i % u.out_w;\n"
      "  let oh = (i / u.out_w) % u.out_h;\n"
      "  let c = (i / (u.out_w * u.out_h)) % u.channels;\n"
      "  let n = i / (u.out_w * u.out_h * u.channels);\n"
      "  let g = ((n * u.out_h + oh) * u.out_w + ow) * 2u;\n"
      "  let ix = unnormalize(G[g], u.in_w);\n"
      "  let iy = unnormalize(G[g + 1u], u.in_h);\n"
      "  let plane = (n * u.channels + c) * u.in_h * u.in_w;\n";
  if (a.mode == GridSampleAttrs::kBicubic) {
    body += "  let x0 = floor(ix);\n  let y0 = floor(iy);\n"
            "  let cx = cubic(ix - x0);\n  let cy = cubic(iy - y0);\n"
            "  var v = 0.0;\n"
            "  for (var j = 0; j < 4; j = j + 1) {\n"
            "    for (var k = 0; k < 4; k = k + 1) {\n"
            "      let tx = transform(x0 - 1.0 + f32(k), u.in_w);\n"
            "      let ty = transform(y0 - 1.0 + f32(j), u.in_h);\n"
            "      v = v + cy[j] * cx[k] * pixel(plane, ty, tx);\n"
            "    }\n  }\n"
            "  Y[i] = v;";
  } else if (a.mode == GridSampleAttrs::kNearest) {
    body += "  Y[i] = pixel(plane, round(transform(iy, u.in_h)), round(transform(ix, u.in_w)));";
  } else {
    body += "  let sx = transform(ix, u.in_w);\n  let sy = transform(iy, u.in_h);\n"
            "  let x0 = floor(sx);\n  let y0 = floor(sy);\n"
            "  let fx = sx - x0;\n  let fy = sy - y0;\n"
            "  Y[i] = (1.0 - fy) * ((1.0 - fx) * pixel(plane, y0, x0) + fx * pixel(plane, y0, x0 + 1.0)) +\n"
            "         fy * ((1.0 - fx) * pixel(plane, y0 + 1.0, x0) + fx * pixel(plane, y0 + 1.0, x0 + 1.0));";
  }
  b.Body(helpers + ElementwiseMain(body));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(total), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::In(1), GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> GridSampleRows() {
  OpSchema s;
  s.op_type = "GridSample";
  s.min_opset = 16;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes = "4-D; bilinear, nearest, bicubic; zeros, border, reflection padding; align_corners (PyTorch's "
            "grid_sample)";
  return {s};
}

}  // namespace webconv::ops
