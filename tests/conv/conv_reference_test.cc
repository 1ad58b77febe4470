// The float64 reference Conv (row-wise, multi-threaded) against a direct per-output loop written here
// in the obvious way. Both sum bias then taps in (ci, kd, kh, kw) order, so they must agree bit for bit
// on every problem: strides, dilations, asymmetric and SAME pads, groups, batch > 1, rank 1-3, and
// problems large enough to run on several threads.
#include <gtest/gtest.h>

#include <random>

#include "differential.h"
#include "ops/conv/conv.h"

namespace webconv::testing {
namespace {

// y[n, co, od, oh, ow] = b[co] + sum over ci, kd, kh, kw of x * w, skipping taps in the padding.
HostTensor DirectConv(const ops::ConvProblem& p, const HostTensor& x, const HostTensor& w,
                      const HostTensor* b) {
  HostTensor y(DType::kFloat64, p.output_shape());
  const ops::AxisGeometry* a = p.axis3;
  const int64_t cin_g = p.in_per_group(), cout_g = p.out_per_group();
  int64_t out = 0;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t co = 0; co < p.out_channels; ++co)
      for (int64_t od = 0; od < a[0].out; ++od)
        for (int64_t oh = 0; oh < a[1].out; ++oh)
          for (int64_t ow = 0; ow < a[2].out; ++ow) {
            double acc = b ? b->GetDouble(co) : 0.0;
            for (int64_t ci = 0; ci < cin_g; ++ci)
              for (int64_t kd = 0; kd < a[0].kernel; ++kd)
                for (int64_t kh = 0; kh < a[1].kernel; ++kh)
                  for (int64_t kw = 0; kw < a[2].kernel; ++kw) {
                    const int64_t id = od * a[0].stride - a[0].pad_begin + kd * a[0].dilation;
                    const int64_t ih = oh * a[1].stride - a[1].pad_begin + kh * a[1].dilation;
                    const int64_t iw = ow * a[2].stride - a[2].pad_begin + kw * a[2].dilation;
                    if (id < 0 || id >= a[0].in || ih < 0 || ih >= a[1].in || iw < 0 || iw >= a[2].in)
                      continue;
                    const int64_t c = co / cout_g * cin_g + ci;
                    const int64_t xi =
                        (((n * p.in_channels + c) * a[0].in + id) * a[1].in + ih) * a[2].in + iw;
                    const int64_t wi =
                        (((co * cin_g + ci) * a[0].kernel + kd) * a[1].kernel + kh) * a[2].kernel + kw;
                    acc += x.GetDouble(xi) * w.GetDouble(wi);
                  }
            y.SetDouble(out++, acc);
          }
  return y;
}

int64_t Pick(std::mt19937_64& rng, std::initializer_list<int64_t> v) {
  return *(v.begin() + static_cast<std::ptrdiff_t>(rng() % v.size()));
}

TEST(ConvReference, BitIdenticalToDirectLoop) {
  const uint64_t seed = BaseSeed(77001);
  const int count = SweepCount(80, 800);
  std::cout << "ConvReference seed " << seed << ", " << count
            << " problems (WEBCONV_SEED / WEBCONV_FULL_SWEEP)\n";
  int threaded = 0;
  for (int i = 0; i < count; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    const int rank = static_cast<int>(1 + rng() % 3);
    // Every 8th problem is large enough (over 2^20 multiply-adds) to be spread over threads.
    const bool big = i % 8 == 0;
    const int64_t group = Pick(rng, {1, 1, 2, 3});
    const int64_t cin = group * (big ? Pick(rng, {7, 9}) : Pick(rng, {1, 2, 3, 5}));
    const int64_t cout = group * (big ? Pick(rng, {9, 17}) : Pick(rng, {1, 2, 5, 7}));
    ops::ConvAttrs attrs;
    attrs.group = group;
    const char* pads[] = {"NOTSET", "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"};
    attrs.window.auto_pad = *ops::ParseAutoPad(pads[rng() % 5]);
    Shape xs = {Pick(rng, {1, 2, 3}), cin}, ws = {cout, cin / group};
    for (int d = 0; d < rank; ++d) {
      const int64_t lo = big ? (rank == 3 ? 8 : rank == 2 ? 24 : 200) : 1;
      xs.push_back(lo + static_cast<int64_t>(rng() % (rank == 3 ? 7 : rank == 2 ? 11 : 19)));
      ws.push_back(Pick(rng, {1, 2, 3, 3, 4}));
      attrs.window.strides.push_back(Pick(rng, {1, 1, 2, 3}));
      attrs.window.dilations.push_back(Pick(rng, {1, 1, 2, 3}));
    }
    for (int d = 0; d < 2 * rank; ++d) attrs.window.pads.push_back(Pick(rng, {0, 0, 1, 2, 4}));
    if (attrs.window.auto_pad != ops::AutoPad::kNotSet) attrs.window.pads.clear();
    const bool has_bias = rng() % 3 != 0;
    const HostTensor x = RandomTensor(DType::kFloat64, xs, rng), w = RandomTensor(DType::kFloat64, ws, rng);
    const HostTensor b = RandomTensor(DType::kFloat64, {cout}, rng);
    const ops::TensorInfo xi{true, DType::kFloat64, xs, nullptr}, wi{true, DType::kFloat64, ws, nullptr};
    const ops::TensorInfo bi{true, DType::kFloat64, {cout}, nullptr};
    auto p = ops::ResolveConv(attrs, xi, wi, has_bias ? &bi : nullptr);
    if (!p.ok()) continue;  // a kernel larger than the padded input: not a problem to compute
    SCOPED_TRACE(::testing::Message()
                 << "seed " << seed + i << ": x " << ShapeString(xs) << " w " << ShapeString(ws) << " group "
                 << group << " " << ops::DescribeGeometry(p->axes));
    threaded +=
        p->batch * p->out_channels * p->out_spatial() * p->in_per_group() * p->kernel_volume() >= (1 << 20);
    HostTensor got(DType::kFloat64, p->output_shape());
    ASSERT_TRUE(ops::ConvReference(*p, x, w, has_bias ? &b : nullptr, &got).ok());
    const HostTensor want = DirectConv(*p, x, w, has_bias ? &b : nullptr);
    int64_t mismatches = 0;
    for (int64_t e = 0; e < want.num_elements(); ++e) mismatches += got.GetDouble(e) != want.GetDouble(e);
    EXPECT_EQ(mismatches, 0) << "of " << want.num_elements() << " outputs";
  }
  EXPECT_GT(threaded, 0) << "no problem was large enough to exercise the threaded path";
}

}  // namespace
}  // namespace webconv::testing
