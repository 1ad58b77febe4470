// The backend-independent half of the pipeline cache: recording what a pipeline was compiled from.
#include "gpu/pipeline_cache.h"

namespace webconv::gpu {

void PipelineSource::SetSource(const Kernel& kernel) {
  name = kernel.name;
  wgsl = kernel.wgsl;
  layout = kernel.LayoutSignature();
}

bool PipelineIdentitySet::Add(const Kernel& kernel) {
  if (Contains(kernel)) return false;
  auto source = std::make_shared<PipelineSource>();
  source->SetSource(kernel);
  ids_.Insert(kernel, std::move(source));
  return true;
}

}  // namespace webconv::gpu
