// Independent, deliberately naive implementations of the ops under test, written from the ONNX spec's
// formulas (coordinates everywhere, no strides shared with the library) to check the reference against.
#pragma once

#include <string>
#include <vector>

#include "common/host_tensor.h"

namespace webconv::testing {

std::vector<HostTensor> SplitOracle(const HostTensor& x, int64_t axis, const std::vector<int64_t>& parts);
// Expand and Tile alike: out[c] = x[c mod x.shape] (x right-aligned under `out`).
HostTensor ModOracle(const HostTensor& x, const Shape& out);
HostTensor RangeOracle(DType t, double start, double limit, double delta);
// reduction: "none" | "add" | "mul"; updates apply in row-major order, the last one winning for "none".
HostTensor ScatterElementsOracle(const HostTensor& data, const HostTensor& indices, const HostTensor& updates,
                                 int64_t axis, const std::string& reduction);
HostTensor ScatterNDOracle(const HostTensor& data, const HostTensor& indices, const HostTensor& updates,
                           const std::string& reduction);
HostTensor DepthToSpaceOracle(const HostTensor& x, int64_t bs, bool crd);
HostTensor SpaceToDepthOracle(const HostTensor& x, int64_t bs);

}  // namespace webconv::testing
