// Window geometry shared by Conv, ConvTranspose and the pools, and by every backend: per spatial axis
// {in, out, kernel, stride, dilation, pad_begin, pad_end}, resolved once in exact integer arithmetic.
// Padding is a typed choice (explicit begin/end, VALID, SAME_UPPER, SAME_LOWER), never a magic value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/host_tensor.h"
#include "common/status.h"
#include "ops/attr_reader.h"

namespace webconv::ops {

enum class AutoPad { kNotSet, kValid, kSameUpper, kSameLower };
Result<AutoPad> ParseAutoPad(const std::string& s);
const char* AutoPadName(AutoPad p);

struct AxisGeometry {
  int64_t in = 0, out = 0, kernel = 1, stride = 1, dilation = 1, pad_begin = 0, pad_end = 0;
  int64_t dilated_kernel() const { return (kernel - 1) * dilation + 1; }
};

// Window attributes as written in the node, validated for counts and signs at load.
struct WindowAttrs {
  AutoPad auto_pad = AutoPad::kNotSet;
  std::vector<int64_t> kernel_shape;  // empty: inferred from the weight (Conv, ConvTranspose)
  std::vector<int64_t> strides, dilations, pads;  // empty: defaults (1, 1, 0)
  bool ceil_mode = false;  // pools
};

// Reads auto_pad, kernel_shape, strides, dilations, pads (and ceil_mode when `pool`); checks that
// every value is in range: kernel, stride, dilation >= 1, pads >= 0.
Status ParseWindowAttrs(const AttrReader& attrs, bool pool, WindowAttrs* out);

// Forward windows (Conv and pools): output size per axis from the input size. `spatial_in` and
// `kernel` have one entry per spatial axis. Fails with the numbers when a list has the wrong length or
// an output size would be below 1.
Result<std::vector<AxisGeometry>> ResolveForward(const WindowAttrs& a, const Shape& spatial_in,
                                                 const std::vector<int64_t>& kernel);

// ConvTranspose: output size from the input size, output_padding and output_shape (when given).
Result<std::vector<AxisGeometry>> ResolveTranspose(const WindowAttrs& a, const Shape& spatial_in,
                                                   const std::vector<int64_t>& kernel,
                                                   const std::vector<int64_t>& output_padding,
                                                   const std::vector<int64_t>& output_shape);

// Kernel tap k on one axis reads input o * stride + offset for the outputs o in [lo, hi); outside that
// range it falls into padding. One entry per tap, so kernels clip padding once per tap and axis.
struct TapRange {
  int64_t lo = 0, hi = 0, offset = 0;
};
std::vector<TapRange> TapRanges(const AxisGeometry& a);

std::string DescribeGeometry(const std::vector<AxisGeometry>& g);  // for messages and kernel names

}  // namespace webconv::ops

namespace webconv::ops {
// Adds spatial zero padding to window attributes with auto_pad NOTSET or VALID (VALID becomes explicit
// pads); false for SAME, whose padding depends on the input size and cannot absorb extra pads exactly.
bool AddPadsToWindow(WindowAttrs* a, const std::vector<int64_t>& begin, const std::vector<int64_t>& end);
}  // namespace webconv::ops
