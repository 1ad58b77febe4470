// Output sizes and pads of ConvTranspose per axis: the shared window geometry (ops/window/geometry.h)
// with this op's attributes. The rules, checked against the ONNX backend data and ONNX Runtime 1.30:
// - total = stride * (in - 1) + output_padding + dilated_kernel - wanted size;
// - total >= 0: SAME_UPPER puts total / 2 at the beginning, every other mode total - total / 2 (spec);
// - output_shape with total < 0: the output extends past the full result at the end (zeros there);
// - SAME with total < 0: pads are never negative, so the output is the full result.
#include "ops/conv_transpose/conv_transpose.h"

namespace webconv::ops {

Result<std::vector<AxisGeometry>> ResolveTransposeAxes(const ConvTransposeAttrs& a, const Shape& spatial_in,
                                                       const std::vector<int64_t>& kernel) {
  return ResolveTranspose(a.window, spatial_in, kernel, a.output_padding, a.output_shape);
}

}  // namespace webconv::ops
