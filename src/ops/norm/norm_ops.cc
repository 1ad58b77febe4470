// The norm family's registry rows: BatchNormalization, InstanceNormalization, LayerNormalization, LRN,
// MeanVarianceNormalization.
#include "ops/families.h"
#include "ops/norm/row_norm.h"

namespace webconv::ops {

std::vector<OpSchema> NormOps() {
  std::vector<OpSchema> all;
  for (auto rows : {BatchNormRows, InstanceNormRows, LayerNormRows, LrnRows, MeanVarianceNormRows}) {
    auto r = rows();
    all.insert(all.end(), r.begin(), r.end());
  }
  return all;
}

}  // namespace webconv::ops
