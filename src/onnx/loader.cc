// Entry points: files are memory-mapped and parsed in place; the Model keeps the mappings alive.
#include "onnx/loader.h"

#include <algorithm>

#include "onnx/external_data.h"
#include "onnx/mapped_file.h"
#include "onnx/parse.h"

namespace webconv::onnx {

namespace {

std::string DirName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Finishes a model: a single handle that keeps every buffer alive, for views (e.g. HostTensor) that
// may outlive the Model itself.
std::shared_ptr<const Model> Seal(std::shared_ptr<Model> model) {
  model->keep_alive = std::make_shared<const std::vector<std::shared_ptr<const void>>>(model->storage);
  return model;
}

// ONNX writers (the onnx package, PyTorch, tf2onnx, ONNX Runtime) put ir_version, field 1 as a varint,
// first: tag byte 0x08. A file that fails to parse and does not start so is most likely not a model at all
// (a text file, an image, a TensorFlow graph): say that first, in plain words, then the parser's detail.
Status NotAModelHint(const uint8_t* data, size_t size, Status parse_error) {
  if (size > 0 && data[0] == 0x08) return parse_error;
  std::string start;
  for (size_t i = 0; i < size && i < 8; ++i)
    start += (data[i] >= 0x20 && data[i] < 0x7f) ? static_cast<char>(data[i]) : '.';
  const std::string what = size == 0 ? std::string("it is empty")
                                     : "it starts with \"" + start + "\", not with an IR version";
  return BadModel("this is not an ONNX model file (", what, "): ", parse_error.message);
}

Status Parse(const uint8_t* data, size_t size, const LoaderLimits& limits, Model* out) {
  internal::ParseContext ctx(limits, size);
  const Status parsed = internal::ParseModel(wire::Span{data, size, 0}, &ctx, &out->proto);
  if (!parsed.ok()) return NotAModelHint(data, size, parsed);
  out->graph_memory_budget = std::max<int64_t>(ctx.budget - ctx.charged, 0);
  return internal::CheckModelVersions(out->proto);
}

}  // namespace

Result<std::shared_ptr<const Model>> LoadModelFile(const std::string& path, const LoaderLimits& limits) {
  WC_ASSIGN_OR_RETURN(auto file,
                      MappedFile::Open(path, limits.max_message_bytes, /*missing_is_usage_error=*/true));
  auto model = std::make_shared<Model>();
  model->path = path;
  model->dir = DirName(path);
  model->storage.push_back(file);
  const Status st = Parse(file->data(), file->size(), limits, model.get());
  if (!st.ok()) return st.Prefixed(path + ": ");
  internal::ExternalDataResolver resolver(model->dir);
  const Status ext =
      internal::ForEachTensor(&model->proto, [&](TensorProto* t) { return resolver.Resolve(t); });
  if (!ext.ok()) return ext.Prefixed(path + ": ");
  for (auto& s : resolver.storage()) model->storage.push_back(std::move(s));
  return Seal(std::move(model));
}

Result<std::shared_ptr<const Model>> LoadModelBytes(std::vector<uint8_t> bytes, const LoaderLimits& limits,
                                                    const ExternalFiles& external) {
  if (bytes.size() > static_cast<uint64_t>(limits.max_message_bytes)) {
    return BadModel("model of ", bytes.size(), " bytes is larger than the limit of ",
                    limits.max_message_bytes);
  }
  auto buffer = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  auto model = std::make_shared<Model>();
  model->storage.push_back(buffer);
  WC_RETURN_IF_ERROR(Parse(buffer->data(), buffer->size(), limits, model.get()));
  internal::ExternalDataResolver resolver(&external);
  WC_RETURN_IF_ERROR(internal::ForEachTensor(&model->proto, [&](TensorProto* t) { return resolver.Resolve(t); }));
  for (auto& s : resolver.storage()) model->storage.push_back(std::move(s));
  return Seal(std::move(model));
}

Status ParseTensorProto(const uint8_t* data, size_t size, TensorProto* out) {
  internal::ParseContext ctx(LoaderLimits{}, size);
  return internal::ParseTensor(wire::Span{data, size, 0}, &ctx, out);
}

Result<HostTensor> LoadTensorProtoFile(const std::string& path, std::string* name_out) {
  // Test tensors are small, but the bound only guards against absurd files: mapping costs no memory, and
  // the copy below is the tensor's own size, which TensorToHost has checked against the file's bytes.
  constexpr int64_t kMaxTensorFileBytes = int64_t{1} << 40;
  WC_ASSIGN_OR_RETURN(auto file,
                      MappedFile::Open(path, kMaxTensorFileBytes, /*missing_is_usage_error=*/true));
  TensorProto t;
  Status st = ParseTensorProto(file->data(), file->size(), &t);
  if (!st.ok()) return st.Prefixed(path + ": ");
  internal::ExternalDataResolver resolver(DirName(path));
  st = resolver.Resolve(&t);
  if (!st.ok()) return st.Prefixed(path + ": ");
  auto host = TensorToHost(t, nullptr);
  if (!host.ok()) return host.status().Prefixed(path + ": ");
  if (name_out) *name_out = std::string(t.name);
  // The mapping is released on return, so the bytes are copied out.
  const HostTensor& h = host.value();
  std::vector<uint8_t> bytes(h.data(), h.data() + h.byte_size());
  return HostTensor::Owned(h.dtype(), h.shape(), std::move(bytes));
}

}  // namespace webconv::onnx
