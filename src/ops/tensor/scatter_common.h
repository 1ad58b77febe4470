// Shared by ScatterElements / Scatter and ScatterND: the `reduction` attribute, the reference's way of
// applying updates, and the WGSL that combines an update into an output element.
//
// Order: updates apply in the row-major order of the update tensor, on both backends. With reduction
// 'none' the spec leaves duplicate indices undefined; webconv defines them: the last update in that
// order wins. With 'add' / 'mul' the reference accumulates in double (int64 for integer types, wrapping)
// and rounds once; the kernels never use atomics: each output element (or row) is owned by one thread,
// which applies its updates serially in that same order, so results are deterministic and race-free.
#pragma once

#include <string>
#include <vector>

#include "ops/op_schema.h"

namespace webconv::ops::tensor {

enum class ScatterReduction { kNone, kAdd, kMul };

// Reads `reduction` (opset >= 16; none before). min/max (opset 18) are rejected with a clear message.
Status ParseReduction(const ParseContext& ctx, ScatterReduction* out);
const char* ReductionName(ScatterReduction r);

// The reference's output under construction: starts as a copy of `data`, takes updates, then Finish()
// stores the accumulated values (rounded once) for add / mul.
class ScatterTarget {
 public:
  ScatterTarget(const HostTensor& data, ScatterReduction r, HostTensor* out);
  // Applies element `u` of `updates` to output element `o`.
  void Apply(int64_t o, const HostTensor& updates, int64_t u);
  void Finish();

 private:
  ScatterReduction r_;
  HostTensor* out_;
  bool is_float_;
  std::vector<double> fsum_;
  std::vector<uint64_t> isum_;  // unsigned: wraps instead of overflowing
};

// The kernel's storage type for data/updates/output: raw 32-bit words when nothing is computed.
gpu::ScalarType ScatterGpuType(DType t, ScatterReduction r);
// WGSL statement combining `upd` into `acc` (both of the storage type).
std::string CombineWgsl(ScatterReduction r);

}  // namespace webconv::ops::tensor
