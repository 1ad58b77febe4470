// The float64 Resize reference. Nearest mode copies each element's bytes (exact for every dtype);
// linear and cubic sum weight products over every combination of the interpolated axes' taps in double
// and round once when storing (integers round half to even and saturate to their type's range).
#include <cmath>
#include <cstring>

#include "ops/elementwise/elementwise.h"
#include "ops/resize/resize.h"

namespace webconv::ops {
namespace {

struct AxisTable {
  std::vector<ResizeTaps> taps;  // per output coordinate
  std::vector<bool> outside;     // tf_crop_and_resize: the coordinate lies outside the input
};

AxisTable MakeTable(const ResizeProblem& p, const ResizeAxis& ax) {
  AxisTable t;
  t.taps.resize(static_cast<size_t>(ax.out));
  t.outside.assign(static_cast<size_t>(ax.out), false);
  for (int64_t x = 0; x < ax.out; ++x) {
    if (ax.direct) {
      t.taps[x].first = x;
      continue;
    }
    const double c = ax.Coordinate(x);
    t.taps[x] = Taps(p, ax, c);
    t.outside[x] = p.extrapolate && Outside(ax, c);
  }
  return t;
}

int64_t ClampIndex(int64_t i, int64_t in) {
  return i < 0 ? 0 : i >= in ? in - 1 : i;
}

void Store(const ResizeProblem& p, double v, int64_t i, HostTensor* y) {
  if (IsFloat(p.dtype)) {
    y->SetDouble(i, v);
    return;
  }
  // Saturating, so a cubic overshoot of a uint8 image stays in range instead of wrapping.
  v = std::nearbyint(v);
  const double lo = static_cast<double>(TypeLowest(p.dtype)), hi = static_cast<double>(TypeHighest(p.dtype));
  if (!(v >= lo)) v = lo;  // NaN included
  if (v >= hi) {
    y->SetInt(i, TypeHighest(p.dtype));
    return;
  }
  y->SetInt(i, static_cast<int64_t>(v));
}

}  // namespace

Status ResizeReference(const ResizeProblem& p, const HostTensor& x, HostTensor* y) {
  const size_t rank = p.axes.size();
  const int64_t total = y->num_elements();
  if (total == 0) return OkStatus();
  std::vector<AxisTable> tables;
  for (const ResizeAxis& ax : p.axes) tables.push_back(MakeTable(p, ax));
  const std::vector<int64_t> in_strides = ContiguousStrides(x.shape());
  const size_t elem = DTypeSize(p.dtype);
  const int taps = p.taps_per_axis();
  uint8_t* out_bytes = y->mutable_data();
  std::vector<int64_t> coord(rank, 0);
  std::vector<size_t> interp;  // axes whose taps are combined
  for (size_t k = 0; k < rank; ++k)
    if (!p.axes[k].direct && taps > 1) interp.push_back(k);
  int64_t combos = 1;
  for (size_t j = 0; j < interp.size(); ++j) combos *= taps;

  for (int64_t i = 0; i < total; ++i) {
    // Output coordinate of element i (row-major), then the offset of the non-interpolated axes.
    int64_t rest = i, base = 0;
    bool outside = false;
    for (size_t kk = rank; kk-- > 0;) {
      coord[kk] = rest % p.axes[kk].out;
      rest /= p.axes[kk].out;
      const ResizeTaps& t = tables[kk].taps[coord[kk]];
      outside = outside || tables[kk].outside[coord[kk]];
      if (p.axes[kk].direct || taps == 1) base += ClampIndex(t.first, p.axes[kk].in) * in_strides[kk];
    }
    if (outside) {
      Store(p, p.extrapolation, i, y);
      continue;
    }
    if (taps == 1) {
      std::memcpy(out_bytes + i * elem, x.data() + base * elem, elem);
      continue;
    }
    double acc = 0;
    for (int64_t c = 0; c < combos; ++c) {
      int64_t off = base, r = c;
      double w = 1;
      for (size_t k : interp) {
        const int j = static_cast<int>(r % taps);
        r /= taps;
        const ResizeTaps& t = tables[k].taps[coord[k]];
        off += ClampIndex(t.first + j, p.axes[k].in) * in_strides[k];
        w *= t.w[j];
      }
      acc += w * x.GetDouble(off);
    }
    Store(p, acc, i, y);
  }
  return OkStatus();
}

}  // namespace webconv::ops
