// The pipeline cache both backends keep, by pipeline identity (kernel.h): the WGSL and the bind group
// layout. Kernels that generate the same shader share one compile, whatever their names; a hit is
// confirmed by comparing the full WGSL and layout, so different WGSL never shares a pipeline, even on a
// hash collision.
#pragma once

#include <cstdint>
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
  std::string name;    // the first kernel's name (Dawn's labels and messages quote it)
  std::string wgsl;    // the source it was compiled from
  std::string layout;  // Kernel::LayoutSignature()
  void SetSource(const Kernel& kernel);
  bool Matches(const Kernel& kernel) const { return layout == kernel.LayoutSignature() && wgsl == kernel.wgsl; }
};

// P: the backend's pipeline, derived from PipelineSource.
template <typename P>
class PipelineCache {
  static_assert(std::is_base_of_v<PipelineSource, P>, "a cached pipeline must record its source");

 public:
  // The pipeline compiled from exactly this kernel's WGSL and layout, or nullptr.
  std::shared_ptr<P> Find(const Kernel& kernel) const {
    auto it = pipelines_.find(kernel.IdentityHash());
    if (it == pipelines_.end()) return nullptr;
    for (const std::shared_ptr<P>& p : it->second)
      if (p->Matches(kernel)) return p;
    return nullptr;
  }
  void Insert(const Kernel& kernel, std::shared_ptr<P> pipeline) {
    pipelines_[kernel.IdentityHash()].push_back(std::move(pipeline));
    ++size_;
  }
  size_t size() const { return size_; }

 private:
  std::unordered_map<uint64_t, std::vector<std::shared_ptr<P>>> pipelines_;
  size_t size_ = 0;
};

// Pipeline identities without pipelines: which kernels of a list compile to distinct pipelines.
class PipelineIdentitySet {
 public:
  bool Add(const Kernel& kernel);  // true when the kernel's identity was not in the set yet
  bool Contains(const Kernel& kernel) const { return ids_.Find(kernel) != nullptr; }

 private:
  PipelineCache<PipelineSource> ids_;
};

}  // namespace webconv::gpu
