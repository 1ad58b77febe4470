// The part of a Device that does not depend on the WebGPU implementation underneath, shared by the
// native and the browser backend: CreateBuffer's size rounding and limit checks, and Prepare/PrepareAll
// over the pipeline cache. A backend derives as `class X : public BackendDevice<X, XPipeline>` and provides
//   Result<BufferPtr> Allocate(uint64_t size, const std::string& label);   // size already checked
//   Status CompileBatch(const std::vector<const Kernel*>& kernels, const ProgressFn& progress,
//                       const std::function<Status()>& meanwhile,
//                       std::vector<std::shared_ptr<XPipeline>>* out);   // distinct cache misses
// These are called directly (CRTP), never virtually: in WebAssembly, compiling suspends the module
// (Asyncify), and Asyncify instruments only direct call paths to the bridge (web/CMakeLists.txt).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

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
  CompileStats compile_stats() const override { return stats_; }

  Status PrepareAll(const std::vector<const Kernel*>& kernels, const ProgressFn& progress,
                    const std::function<Status()>& meanwhile = nullptr) final {
    const std::vector<const Kernel*> misses = Misses(kernels);
    if (misses.empty()) return meanwhile ? meanwhile() : OkStatus();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::shared_ptr<P>> compiled;
    Status st = static_cast<Backend*>(this)->CompileBatch(misses, progress, meanwhile, &compiled);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    WC_RETURN_IF_ERROR(st);
    AddCompiled(misses, compiled, ms);
    return OkStatus();
  }

  // The cached pipeline for `kernel`, compiling it on a miss.
  Result<std::shared_ptr<P>> GetPipeline(const Kernel& kernel) {
    if (std::shared_ptr<P> hit = cache_.Find(kernel)) return hit;
    WC_RETURN_IF_ERROR(PrepareAll({&kernel}, nullptr));
    return cache_.Find(kernel);
  }

 protected:
  // The distinct identities among `kernels` not compiled yet, in first-use order (the others count as
  // reused).
  std::vector<const Kernel*> Misses(const std::vector<const Kernel*>& kernels) {
    PipelineIdentitySet pending;
    std::vector<const Kernel*> misses;
    for (const Kernel* k : kernels) {
      if (cache_.Find(*k) || !pending.Add(*k)) {
        ++stats_.pipelines_reused;
        continue;
      }
      misses.push_back(k);
    }
    return misses;
  }
  // Puts the pipelines compiled for `misses` (same order) into the cache; `ms` is the compile's wall time.
  void AddCompiled(const std::vector<const Kernel*>& misses, std::vector<std::shared_ptr<P>>& compiled, double ms) {
    stats_.compile_ms += ms;
    for (size_t i = 0; i < misses.size(); ++i)
      if (!cache_.Find(*misses[i])) cache_.Insert(*misses[i], std::move(compiled[i]));
    stats_.pipelines_compiled += misses.size();
  }

  CompileStats stats_;

 private:
  PipelineCache<P> cache_;
};

}  // namespace webconv::gpu
