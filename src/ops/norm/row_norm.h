// Normalization over contiguous rows, shared by InstanceNormalization (a row is one (n, c) plane) and
// LayerNormalization (a row is everything from `axis` on): y = (x - mean) * invstd * scale + bias with
// mean and invstd = 1 / sqrt(var + epsilon) of the row (population variance). The reference computes
// the statistics in double with two passes; the GPU reduces each row with a workgroup segment.
#pragma once

#include <vector>

#include "ops/op_schema.h"

namespace webconv::ops {

std::vector<OpSchema> BatchNormRows();     // batch_norm.cc
std::vector<OpSchema> InstanceNormRows();  // instance_norm.cc
std::vector<OpSchema> LayerNormRows();     // layer_norm.cc
std::vector<OpSchema> LrnRows();           // lrn.cc
std::vector<OpSchema> MeanVarianceNormRows();  // mean_variance_norm.cc

struct RowNormProblem {
  int64_t rows = 0, len = 0;
  double epsilon = 1e-5;
  // InstanceNormalization: scale and bias per row, index row % channels.
  bool per_row = false;
  int64_t channels = 1;
  // LayerNormalization: scale and bias per element of a row, read with broadcast strides over the
  // row's dims (0 where the parameter has extent 1). No bias input: has_bias is false.
  Shape row_dims;
  std::vector<int64_t> scale_strides, bias_strides;
  bool has_bias = true;
  // Optional statistics outputs (LayerNormalization's Mean and InvStdDev), -1 when not asked for.
  int mean_output = -1, invstd_output = -1;

  // Index of the scale (or bias) value for element j of a row.
  int64_t ParamIndex(int64_t j, const std::vector<int64_t>& strides) const;
};

// Row statistics in double: mean and 1 / sqrt(var + epsilon), NaN for empty rows.
void RowStatistics(const RowNormProblem& p, const HostTensor& x, std::vector<double>* mean,
                   std::vector<double>* invstd);
// Y (output 0) and the asked-for statistics outputs; scale is input 1, bias input 2.
Status RowNormReference(const RowNormProblem& p, RefContext& ctx);
Status RowNormGpu(const RowNormProblem& p, GpuContext& ctx);

}  // namespace webconv::ops
