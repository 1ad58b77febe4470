#include "onnx/external_data.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace webconv::onnx::internal {

namespace {

Status ForEachInGraph(GraphProto* g, const std::function<Status(TensorProto*)>& fn);

Status ForEachInNodes(std::vector<NodeProto>* nodes, const std::function<Status(TensorProto*)>& fn) {
  for (NodeProto& n : *nodes) {
    for (AttributeProto& a : n.attribute) {
      if (a.t) WC_RETURN_IF_ERROR(fn(a.t.get()));
      for (TensorProto& t : a.tensors) WC_RETURN_IF_ERROR(fn(&t));
      if (a.sparse_tensor) {
        WC_RETURN_IF_ERROR(fn(&a.sparse_tensor->values));
        WC_RETURN_IF_ERROR(fn(&a.sparse_tensor->indices));
      }
      for (SparseTensorProto& s : a.sparse_tensors) {
        WC_RETURN_IF_ERROR(fn(&s.values));
        WC_RETURN_IF_ERROR(fn(&s.indices));
      }
      // Recursion depth is bounded by the parser's graph-depth limit.
      if (a.g) WC_RETURN_IF_ERROR(ForEachInGraph(a.g.get(), fn));
      for (auto& g : a.graphs) WC_RETURN_IF_ERROR(ForEachInGraph(g.get(), fn));
    }
  }
  return OkStatus();
}

Status ForEachInGraph(GraphProto* g, const std::function<Status(TensorProto*)>& fn) {
  for (TensorProto& t : g->initializer) WC_RETURN_IF_ERROR(fn(&t));
  for (SparseTensorProto& s : g->sparse_initializer) {
    WC_RETURN_IF_ERROR(fn(&s.values));
    WC_RETURN_IF_ERROR(fn(&s.indices));
  }
  return ForEachInNodes(&g->node, fn);
}

// Parses a non-negative decimal integer as ONNX writes offsets and lengths; no sign, no spaces.
bool ParseUint(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;  // 19 digits always fit in a uint64
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

// Rejects locations that could name something outside the model's folder before touching the file
// system: empty, absolute, containing NUL (it would cut the C string short) or a ".." component. The
// realpath check afterwards catches symlinks.
const char* LocationProblem(std::string_view loc) {
  if (loc.empty()) return "is empty";
  if (loc.find('\0') != std::string_view::npos) return "contains a NUL byte";
  if (loc.front() == '/' || loc.front() == '\\') return "is an absolute path";
  size_t start = 0;
  while (start <= loc.size()) {
    // Backslashes count as separators too, so that a Windows-style "..\\x" is refused as well.
    size_t end = loc.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = loc.size();
    if (loc.substr(start, end - start) == "..") return "contains a '..' component";
    start = end + 1;
  }
  return nullptr;
}

Result<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr)
    return BadModel("cannot resolve '", path, "': ", std::strerror(errno));
  return std::string(buf);
}

}  // namespace

Status ForEachTensor(ModelProto* model, const std::function<Status(TensorProto*)>& fn) {
  if (model->has_graph) WC_RETURN_IF_ERROR(ForEachInGraph(&model->graph, fn));
  for (FunctionProto& f : model->functions) WC_RETURN_IF_ERROR(ForEachInNodes(&f.node, fn));
  return OkStatus();
}

std::vector<std::shared_ptr<const void>> ExternalDataResolver::storage() const {
  std::vector<std::shared_ptr<const void>> out;
  for (const auto& [path, file] : files_) out.push_back(file);
  for (const auto& bytes : used_) out.push_back(bytes);
  return out;
}

Result<std::shared_ptr<const MappedFile>> ExternalDataResolver::Map(const std::string& real_path) {
  auto it = files_.find(real_path);
  if (it != files_.end()) return it->second;
  WC_ASSIGN_OR_RETURN(auto file,
                      MappedFile::Open(real_path, int64_t{1} << 46, /*missing_is_usage_error=*/false));
  files_.emplace(real_path, file);
  return file;
}

Status ExternalDataResolver::Locate(const std::string& where, const std::string& loc, const uint8_t** data,
                                    uint64_t* size) {
  if (given_) {
    // By name, as onnxruntime-web matches its externalData paths: "./w.bin" and "w.bin" are one file.
    auto bare = [](std::string_view v) {
      while (v.size() >= 2 && v[0] == '.' && (v[1] == '/' || v[1] == '\\')) v.remove_prefix(2);
      return v;
    };
    for (const auto& [name, bytes] : *given_) {
      if (bare(name) != bare(loc) || !bytes) continue;
      if (std::find(used_.begin(), used_.end(), bytes) == used_.end()) used_.push_back(bytes);
      *data = bytes->data();
      *size = bytes->size();
      return OkStatus();
    }
    if (given_->empty())
      return BadModel(where, " location '", loc,
                      "': a model given as bytes needs its external data given with it (none was)");
    std::string names;
    for (const auto& [name, bytes] : *given_) names += (names.empty() ? "'" : ", '") + name + "'";
    return BadModel(where, " location '", loc, "' is not among the external data given (", names, ")");
  }
  if (real_dir_.empty()) {
    auto real_dir = RealPath(dir_.empty() ? "." : dir_);
    if (!real_dir.ok()) return real_dir.status().Prefixed(where + ": model folder: ");
    real_dir_ = std::move(real_dir).value();
  }
  auto real = RealPath((dir_.empty() ? "." : dir_) + "/" + loc);
  if (!real.ok()) return real.status().Prefixed(where + ": ");
  const std::string& path = real.value();
  const std::string prefix = real_dir_ == "/" ? "/" : real_dir_ + "/";
  if (path.compare(0, prefix.size(), prefix) != 0 || path.size() == prefix.size()) {
    return BadModel(where, " location '", loc, "' resolves to '", path, "', outside the model's folder '",
                    real_dir_, "' (through a symlink?)");
  }
  auto file = Map(path);
  if (!file.ok()) return file.status().Prefixed(where + ": ");
  *data = file.value()->data();
  *size = file.value()->size();
  return OkStatus();
}

Status ExternalDataResolver::Resolve(TensorProto* t) {
  if (t->data_location != 1) return OkStatus();
  std::string_view location;
  std::string_view offset_str, length_str;
  bool has_location = false;
  for (const StringStringEntry& e : t->external_data) {
    if (e.key == "location") {
      location = e.value;
      has_location = true;
    } else if (e.key == "offset") {
      offset_str = e.value;
    } else if (e.key == "length") {
      length_str = e.value;
    }  // "checksum" and unknown keys are ignored, as the ONNX helpers do
  }
  const std::string where = StrCat("tensor '", t->name, "': external data");
  if (!has_location) return BadModel(where, " has no 'location' key");
  const std::string loc(location);
  if (const char* problem = LocationProblem(location)) {
    return BadModel(where, " location '", loc, "' ", problem,
                    "; it must be a relative path inside the model's folder");
  }
  uint64_t offset = 0, length = 0;
  if (!offset_str.empty() && !ParseUint(offset_str, &offset)) {
    return BadModel(where, " '", loc, "': offset '", std::string(offset_str),
                    "' is not a non-negative integer");
  }
  if (!length_str.empty() && !ParseUint(length_str, &length)) {
    return BadModel(where, " '", loc, "': length '", std::string(length_str),
                    "' is not a non-negative integer");
  }
  const uint8_t* data = nullptr;
  uint64_t size = 0;
  WC_RETURN_IF_ERROR(Locate(where, loc, &data, &size));
  if (offset > size)
    return BadModel(where, " '", loc, "': offset ", offset, " is past the end of the file (", size,
                    " bytes)");
  // A missing length means "to the end of the file". (ONNX's Python helper also reads to the end for an
  // explicit "0"; here an explicit length is taken at its word, so an empty tensor stays empty.)
  if (length_str.empty()) length = size - offset;
  if (length > size - offset) {
    return BadModel(where, " '", loc, "': offset ", offset, " + length ", length,
                    " is past the end of the file (", size, " bytes)");
  }
  t->raw_data = Bytes{data == nullptr ? nullptr : data + offset, static_cast<size_t>(length)};
  t->has_raw_data = true;
  t->external_resolved = true;
  return OkStatus();
}

}  // namespace webconv::onnx::internal
