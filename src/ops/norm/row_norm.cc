// The float64 reference of the row normalizations: two passes per row (mean, then the mean squared
// deviation), so a large offset does not cancel the variance as E[x^2] - E[x]^2 would.
#include "ops/norm/row_norm.h"

#include <cmath>
#include <limits>

namespace webconv::ops {

int64_t RowNormProblem::ParamIndex(int64_t j, const std::vector<int64_t>& strides) const {
  int64_t index = 0;
  for (size_t k = row_dims.size(); k-- > 0;) {
    index += (j % row_dims[k]) * strides[k];
    j /= row_dims[k];
  }
  return index;
}

void RowStatistics(const RowNormProblem& p, const HostTensor& x, std::vector<double>* mean,
                   std::vector<double>* invstd) {
  mean->assign(static_cast<size_t>(p.rows), std::numeric_limits<double>::quiet_NaN());
  invstd->assign(static_cast<size_t>(p.rows), std::numeric_limits<double>::quiet_NaN());
  if (p.len == 0) return;
  const double n = static_cast<double>(p.len);
  for (int64_t r = 0; r < p.rows; ++r) {
    const int64_t start = r * p.len;
    double sum = 0;
    for (int64_t j = 0; j < p.len; ++j) sum += x.GetDouble(start + j);
    const double m = sum / n;
    double squares = 0;
    for (int64_t j = 0; j < p.len; ++j) {
      const double d = x.GetDouble(start + j) - m;
      squares += d * d;
    }
    (*mean)[r] = m;
    (*invstd)[r] = 1.0 / std::sqrt(squares / n + p.epsilon);
  }
}

Status RowNormReference(const RowNormProblem& p, RefContext& ctx) {
  const HostTensor& x = *ctx.inputs[0];
  const HostTensor& scale = *ctx.inputs[1];
  const HostTensor* bias = p.has_bias ? ctx.inputs[2] : nullptr;
  std::vector<double> mean, invstd;
  RowStatistics(p, x, &mean, &invstd);
  HostTensor& y = ctx.out(0);
  for (int64_t r = 0; r < p.rows; ++r) {
    for (int64_t j = 0; j < p.len; ++j) {
      const int64_t i = r * p.len + j;
      const int64_t si = p.per_row ? r % p.channels : p.ParamIndex(j, p.scale_strides);
      double v = (x.GetDouble(i) - mean[r]) * invstd[r] * scale.GetDouble(si);
      if (bias) v += bias->GetDouble(p.per_row ? r % p.channels : p.ParamIndex(j, p.bias_strides));
      y.SetDouble(i, v);
    }
  }
  for (int64_t r = 0; r < p.rows; ++r) {
    if (p.mean_output >= 0) ctx.out(p.mean_output).SetDouble(r, mean[r]);
    if (p.invstd_output >= 0) ctx.out(p.invstd_output).SetDouble(r, invstd[r]);
  }
  return OkStatus();
}

}  // namespace webconv::ops
