// Conv: attributes, resolved geometry, and the pieces the reference and the WGSL generator share.
#pragma once

#include <array>
#include <vector>

#include "ops/window/geometry.h"
#include "ops/op_schema.h"

namespace webconv::ops {

// One group's own window and input channels (ConvFusion::group_windows).
struct ConvGroupWindow {
  WindowAttrs window;             // the window of the Conv this group was
  int64_t in_channel_offset = 0;  // the first channel of X this group reads
};

// Work fused into a Conv by graph rewrites; a Conv parsed from a model has none. The fused Conv
// computes y = accumulator + bias, then applies `steps` in order, then stores y.
struct ConvFusion {
  struct Step {
    // kPointwise: an elementwise op's function (OpSchema::as_pointwise: the activations), whose WGSL,
    // value and CPU loop the op provides; kAdd: a residual addend of the output's shape.
    enum Kind { kAdd, kPointwise } kind = kPointwise;
    PointwiseFn fn;  // kPointwise
    int input = -1;  // kAdd: index of the Conv node's input holding the addend
  };
  std::vector<Step> steps;
  // When channel_total > 0 the Conv writes its M channels straight into channels
  // [channel_offset, channel_offset + M) of a tensor with channel_total channels (the output of a
  // Concat on axis 1 that is its only reader), and addends are read with the same placement.
  int64_t channel_offset = 0, channel_total = 0;
  // An AveragePool that directly followed the Conv (or the Concat placing it): after the steps, the
  // Conv averages non-overlapping windows of pool[] (D, H, W of axis3; window = stride, no pads,
  // floor mode) and stores only the pooled tensor. Addends are still read at the unpooled shape.
  int64_t pool[3] = {1, 1, 1};
  int64_t pool_volume() const { return pool[0] * pool[1] * pool[2]; }
  bool pooled() const { return pool_volume() > 1; }
  // When in_channel_total > 0 the Conv reads its C input channels from channels
  // [in_channel_offset, in_channel_offset + C) of an X with in_channel_total channels: its input was
  // one of several sibling Convs that now run as one wider Conv (ir/rewrite_siblings.cc), and X is
  // that Conv's output. No slice of it is ever copied out.
  int64_t in_channel_offset = 0, in_channel_total = 0;
  bool reads_slice() const { return in_channel_total > 0; }
  // When not empty (one entry per group; set with in_channel_total = X's channels), group g is a Conv
  // of its own: its window is group_windows[g].window (same kernel, strides and output size as every
  // other group, but its own dilations and pads) and it reads X's channels from
  // group_windows[g].in_channel_offset. Convs placed side by side into a Concat and differing only in
  // dilation become one such Conv (ir/rewrite_branches.cc): TransNetV2's four temporal convs per block.
  std::vector<ConvGroupWindow> group_windows;
  bool per_group() const { return !group_windows.empty(); }
  bool empty() const {
    return steps.empty() && channel_total == 0 && !pooled() && !reads_slice() && !per_group();
  }
};

// Set when the Conv runs stride phases of a ConvTranspose (ops/conv_transpose/conv_transpose_wgsl.cc
// explains the decomposition). Phases whose Conv geometry (rows, taps, pad per axis) is the same share
// one dispatch, one slot each (workgroup z = slot x group): per axis of axis3, the Conv's output q of
// slot s is the ConvTranspose's output first[s] + q * step (an output of `full` sizes), and its tap j
// is the ConvTranspose weight's kernel index k0[s] + (kernel - 1 - j) * tap_step along an axis of
// `taps` entries; that weight is [C, M/group, taps...]. `tapless`: no tap reaches these phases (a
// stride beyond the dilated kernel), so their weights read as zero and their outputs get the bias alone.
struct ConvTransposePhase {
  using Axes = std::array<int64_t, 3>;
  bool active = false, tapless = false;
  std::vector<Axes> first, k0;  // per slot
  Axes step = {1, 1, 1}, full = {1, 1, 1}, tap_step = {1, 1, 1}, taps = {1, 1, 1};
  int64_t slots() const { return active ? static_cast<int64_t>(first.size()) : 1; }
  int64_t full_spatial() const { return full[0] * full[1] * full[2]; }
};

struct ConvAttrs {
  WindowAttrs window;
  int64_t group = 1;
  ConvFusion fusion;
};

// Everything a Conv kernel needs, resolved from the input and weight shapes. Spatial axes are padded
// to three (1-D and 2-D are 3-D with unit axes), so one kernel family serves every rank.
struct ConvProblem {
  int64_t batch = 0, in_channels = 0, out_channels = 0, group = 1;
  // X's channel count (0: in_channels) and the first channel this Conv reads: set only when the Conv
  // reads a channel slice of X (ConvFusion::in_channel_total). Kernels index X as
  // (n * x_total_channels() + x_channel_offset + c) * spatial.
  int64_t x_channels = 0, x_channel_offset = 0;
  int64_t x_total_channels() const { return x_channels > 0 ? x_channels : in_channels; }
  // Per-group geometry (ConvFusion::group_windows), empty otherwise: group g's axes and first X channel.
  // axis3 then holds group 0's axes; strides, kernel and sizes are the same for every group.
  struct GroupGeometry {
    AxisGeometry axis3[3];
    int64_t x_channel_offset = 0;
  };
  std::vector<GroupGeometry> group_geometry;
  std::vector<AxisGeometry> axes;  // the model's spatial axes (1..3)
  AxisGeometry axis3[3];           // the same, front-padded with unit axes to exactly three
  bool has_bias = false;
  ConvFusion fusion;
  ConvTransposePhase phase;  // only for ConvTranspose phases; such problems carry no fusion
  int64_t in_per_group() const { return in_channels / group; }
  int64_t out_per_group() const { return out_channels / group; }
  int64_t kernel_volume() const { return axis3[0].kernel * axis3[1].kernel * axis3[2].kernel; }
  int64_t out_spatial() const { return axis3[0].out * axis3[1].out * axis3[2].out; }
  int64_t in_spatial() const { return axis3[0].in * axis3[1].in * axis3[2].in; }
  Shape output_shape() const;  // the plain Conv's output, before any fused pool
};

// Validates X [N, C, spatial...], W [M, C/group, kernel...] and the optional bias B [M].
Result<ConvProblem> ResolveConv(const ConvAttrs& a, const TensorInfo& x, const TensorInfo& w,
                                const TensorInfo* b);
// The same shapes and window without the float type check (ConvInteger and QLinearConv take 8-bit
// integers through the same geometry).
Result<ConvProblem> ResolveConvGeometry(const ConvAttrs& a, const TensorInfo& x, const TensorInfo& w,
                                        const TensorInfo* b);

Status ConvReference(const ConvProblem& p, const HostTensor& x, const HostTensor& w, const HostTensor* bias,
                     HostTensor* y);
Status ConvGpu(const ConvProblem& p, GpuContext& ctx);
// The fast CPU backend's Conv (conv_cpu.cc): float32 X, W and B, any fusion; `inputs` are the node's
// (addends included) and `out` is pre-allocated at ConvResultShape. ConvCpuHandles says whether it
// takes the node (float32 throughout, sizes the GEMM library takes); otherwise the reference runs it.
// `state` (RefContext::state, or null) keeps W in the convolution library's layout between runs; pass it
// only when W is a constant of the model. `workspace` (RefContext::workspace, or null) holds scratch.
bool ConvCpuHandles(const ConvProblem& p, const std::vector<const HostTensor*>& inputs);
Status ConvCpu(const ConvProblem& p, const std::vector<const HostTensor*>& inputs, HostTensor* out,
               std::shared_ptr<void>* state = nullptr, cpu::Workspace* workspace = nullptr);
// The implicit-GEMM kernel alone, whatever the channel counts: how ConvTranspose runs its phases.
Status ConvGemmGpu(const ConvProblem& p, GpuContext& ctx);

// The quick kernel (conv_quick_wgsl.cc): short to compile, for a first run while the kernels above
// compile (GpuContext::quick). It takes every Conv ConvGpu takes, and ConvTranspose's phases.
Status ConvQuickGpu(const ConvProblem& p, GpuContext& ctx);
uint32_t ConvQuickChannelBlock(const ConvProblem& p);  // output channels per thread: 4 or 8
// False when its dispatch would exceed 65535 workgroups along a dimension (over 4 M output pixels): the
// tuned kernel then serves the quick tier too.
bool ConvQuickFits(const ConvProblem& p);

// The implicit GEMM as quads (conv_quad_wgsl.cc, ops/quad_gemm.h): the software adapter's, no workgroup memory.
// ConvGemmGpu runs it when ConvUsesQuadKernel says so (KernelTuning::quad_gemm, else a software adapter
// whose subgroups are four lanes); asking for it on a device without such subgroups is an error.
Result<bool> ConvUsesQuadKernel(const GpuContext& ctx);
Status ConvQuadGpu(const ConvProblem& p, GpuContext& ctx);

// ConvInteger and QLinearConv (conv_integer.cc).
std::vector<OpSchema> IntegerConvOps();

}  // namespace webconv::ops
