// The Pad reference copies each element's raw bytes, so it is exact for every dtype (float16, float64
// and 64-bit integers included); the constant is stored once in the output's dtype by the caller.
#include <cstring>

#include "ops/pad/pad.h"

namespace webconv::ops {

void PadReference(const PadGeometry& g, const HostTensor& x, const HostTensor& fill, HostTensor* y) {
  const int64_t n = y->num_elements();
  if (n == 0) return;
  const size_t es = DTypeSize(x.dtype());
  const size_t rank = g.axes.size();
  const std::vector<int64_t> in_strides = ContiguousStrides(x.shape());
  std::vector<int64_t> coord(rank, 0);
  uint8_t* dst = y->mutable_data();
  for (int64_t o = 0; o < n; ++o) {
    int64_t src = 0;
    bool inside = true;
    for (size_t k = 0; k < rank && inside; ++k) {
      const int64_t s = SourceIndex(g.mode, g.axes[k], coord[k]);
      inside = s >= 0;
      src += s * in_strides[k];
    }
    const uint8_t* from = inside ? x.data() + static_cast<size_t>(src) * es : fill.data();
    std::memcpy(dst + static_cast<size_t>(o) * es, from, es);
    for (size_t k = rank; k-- > 0;) {
      if (++coord[k] < g.axes[k].out) break;
      coord[k] = 0;
    }
  }
}

}  // namespace webconv::ops
