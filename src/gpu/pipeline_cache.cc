// The backend-independent half of the pipeline cache: recording a pipeline's source and checking a hit.
#include "gpu/pipeline_cache.h"

namespace webconv::gpu {

void PipelineSource::SetSource(const Kernel& kernel) {
  name = kernel.name;
  wgsl = kernel.wgsl;
  read_only.clear();
  for (const BindingDecl& b : kernel.bindings) read_only.push_back(b.read_only);
  has_uniforms = kernel.has_uniforms;
}

Status CheckCacheHit(const PipelineSource& hit, const Kernel& kernel) {
  bool same_bindings =
      hit.read_only.size() == kernel.bindings.size() && hit.has_uniforms == kernel.has_uniforms;
  for (size_t i = 0; same_bindings && i < hit.read_only.size(); ++i) {
    same_bindings = hit.read_only[i] == kernel.bindings[i].read_only;
  }
  if (hit.wgsl != kernel.wgsl || !same_bindings) {
    return DeviceError("internal error: kernel '", kernel.name, "': pipeline cache key '", kernel.CacheKey(),
                       "' was first compiled from different WGSL or bindings; the kernel's specialization "
                       "must name everything that its WGSL depends on");
  }
  return OkStatus();
}

}  // namespace webconv::gpu
