// webconv::Session (include/webconv/session.h) over runtime::Session. Inputs reach the runtime as views of
// the caller's tensors and outputs leave as the runtime's own buffers, so the API adds no copies. No
// exception leaves the API: the layers below report errors as Status, and the rare exception from the
// standard library (out of memory) is caught here and turned into one.
#include "webconv/session.h"

#include <chrono>
#include <exception>
#include <new>

#include "api/tensor_access.h"
#include "onnx/loader.h"
#include "runtime/session.h"
#include "runtime/tuning_env.h"

namespace webconv {

namespace {
runtime::Backend ToRuntime(Backend b) {
  return b == Backend::kCpu         ? runtime::Backend::kCpu
         : b == Backend::kReference ? runtime::Backend::kReference
                                    : runtime::Backend::kWebGpu;
}
}  // namespace

const char* backend_name(Backend backend) noexcept { return runtime::BackendName(ToRuntime(backend)); }

std::string TensorInfo::shape_string() const {
  if (!has_shape) return "?";
  std::string s = "[";
  for (size_t d = 0; d < shape.size(); ++d) {
    if (d) s += ",";
    if (shape[d] >= 0)
      s += std::to_string(shape[d]);
    else
      s += (d < dim_names.size() && !dim_names[d].empty()) ? dim_names[d] : "?";
  }
  return s + "]";
}

struct Session::Impl {
  Options options;
  std::unique_ptr<runtime::Session> runtime;
  std::vector<TensorInfo> inputs, outputs;
  std::optional<AdapterInfo> adapter;
  Profile profile;
};

namespace {

// The runtime's options for `o`, with the tuning variables of the environment applied over them
// (docs/api-cpp.md).
Result<runtime::SessionOptions> RuntimeOptions(const Options& o) {
  runtime::SessionOptions so;
  so.backend = ToRuntime(o.backend);
  so.device.adapter = o.adapter;
  // Timestamp queries only when asked for: without them a run has no per-dispatch timing overhead.
  so.device.want_timestamps = o.profiling;
  so.profile = o.profiling;
  so.fuse = o.fusion;
  switch (o.first_run) {
    case FirstRun::kTuned:
      so.first_run = runtime::FirstRun::kTuned;
      break;
    case FirstRun::kQuick:
      so.first_run = runtime::FirstRun::kQuick;
      break;
    case FirstRun::kQuickOnly:
      so.first_run = runtime::FirstRun::kQuickOnly;
      break;
    case FirstRun::kAuto:
      so.first_run = runtime::FirstRun::kAuto;
      break;
  }
  WC_RETURN_IF_ERROR(runtime::ApplyKernelTuning(o.tuning, "Options::tuning.", &so));
  WC_RETURN_IF_ERROR(runtime::ApplyTuningEnvironment(&so));
  return so;
}

TensorInfo InfoOf(const ir::Value& v) {
  TensorInfo t;
  t.name = v.name;
  t.dtype = v.dtype;
  t.has_shape = v.has_shape;
  if (v.has_shape) {
    t.shape = v.shape;
    t.dim_names = v.dim_names;
    t.dim_names.resize(t.shape.size());
  }
  t.optional = v.is_initializer;
  return t;
}

// An output as the model's graph.output declares it. The graph keeps outputs as the values their
// producers make (typed only once bound), so the declaration is read from the model itself; the graph's
// value fills in what the model leaves out.
TensorInfo DeclaredOutput(const ir::Graph& g, int id) {
  TensorInfo t = InfoOf(g.values[id]);
  t.optional = false;
  if (!g.model) return t;
  for (const onnx::ValueInfoProto& vi : g.model->proto.graph.output) {
    if (vi.name != t.name || !vi.has_type || vi.type.kind != onnx::TypeProto::kTensor) continue;
    DType dt;
    if (DTypeFromInt(vi.type.elem_type, &dt) && dt != DType::kUndefined) t.dtype = dt;
    if (!vi.type.has_shape) break;
    t.has_shape = true;
    t.shape.clear();
    t.dim_names.clear();
    for (const onnx::Dimension& d : vi.type.dims) {
      t.shape.push_back(d.kind == onnx::Dimension::kValue ? d.value : -1);
      t.dim_names.emplace_back(d.kind == onnx::Dimension::kParam ? std::string(d.param) : "");
    }
    break;
  }
  return t;
}

Status FromException(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e)) return Error(StatusCode::kDevice, "out of host memory");
  return Error(StatusCode::kBadModel, "internal error: ", e.what());
}

}  // namespace

namespace detail {

struct SessionAccess {
  static Result<Session> Make(Result<std::unique_ptr<runtime::Session>> loaded, const Options& options);
};

// Wraps a loaded runtime session: the declared inputs/outputs and the adapter, copied once.
Result<Session> SessionAccess::Make(Result<std::unique_ptr<runtime::Session>> loaded,
                                    const Options& options) {
  if (!loaded.ok()) return loaded.status();
  auto impl = std::make_unique<Session::Impl>();
  impl->options = options;
  impl->runtime = std::move(loaded).value();
  const ir::Graph& g = impl->runtime->graph();
  for (int id : g.inputs) impl->inputs.push_back(InfoOf(g.values[id]));
  for (int id : g.outputs) impl->outputs.push_back(DeclaredOutput(g, id));
  if (const gpu::AdapterInfo* a = impl->runtime->adapter())
    impl->adapter = AdapterInfo{a->name, a->backend,     a->adapter_type,  a->driver,
                                a->why,  a->is_software, a->has_timestamps};
  return Session(std::move(impl));
}

}  // namespace detail

Session::Session(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

Result<Session> Session::load(const std::string& path, const Options& options) noexcept {
  try {
    auto so = RuntimeOptions(options);
    if (!so.ok()) return so.status();
    return detail::SessionAccess::Make(runtime::Session::Load(path, *so), options);
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

Result<Session> Session::load(std::span<const uint8_t> bytes, const Options& options) noexcept {
  try {
    // The loader keeps the bytes it parses; they are copied so the caller's buffer may go at once.
    auto so = RuntimeOptions(options);
    if (!so.ok()) return so.status();
    auto model = onnx::LoadModelBytes(std::vector<uint8_t>(bytes.begin(), bytes.end()));
    if (!model.ok()) return model.status();
    return detail::SessionAccess::Make(runtime::Session::FromModel(std::move(model).value(), *so), options);
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

const std::vector<TensorInfo>& Session::inputs() const noexcept {
  return impl_->inputs;
}
const std::vector<TensorInfo>& Session::outputs() const noexcept {
  return impl_->outputs;
}
const Profile& Session::profile() const noexcept {
  return impl_->profile;
}
const Options& Session::options() const noexcept {
  return impl_->options;
}
const AdapterInfo* Session::adapter() const noexcept {
  return impl_->adapter ? &*impl_->adapter : nullptr;
}

namespace {

// The executed nodes of the last run, with their GPU times when the run measured them.
Profile MakeProfile(const runtime::Session& rs, const runtime::RunStats& stats) {
  Profile p;
  p.wall_ms = stats.wall_ms;
  p.execute_ms = stats.execute_ms;
  p.planned = stats.planned;
  // The cpu plan also reports per-node times (host time of its reference kernels); only the webgpu
  // backend's are GPU times.
  p.gpu_timed = rs.backend() == runtime::Backend::kWebGpu && !stats.dispatches.empty();
  auto bound = rs.last_bound();
  if (!bound) return p;
  const ir::Graph& g = *bound->graph;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (i < bound->folded.size() && bound->folded[i]) continue;
    index[g.nodes[i].name] = p.nodes.size();
    p.nodes.push_back({g.nodes[i].name, g.nodes[i].op_type, p.gpu_timed ? 0.0 : -1.0, {}});
  }
  // Dispatches are labelled with the name of the node they belong to.
  for (const gpu::DispatchTiming& d : stats.dispatches) {
    if (!p.gpu_timed) break;
    auto it = index.find(d.label);
    if (it == index.end()) continue;
    p.nodes[it->second].gpu_ms += d.ms;
    p.nodes[it->second].kernels.push_back(d.kernel);
  }
  return p;
}

}  // namespace

Result<std::map<std::string, Tensor>> Session::run(const std::map<std::string, Tensor>& inputs) noexcept {
  if (!impl_) return UsageError("run() on a moved-from Session");
  try {
    std::map<std::string, HostTensor> feeds;
    for (const auto& [name, t] : inputs) {
      if (t.empty()) return UsageError("input '", name, "' is an empty Tensor");
      feeds.emplace(name, detail::TensorAccess::ToHost(t));
    }
    runtime::RunStats stats;
    stats.timestamps = impl_->options.profiling;
    auto outs = impl_->runtime->Run(feeds, &stats);
    if (!outs.ok()) return outs.status();
    impl_->profile = MakeProfile(*impl_->runtime, stats);
    std::map<std::string, Tensor> result;
    for (auto& [name, h] : outs.value()) result.emplace(name, detail::TensorAccess::FromHost(std::move(h)));
    return result;
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

Status Session::settle() noexcept {
  if (!impl_) return UsageError("settle() on a moved-from Session");
  try {
    return impl_->runtime->Settle();
  } catch (const std::exception& e) {
    return FromException(e);
  }
}

}  // namespace webconv
