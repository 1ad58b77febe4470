// External tensor data (TensorProto.data_location == EXTERNAL), resolved strictly inside the model's folder.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "onnx/loader.h"
#include "onnx/mapped_file.h"
#include "onnx/model.h"

namespace webconv::onnx::internal {

// Calls `fn` on every TensorProto of the model: initializers, sparse initializers, attribute tensors, in
// subgraphs and in functions too. Stops at the first error.
Status ForEachTensor(ModelProto* model, const std::function<Status(TensorProto*)>& fn);

// Points raw_data of external tensors at their bytes: in files mapped from the model's folder (each
// distinct file mapped once), or in bytes given by location (LoadModelBytes).
class ExternalDataResolver {
 public:
  // `dir`: the folder holding the model; every location must resolve inside it.
  explicit ExternalDataResolver(std::string dir) : dir_(std::move(dir)) {}
  // Locations are looked up in `files` (kept alive by storage()); nothing is read from the file system.
  explicit ExternalDataResolver(const ExternalFiles* files) : given_(files) {}

  // Resolves `t` if its data_location is EXTERNAL; other tensors are left alone.
  Status Resolve(TensorProto* t);
  // The files mapped so far, to keep alive as long as the views into them.
  std::vector<std::shared_ptr<const void>> storage() const;

 private:
  Result<std::shared_ptr<const MappedFile>> Map(const std::string& real_path);
  // The bytes of a location from the folder or from given_, checked; `used` keeps given bytes alive.
  Status Locate(const std::string& where, const std::string& loc, const uint8_t** data, uint64_t* size);

  std::string dir_;
  std::string real_dir_;  // realpath of dir_, computed on first use
  std::map<std::string, std::shared_ptr<const MappedFile>> files_;
  const ExternalFiles* given_ = nullptr;
  std::vector<std::shared_ptr<const std::vector<uint8_t>>> used_;
};

}  // namespace webconv::onnx::internal
