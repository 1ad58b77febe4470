#include "gpu/native/dawn_procs.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

#ifndef WEBCONV_DAWN_LIB
#define WEBCONV_DAWN_LIB "libwebgpu_dawn.so"  // only when built outside the project's CMake
#endif

namespace webconv::gpu::native {
namespace {

Result<const DawnProcs*> Load() {
  static DawnProcs procs;  // lives for the process: see the header
  const char* env = std::getenv("WEBCONV_DAWN_LIB");
  procs.path = (env && *env) ? env : WEBCONV_DAWN_LIB;
  // RTLD_LOCAL keeps Dawn's bundled symbols (abseil, SPIRV-Tools, ...) from interposing on ours.
  void* lib = dlopen(procs.path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* err = dlerror();
    return DeviceError("cannot load the WebGPU library '", procs.path, "': ", err ? err : "unknown error",
                       " (point the environment variable WEBCONV_DAWN_LIB at run time, or the CMake variable "
                       "WEBCONV_DAWN_LIB at configure time, at a Dawn build that "
                       "exports the webgpu.h C API; the project pins npm bun-webgpu-linux-x64@0.1.7)");
  }
#define WEBCONV_WGPU_RESOLVE(name, ret, ...)                                                \
  procs.name = reinterpret_cast<abi::WGPUProc##name>(dlsym(lib, "wgpu" #name));             \
  if (!procs.name) {                                                                        \
    return DeviceError("the WebGPU library '", procs.path,                                  \
                       "' does not export wgpu" #name                                       \
                       " (it is not the webgpu.h ABI that src/gpu/webgpu_abi.h declares)"); \
  }
  WEBCONV_WGPU_PROCS(WEBCONV_WGPU_RESOLVE)
#undef WEBCONV_WGPU_RESOLVE
  procs.DeviceForceLoss = reinterpret_cast<abi::WGPUProcDeviceForceLoss>(dlsym(lib, "wgpuDeviceForceLoss"));
  return static_cast<const DawnProcs*>(&procs);
}

}  // namespace

Result<const DawnProcs*> LoadDawnProcs() {
  static std::once_flag once;
  static Status status;
  static const DawnProcs* procs = nullptr;
  std::call_once(once, [] {
    Result<const DawnProcs*> r = Load();
    if (r.ok()) {
      procs = r.value();
    } else {
      status = r.status();
    }
  });
  if (!procs) return status;
  return procs;
}

}  // namespace webconv::gpu::native
