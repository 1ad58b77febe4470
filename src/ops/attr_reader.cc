#include "ops/attr_reader.h"

#include "onnx/loader.h"

namespace webconv::ops {

const onnx::AttributeProto* AttrReader::Find(const std::string& name) const {
  if (!attrs_) return nullptr;
  for (const auto& a : *attrs_)
    if (a.name == name) return &a;
  return nullptr;
}

std::vector<std::string> AttrReader::Names() const {
  std::vector<std::string> out;
  if (attrs_)
    for (const auto& a : *attrs_) out.emplace_back(a.name);
  return out;
}

Status AttrReader::Expect(const onnx::AttributeProto& a, onnx::AttributeProto::Type t, const char* what) const {
  if (a.type == t) return OkStatus();
  // Old exporters sometimes leave `type` unset; accept when the payload of the expected kind is there.
  if (a.type == onnx::AttributeProto::kUndefined) return OkStatus();
  return BadModel("attribute '", a.name, "' must be ", what, " (AttributeProto type ", static_cast<int>(t),
                  "), got type ", static_cast<int>(a.type));
}

Status AttrReader::Int(const std::string& name, int64_t def, int64_t* out) const {
  const auto* a = Find(name);
  if (!a) {
    *out = def;
    return OkStatus();
  }
  WC_RETURN_IF_ERROR(Expect(*a, onnx::AttributeProto::kInt, "an int"));
  *out = a->i;
  return OkStatus();
}

Status AttrReader::Float(const std::string& name, float def, float* out) const {
  const auto* a = Find(name);
  if (!a) {
    *out = def;
    return OkStatus();
  }
  WC_RETURN_IF_ERROR(Expect(*a, onnx::AttributeProto::kFloat, "a float"));
  *out = a->f;
  return OkStatus();
}

Status AttrReader::String(const std::string& name, const std::string& def, std::string* out) const {
  const auto* a = Find(name);
  if (!a) {
    *out = def;
    return OkStatus();
  }
  WC_RETURN_IF_ERROR(Expect(*a, onnx::AttributeProto::kString, "a string"));
  *out = std::string(a->s);
  return OkStatus();
}

Status AttrReader::Ints(const std::string& name, std::vector<int64_t>* out) const {
  const auto* a = Find(name);
  if (!a) return OkStatus();
  WC_RETURN_IF_ERROR(Expect(*a, onnx::AttributeProto::kInts, "a list of ints"));
  *out = a->ints;
  return OkStatus();
}

Status AttrReader::Floats(const std::string& name, std::vector<float>* out) const {
  const auto* a = Find(name);
  if (!a) return OkStatus();
  WC_RETURN_IF_ERROR(Expect(*a, onnx::AttributeProto::kFloats, "a list of floats"));
  *out = a->floats;
  return OkStatus();
}

Status AttrReader::Tensor(const std::string& name, HostTensor* out) const {
  const auto* a = Find(name);
  if (!a) return BadModel("attribute '", name, "' is required");
  WC_RETURN_IF_ERROR(Expect(*a, onnx::AttributeProto::kTensor, "a tensor"));
  if (!a->t) return BadModel("attribute '", name, "' has no tensor");
  auto r = onnx::TensorToHost(*a->t, keep_alive_);
  if (!r.ok()) return r.status().Prefixed("attribute '" + name + "': ");
  *out = std::move(r).value();
  return OkStatus();
}

Status AttrReader::RequiredInt(const std::string& name, int64_t* out) const {
  if (!Find(name)) return BadModel("attribute '", name, "' is required");
  return Int(name, 0, out);
}

Status AttrReader::RequiredInts(const std::string& name, std::vector<int64_t>* out) const {
  if (!Find(name)) return BadModel("attribute '", name, "' is required");
  return Ints(name, out);
}

}  // namespace webconv::ops
