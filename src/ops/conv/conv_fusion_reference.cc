// The float64 reference for work fused into a Conv (ConvFusion): the checks both backends share and
// the steps applied after ConvReference. Each step follows the definition of the ONNX op it replaces
// (ops/elementwise/unary_activation.cc computes the same formulas), so a fused graph run by the CPU
// backend matches the unfused one up to float rounding.
#include <algorithm>
#include <cmath>

#include "ops/conv/conv_epilogue.h"
#include "ops/elementwise/unary.h"

namespace webconv::ops {

Shape ConvResultShape(const ConvProblem& p) {
  Shape s = p.output_shape();
  // Pooled axes are the last ones of the model's spatial axes (axis3 is front-padded to three).
  const size_t lead = 3 - p.axes.size();
  for (size_t a = lead; a < 3; ++a) s[2 + a - lead] /= p.fusion.pool[a];
  return s;
}

Shape ConvStoredShape(const ConvProblem& p) {
  Shape s = ConvResultShape(p);
  if (p.fusion.channel_total > 0) s[1] = p.fusion.channel_total;
  return s;
}

Shape ConvAddendShape(const ConvProblem& p) {
  Shape s = p.output_shape();
  if (p.fusion.channel_total > 0) s[1] = p.fusion.channel_total;
  return s;
}

bool ConvCanPoolInStore(const ConvProblem& p, const int64_t pool[3]) {
  const int64_t v = pool[0] * pool[1] * pool[2];
  if (p.out_per_group() <= 4 || (v != 2 && v != 4)) return false;
  for (int a = 0; a < 3; ++a)
    if (pool[a] < 1 || pool[a] > p.axis3[a].out) return false;
  return true;
}

void ConvPoolReference(const ConvProblem& p, const HostTensor& full, HostTensor* y) {
  const int64_t* k = p.fusion.pool;
  const AxisGeometry* g = p.axis3;
  const int64_t pd = g[0].out / k[0], ph = g[1].out / k[1], pw = g[2].out / k[2];
  const double count = static_cast<double>(p.fusion.pool_volume());
  y->mutable_data();
  for (int64_t plane = 0; plane < p.batch * p.out_channels; ++plane) {
    const int64_t in0 = plane * p.out_spatial(), out0 = plane * pd * ph * pw;
    for (int64_t d = 0; d < pd; ++d)
      for (int64_t h = 0; h < ph; ++h)
        for (int64_t w = 0; w < pw; ++w) {
          double sum = 0;
          for (int64_t a = 0; a < k[0]; ++a)
            for (int64_t b = 0; b < k[1]; ++b)
              for (int64_t c = 0; c < k[2]; ++c)
                sum += full.GetDouble(in0 + ((d * k[0] + a) * g[1].out + h * k[1] + b) * g[2].out + w * k[2] +
                                      c);
          y->SetDouble(out0 + (d * ph + h) * pw + w, sum / count);
        }
  }
}

Status CheckConvFusion(const ConvProblem& p, const std::vector<TensorInfo>& inputs) {
  const ConvFusion& f = p.fusion;
  if (f.channel_total > 0 && (f.channel_offset < 0 || f.channel_offset + p.out_channels > f.channel_total))
    return BadModel("fused placement of ", p.out_channels, " channels at offset ", f.channel_offset,
                    " does not fit ", f.channel_total, " channels");
  for (int a = 0; a < 3; ++a)
    if (f.pool[a] < 1 || f.pool[a] > p.axis3[a].out)
      return BadModel("fused pool window ", f.pool[a], " does not fit the Conv's output extent ",
                      p.axis3[a].out);
  const Shape stored = ConvAddendShape(p);
  for (const ConvFusion::Step& s : f.steps) {
    if (s.kind != ConvFusion::Step::kAdd) continue;
    if (s.input < 3 || s.input >= static_cast<int>(inputs.size()) || !inputs[s.input].present)
      return BadModel("fused Add reads input ", s.input, ", which the node does not have");
    const TensorInfo& t = inputs[s.input];
    if (t.dtype != inputs[0].dtype || t.shape != stored)
      return BadModel("fused Add's addend (input ", s.input, ") is ", DTypeName(t.dtype),
                      ShapeString(t.shape), ", expected ", DTypeName(inputs[0].dtype), ShapeString(stored));
  }
  return OkStatus();
}

void ApplyConvFusion(const ConvProblem& p, const std::vector<const HostTensor*>& inputs, HostTensor* y) {
  const ConvFusion& f = p.fusion;
  if (f.steps.empty()) return;
  const int64_t sp = p.out_spatial(), m = p.out_channels;
  const int64_t total = f.channel_total > 0 ? f.channel_total : m;
  const int64_t offset = f.channel_total > 0 ? f.channel_offset : 0;
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t co = 0; co < m; ++co) {
      const int64_t own = (n * m + co) * sp;
      const int64_t stored = (n * total + offset + co) * sp;
      for (int64_t s = 0; s < sp; ++s) {
        double v = y->GetDouble(own + s);
        for (const ConvFusion::Step& step : f.steps) {
          if (step.kind == ConvFusion::Step::kAdd)
            v += inputs[step.input]->GetDouble(stored + s);
          else
            v = PointwiseValue(step.fn, v);
        }
        y->SetDouble(own + s, v);
      }
    }
  }
}

}  // namespace webconv::ops
