// Adapter choice. Dawn's C API hands out one adapter per request, so candidates are gathered with a
// high-performance and a low-power request (a forceFallbackAdapter request finds nothing in this Dawn).
//
// Auto mode prefers a hardware GPU. When there is none (this Dawn then offers only its "Null backend" CPU
// adapter, which can run nothing) and neither VK_ICD_FILENAMES nor VK_DRIVER_FILES is set, it sets
// VK_ICD_FILENAMES to SwiftShader's ICD (Debian's chromium package) and asks a fresh instance again:
// the Vulkan loader rereads the variable for each new instance, so this works within one process
// (verified on this Dawn build). The variable then stays set for the rest of the process.
#pragma once

#include <string>

#include "common/status.h"
#include "gpu/native/abi_check.h"
#include "gpu/native/dawn_procs.h"

namespace webconv::gpu::native {

struct ChosenAdapter {
  abi::WGPUInstance instance = nullptr;  // owned by the caller from here on
  abi::WGPUAdapter adapter = nullptr;    // likewise
  bool timed_wait = false;               // the instance was created with timedWaitAnyEnable
  AdapterFacts facts;
  abi::WGPULimits limits{};
  bool software = false;  // SwiftShader or another CPU adapter
  std::string why;        // one sentence
};

// `mode`: "" (auto), "gpu", "swiftshader", or a case-insensitive substring of the adapter name.
Result<ChosenAdapter> ChooseAdapter(const DawnProcs& p, const std::string& mode);

// SwiftShader's Vulkan ICD manifest: env WEBCONV_SWIFTSHADER_ICD, else Debian chromium's.
std::string SwiftShaderIcdPath();

}  // namespace webconv::gpu::native
