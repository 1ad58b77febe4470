// The pools (MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool): attributes, the problem resolved
// once from the input shape, and the entry points of the reference and the WGSL generator.
#pragma once

#include <vector>

#include "ops/window/geometry.h"
#include "ops/op_schema.h"

namespace webconv::ops {

enum class PoolKind { kMax, kAverage, kGlobalMax, kGlobalAverage };

struct PoolAttrs {
  PoolKind kind = PoolKind::kMax;
  WindowAttrs window;              // empty for the global pools
  bool count_include_pad = false;  // AveragePool-7 and later
  bool column_major = false;       // MaxPool storage_order = 1 (Indices only)
};

// Everything a pool kernel needs. Spatial axes are front-padded with unit axes to exactly three, so one
// reference loop and one WGSL kernel serve 1-D, 2-D and 3-D. A global pool is a window covering the
// whole input with its spatial axes collapsed into one, whatever the rank.
struct PoolProblem {
  PoolKind kind = PoolKind::kMax;
  DType dtype = DType::kUndefined;
  int64_t batch = 0, channels = 0;
  Shape out_shape;  // Y (and Indices)
  AxisGeometry axis3[3];
  bool count_include_pad = false;
  bool column_major = false;
  bool with_indices = false;
  bool is_max() const { return kind == PoolKind::kMax || kind == PoolKind::kGlobalMax; }
  bool is_global() const { return kind == PoolKind::kGlobalMax || kind == PoolKind::kGlobalAverage; }
  int64_t planes() const { return batch * channels; }
  int64_t in_spatial() const { return axis3[0].in * axis3[1].in * axis3[2].in; }
  int64_t out_spatial() const { return axis3[0].out * axis3[1].out * axis3[2].out; }
  int64_t kernel_volume() const { return axis3[0].kernel * axis3[1].kernel * axis3[2].kernel; }
  // Element strides of the three spatial axes in the Indices numbering (row- or column-major).
  void IndexStrides(int64_t s[3]) const;
};

// Validates X against the attributes; `with_indices` when the node asks for MaxPool's Indices output.
Result<PoolProblem> ResolvePool(const PoolAttrs& a, const TensorInfo& x, bool with_indices);

// First and one-past-last tap k in [0, kernel) whose coordinate base + k * dilation lies in [lo, hi).
void ClipTaps(const AxisGeometry& a, int64_t base, int64_t lo, int64_t hi, int64_t* k0, int64_t* k1);

// `indices` is nullptr when the node does not ask for them.
Status PoolReference(const PoolProblem& p, const HostTensor& x, HostTensor* y, HostTensor* indices);
Status PoolGpu(const PoolProblem& p, GpuContext& ctx);
// The fast CPU backend's pools (pool_cpu.cc): float32 without Indices; otherwise the reference runs.
bool PoolCpuHandles(const PoolProblem& p, const HostTensor& x, const HostTensor* indices);
Status PoolCpu(const PoolProblem& p, const HostTensor& x, HostTensor* y);

// MaxUnpool (max_unpool.cc).
std::vector<OpSchema> MaxUnpoolRows();

}  // namespace webconv::ops
