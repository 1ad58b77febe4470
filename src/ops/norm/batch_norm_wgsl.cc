// The WebGPU BatchNormalization: one fused pass, one thread per element. Each thread forms its
// parameter's factor scale / sqrt(var + eps) itself: the four parameter reads hit the same few cache
// lines across a workgroup, so a separate pass to precompute them would cost more than it saves.

#include "ops/elementwise/elementwise.h"
#include "ops/norm/batch_norm.h"

namespace webconv::ops {
namespace {

constexpr uint32_t kWorkgroup = kElementwiseWorkgroup;

// Opsets 1-6 in test mode: a running statistic output is its input, unchanged.
void DispatchCopy(GpuContext& ctx, int input, int output, int64_t n) {
  gpu::KernelBuilder b("copy_b32");
  b.Input("X", gpu::ScalarType::kU32).Output("Y", gpu::ScalarType::kU32);
  b.uniforms().AddU32("n", static_cast<uint32_t>(n));
  b.Body(ElementwiseMain("Y[i] = X[i];"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(input), GpuContext::Out(output)}, groups);
}

}  // namespace

Status BatchNormGpu(const BatchNormProblem& p, GpuContext& ctx) {
  if (p.elements > 0) {
    gpu::KernelBuilder b("batchnorm_f32");
    b.Input("X", gpu::ScalarType::kF32)
        .Input("Scale", gpu::ScalarType::kF32)
        .Input("Bias", gpu::ScalarType::kF32)
        .Input("Mean", gpu::ScalarType::kF32)
        .Input("Var", gpu::ScalarType::kF32)
        .Output("Y", gpu::ScalarType::kF32);
    auto& u = b.uniforms();
    u.AddU32("n", static_cast<uint32_t>(p.elements));
    u.AddU32("stride", static_cast<uint32_t>(p.stride));
    u.AddU32("count", static_cast<uint32_t>(p.count));
    u.AddF32("epsilon", static_cast<float>(p.epsilon));
    b.Body(
        ElementwiseMain("let c = (i / u.stride) % u.count;\n"
                        "  let factor = Scale[c] / sqrt(Var[c] + u.epsilon);\n"
                        "  Y[i] = (X[i] - Mean[c]) * factor + Bias[c];"));
    uint32_t groups[3];
    gpu::LinearGrid(static_cast<uint64_t>(p.elements), kWorkgroup, groups);
    ctx.Dispatch(b,
                 {GpuContext::In(0), GpuContext::In(1), GpuContext::In(2), GpuContext::In(3),
                  GpuContext::In(4), GpuContext::Out(0)},
                 groups);
  }
  const int64_t count = NumElements(ctx.inputs[3].shape);
  if (count > 0 && p.copy_mean) DispatchCopy(ctx, 3, 1, count);
  if (count > 0 && p.copy_var) DispatchCopy(ctx, 4, 2, count);
  return OkStatus();
}

}  // namespace webconv::ops
