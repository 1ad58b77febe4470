// The webgpu.h entry points of the Dawn shared library, resolved once per process with dlopen/dlsym.
// The library is never unloaded: Dawn keeps process-wide state (and callbacks may still be pending).
#pragma once

#include <string>

#include "common/status.h"
#include "gpu/webgpu_abi.h"

namespace webconv::gpu::native {

struct DawnProcs {
#define WEBCONV_WGPU_PROC_FIELD(name, ret, ...) abi::WGPUProc##name name = nullptr;
  WEBCONV_WGPU_PROCS(WEBCONV_WGPU_PROC_FIELD)
#undef WEBCONV_WGPU_PROC_FIELD
  abi::WGPUProcDeviceForceLoss DeviceForceLoss = nullptr;  // optional (Dawn only); nullptr when absent
  std::string path;  // the library actually loaded
};

// Path: env WEBCONV_DAWN_LIB if set, else the WEBCONV_DAWN_LIB compile definition (CMake cache variable).
// A missing library or symbol is a kDevice Status naming the path (and the symbol). Thread-safe; the
// result (success or failure) is computed once.
Result<const DawnProcs*> LoadDawnProcs();

}  // namespace webconv::gpu::native
