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

// y = (x - mean) / sqrt(var + epsilon) * scale + B, one thread per element; mean and var are the inputs
// (inference) or the batch's statistics in scratch (training).
void DispatchNormalize(const BatchNormProblem& p, GpuContext& ctx, GpuRef mean, GpuRef var) {
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
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::In(1), GpuContext::In(2), mean, var, GpuContext::Out(0)}, groups);
}

// training_mode=1: one thread per channel forms the batch's mean and population variance (two passes
// over the channel's N x spatial values, in float32) into two scratch buffers and the running statistics
// asked for; then DispatchNormalize normalizes with them. A channel's values are read by one thread: fine for
// the small batches a model is fine-tuned with in the browser, not a fast training kernel.
Status TrainingGpu(const BatchNormProblem& p, GpuContext& ctx) {
  if (p.count == 0) return OkStatus();
  const GpuRef batch_mean = ctx.Scratch(static_cast<uint64_t>(p.count));
  const GpuRef batch_var = ctx.Scratch(static_cast<uint64_t>(p.count));
  gpu::KernelBuilder s("batchnorm_batch_stats_f32");
  s.Input("X", gpu::ScalarType::kF32).Input("Mean", gpu::ScalarType::kF32).Input("Var", gpu::ScalarType::kF32);
  s.Output("BatchMean", gpu::ScalarType::kF32).Output("BatchVar", gpu::ScalarType::kF32);
  std::vector<GpuRef> bind = {GpuContext::In(0), GpuContext::In(3), GpuContext::In(4), batch_mean, batch_var};
  std::string store;
  if (p.running_mean) {
    s.Output("RunningMean", gpu::ScalarType::kF32);
    bind.push_back(GpuContext::Out(1));
    store += "  RunningMean[i] = Mean[i] * u.momentum + mean * (1.0 - u.momentum);\n";
  }
  if (p.running_var) {
    s.Output("RunningVar", gpu::ScalarType::kF32);
    bind.push_back(GpuContext::Out(2));
    store += "  RunningVar[i] = Var[i] * u.momentum + variance * (1.0 - u.momentum);\n";
  }
  auto& su = s.uniforms();
  su.AddU32("n", static_cast<uint32_t>(p.count));
  su.AddU32("stride", static_cast<uint32_t>(p.stride));
  su.AddU32("batch", static_cast<uint32_t>(p.elements / (p.stride * p.count)));
  su.AddF32("momentum", static_cast<float>(p.momentum));
  s.Body(ElementwiseMain(
      "let per = f32(u.batch * u.stride);\n"
      "  var sum = 0.0;\n"
      "  for (var b = 0u; b < u.batch; b = b + 1u) {\n"
      "    let base = (b * u.n + i) * u.stride;\n"
      "    for (var j = 0u; j < u.stride; j = j + 1u) { sum = sum + X[base + j]; }\n"
      "  }\n"
      "  let mean = sum / per;\n"
      "  var sq = 0.0;\n"
      "  for (var b = 0u; b < u.batch; b = b + 1u) {\n"
      "    let base = (b * u.n + i) * u.stride;\n"
      "    for (var j = 0u; j < u.stride; j = j + 1u) { let d = X[base + j] - mean; sq = sq + d * d; }\n"
      "  }\n"
      "  let variance = sq / per;\n"
      "  BatchMean[i] = mean;\n  BatchVar[i] = variance;\n" + store));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(p.count), kWorkgroup, groups);
  ctx.Dispatch(s, bind, groups);
  if (p.elements > 0) DispatchNormalize(p, ctx, batch_mean, batch_var);
  return OkStatus();
}

}  // namespace

Status BatchNormGpu(const BatchNormProblem& p, GpuContext& ctx) {
  if (p.training) return TrainingGpu(p, ctx);
  if (p.elements > 0) DispatchNormalize(p, ctx, GpuContext::In(3), GpuContext::In(4));
  const int64_t count = NumElements(ctx.inputs[3].shape);
  if (count > 0 && p.copy_mean) DispatchCopy(ctx, 3, 1, count);
  if (count > 0 && p.copy_var) DispatchCopy(ctx, 4, 2, count);
  return OkStatus();
}

}  // namespace webconv::ops
