// Conv: attributes, resolved geometry, and the pieces the reference and the WGSL generator share.
#pragma once

#include <vector>

#include "ops/conv/geometry.h"
#include "ops/op_schema.h"

namespace webconv::ops {

struct ConvAttrs {
  WindowAttrs window;
  int64_t group = 1;
};

// Everything a Conv kernel needs, resolved from the input and weight shapes. Spatial axes are padded
// to three (1-D and 2-D are 3-D with unit axes), so one kernel family serves every rank.
struct ConvProblem {
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

// Validates X [N, C, spatial...], W [M, C/group, kernel...] and the optional bias B [M].
Result<ConvProblem> ResolveConv(const ConvAttrs& a, const TensorInfo& x, const TensorInfo& w, const TensorInfo* b);

Status ConvReference(const ConvProblem& p, const HostTensor& x, const HostTensor& w, const HostTensor* bias,
                     HostTensor* y);
Status ConvGpu(const ConvProblem& p, GpuContext& ctx);

}  // namespace webconv::ops
