// RoiAlign (opsets 10 and 16): for each region of interest r (rois [R, 4]: x1, y1, x2, y2 in input
// pixels before spatial_scale) of image batch_indices[r] of X [N, C, H, W], an output_height x
// output_width grid of bins, each the average (mode avg, the default) or maximum (mode max) of
// bilinearly interpolated samples on a sampling_ratio x sampling_ratio grid per bin (0: ceil(roi extent
// / output extent) per axis). Y is [R, C, output_height, output_width]. Opset 16's default
// coordinate_transformation_mode half_pixel shifts the region by -0.5; output_half_pixel (opset 10's
// behaviour) does not, and widens regions below one pixel to one.
// As ONNX's reference and ONNX Runtime do: a sample beyond one pixel outside the image is 0, one inside
// that margin is clamped to the image; max mode takes, per sample, the largest of the four weighted
// corners. A batch index outside [0, N) or a region needing more than 65536 samples per bin is an error
// naming the node, on every backend.
#include <cmath>

#include "ops/elementwise/elementwise.h"
#include "ops/resize/resize.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops {
namespace {

constexpr int64_t kMaxSamplesPerBin = 65536;

struct RoiAlignAttrs {
  bool max = false;
  bool half_pixel = true;
  int64_t out_h = 1, out_w = 1, sampling_ratio = 0;
  float spatial_scale = 1;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 3, 3));
  auto a = std::make_shared<RoiAlignAttrs>();
  std::string mode, transform;
  WC_RETURN_IF_ERROR(ctx.attrs.String("mode", "avg", &mode));
  if (mode != "avg" && mode != "max") return BadModel("attribute mode is '", mode, "': avg or max");
  a->max = mode == "max";
  WC_RETURN_IF_ERROR(
      ctx.attrs.String("coordinate_transformation_mode", ctx.opset >= 16 ? "half_pixel" : "output_half_pixel", &transform));
  if (transform != "half_pixel" && transform != "output_half_pixel")
    return BadModel("attribute coordinate_transformation_mode is '", transform, "': half_pixel or output_half_pixel");
  a->half_pixel = transform == "half_pixel";
  WC_RETURN_IF_ERROR(ctx.attrs.Int("output_height", 1, &a->out_h));
  WC_RETURN_IF_ERROR(ctx.attrs.Int("output_width", 1, &a->out_w));
  WC_RETURN_IF_ERROR(ctx.attrs.Int("sampling_ratio", 0, &a->sampling_ratio));
  WC_RETURN_IF_ERROR(ctx.attrs.Float("spatial_scale", 1.0f, &a->spatial_scale));
  if (a->out_h < 1 || a->out_w < 1) return BadModel("output_height and output_width must be >= 1");
  if (a->sampling_ratio < 0 || a->sampling_ratio * a->sampling_ratio > kMaxSamplesPerBin)
    return BadModel("attribute sampling_ratio is ", a->sampling_ratio, ": it must lie in [0, 256]");
  *out = a;
  return OkStatus();
}

Status Check(const std::vector<TensorInfo>& in) {
  const TensorInfo &x = in[0], &rois = in[1], &idx = in[2];
  if (!IsFloat(x.dtype)) return BadModel("X has type ", DTypeName(x.dtype), ": a float type is needed");
  if (x.shape.size() != 4) return BadModel("X has shape ", ShapeString(x.shape), ": [N, C, H, W] is needed");
  if (rois.dtype != x.dtype) return BadModel("rois has type ", DTypeName(rois.dtype), ", X ", DTypeName(x.dtype));
  if (rois.shape.size() != 2 || rois.shape[1] != 4)
    return BadModel("rois has shape ", ShapeString(rois.shape), ": [num_rois, 4] is needed");
  if (idx.dtype != DType::kInt64) return BadModel("batch_indices has type ", DTypeName(idx.dtype), ", expected int64");
  if (idx.shape != Shape{rois.shape[0]})
    return BadModel("batch_indices has shape ", ShapeString(idx.shape), ", expected [", rois.shape[0], "]");
  return OkStatus();
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<RoiAlignAttrs>();
  WC_RETURN_IF_ERROR(Check(ctx.inputs));
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = {ctx.inputs[1].shape[0], ctx.inputs[0].shape[1], a.out_h, a.out_w};
  return OkStatus();
}

Status BadBatchIndex(const int64_t* value, int64_t roi, int64_t images) {
  return BadModel("batch_indices[", roi, "] is ", value ? std::to_string(*value) : std::string("a value"),
                  ": it must lie in [0, ", images, ")");
}

Status TooManySamples(int64_t roi) {
  return BadModel("region ", roi, " needs more than ", kMaxSamplesPerBin,
                  " samples per bin (sampling_ratio 0 takes ceil(region extent / output extent) per axis)");
}

// The sample at (y, x) of one image plane, with its four weighted corners (ONNX's bilinear rule).
double Sample(const HostTensor& x, int64_t plane, int64_t H, int64_t W, double y, double xx, bool max) {
  if (y < -1.0 || y > static_cast<double>(H) || xx < -1.0 || xx > static_cast<double>(W)) return 0;
  y = std::max(y, 0.0);
  xx = std::max(xx, 0.0);
  int64_t y0 = static_cast<int64_t>(y), x0 = static_cast<int64_t>(xx), y1, x1;
  if (y0 >= H - 1) y0 = y1 = H - 1, y = static_cast<double>(y0);
  else y1 = y0 + 1;
  if (x0 >= W - 1) x0 = x1 = W - 1, xx = static_cast<double>(x0);
  else x1 = x0 + 1;
  const double ly = y - static_cast<double>(y0), lx = xx - static_cast<double>(x0), hy = 1 - ly, hx = 1 - lx;
  auto v = [&](int64_t r, int64_t c) { return x.GetDouble(plane + r * W + c); };
  const double a = hy * hx * v(y0, x0), b = hy * lx * v(y0, x1), c = ly * hx * v(y1, x0), d = ly * lx * v(y1, x1);
  return max ? std::max(std::max(a, b), std::max(c, d)) : a + b + c + d;
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<RoiAlignAttrs>();
  WC_RETURN_IF_ERROR(Check(ctx.input_infos()));
  const HostTensor &x = *ctx.inputs[0], &rois = *ctx.inputs[1], &idx = *ctx.inputs[2];
  const int64_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3], R = rois.shape()[0];
  HostTensor& y = ctx.out(0);
  const double offset = a.half_pixel ? 0.5 : 0.0, scale = a.spatial_scale;
  for (int64_t r = 0; r < R; ++r) {
    const int64_t n = idx.GetInt(r);
    if (n < 0 || n >= N) return BadBatchIndex(&n, r, N);
    const double x1 = rois.GetDouble(r * 4) * scale - offset, y1 = rois.GetDouble(r * 4 + 1) * scale - offset;
    double w = rois.GetDouble(r * 4 + 2) * scale - offset - x1, h = rois.GetDouble(r * 4 + 3) * scale - offset - y1;
    if (!a.half_pixel) w = std::max(w, 1.0), h = std::max(h, 1.0);
    const double bin_h = h / static_cast<double>(a.out_h), bin_w = w / static_cast<double>(a.out_w);
    const double gh = a.sampling_ratio > 0 ? static_cast<double>(a.sampling_ratio) : std::ceil(h / static_cast<double>(a.out_h));
    const double gw = a.sampling_ratio > 0 ? static_cast<double>(a.sampling_ratio) : std::ceil(w / static_cast<double>(a.out_w));
    if (!(gh * gw <= static_cast<double>(kMaxSamplesPerBin))) return TooManySamples(r);
    const int64_t grid_h = static_cast<int64_t>(gh), grid_w = static_cast<int64_t>(gw);
    const double count = static_cast<double>(std::max<int64_t>(grid_h * grid_w, 1));
    for (int64_t c = 0; c < C; ++c) {
      const int64_t plane = (n * C + c) * H * W;
      for (int64_t ph = 0; ph < a.out_h; ++ph)
        for (int64_t pw = 0; pw < a.out_w; ++pw) {
          double acc = 0;
          bool first = true;
          for (int64_t iy = 0; iy < grid_h; ++iy)
            for (int64_t ix = 0; ix < grid_w; ++ix) {
              const double sy = y1 + static_cast<double>(ph) * bin_h + (static_cast<double>(iy) + 0.5) * bin_h / gh;
              const double sx = x1 + static_cast<double>(pw) * bin_w + (static_cast<double>(ix) + 0.5) * bin_w / gw;
              const double v = Sample(x, plane, H, W, sy, sx, a.max);
              acc = a.max ? (first ? v : std::max(acc, v)) : acc + v;
              first = false;
            }
          y.SetDouble(((r * C + c) * a.out_h + ph) * a.out_w + pw, a.max ? acc : acc / count);
        }
    }
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<RoiAlignAttrs>();
  WC_RETURN_IF_ERROR(Check(ctx.inputs));
  const TensorInfo &x = ctx.inputs[0], &rois = ctx.inputs[1];
  if (!IsGpuFloat(x.dtype)) return BadModel("X has type ", DTypeName(x.dtype), ": WebGPU holds float32 and float16");
  const Shape out = {rois.shape[0], x.shape[1], a.out_h, a.out_w};
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements(out, "output"));
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements(x.shape, "X"));
  const int64_t total = NumElements(out);
  if (total == 0) return OkStatus();
  // Two checks, each in its own slot: batch indices (input 2), and regions too large (reported through
  // rois, input 1: the word holds num_rois * 4 - 4r for region r).
  const int64_t images = x.shape[0];
  GpuIndexCheck batch_check;
  batch_check.indices_input = 2;
  batch_check.describe = [images](int64_t position, const int64_t* value) { return BadBatchIndex(value, position, images); };
  const uint32_t batch_slot = ctx.CheckIndices(std::move(batch_check));
  GpuIndexCheck size_check;
  size_check.indices_input = 1;
  size_check.describe = [](int64_t position, const int64_t*) { return TooManySamples(position / 4); };
  const uint32_t size_slot = ctx.CheckIndices(std::move(size_check));
  gpu::KernelBuilder b(std::string("roi_align_") + (a.max ? "max" : "avg") + (a.half_pixel ? "_half_pixel" : ""));
  b.Input("X", gpu::ScalarType::kF32).Input("R", gpu::ScalarType::kF32).Input("B", gpu::ScalarType::kI32);
  b.Output("Y", gpu::ScalarType::kF32).Atomic("index_error");
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(total));
  u.AddU32("images", static_cast<uint32_t>(images));
  u.AddU32("channels", static_cast<uint32_t>(x.shape[1]));
  u.AddU32("in_h", static_cast<uint32_t>(x.shape[2]));
  u.AddU32("in_w", static_cast<uint32_t>(x.shape[3]));
  u.AddU32("out_h", static_cast<uint32_t>(a.out_h));
  u.AddU32("out_w", static_cast<uint32_t>(a.out_w));
  u.AddU32("rois", static_cast<uint32_t>(rois.shape[0]));
  u.AddU32("sampling", static_cast<uint32_t>(a.sampling_ratio));
  u.AddF32("scale", a.spatial_scale);
  u.AddU32("batch_slot", batch_slot);
  u.AddU32("size_slot", size_slot);
  const std::string max = a.max ? "true" : "false";
  std::string helpers =
      "fn sample(plane: u32, y_in: f32, x_in: f32) -> f32 {\n"
      "  let H = f32(u.in_h);\n  let W = f32(u.in_w);\n"
      "  if (y_in < -1.0 || y_in > H || x_in < -1.0 || x_in > W) { return 0.0; }\n"
      "  var y = max(y_in, 0.0);\n  var x = max(x_in, 0.0);\n"
      "  var y0 = u32(y);\n  var x0 = u32(x);\n  var y1 = y0 + 1u;\n  var x1 = x0 + 1u;\n"
      "  if (y0 >= u.in_h - 1u) { y0 = u.in_h - 1u; y1 = y0; y = f32(y0); }\n"
      "  if (x0 >= u.in_w - 1u) { x0 = u.in_w - 1u; x1 = x0; x = f32(x0); }\n"
      "  let ly = y - f32(y0);\n  let lx = x - f32(x0);\n  let hy = 1.0 - ly;\n  let hx = 1.0 - lx;\n"
      "  let a = hy * hx * X[plane + y0 * u.in_w + x0];\n"
      "  let b = hy * lx * X[plane + y0 * u.in_w + x1];\n"
      "  let c = ly * hx * X[plane + y1 * u.in_w + x0];\n"
      "  let d = ly * lx * X[plane + y1 * u.in_w + x1];\n"
      "  if (" + max + ") { return max(max(a, b), max(c, d)); }\n"
      "  return a + b + c + d;\n}\n";
  std::string body =
      "let pw = i % u.out_w;\n"
      "  let ph = (i / u.out_w) % u.out_h;\n"
      "  let c = (i / (u.out_w * u.out_h)) % u.channels;\n"
      "  let r = i / (u.out_w * u.out_h * u.channels);\n"
      "  let bi = B[r];\n"
      "  if (bi < 0 || bi >= i32(u.images)) {\n"
      "    if (c == 0u && ph == 0u && pw == 0u) { atomicMax(&index_error[u.batch_slot], u.rois - r); }\n"
      "    Y[i] = 0.0;\n    return;\n  }\n"
      "  let offset = " + std::string(a.half_pixel ? "0.5" : "0.0") + ";\n"
      "  let x1 = R[4u * r] * u.scale - offset;\n  let y1 = R[4u * r + 1u] * u.scale - offset;\n"
      "  var w = R[4u * r + 2u] * u.scale - offset - x1;\n  var h = R[4u * r + 3u] * u.scale - offset - y1;\n" +
      std::string(a.half_pixel ? "" : "  w = max(w, 1.0);\n  h = max(h, 1.0);\n") +
      "  let bin_h = h / f32(u.out_h);\n  let bin_w = w / f32(u.out_w);\n"
      "  let gh = select(ceil(h / f32(u.out_h)), f32(u.sampling), u.sampling > 0u);\n"
      "  let gw = select(ceil(w / f32(u.out_w)), f32(u.sampling), u.sampling > 0u);\n"
      "  if (!(gh * gw <= " + std::to_string(kMaxSamplesPerBin) + ".0)) {\n"
      "    if (c == 0u && ph == 0u && pw == 0u) { atomicMax(&index_error[u.size_slot], 4u * (u.rois - r)); }\n"
      "    Y[i] = 0.0;\n    return;\n  }\n"
      "  let grid_h = u32(gh);\n  let grid_w = u32(gw);\n"
      "  let plane = (u32(bi) * u.channels + c) * u.in_h * u.in_w;\n"
      "  var acc = 0.0;\n  var first = true;\n"
      "  for (var iy = 0u; iy < grid_h; iy = iy + 1u) {\n"
      "    for (var ix = 0u; ix < grid_w; ix = ix + 1u) {\n"
      "      let sy = y1 + f32(ph) * bin_h + (f32(iy) + 0.5) * bin_h / gh;\n"
      "      let sx = x1 + f32(pw) * bin_w + (f32(ix) + 0.5) * bin_w / gw;\n"
      "      let v = sample(plane, sy, sx);\n"
      "      if (" + max + ") { acc = select(max(acc, v), v, first); } else { acc = acc + v; }\n"
      "      first = false;\n"
      "    }\n  }\n"
      "  Y[i] = select(acc / f32(max(grid_h * grid_w, 1u)), acc, " + max + ");";
  b.Body(helpers + ElementwiseMain(body));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(total), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::In(1), GpuContext::In(2), GpuContext::Out(0), GpuContext::IndexCheckWords()},
               groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> RoiAlignRows() {
  OpSchema s;
  s.op_type = "RoiAlign";
  s.min_opset = 10;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes = "avg and max (max of weighted corners, as ONNX Runtime); half_pixel and output_half_pixel; at most 65536 "
            "samples per bin";
  return {s};
}

}  // namespace webconv::ops
