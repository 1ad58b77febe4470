#include "gpu/compute_units.h"

namespace webconv::gpu {

uint32_t ComputeUnitsOf(const std::string& name) {
  // Most specific names first: "H100 PCIe" before "H100".
  struct Known {
    const char* part;
    uint32_t units;
  };
  static const Known kKnown[] = {
      {"H100 PCIe", 114}, {"H100", 132}, {"H200", 132}, {"A100", 108},
      {"L40S", 142},      {"L4", 58},    {"T4", 40},
  };
  for (const Known& k : kKnown)
    if (name.find(k.part) != std::string::npos) return k.units;
  return kDefaultComputeUnits;
}

}  // namespace webconv::gpu
