// Typed, validated access to a node's attributes. Each op parses its attributes once, at load, into
// its own struct; a wrong attribute type is an error naming the attribute, never a silent default.
#pragma once

#include <string>
#include <vector>

#include "common/host_tensor.h"
#include "common/status.h"
#include "onnx/model.h"

namespace webconv::ops {

class AttrReader {
 public:
  AttrReader(const std::vector<onnx::AttributeProto>* attrs, std::shared_ptr<const void> keep_alive)
      : attrs_(attrs), keep_alive_(std::move(keep_alive)) {}

  bool Has(const std::string& name) const { return Find(name) != nullptr; }
  Status Int(const std::string& name, int64_t def, int64_t* out) const;
  Status Float(const std::string& name, float def, float* out) const;
  Status String(const std::string& name, const std::string& def, std::string* out) const;
  // Ints/Floats: `*out` keeps its value when the attribute is absent.
  Status Ints(const std::string& name, std::vector<int64_t>* out) const;
  Status Floats(const std::string& name, std::vector<float>* out) const;
  Status Tensor(const std::string& name, HostTensor* out) const;  // error when absent
  // Required variants: absent is an error.
  Status RequiredInt(const std::string& name, int64_t* out) const;
  Status RequiredInts(const std::string& name, std::vector<int64_t>* out) const;
  // Names of all attributes present (for ops that take "one of several").
  std::vector<std::string> Names() const;
  const onnx::AttributeProto* Find(const std::string& name) const;

 private:
  Status Expect(const onnx::AttributeProto& a, onnx::AttributeProto::Type t, const char* what) const;
  const std::vector<onnx::AttributeProto>* attrs_;
  std::shared_ptr<const void> keep_alive_;
};

}  // namespace webconv::ops
