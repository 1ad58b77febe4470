// Fuzz target: the ONNX loader on arbitrary bytes. A model that parses is also dumped (which walks
// every message) and has each initializer converted to a HostTensor, as graph building would.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "onnx/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace webconv;
  auto model = onnx::LoadModelBytes(std::vector<uint8_t>(data, data + size));
  if (!model.ok()) return 0;
  const onnx::ModelProto& proto = model.value()->proto;
  (void)onnx::DumpModel(proto);
  for (const onnx::TensorProto& t : proto.graph.initializer)
    (void)onnx::TensorToHost(t, model.value()->keep_alive);
  return 0;
}
