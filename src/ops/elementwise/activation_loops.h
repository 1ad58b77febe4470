// Float loops of the activations a Conv fuses most, in place over n values (UnaryDef::apply_f32, the CPU
// backend's fused epilogue): a call per element into the double formula cost 12% of MobileNetV3's run
// there. NaN stays NaN in each, as in the reference. Defined in activation_loops_cpu.cc, which is
// compiled as the CPU kernels are (-O3: GCC vectorizes loops of unknown length only there).
#pragma once

#include <cstdint>

namespace webconv::ops {

void ReluLoopF32(float* v, int64_t n, const float* p);
void ClipLoopF32(float* v, int64_t n, const float* p);       // p: min, max
void LeakyReluLoopF32(float* v, int64_t n, const float* p);  // p: alpha
void HardSigmoidLoopF32(float* v, int64_t n, const float* p);  // p: alpha, beta
void HardSwishLoopF32(float* v, int64_t n, const float* p);

}  // namespace webconv::ops
