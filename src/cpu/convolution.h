// The CPU backend's convolution primitive: oneDNN natively, where its blocked-layout kernels run the
// dense Conv layers 2-8x faster than im2col + sgemm on the same shapes
// (bench/results/cpu-libraries-2026-12-07). The WebAssembly build has no such library and returns false
// from ConvolutionAvailable(); callers then run their im2col + Sgemm path.
#pragma once

#include <cstdint>
#include <memory>

#include "cpu/workspace.h"

namespace webconv::cpu {

// One float32 convolution (no fusion) over plain row-major tensors. X's element (n, c, spatial s) is at
// x[n * x_batch_stride + c * in_spatial + s], Y's (n, m, s) at y[n * y_batch_stride + m * out_spatial + s]:
// so X may be a channel slice of a wider tensor, and Y a channel slice of the output. W is
// [groups * out_per_group, in_per_group, kernel...], B (optional) [groups * out_per_group].
struct ConvolutionSpec {
  int rank = 1;  // spatial axes, 1 to 3; the arrays below use the first `rank` entries
  int64_t batch = 1, groups = 1, in_per_group = 1, out_per_group = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1}, stride[3] = {1, 1, 1},
          dilation[3] = {1, 1, 1}, pad_begin[3] = {0, 0, 0}, pad_end[3] = {0, 0, 0};
  int64_t x_batch_stride = 0, y_batch_stride = 0;
  bool bias = false;
};

// Whether this build has a convolution library (false in the WebAssembly build).
bool ConvolutionAvailable();

// W in the library's own layout for one spec, made by the first call that is given a slot for it.
class ConvolutionWeights;

// Runs the convolution on the backend's threads. The first call for a spec builds its primitive
// (a few milliseconds of JIT); later calls reuse it. False when the library takes no such problem.
// `weights`, when given, is a slot the caller keeps for a W whose bytes never change (a model's
// initializer): the first call fills it with W in the library's layout, later calls with the same
// spec and W pointer use it instead of converting W again. X and Y in the library's layout live in
// `workspace` (null: in buffers of this call's own).
bool Convolution(const ConvolutionSpec& spec, const float* x, const float* w, const float* b, float* y,
                 std::shared_ptr<ConvolutionWeights>* weights = nullptr, Workspace* workspace = nullptr);

// The library's name and version, for the backend line ("" without one).
const char* ConvolutionLibrary();

}  // namespace webconv::cpu
