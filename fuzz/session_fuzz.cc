// Fuzz target: session creation on the CPU backend (graph validation, attribute parsing, shape
// inference with constant folding, planning), then one run when the bound graph is small. No GPU is
// involved. Inputs get deterministic values with dynamic dims set to 1.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "onnx/loader.h"
#include "runtime/session.h"

namespace {

// Work bounds that keep one input fast under the sanitizers. They gate only what this target runs:
// a model over them still went through validation, binding and planning.
constexpr int64_t kMaxFeedElements = 1 << 16;
constexpr int64_t kMaxBoundElements = 1 << 20;
constexpr double kMaxRunFlops = 2e7;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace webconv;
  auto model = onnx::LoadModelBytes(std::vector<uint8_t>(data, data + size));
  if (!model.ok()) return 0;
  runtime::SessionOptions options;
  options.backend = runtime::Backend::kCpu;
  auto session = runtime::Session::FromModel(model.value(), options);
  if (!session.ok()) return 0;
  runtime::Session& s = *session.value();

  std::map<std::string, HostTensor> feeds;
  std::map<int, ir::InputBinding> bindings;
  const auto value_inputs = ir::ValueDependentInputs(s.graph());
  for (const runtime::InputSpec& spec : s.inputs()) {
    if (spec.has_default) continue;
    if (!spec.has_shape || !IsSupportedDType(spec.dtype)) return 0;
    Shape shape;
    for (int64_t d : spec.shape) shape.push_back(d < 0 ? 1 : d);
    auto count = CheckedNumElements(shape);
    if (!count.ok() || count.value() > kMaxFeedElements) return 0;
    HostTensor t(spec.dtype, shape);
    for (int64_t i = 0; i < count.value(); ++i) t.SetInt(i, i % 3);
    const int id = s.graph().FindValue(spec.name);
    ir::InputBinding b{t.dtype(), t.shape(), nullptr};
    for (int v : value_inputs)
      if (v == id) b.value = std::make_shared<const HostTensor>(t);
    bindings[id] = b;
    feeds.emplace(spec.name, std::move(t));
  }
  // Bind once here to see the sizes; Run binds again and plans.
  ir::BindOptions bind_options;
  // A non-owning handle: the session keeps the graph alive for the whole call.
  const std::shared_ptr<const ir::Graph> graph(std::shared_ptr<const ir::Graph>(), &s.graph());
  auto bound = ir::Bind(graph, bindings, bind_options);
  if (!bound.ok()) return 0;
  int64_t elements = 0;
  for (const ir::Value& v : bound.value()->values) {
    auto n = CheckedNumElements(v.shape);
    if (!n.ok()) return 0;
    elements += n.value();
    if (elements > kMaxBoundElements) return 0;
  }
  if (runtime::CountFlops(*bound.value()) > kMaxRunFlops) return 0;
  (void)s.Run(feeds);
  return 0;
}
