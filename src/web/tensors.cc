// wc_tensor_*: host tensors held for JS — run outputs, and .pb/.npy files parsed for tests and the demo.
// Every tensor handed out owns its bytes, so JS may read them until it releases the handle.
#include <vector>

#include "common/npy.h"
#include "onnx/loader.h"
#include "web/web_state.h"
#include "web/webconv_c.h"

using webconv::HostTensor;
using webconv::web::Tensors;
using webconv::web::WebTensor;

namespace {

// A copy that owns its bytes (a parsed tensor may view the caller's buffer, which JS frees afterwards).
HostTensor Owned(const HostTensor& t) {
  std::vector<uint8_t> bytes(t.data(), t.data() + t.byte_size());
  return HostTensor::Owned(t.dtype(), t.shape(), std::move(bytes));
}

WebTensor* Find(int handle) {
  return Tensors().Find(handle);
}

}  // namespace

int wc_tensor_from_pb(const uint8_t* bytes, size_t n) {
  webconv::onnx::TensorProto proto;
  webconv::Status st = webconv::onnx::ParseTensorProto(bytes, n, &proto);
  if (!st.ok()) return webconv::web::SetError(st);
  if (proto.data_location == 1) {
    return webconv::web::SetError("tensor '" + std::string(proto.name) +
                                  "' uses external data, which needs a file next to it");
  }
  auto host = webconv::onnx::TensorToHost(proto, nullptr);
  if (!host.ok()) return webconv::web::SetError(host.status());
  auto t = std::make_unique<WebTensor>();
  t->name = std::string(proto.name);
  t->tensor = Owned(host.value());
  return Tensors().Add(std::move(t));
}

int wc_tensor_from_npy(const uint8_t* bytes, size_t n) {
  auto host = webconv::ParseNpy(bytes, n);
  if (!host.ok()) return webconv::web::SetError(host.status());
  auto t = std::make_unique<WebTensor>();
  t->tensor = Owned(host.value());
  return Tensors().Add(std::move(t));
}

const char* wc_tensor_name(int tensor) {
  WebTensor* t = Find(tensor);
  return webconv::web::ReturnString(t ? t->name : "");
}

const char* wc_tensor_dtype(int tensor) {
  WebTensor* t = Find(tensor);
  return webconv::web::ReturnString(t ? webconv::DTypeName(t->tensor.dtype()) : "");
}

const char* wc_tensor_dims_json(int tensor) {
  WebTensor* t = Find(tensor);
  if (!t) return webconv::web::ReturnString("null");
  std::string s = "[";
  for (size_t i = 0; i < t->tensor.shape().size(); ++i) {
    s += (i ? "," : "") + std::to_string(t->tensor.shape()[i]);
  }
  return webconv::web::ReturnString(s + "]");
}

const void* wc_tensor_data(int tensor) {
  WebTensor* t = Find(tensor);
  return t ? t->tensor.data() : nullptr;
}

size_t wc_tensor_bytes(int tensor) {
  WebTensor* t = Find(tensor);
  return t ? t->tensor.byte_size() : 0;
}

void wc_tensor_release(int tensor) {
  Tensors().Erase(tensor);
}
