// The tensor family's rows of the registry table.
#include "ops/families.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops {

std::vector<OpSchema> TensorOps() {
  std::vector<OpSchema> all;
  for (auto rows : {tensor::TransposeRows, tensor::ConcatRows, tensor::GatherRows, tensor::GatherElementsRows,
                    tensor::GatherNDRows, tensor::SliceRows, tensor::SplitRows, tensor::ExpandRows,
                    tensor::TileRows, tensor::RangeRows, tensor::ScatterElementsRows, tensor::ScatterNDRows,
                    tensor::DepthSpaceRows, tensor::TriluRows, tensor::EyeLikeRows, tensor::OneHotRows,
                    tensor::WindowRows, tensor::ReverseSequenceRows, tensor::DropoutRows, tensor::NonZeroCompressRows,
                    tensor::UniqueRows, tensor::NonMaxSuppressionRows, tensor::MelWeightMatrixRows, tensor::DftRows, tensor::TfIdfVectorizerRows}) {
    auto r = rows();
    all.insert(all.end(), r.begin(), r.end());
  }
  return all;
}

}  // namespace webconv::ops
