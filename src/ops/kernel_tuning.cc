// KernelTuning's defaults (kernel_tuning.h).
#include "ops/kernel_tuning.h"

namespace webconv::ops {

const KernelTuning& KernelTuning::Defaults() {
  static const KernelTuning defaults;
  return defaults;
}

}  // namespace webconv::ops
