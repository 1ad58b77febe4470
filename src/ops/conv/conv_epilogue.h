// The end of every WebGPU Conv kernel: bias, fused steps (ConvFusion) and the store into Y or into
// Y's slice of a Concat. Every Conv kernel variant stores through it, so a fusion works for all of them.
#pragma once

#include <string>
#include <vector>

#include "ops/conv/conv.h"

namespace webconv::ops {

// Declares the epilogue's bindings on `b` after the kernel's own inputs (Bias if present, the
// addends of kAdd steps, then the output Y), appends the matching GpuRefs to `bindings`, and returns
// WGSL defining
//   fn conv_store(n: u32, co: u32, sp: u32, acc: f32)
// where n is the batch index, co the output channel (0..M), sp the flat output spatial index.
std::string AddConvEpilogue(const ConvProblem& p, gpu::KernelBuilder& b, std::vector<GpuRef>* bindings);

// A short tag naming what the epilogue bakes in, for kernel names ("_bias", "_bias_relu_add", ...).
std::string ConvEpilogueTag(const ConvProblem& p);

}  // namespace webconv::ops
