// The pipeline cache both backends keep: compiled pipelines by Kernel::CacheKey(). A key names what a
// kernel's WGSL depends on, so a hit must present the very WGSL and bindings the pipeline was compiled
// from; anything else is a kernel whose specialization misses something, reported as an internal error
// instead of silently running the wrong pipeline.
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "gpu/kernel.h"

namespace webconv::gpu {

// What a compiled pipeline was built from; each backend's pipeline type derives from it.
struct PipelineSource {
  std::string name;             // kernel name
  std::string wgsl;             // the source it was compiled from
  std::vector<bool> read_only;  // per storage binding, as the bind group layout declares it
  bool has_uniforms = false;
  void SetSource(const Kernel& kernel);
};

// OK when `kernel` is what `hit` was compiled from; otherwise the internal error naming the kernel and key.
Status CheckCacheHit(const PipelineSource& hit, const Kernel& kernel);

// P: the backend's pipeline, derived from PipelineSource.
template <typename P>
class PipelineCache {
  static_assert(std::is_base_of_v<PipelineSource, P>, "a cached pipeline must record its source");

 public:
  // The cached pipeline for `kernel`; on a miss, compile(kernel) -> Result<std::shared_ptr<P>> makes it.
  template <typename CompileFn>
  Result<std::shared_ptr<P>> Get(const Kernel& kernel, CompileFn&& compile) {
    std::string key = kernel.CacheKey();
    auto it = pipelines_.find(key);
    if (it != pipelines_.end()) {
      WC_RETURN_IF_ERROR(CheckCacheHit(*it->second, kernel));
      return it->second;
    }
    WC_ASSIGN_OR_RETURN(std::shared_ptr<P> compiled, compile(kernel));
    return pipelines_.emplace(std::move(key), std::move(compiled)).first->second;
  }
  size_t size() const { return pipelines_.size(); }

 private:
  std::unordered_map<std::string, std::shared_ptr<P>> pipelines_;
};

}  // namespace webconv::gpu
