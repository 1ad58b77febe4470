// Start-up checks that the loaded library really has the ABI of src/gpu/webgpu_abi.h. A struct layout
// mismatch usually shows as the library writing past our struct, or as garbage values; both are caught
// here and reported as a kDevice Status naming the library, instead of corrupting memory later.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "gpu/native/dawn_procs.h"
#include "gpu/native/wait.h"

namespace webconv::gpu::native {

// What AdapterGetInfo reports, copied out of the library's strings.
struct AdapterFacts {
  std::string vendor, architecture, device, description;
  abi::WGPUEnum backend = 0;
  abi::WGPUEnum type = 0;
  uint32_t vendor_id = 0, device_id = 0;
  uint32_t subgroup_min_size = 0, subgroup_max_size = 0;  // 0 when the adapter does not say
  std::string Name() const { return device.empty() ? description : device; }
};

std::string StringOf(abi::WGPUStringView v);
const char* BackendName(abi::WGPUEnum backend);
const char* AdapterTypeName(abi::WGPUEnum type);

// Each call passes the out-struct followed by a guard band and fails if the library writes into it.
Status GetInstanceCapabilities(const DawnProcs& p, abi::WGPUInstanceCapabilities* out);
Status GetAdapterFacts(const DawnProcs& p, abi::WGPUAdapter adapter, AdapterFacts* out);
Status GetAdapterLimits(const DawnProcs& p, abi::WGPUAdapter adapter, abi::WGPULimits* out);
Status GetDeviceLimits(const DawnProcs& p, abi::WGPUDevice device, abi::WGPULimits* out);

// Every adapter must offer at least WebGPU's default limits; values below them (or absurd ones) mean
// the fields were read from the wrong offsets.
Status CheckLimitsSane(const abi::WGPULimits& l, const std::string& library);

// Submits nothing and waits for OnSubmittedWorkDone with marked userdata: checks the callback's argument
// order (this binary passes a message before the userdata; see webgpu_abi.h).
Status CheckWorkDoneCallback(const DawnProcs& p, const Waiter& waiter, abi::WGPUQueue queue);

}  // namespace webconv::gpu::native
