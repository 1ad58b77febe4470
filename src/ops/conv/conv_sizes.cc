// Sizes of a WebGPU Conv kernel: baked or in uniforms (see conv_sizes.h).
#include "ops/conv/conv_sizes.h"

#include "ops/kernel_tuning.h"

namespace webconv::ops {
const char* ConvSizesTag(ConvSizes s) {
  return s == ConvSizes::kUniform ? "_u" : "";
}

ConvSizes ChooseConvSizes(const ConvProblem& p, bool software_adapter, const KernelTuning* tuning) {
  if (p.phase.active) return ConvSizes::kBaked;
  if (tuning && tuning->conv_sizes) return *tuning->conv_sizes;
  if (software_adapter) return ConvSizes::kUniform;
  return IsLightConv(p) ? ConvSizes::kUniform : ConvSizes::kBaked;
}

bool IsLightConv(const ConvProblem& p) {
  const double flops = 2.0 * static_cast<double>(p.batch * p.out_spatial()) * static_cast<double>(p.out_channels) *
                       static_cast<double>(p.in_per_group() * p.kernel_volume());
  return flops < kLightConvFlops;
}

void ConvSizeTable::Add(const std::string& name, int64_t value) {
  sizes_.emplace_back(name, static_cast<uint32_t>(value));
}

std::string ConvSizeTable::Declarations() const {
  std::string s;
  for (const auto& [name, v] : sizes_)
    s += uniform() ? "var<private> " + name + ": u32;\n" : "const " + name + " = " + std::to_string(v) + "u;\n";
  return s;
}

std::string ConvSizeTable::LoadAtEntry() const {
  if (!uniform()) return "";
  std::string s;
  for (const auto& [name, v] : sizes_) s += "  " + name + " = u." + name + ";\n";
  return s;
}

void ConvSizeTable::AddUniforms(gpu::UniformBlock& u) const {
  if (!uniform()) return;
  for (const auto& [name, v] : sizes_) u.AddU32(name, v);
}

}  // namespace webconv::ops
