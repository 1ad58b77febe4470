// The end of every Conv: bias, fused steps (ConvFusion) and the store into Y or into Y's slice of a
// Concat. Every WebGPU Conv kernel variant stores through AddConvEpilogue's conv_store, so a fusion
// works for all of them; the float64 reference applies the same steps through ApplyConvFusion.
#pragma once

#include <string>
#include <vector>

#include "ops/conv/conv.h"
#include "ops/conv/conv_sizes.h"

namespace webconv::ops {

// Declares the epilogue's bindings on `b` after the kernel's own inputs (Bias if present, the
// addends of kAdd steps, then the output Y), appends the matching GpuRefs to `bindings`, and returns
// WGSL defining
//   fn conv_value(n: u32, co: u32, sp: u32, acc: f32) -> f32   (bias and steps; addends read at sp)
//   fn conv_put(n: u32, co: u32, sp: u32, y: f32)               (store at sp of the stored tensor)
//   fn conv_store(n: u32, co: u32, sp: u32, acc: f32)           (both; only without a fused pool)
// where n is the batch index, co the output channel (0..M), sp the flat output spatial index. The
// sizes it reads (EP_CH, EP_CH0, EP_SP, EP_PUT_SP) go into `sizes`, which the kernel declares.
std::string AddConvEpilogue(const ConvProblem& p, gpu::KernelBuilder& b, std::vector<GpuRef>* bindings,
                            ConvSizeTable* sizes);

// A short tag naming what the epilogue bakes in, for kernel names ("_bias", "_bias_relu_add", ...).
std::string ConvEpilogueTag(const ConvProblem& p);

// The node's output shape: the Conv's own, or the pooled one when an AveragePool is fused.
Shape ConvResultShape(const ConvProblem& p);
// The shape of the tensor the fused Conv stores into: its result shape, or the Concat output's when
// the fusion places Y into a channel slice.
Shape ConvStoredShape(const ConvProblem& p);
// The shape addends are read at: the stored shape before pooling.
Shape ConvAddendShape(const ConvProblem& p);
// Whether the WebGPU Conv can average windows of `pool` (D, H, W) in its store: the implicit GEMM
// (more than 4 output channels per group) with a window of 2 or 4 outputs, which its register
// blocks hold in one thread. Rewrites fuse an AveragePool only then.
bool ConvCanPoolInStore(const ConvProblem& p, const int64_t pool[3]);

// Validates the fusion against the node's inputs: the placement fits, every kAdd step names a
// present input of the input's dtype and of exactly ConvAddendShape(p), a fused pool fits the output.
Status CheckConvFusion(const ConvProblem& p, const std::vector<TensorInfo>& inputs);

// The reference epilogue: `y` holds the unfused Conv (bias included) as [N, M, spatial...]; applies
// the fused steps in float64 to every element, reading addends from `inputs` with the placement.
// A fused pool is not applied here (ConvPoolReference does it afterwards).
void ApplyConvFusion(const ConvProblem& p, const std::vector<const HostTensor*>& inputs, HostTensor* y);
// The fused pool in float64: averages `full` ([N, M, conv spatial...]) into `y` (ConvResultShape).
void ConvPoolReference(const ConvProblem& p, const HostTensor& full, HostTensor* y);

}  // namespace webconv::ops
