// The float64 reference Conv: a direct loop over outputs, accumulating in double. Each output clips
// its kernel window to the input once per axis (signed bases), so padding costs no per-tap branch.
#include "ops/conv/conv.h"

namespace webconv::ops {
namespace {

std::vector<double> ToDoubles(const HostTensor& t) {
  std::vector<double> v(static_cast<size_t>(t.num_elements()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = t.GetDouble(static_cast<int64_t>(i));
  return v;
}

// First and one-past-last kernel tap whose input coordinate lies inside [0, in).
void ClipTaps(const AxisGeometry& a, int64_t base, int64_t* k0, int64_t* k1) {
  *k0 = base >= 0 ? 0 : (-base + a.dilation - 1) / a.dilation;
  const int64_t last = a.in - 1 - base;  // largest offset k * dilation may reach
  *k1 = last < 0 ? 0 : std::min(a.kernel, last / a.dilation + 1);
  if (*k1 < *k0) *k1 = *k0;
}

}  // namespace

Status ConvReference(const ConvProblem& p, const HostTensor& x, const HostTensor& w, const HostTensor* bias,
                     HostTensor* y) {
  const std::vector<double> xv = ToDoubles(x), wv = ToDoubles(w);
  const AxisGeometry &ad = p.axis3[0], &ah = p.axis3[1], &aw = p.axis3[2];
  const int64_t cin_g = p.in_per_group(), cout_g = p.out_per_group();
  const int64_t in_sp = p.in_spatial(), out_sp = p.out_spatial(), kvol = p.kernel_volume();
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t co = 0; co < p.out_channels; ++co) {
      const int64_t g = co / cout_g;
      const double b = bias ? bias->GetDouble(co) : 0.0;
      for (int64_t od = 0; od < ad.out; ++od) {
        const int64_t bd = od * ad.stride - ad.pad_begin;
        int64_t kd0, kd1;
        ClipTaps(ad, bd, &kd0, &kd1);
        for (int64_t oh = 0; oh < ah.out; ++oh) {
          const int64_t bh = oh * ah.stride - ah.pad_begin;
          int64_t kh0, kh1;
          ClipTaps(ah, bh, &kh0, &kh1);
          for (int64_t ow = 0; ow < aw.out; ++ow) {
            const int64_t bw = ow * aw.stride - aw.pad_begin;
            int64_t kw0, kw1;
            ClipTaps(aw, bw, &kw0, &kw1);
            double acc = b;
            for (int64_t ci = 0; ci < cin_g; ++ci) {
              const double* xc = xv.data() + (n * p.in_channels + g * cin_g + ci) * in_sp;
              const double* wc = wv.data() + (co * cin_g + ci) * kvol;
              for (int64_t kd = kd0; kd < kd1; ++kd) {
                const int64_t id = bd + kd * ad.dilation;
                for (int64_t kh = kh0; kh < kh1; ++kh) {
                  const int64_t ih = bh + kh * ah.dilation;
                  const double* xrow = xc + (id * ah.in + ih) * aw.in;
                  const double* wrow = wc + (kd * ah.kernel + kh) * aw.kernel;
                  for (int64_t kw = kw0; kw < kw1; ++kw) acc += xrow[bw + kw * aw.dilation] * wrow[kw];
                }
              }
            }
            y->SetDouble((n * p.out_channels + co) * out_sp + (od * ah.out + oh) * aw.out + ow, acc);
          }
        }
      }
    }
  }
  return OkStatus();
}

}  // namespace webconv::ops
