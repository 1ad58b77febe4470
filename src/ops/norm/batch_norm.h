// BatchNormalization for inference: y = (x - mean) / sqrt(var + epsilon) * scale + B, with the
// statistics given as inputs. Shared by the float64 reference and the WGSL generator.
#pragma once

#include "ops/op_schema.h"

namespace webconv::ops {

// Element i of X uses parameter index (i / stride) % count: per channel (stride = the spatial size,
// count = C), or per element of [C, D1, ...] for the legacy spatial=0 form (stride 1, count = C x D1 x ...).
struct BatchNormProblem {
  int64_t elements = 0;
  int64_t stride = 1, count = 1;
  double epsilon = 1e-5;
  // Opsets 1-6 in test mode may name the running mean and var outputs: the statistics are not updated
  // when testing, so they are copies of the mean and var inputs.
  bool copy_mean = false, copy_var = false;
};

Status BatchNormGpu(const BatchNormProblem& p, GpuContext& ctx);

}  // namespace webconv::ops
