// How many compute units (NVIDIA SMs, AMD CUs) an adapter has: the tile and split choices of the Conv kernels
// fill them with workgroups. WebGPU does not report it, so it is looked up by adapter name.
#pragma once

#include <cstdint>
#include <string>

namespace webconv::gpu {

// The H100 SXM's 132 SMs: the machine the Conv tile model was fitted on, and the count assumed for an
// adapter the table does not know.
constexpr uint32_t kDefaultComputeUnits = 132;

// The compute units of the adapter named `name` (as AdapterInfo::name reports it), from a table of known
// GPUs (NVIDIA's published SM counts), else kDefaultComputeUnits.
uint32_t ComputeUnitsOf(const std::string& name);

}  // namespace webconv::gpu
