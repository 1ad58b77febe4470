// The part of a Device that does not depend on the WebGPU implementation underneath, shared by the
// native and the browser backend: CreateBuffer's size rounding and limit checks, and Prepare over the
// pipeline cache. A backend derives as `class X : public BackendDevice<X, XPipeline>` and provides
//   Result<BufferPtr> Allocate(uint64_t size, const std::string& label);   // size already checked
//   Result<std::shared_ptr<XPipeline>> Compile(const Kernel& kernel);      // on a cache miss
// These are called directly (CRTP), never virtually: in WebAssembly, compiling suspends the module
// (Asyncify), and Asyncify instruments only direct call paths to the bridge (web/CMakeLists.txt).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "gpu/buffer_limits.h"
#include "gpu/device.h"
#include "gpu/pipeline_cache.h"

namespace webconv::gpu {

template <typename Backend, typename P>
class BackendDevice : public Device {
 public:
  Result<BufferPtr> CreateBuffer(uint64_t bytes, const std::string& label) final {
    WC_ASSIGN_OR_RETURN(const uint64_t size, BufferAllocationSize(bytes, label, info()));
    return static_cast<Backend*>(this)->Allocate(size, label);
  }
  Status Prepare(const Kernel& kernel) final { return GetPipeline(kernel).status(); }
  size_t pipeline_cache_size() const final { return cache_.size(); }

  // The cached pipeline for `kernel`, compiling it on a miss.
  Result<std::shared_ptr<P>> GetPipeline(const Kernel& kernel) {
    return cache_.Get(kernel, [this](const Kernel& k) { return static_cast<Backend*>(this)->Compile(k); });
  }

 private:
  PipelineCache<P> cache_;
};

}  // namespace webconv::gpu
