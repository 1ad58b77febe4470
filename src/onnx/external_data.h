// External tensor data (TensorProto.data_location == EXTERNAL), resolved strictly inside the model's folder.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "onnx/mapped_file.h"
#include "onnx/model.h"

namespace webconv::onnx::internal {

// Calls `fn` on every TensorProto of the model: initializers, sparse initializers, attribute tensors, in
// subgraphs and in functions too. Stops at the first error.
Status ForEachTensor(ModelProto* model, const std::function<Status(TensorProto*)>& fn);

// Points raw_data of external tensors at their bytes in mapped files. Each distinct file is mapped once.
class ExternalDataResolver {
 public:
  // `dir`: the folder holding the model; every location must resolve inside it.
  explicit ExternalDataResolver(std::string dir) : dir_(std::move(dir)) {}

  // Resolves `t` if its data_location is EXTERNAL; other tensors are left alone.
  Status Resolve(TensorProto* t);
  // The files mapped so far, to keep alive as long as the views into them.
  std::vector<std::shared_ptr<const void>> storage() const;

 private:
  Result<std::shared_ptr<const MappedFile>> Map(const std::string& real_path);

  std::string dir_;
  std::string real_dir_;  // realpath of dir_, computed on first use
  std::map<std::string, std::shared_ptr<const MappedFile>> files_;
};

}  // namespace webconv::onnx::internal
