// BatchNormalization: y = (x - mean) / sqrt(var + epsilon) * scale + B, with the statistics given as
// inputs (inference) or the batch's own (training_mode=1). Shared by the float64 reference and the WGSL
// generator.
#pragma once

#include <vector>

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
  // training_mode=1 (opsets 14-15): the statistics are the batch's own, per channel over N and the
  // spatial axes (population variance); outputs 1 and 2, when named, are the running statistics
  // mean * momentum + batch_mean * (1 - momentum), and likewise var.
  bool training = false;
  double momentum = 0.9;
  bool running_mean = false, running_var = false;
};

// Per channel c of a training-mode problem: the batch's mean and population variance, in double.
void BatchStatistics(const BatchNormProblem& p, const HostTensor& x, std::vector<double>* mean,
                     std::vector<double>* var);

Status BatchNormGpu(const BatchNormProblem& p, GpuContext& ctx);

}  // namespace webconv::ops
