// WGSL for the Conv epilogue (see conv_epilogue.h).
#include "ops/conv/conv_epilogue.h"

namespace webconv::ops {

std::string ConvEpilogueTag(const ConvProblem& p) { return p.has_bias ? "_bias" : ""; }

std::string AddConvEpilogue(const ConvProblem& p, gpu::KernelBuilder& b, std::vector<GpuRef>* bindings) {
  std::string wgsl;
  std::string value = "acc";
  if (p.has_bias) {
    b.Input("Bias", gpu::ScalarType::kF32);
    bindings->push_back(GpuContext::In(2));
    value = "acc + Bias[co]";
  }
  b.Output("Y", gpu::ScalarType::kF32);
  bindings->push_back(GpuContext::Out(0));
  const int64_t sp_total = p.out_spatial();
  // The output geometry is baked into the WGSL, so it is part of the pipeline's cache key.
  b.Spec("y" + std::to_string(p.out_channels) + "x" + std::to_string(sp_total));
  wgsl += "fn conv_store(n: u32, co: u32, sp: u32, acc: f32) {\n";
  wgsl += "  Y[(n * " + std::to_string(p.out_channels) + "u + co) * " + std::to_string(sp_total) + "u + sp] = " +
          value + ";\n}\n";
  return wgsl;
}

}  // namespace webconv::ops
