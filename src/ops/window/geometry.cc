#include "ops/window/geometry.h"

#include <algorithm>

namespace webconv::ops {

Result<AutoPad> ParseAutoPad(const std::string& s) {
  if (s.empty() || s == "NOTSET") return AutoPad::kNotSet;
  if (s == "VALID") return AutoPad::kValid;
  if (s == "SAME_UPPER") return AutoPad::kSameUpper;
  if (s == "SAME_LOWER") return AutoPad::kSameLower;
  return BadModel("auto_pad '", s, "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
}

const char* AutoPadName(AutoPad p) {
  switch (p) {
    case AutoPad::kNotSet: return "NOTSET";
    case AutoPad::kValid: return "VALID";
    case AutoPad::kSameUpper: return "SAME_UPPER";
    case AutoPad::kSameLower: return "SAME_LOWER";
  }
  return "?";
}

namespace {

// Bounds keep every product below 2^62 so later arithmetic cannot overflow.
constexpr int64_t kMaxWindowValue = int64_t{1} << 31;

Status CheckList(const char* name, const std::vector<int64_t>& v, int64_t min) {
  for (int64_t x : v)
    if (x < min || x > kMaxWindowValue) return BadModel(name, " has value ", x, ", expected ", min, "..2^31");
  return OkStatus();
}

Status CheckLength(const char* name, const std::vector<int64_t>& v, size_t want) {
  if (!v.empty() && v.size() != want)
    return BadModel(name, " has ", v.size(), " values for ", want, " spatial axes");
  return OkStatus();
}

int64_t CeilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

Status ParseWindowAttrs(const AttrReader& attrs, bool pool, WindowAttrs* out) {
  std::string auto_pad;
  WC_RETURN_IF_ERROR(attrs.String("auto_pad", "NOTSET", &auto_pad));
  WC_ASSIGN_OR_RETURN(out->auto_pad, ParseAutoPad(auto_pad));
  WC_RETURN_IF_ERROR(attrs.Ints("kernel_shape", &out->kernel_shape));
  WC_RETURN_IF_ERROR(attrs.Ints("strides", &out->strides));
  WC_RETURN_IF_ERROR(attrs.Ints("dilations", &out->dilations));
  WC_RETURN_IF_ERROR(attrs.Ints("pads", &out->pads));
  WC_RETURN_IF_ERROR(CheckList("kernel_shape", out->kernel_shape, 1));
  WC_RETURN_IF_ERROR(CheckList("strides", out->strides, 1));
  WC_RETURN_IF_ERROR(CheckList("dilations", out->dilations, 1));
  WC_RETURN_IF_ERROR(CheckList("pads", out->pads, 0));
  if (out->pads.size() % 2) return BadModel("pads has ", out->pads.size(), " values; it needs begin and end per axis");
  if (pool) {
    int64_t ceil_mode = 0;
    WC_RETURN_IF_ERROR(attrs.Int("ceil_mode", 0, &ceil_mode));
    if (ceil_mode != 0 && ceil_mode != 1) return BadModel("ceil_mode must be 0 or 1, got ", ceil_mode);
    out->ceil_mode = ceil_mode == 1;
  }
  return OkStatus();
}

namespace {

Result<std::vector<AxisGeometry>> Common(const WindowAttrs& a, const Shape& spatial_in,
                                         const std::vector<int64_t>& kernel) {
  const size_t n = spatial_in.size();
  if (n == 0) return BadModel("the input has no spatial axes");
  if (kernel.size() != n) return BadModel("kernel has ", kernel.size(), " axes for ", n, " spatial axes");
  WC_RETURN_IF_ERROR(CheckList("kernel", kernel, 1));
  WC_RETURN_IF_ERROR(CheckLength("strides", a.strides, n));
  WC_RETURN_IF_ERROR(CheckLength("dilations", a.dilations, n));
  if (!a.pads.empty() && a.pads.size() != 2 * n)
    return BadModel("pads has ", a.pads.size(), " values for ", n, " spatial axes (needs ", 2 * n, ")");
  std::vector<AxisGeometry> g(n);
  for (size_t i = 0; i < n; ++i) {
    g[i].in = spatial_in[i];
    g[i].kernel = kernel[i];
    g[i].stride = a.strides.empty() ? 1 : a.strides[i];
    g[i].dilation = a.dilations.empty() ? 1 : a.dilations[i];
    if (a.auto_pad == AutoPad::kNotSet && !a.pads.empty()) {
      g[i].pad_begin = a.pads[i];
      g[i].pad_end = a.pads[i + n];
    }
  }
  return g;
}

}  // namespace

Result<std::vector<AxisGeometry>> ResolveForward(const WindowAttrs& a, const Shape& spatial_in,
                                                 const std::vector<int64_t>& kernel) {
  WC_ASSIGN_OR_RETURN(auto g, Common(a, spatial_in, kernel));
  for (size_t i = 0; i < g.size(); ++i) {
    AxisGeometry& x = g[i];
    const int64_t dk = x.dilated_kernel();
    if (a.auto_pad == AutoPad::kSameUpper || a.auto_pad == AutoPad::kSameLower) {
      // SAME: out = ceil(in / stride); the padding needed is split with the odd unit at the end
      // (UPPER) or at the beginning (LOWER). The dilated kernel extent counts, as the spec says.
      x.out = CeilDiv(x.in, x.stride);
      const int64_t total = std::max<int64_t>(0, (x.out - 1) * x.stride + dk - x.in);
      x.pad_begin = a.auto_pad == AutoPad::kSameUpper ? total / 2 : total - total / 2;
      x.pad_end = total - x.pad_begin;
    } else {
      const int64_t span = x.in + x.pad_begin + x.pad_end - dk;
      if (span < 0)
        return BadModel("axis ", i, ": the kernel extent ", dk, " (kernel ", x.kernel, ", dilation ", x.dilation,
                        ") exceeds the padded input ", x.in + x.pad_begin + x.pad_end);
      // The spec's VALID formula has no ceil_mode term.
      if (a.ceil_mode && a.auto_pad != AutoPad::kValid) {
        x.out = CeilDiv(span, x.stride) + 1;
        // The last window must start inside the input or its begin padding (as ONNX Runtime and
        // PyTorch define ceil_mode); otherwise it would cover only end padding.
        if ((x.out - 1) * x.stride >= x.in + x.pad_begin) --x.out;
      } else {
        x.out = FloorDiv(span, x.stride) + 1;
      }
    }
    if (x.out < 1) return BadModel("axis ", i, ": output size ", x.out, " is below 1");
  }
  return g;
}

Result<std::vector<AxisGeometry>> ResolveTranspose(const WindowAttrs& a, const Shape& spatial_in,
                                                   const std::vector<int64_t>& kernel,
                                                   const std::vector<int64_t>& output_padding,
                                                   const std::vector<int64_t>& output_shape) {
  WC_ASSIGN_OR_RETURN(auto g, Common(a, spatial_in, kernel));
  const size_t n = g.size();
  WC_RETURN_IF_ERROR(CheckLength("output_padding", output_padding, n));
  WC_RETURN_IF_ERROR(CheckList("output_padding", output_padding, 0));
  if (!output_shape.empty() && output_shape.size() != n && output_shape.size() != n + 2)
    return BadModel("output_shape has ", output_shape.size(), " values for ", n, " spatial axes");
  WC_RETURN_IF_ERROR(CheckList("output_shape", output_shape, 1));
  for (size_t i = 0; i < n; ++i) {
    AxisGeometry& x = g[i];
    if (x.in < 1 || x.in > kMaxWindowValue)
      return BadModel("axis ", i, ": input size ", x.in, " is outside 1..2^31");
    const int64_t op = output_padding.empty() ? 0 : output_padding[i];
    if (op >= x.stride && op >= x.dilation)
      return BadModel("axis ", i, ": output_padding ", op, " must be below the stride or the dilation");
    const int64_t full = x.stride * (x.in - 1) + op + x.dilated_kernel();
    const bool same = a.auto_pad == AutoPad::kSameUpper || a.auto_pad == AutoPad::kSameLower;
    if (!output_shape.empty() || same) {
      // The requested size fixes the total padding: SAME_UPPER puts total/2 at the beginning, every
      // other mode total - total/2 (spec, test data and ONNX Runtime agree).
      const int64_t want = !output_shape.empty() ? output_shape[output_shape.size() - n + i] : x.in * x.stride;
      int64_t total = full - want;
      // SAME never pads negatively (ONNX Runtime and ONNX shape inference keep the full result); an
      // explicit output_shape beyond the full result gets zeros at the end (test_convtranspose_output_shape).
      if (total < 0 && output_shape.empty()) total = 0;
      if (total < 0) {
        x.pad_begin = 0;
        x.pad_end = total;
      } else {
        x.pad_begin = a.auto_pad == AutoPad::kSameUpper ? total / 2 : total - total / 2;
        x.pad_end = total - x.pad_begin;
      }
      x.out = full - total;
    } else {
      x.out = full - x.pad_begin - x.pad_end;
    }
    if (x.out < 1) return BadModel("axis ", i, ": output size ", x.out, " is below 1");
  }
  return g;
}

std::string DescribeGeometry(const std::vector<AxisGeometry>& g) {
  std::string s;
  for (size_t i = 0; i < g.size(); ++i) {
    const AxisGeometry& x = g[i];
    s += StrCat(i ? " " : "", "[in ", x.in, " out ", x.out, " k ", x.kernel, " s ", x.stride, " d ", x.dilation, " p ",
                x.pad_begin, "/", x.pad_end, "]");
  }
  return s;
}

}  // namespace webconv::ops

namespace webconv::ops {

bool AddPadsToWindow(WindowAttrs* a, const std::vector<int64_t>& begin, const std::vector<int64_t>& end) {
  if (a->auto_pad == AutoPad::kSameUpper || a->auto_pad == AutoPad::kSameLower) return false;
  const size_t n = begin.size();
  if (end.size() != n || (!a->pads.empty() && a->pads.size() != 2 * n)) return false;
  std::vector<int64_t> pads = a->auto_pad == AutoPad::kValid || a->pads.empty() ? std::vector<int64_t>(2 * n, 0) : a->pads;
  for (size_t i = 0; i < n; ++i) {
    pads[i] += begin[i];
    pads[i + n] += end[i];
  }
  // Folded pads skip ParseWindowAttrs; keep its bound so later products cannot overflow.
  if (!CheckList("pads", pads, 0).ok()) return false;
  a->pads = std::move(pads);
  a->auto_pad = AutoPad::kNotSet;
  return true;
}

std::vector<TapRange> TapRanges(const AxisGeometry& a) {
  std::vector<TapRange> r(static_cast<size_t>(a.kernel));
  for (int64_t k = 0; k < a.kernel; ++k) {
    TapRange& t = r[static_cast<size_t>(k)];
    t.offset = k * a.dilation - a.pad_begin;
    // o * stride + offset >= 0  and  o * stride + offset <= in - 1
    t.lo = std::max<int64_t>(0, FloorDiv(-t.offset + a.stride - 1, a.stride));
    t.hi = std::min<int64_t>(a.out, FloorDiv(a.in - 1 - t.offset, a.stride) + 1);
    if (t.hi < t.lo) t.hi = t.lo;
  }
  return r;
}

}  // namespace webconv::ops
