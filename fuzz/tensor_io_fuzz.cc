// Fuzz target: the two input-tensor formats the CLI reads, .npy and a serialized ONNX TensorProto
// (.pb). The first byte picks the parser so that one corpus covers both.
#include <cstddef>
#include <cstdint>

#include "common/npy.h"
#include "onnx/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace webconv;
  if (size == 0) return 0;
  const uint8_t* body = data + 1;
  const size_t n = size - 1;
  if (data[0] & 1) {
    auto t = ParseNpy(body, n);
    // Touch every byte that was copied out, so that a wrong size shows up under ASan.
    if (t.ok()) {
      unsigned sum = 0;
      for (size_t i = 0; i < t->byte_size(); ++i) sum += t->data()[i];
      (void)sum;
    }
  } else {
    onnx::TensorProto proto;
    if (onnx::ParseTensorProto(body, n, &proto).ok()) {
      auto t = onnx::TensorToHost(proto, nullptr);
      if (t.ok()) {
        for (int64_t i = 0; i < t->num_elements() && i < 64; ++i) (void)t->GetDouble(i);
      }
    }
  }
  return 0;
}
