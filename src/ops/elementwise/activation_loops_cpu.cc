// The activations' float loops (activation_loops.h).
#include "ops/elementwise/activation_loops.h"

#include <algorithm>

namespace webconv::ops {
namespace {

// HardSigmoid's gate a*x + c, and HardSwish's x * gate with a = 1/6, c = 1/2.
template <bool kSwish>
void Gate(float* v, int64_t n, float a, float c) {
  for (int64_t i = 0; i < n; ++i) {
    const float x = v[i], gate = std::min(1.0f, std::max(0.0f, a * x + c));
    v[i] = x != x ? x : kSwish ? x * gate : gate;
  }
}

}  // namespace

void ReluLoopF32(float* v, int64_t n, const float*) {
  for (int64_t i = 0; i < n; ++i) v[i] = v[i] < 0 ? 0.0f : v[i];
}

void ClipLoopF32(float* v, int64_t n, const float* p) {
  const float lo = p[0], hi = p[1];
  for (int64_t i = 0; i < n; ++i) {  // max, then min, as ONNX orders them (lo > hi gives hi)
    const float m = v[i] < lo ? lo : v[i];
    v[i] = m > hi ? hi : m;
  }
}

void LeakyReluLoopF32(float* v, int64_t n, const float* p) {
  const float alpha = p[0];
  for (int64_t i = 0; i < n; ++i) v[i] = v[i] < 0 ? v[i] * alpha : v[i];
}

void HardSigmoidLoopF32(float* v, int64_t n, const float* p) {
  Gate<false>(v, n, p[0], p[1]);
}

void HardSwishLoopF32(float* v, int64_t n, const float*) {
  Gate<true>(v, n, 1.0f / 6.0f, 0.5f);
}

}  // namespace webconv::ops
