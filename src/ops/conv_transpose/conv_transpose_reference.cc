// The float64 reference ConvTranspose, in gather form: each output accumulates, in double, the input
// taps that land on it. Per axis the (kernel tap, input index) pairs of every output position are
// listed once by enumerating every pair, so the reference shares no tap arithmetic with the WGSL
// kernel's stride phases.
#include "ops/conv_transpose/conv_transpose.h"

namespace webconv::ops {
namespace {

struct Tap {
  int64_t k, i;
};

// The (kernel tap, input index) pairs of every output position of one axis: all k, i with
// o + pad_begin == i * stride + k * dilation, 0 <= i < in, 0 <= k < kernel. Enumerated from the
// (i, k) side, so the cost follows the input and kernel sizes, and stored compactly (CSR).
struct AxisTaps {
  std::vector<int64_t> start;  // out + 1 offsets into taps
  std::vector<Tap> taps;
  const Tap* begin(int64_t o) const { return taps.data() + start[static_cast<size_t>(o)]; }
  const Tap* end(int64_t o) const { return taps.data() + start[static_cast<size_t>(o) + 1]; }
};

AxisTaps ListTaps(const AxisGeometry& a) {
  AxisTaps t;
  t.start.assign(static_cast<size_t>(a.out) + 1, 0);
  auto each = [&](auto&& fn) {
    for (int64_t i = 0; i < a.in; ++i)
      for (int64_t k = 0; k < a.kernel; ++k) {
        const int64_t o = i * a.stride + k * a.dilation - a.pad_begin;
        if (o >= 0 && o < a.out) fn(o, Tap{k, i});
      }
  };
  each([&](int64_t o, Tap) { ++t.start[static_cast<size_t>(o) + 1]; });
  for (size_t o = 1; o < t.start.size(); ++o) t.start[o] += t.start[o - 1];
  t.taps.resize(static_cast<size_t>(t.start.back()));
  std::vector<int64_t> fill(t.start.begin(), t.start.end() - 1);
  each([&](int64_t o, Tap tap) { t.taps[static_cast<size_t>(fill[static_cast<size_t>(o)]++)] = tap; });
  return t;
}

std::vector<double> ToDoubles(const HostTensor& t) {
  std::vector<double> v(static_cast<size_t>(t.num_elements()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = t.GetDouble(static_cast<int64_t>(i));
  return v;
}

}  // namespace

Status ConvTransposeReference(const ConvTransposeProblem& p, const HostTensor& x, const HostTensor& w,
                              const HostTensor* bias, HostTensor* y) {
  const std::vector<double> xv = ToDoubles(x), wv = ToDoubles(w);
  const AxisGeometry &ad = p.axis3[0], &ah = p.axis3[1], &aw = p.axis3[2];
  const AxisTaps td = ListTaps(ad), th = ListTaps(ah), tw = ListTaps(aw);
  const int64_t cin_g = p.in_per_group(), cout_g = p.out_per_group();
  const int64_t in_sp = p.in_spatial(), out_sp = p.out_spatial(), kvol = p.kernel_volume();
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t co = 0; co < p.out_channels; ++co) {
      const int64_t g = co / cout_g, m = co % cout_g;
      const double b = bias ? bias->GetDouble(co) : 0.0;
      for (int64_t od = 0; od < ad.out; ++od) {
        for (int64_t oh = 0; oh < ah.out; ++oh) {
          for (int64_t ow = 0; ow < aw.out; ++ow) {
            double acc = b;
            for (int64_t ci = 0; ci < cin_g; ++ci) {
              const int64_t c = g * cin_g + ci;
              const double* xc = xv.data() + (n * p.in_channels + c) * in_sp;
              const double* wc = wv.data() + (c * cout_g + m) * kvol;
              for (const Tap* d = td.begin(od); d != td.end(od); ++d) {
                for (const Tap* h = th.begin(oh); h != th.end(oh); ++h) {
                  const double* xrow = xc + (d->i * ah.in + h->i) * aw.in;
                  const double* wrow = wc + (d->k * ah.kernel + h->k) * aw.kernel;
                  for (const Tap* t = tw.begin(ow); t != tw.end(ow); ++t) acc += xrow[t->i] * wrow[t->k];
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
