// The backend-independent half of the pipeline cache: recording what a pipeline was compiled from.
#include "gpu/pipeline_cache.h"

namespace webconv::gpu {

void PipelineSource::SetSource(const Kernel& kernel) {
  name = kernel.name;
  wgsl = kernel.wgsl;
  layout = kernel.LayoutSignature();
}

}  // namespace webconv::gpu
