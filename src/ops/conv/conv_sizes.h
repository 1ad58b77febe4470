// How a WebGPU Conv kernel learns its sizes (batch, spatial extents, channel counts, reduction depth):
// baked into the WGSL as constants, or passed in its uniform block.
//
// Baked sizes let the compiler turn every index division into a multiply and shift and drop tail
// checks that cannot fire, which is what heavy layers on a hardware GPU want. But a pipeline's
// identity is its WGSL (gpu/kernel.h), so baked sizes give every layer its own pipeline to compile:
// TransNetV2's DDCNN blocks, or MobileNetV3's 1x1 convs, differ only in channel counts and spatial
// extents. With sizes in uniforms, layers of one window (kernel, stride, dilation, pads), tile and
// epilogue generate the same WGSL and share one compile. The window stays baked either way: the
// reduction's k -> (ci, kd, kh, kw) decomposition divides by the kernel extents in the K loop, where a
// runtime division would cost.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gpu/kernel.h"
#include "ops/conv/conv.h"

namespace webconv::ops {

enum class ConvSizes { kBaked, kUniform };

// kUniform for the kernels that support it (implicit GEMM without split-K, direct) when compiling is
// the larger cost: always on a software adapter (where one GEMM pipeline takes 0.2-0.7 s to compile),
// and for light layers (under kLightConvFlops) on a hardware GPU, whose run time is a few microseconds
// whatever the WGSL. ConvTranspose phases and the first-layer kernel always bake.
// `tuning`'s conv_sizes (WEBCONV_CONV_SIZES=baked|uniform) overrides the rule.
constexpr double kLightConvFlops = 64e6;
bool IsLightConv(const ConvProblem& p);  // under kLightConvFlops
ConvSizes ChooseConvSizes(const ConvProblem& p, bool software_adapter, const KernelTuning* tuning = nullptr);
// "_u" for kUniform (kernel names, so profiles show which layers share), "" for kBaked.
const char* ConvSizesTag(ConvSizes s);

// The sizes one kernel uses, each a WGSL name with its value. Kernel generators write the names; the
// table declares them: `const NAME = 12u;` when baked, else a private variable that LoadAtEntry()
// sets from the uniform field of the same name at the start of `main`, so the rest of the WGSL reads
// the same either way.
class ConvSizeTable {
 public:
  explicit ConvSizeTable(ConvSizes mode) : mode_(mode) {}
  ConvSizes mode() const { return mode_; }
  bool uniform() const { return mode_ == ConvSizes::kUniform; }
  void Add(const std::string& name, int64_t value);
  std::string Declarations() const;
  std::string LoadAtEntry() const;  // "" when baked
  // An expression of size `name` that WGSL's uniformity analysis accepts as uniform (a bound of a
  // loop holding barriers): the uniform field when sizes are uniform (private variables never count
  // as uniform), else the constant.
  std::string UniformValue(const std::string& name) const { return uniform() ? "u." + name : name; }
  // The uniform fields (none when baked); call once, after every Add.
  void AddUniforms(gpu::UniformBlock& u) const;

 private:
  ConvSizes mode_;
  std::vector<std::pair<std::string, uint32_t>> sizes_;
};

}  // namespace webconv::ops
