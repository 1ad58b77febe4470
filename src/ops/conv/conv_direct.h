// The Conv kernels for few channels (conv_direct_wgsl.cc: depthwise and channel multipliers;
// conv_few_input_wgsl.cc: first layers with few input channels) and their choices (each overridden by the
// matching KernelTuning field when that is set).
#pragma once

#include "ops/conv/conv.h"

namespace webconv::ops {

// Depthwise / few output channels per group: each thread computes a strip of output rows along H.
Status ConvDirectGpu(const ConvProblem& p, GpuContext& ctx);
// The strip height the direct kernel uses for `p` (1..8, at most OUT_H).
int ChooseConvStripRows(const ConvProblem& p, const KernelTuning* tuning = nullptr);
// The output depths per thread for 3-D windows (1 otherwise), given the strip height.
int ChooseConvStripDepths(const ConvProblem& p, int rows, const KernelTuning* tuning = nullptr);
// Subgroup taps (KernelTuning::subgroup_taps, WEBCONV_CONV_SUBGROUPS=1; off by default): with stride and dilation 1 along W, a thread
// loads only its first tap of each input row and takes the other K_W - 1 from the lanes to its right
// (subgroupShuffleDown); lanes whose neighbour is another row, past the subgroup's end or absent load
// the tap themselves. True when asked for and `p` qualifies; asking without the device's "subgroups"
// feature is an error.
Result<bool> ChooseConvSubgroupTaps(const ConvProblem& p, bool device_has_subgroups,
                                    const KernelTuning* tuning = nullptr);

// First layers (group 1, at most 4 input channels, more than 4 output channels, up to 64 taps):
// each thread computes one output pixel for a block of output channels.
bool ConvUsesFewInputKernel(const ConvProblem& p);
Status ConvFewInputGpu(const ConvProblem& p, GpuContext& ctx);
// The channel block per thread (4, 8, 16 or 32).
int ChooseFewInputChannelBlock(const ConvProblem& p, uint32_t compute_units = 132,
                               const KernelTuning* tuning = nullptr);

}  // namespace webconv::ops
