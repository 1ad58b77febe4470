// The float64 reference Conv. It is the oracle for every test and for `webconv check`, so it must be
// exact in its own terms (float64 accumulation, a fixed summation order) and fast enough to check a
// whole TransNetV2 on a laptop CPU.
//
// Loop order: one (batch, output channel) pair is one work item, computed by one thread into a float64
// plane. Within an item, for each output depth slice, every (input channel, kd, kh, kw) tap adds
// weight * shifted input row to an output row. Which output positions a tap reaches is clipped once per
// tap and axis (padding costs no per-element branch), and with unit width stride the innermost loop is
// a contiguous multiply-add the compiler vectorizes. Each output element sums bias, then taps in
// (ci, kd, kh, kw) order, whatever the thread count: results are bit-identical run to run.
#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>

#include "ops/conv/conv.h"

namespace webconv::ops {
namespace {

std::vector<double> ToDoubles(const HostTensor& t) {
  std::vector<double> v(static_cast<size_t>(t.num_elements()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = t.GetDouble(static_cast<int64_t>(i));
  return v;
}

// out[i] += w * in[i * stride] for i in [0, count).
void AccumulateRow(double* __restrict out, const double* __restrict in, double w, int64_t count,
                   int64_t stride) {
  if (stride == 1) {
    // Blocks of four with a fixed trip count: the compiler turns them into SIMD multiply-adds at -O2
    // (a loop of unknown length is left scalar by GCC's cheap vectorizer cost model).
    int64_t i = 0;
    for (; i + 4 <= count; i += 4)
      for (int64_t j = 0; j < 4; ++j) out[i + j] += w * in[i + j];
    for (; i < count; ++i) out[i] += w * in[i];
  } else {
    for (int64_t i = 0; i < count; ++i) out[i] += w * in[i * stride];
  }
}

class ConvRunner {
 public:
  ConvRunner(const ConvProblem& p, const HostTensor& x, const HostTensor& w, const HostTensor* bias)
      : p_(p), xv_(ToDoubles(x)), wv_(ToDoubles(w)), bias_(bias) {
    for (int i = 0; i < 3; ++i) taps_[i] = TapRanges(p.axis3[i]);
  }

  // Computes output plane (n, co) into `plane` (out_spatial doubles).
  void Item(int64_t item, double* plane) const {
    const AxisGeometry &ad = p_.axis3[0], &ah = p_.axis3[1], &aw = p_.axis3[2];
    const int64_t n = item / p_.out_channels, co = item % p_.out_channels;
    const int64_t cin_g = p_.in_per_group(), g = co / p_.out_per_group();
    const int64_t in_sp = p_.in_spatial(), kvol = p_.kernel_volume();
    const int64_t out_hw = ah.out * aw.out, in_hw = ah.in * aw.in;
    std::fill(plane, plane + p_.out_spatial(), bias_ ? bias_->GetDouble(co) : 0.0);
    // When a width tap covers whole rows that line up in input and output (unit width stride, no
    // shift, equal widths) and the rows are consecutive (unit height stride), a run of rows is one
    // contiguous span: the common case of 1x1 spatial taps in (2+1)-D convolutions.
    const bool rows_merge = aw.stride == 1 && ah.stride == 1 && aw.in == aw.out;
    for (int64_t od = 0; od < ad.out; ++od) {
      double* oplane = plane + od * out_hw;
      for (int64_t ci = 0; ci < cin_g; ++ci) {
        const double* xc = xv_.data() + (n * p_.in_channels + g * cin_g + ci) * in_sp;
        const double* wc = wv_.data() + (co * cin_g + ci) * kvol;
        for (int64_t kd = 0; kd < ad.kernel; ++kd) {
          const TapRange& td = taps_[0][static_cast<size_t>(kd)];
          if (od < td.lo || od >= td.hi) continue;
          const double* xplane = xc + (od * ad.stride + td.offset) * in_hw;
          for (int64_t kh = 0; kh < ah.kernel; ++kh) {
            const TapRange& th = taps_[1][static_cast<size_t>(kh)];
            const double* wrow = wc + (kd * ah.kernel + kh) * aw.kernel;
            for (int64_t kw = 0; kw < aw.kernel; ++kw) {
              const TapRange& tw = taps_[2][static_cast<size_t>(kw)];
              if (tw.hi <= tw.lo || th.hi <= th.lo) continue;
              const double wt = wrow[kw];
              if (rows_merge && tw.offset == 0 && tw.lo == 0 && tw.hi == aw.out) {
                AccumulateRow(oplane + th.lo * aw.out, xplane + (th.lo + th.offset) * aw.in, wt,
                              (th.hi - th.lo) * aw.out, 1);
                continue;
              }
              for (int64_t oh = th.lo; oh < th.hi; ++oh) {
                const double* xrow = xplane + (oh * ah.stride + th.offset) * aw.in;
                AccumulateRow(oplane + oh * aw.out + tw.lo, xrow + tw.lo * aw.stride + tw.offset, wt,
                              tw.hi - tw.lo, aw.stride);
              }
            }
          }
        }
      }
    }
  }

 private:
  const ConvProblem& p_;
  const std::vector<double> xv_, wv_;
  const HostTensor* bias_;
  std::vector<TapRange> taps_[3];
};

// Below this many multiply-adds a Conv runs on the calling thread: starting threads would cost more.
constexpr double kThreadingThreshold = 1 << 20;

}  // namespace

Status ConvReference(const ConvProblem& p, const HostTensor& x, const HostTensor& w, const HostTensor* bias,
                     HostTensor* y) {
  const ConvRunner runner(p, x, w, bias);
  const int64_t items = p.batch * p.out_channels, out_sp = p.out_spatial();
  y->mutable_data();  // take ownership once, before threads write disjoint elements
  std::atomic<int64_t> next{0};
  auto work = [&] {
    std::vector<double> plane(static_cast<size_t>(out_sp));
    for (int64_t item; (item = next.fetch_add(1)) < items;) {
      runner.Item(item, plane.data());
      for (int64_t i = 0; i < out_sp; ++i) y->SetDouble(item * out_sp + i, plane[static_cast<size_t>(i)]);
    }
  };
  const double macs = static_cast<double>(items) * static_cast<double>(out_sp) *
                      static_cast<double>(p.in_per_group() * p.kernel_volume());
#ifdef __EMSCRIPTEN__
  // The WebAssembly module is built without threads: the calling thread does all the work.
  int64_t threads = 1;
  (void)macs;
  (void)kThreadingThreshold;
#else
  int64_t threads = macs < kThreadingThreshold ? 1 : std::max(1u, std::thread::hardware_concurrency());
#endif
  threads = std::min(threads, items);
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // fewer threads only means slower; the calling thread finishes the rest
    }
  }
  work();
  for (std::thread& t : pool) t.join();
  return OkStatus();
}

}  // namespace webconv::ops
