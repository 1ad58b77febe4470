// ConvTranspose: attributes, resolved geometry, and the pieces the reference and the WGSL generator
// share. Weight layout is [C, M/group, k...]: each input channel scatters into M/group output channels.
#pragma once

#include <vector>

#include "ops/window/geometry.h"
#include "ops/op_schema.h"

namespace webconv::ops {

struct ConvTransposeAttrs {
  WindowAttrs window;
  int64_t group = 1;
  std::vector<int64_t> output_padding;  // empty: zeros
  std::vector<int64_t> output_shape;    // empty: computed; else spatial sizes, or [N, M, spatial...]
};

// Per spatial axis, AxisGeometry reads as: `in` input size, `out` output size, and output o receives
// the input taps i, k with o + pad_begin == i * stride + k * dilation (pad_end only sizes the output).
struct ConvTransposeProblem {
  int64_t batch = 0, in_channels = 0, out_channels = 0, group = 1;
  std::vector<AxisGeometry> axes;  // the model's spatial axes (1..3)
  AxisGeometry axis3[3];           // the same, front-padded with unit axes to exactly three
  bool has_bias = false;
  int64_t in_per_group() const { return in_channels / group; }
  int64_t out_per_group() const { return out_channels / group; }
  int64_t kernel_volume() const { return axis3[0].kernel * axis3[1].kernel * axis3[2].kernel; }
  int64_t out_spatial() const { return axis3[0].out * axis3[1].out * axis3[2].out; }
  int64_t in_spatial() const { return axis3[0].in * axis3[1].in * axis3[2].in; }
  Shape output_shape() const;
};

// Validates X [N, C, spatial...], W [C, M/group, kernel...] and the optional bias B [M].
Result<ConvTransposeProblem> ResolveConvTranspose(const ConvTransposeAttrs& a, const TensorInfo& x,
                                                  const TensorInfo& w, const TensorInfo* b);

// Output sizes and pads per axis (see ResolveTranspose in ops/window/geometry.h).
Result<std::vector<AxisGeometry>> ResolveTransposeAxes(const ConvTransposeAttrs& a, const Shape& spatial_in,
                                                       const std::vector<int64_t>& kernel);

Status ConvTransposeReference(const ConvTransposeProblem& p, const HostTensor& x, const HostTensor& w,
                              const HostTensor* bias, HostTensor* y);
Status ConvTransposeGpu(const ConvTransposeProblem& p, GpuContext& ctx);
// The fast CPU backend's ConvTranspose (conv_transpose_cpu.cc): float32 X, W and B. ConvTransposeCpuHandles
// says whether it takes the node; otherwise the reference runs it.
bool ConvTransposeCpuHandles(const ConvTransposeProblem& p, const std::vector<const HostTensor*>& inputs);
Status ConvTransposeCpu(const ConvTransposeProblem& p, const std::vector<const HostTensor*>& inputs,
                        HostTensor* out);

}  // namespace webconv::ops
