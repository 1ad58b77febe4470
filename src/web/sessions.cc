// wc_session_*: runtime::Session behind integer handles, for the JS API. Errors read exactly as the CLI
// prints them for the same failure (src/cli/common.cc InModel), with "model" standing for the file name:
// the JS API substitutes the name the user gave, when there is one.
#include <emscripten.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "gpu/browser/bridge.h"
#include "gpu/browser/browser_device.h"
#include "onnx/loader.h"
#include "runtime/session.h"
#include "runtime/tuning_env.h"
#include "web/session_options.h"
#include "web/web_state.h"
#include "web/webconv_c.h"

namespace webconv::web {
namespace {

// What the CLI calls the model in its messages when the JS API is given bytes without a name.
constexpr const char* kModelName = "model";

struct WebSession {
  std::unique_ptr<runtime::Session> session;
  bool profile = false;
  double create_ms = 0;  // wc_session_create: the model parsed, the device made when it was the first
  double device_ms = 0;  // of which: the shared device, when this session made it
  std::map<std::string, HostTensor> feeds;                  // set since the last run
  std::map<std::string, runtime::DeviceTensor> gpu_feeds;   // set since the last run, on the GPU
  std::set<std::string> keep;                               // outputs the next run leaves on the GPU
  std::vector<std::pair<std::string, HostTensor>> outputs;  // of the last run, in graph order
  std::map<std::string, runtime::DeviceTensor> gpu_outputs;  // of the last run, kept on the GPU
  bool ran = false;
  runtime::RunStats stats;
};

// The session whose run is in progress, for the progress hook (calls into the module are serialized).
int g_running = 0;

EM_JS(void, wc_js_progress, (int session, const char* phase, double done, double total), {
  if (Module['wcProgress']) Module['wcProgress'](session, UTF8ToString(phase), done, total);
});

void ReportProgress(const std::string& phase, size_t done, size_t total) {
  if (g_running) wc_js_progress(g_running, phase.c_str(), static_cast<double>(done), static_cast<double>(total));
}

HandleTable<WebSession>& Sessions() {
  static HandleTable<WebSession> table;
  return table;
}

// External data files added for the next wc_session_create.
onnx::ExternalFiles& PendingExternal() {
  static onnx::ExternalFiles files;
  return files;
}

// The one device every WebGPU session shares, created on first use.
std::shared_ptr<gpu::Device>& SharedDevice() {
  static std::shared_ptr<gpu::Device> device;
  return device;
}

// src/cli/common.cc InModel with the model named "model": the text of a failure about the model.
int ModelError(const Status& s) {
  const std::string text = s.ToString();
  if (text.find(kModelName) != std::string::npos) return SetError(text);
  return SetError(std::string(kModelName) + ": " + text);
}

WebSession* Find(int handle) {
  WebSession* s = Sessions().Find(handle);
  if (!s) SetError("no session with handle " + std::to_string(handle) + " (released, or never created)");
  return s;
}

std::string DimsJson(const Shape& shape, const std::vector<std::string>& names, bool has_shape) {
  if (!has_shape) return "null";
  std::string s = "[";
  for (size_t d = 0; d < shape.size(); ++d) {
    if (d) s += ",";
    if (shape[d] >= 0)
      s += std::to_string(shape[d]);
    else if (d < names.size() && !names[d].empty())
      s += JsonString(names[d]);
    else
      s += "null";
  }
  return s + "]";
}

// "dtype":..,"dims":.. of a graph output as the model declares it (the graph infers output types only
// when binding shapes); null for what the model leaves out.
std::string DeclaredOutputJson(const ir::Graph& g, const ir::Value& v) {
  if (v.dtype != DType::kUndefined) {
    return "\"dtype\":" + JsonString(DTypeName(v.dtype)) +
           ",\"dims\":" + DimsJson(v.shape, v.dim_names, v.has_shape);
  }
  const onnx::ValueInfoProto* declared = nullptr;
  if (g.model) {
    for (const onnx::ValueInfoProto& vi : g.model->proto.graph.output) {
      if (vi.name == v.name && vi.has_type && vi.type.kind == onnx::TypeProto::kTensor) declared = &vi;
    }
  }
  if (!declared) return "\"dtype\":null,\"dims\":null";
  DType dt = DType::kUndefined;
  const bool known = DTypeFromInt(declared->type.elem_type, &dt) && dt != DType::kUndefined;
  Shape shape;
  std::vector<std::string> names;
  for (const onnx::Dimension& d : declared->type.dims) {
    shape.push_back(d.kind == onnx::Dimension::kValue ? d.value : -1);
    names.emplace_back(d.kind == onnx::Dimension::kParam ? std::string(d.param) : std::string());
  }
  return "\"dtype\":" + (known ? JsonString(DTypeName(dt)) : std::string("null")) +
         ",\"dims\":" + DimsJson(shape, names, declared->type.has_shape);
}

bool DTypeFromName(const std::string& name, DType* out) {
  for (int v = 1; v <= 16; ++v) {
    if (DTypeName(static_cast<DType>(v)) == name) {
      *out = static_cast<DType>(v);
      return true;
    }
  }
  return false;
}

}  // namespace
}  // namespace webconv::web

using namespace webconv;
using namespace webconv::web;

int wc_external_add(const char* path, const uint8_t* data, size_t bytes) {
  if (!path || !*path) return SetError("wc_external_add: an external data file needs a path");
  if (!data && bytes > 0) return SetError("wc_external_add: null data pointer");
  PendingExternal()[path] = std::make_shared<const std::vector<uint8_t>>(data, data + bytes);
  return 1;
}

void wc_external_clear(void) {
  PendingExternal().clear();
}

int wc_session_create(const uint8_t* model, size_t bytes, const char* options_json) {
  const auto t0 = std::chrono::steady_clock::now();
  double device_ms = 0;
  onnx::ExternalFiles external;
  external.swap(PendingExternal());
  auto options = ParseSessionOptions(options_json);
  if (!options.ok()) return SetError(options.status());
  if (!model && bytes > 0) return SetError("wc_session_create: null model pointer");
  // The loader keeps (and may parse in place) its own copy: the caller's buffer is never written.
  auto loaded = onnx::LoadModelBytes(std::vector<uint8_t>(model, model + bytes), {}, external);
  // onnx::LoadModelFile names the file in front of every loader error: the same here, for the same text.
  if (!loaded.ok()) return ModelError(loaded.status().Prefixed(std::string(kModelName) + ": "));
  runtime::SessionOptions so;
  so.backend = options->backend;
  so.profile = options->profile;
  so.first_run = options->first_run;
  if (Status st = runtime::ApplyKernelTuning(options->tuning, "session options: kernelTuning.", &so, true); !st.ok())
    return SetError(st);
  so.progress = ReportProgress;
  if (options->backend == runtime::Backend::kWebGpu) {
    // After a device loss (driver reset, GPU removed) new sessions get a new device; sessions on the lost
    // one keep failing with the loss's message.
    if (SharedDevice() && wcgpu_device_lost()) SharedDevice().reset();
    if (!SharedDevice()) {
      const auto td = std::chrono::steady_clock::now();
      auto device = gpu::Device::Create(so.device);
      if (!device.ok()) return ModelError(device.status());
      SharedDevice() = std::move(device).value();
      device_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - td).count();
    }
    so.shared_device = SharedDevice();
  }
  auto session = runtime::Session::FromModel(std::move(loaded).value(), so);
  if (!session.ok()) return ModelError(session.status());
  auto ws = std::make_unique<WebSession>();
  ws->session = std::move(session).value();
  ws->profile = options->profile;
  ws->create_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ws->device_ms = device_ms;
  return Sessions().Add(std::move(ws));
}

const char* wc_session_info_json(int session) {
  WebSession* ws = Find(session);
  if (!ws) return ReturnString("null");
  const runtime::Session& s = *ws->session;
  std::string j = "{\"inputs\":[";
  bool first = true;
  for (const runtime::InputSpec& in : s.inputs()) {
    if (in.has_default) continue;  // an initializer listed as an input: optional, not shown
    j += (first ? "" : ",");
    first = false;
    j += "{\"name\":" + JsonString(in.name) + ",\"dtype\":" + JsonString(DTypeName(in.dtype)) +
         ",\"dims\":" + DimsJson(in.shape, in.dim_names, in.has_shape) +
         ",\"host\":" + (s.InputReadOnHost(in.name) ? "true" : "false") + "}";
  }
  j += "],\"outputs\":[";
  const ir::Graph& g = s.graph();
  for (size_t k = 0; k < g.outputs.size(); ++k) {
    const ir::Value& v = g.values[g.outputs[k]];
    j += (k ? "," : "");
    j += "{\"name\":" + JsonString(v.name) + "," + DeclaredOutputJson(g, v) +
         ",\"sigmoid\":" + (ir::IsSigmoidOutput(g, g.outputs[k]) ? "true" : "false") + "}";
  }
  j += "],\"backend\":" + JsonString(runtime::BackendName(s.backend())) + ",\"adapter\":";
  if (const gpu::AdapterInfo* a = s.adapter()) {
    j += "{\"name\":" + JsonString(a->name) + ",\"backend\":" + JsonString(a->backend) +
         ",\"type\":" + JsonString(a->adapter_type) +
         ",\"is_software\":" + (a->is_software ? "true" : "false") +
         ",\"has_timestamps\":" + (a->has_timestamps ? "true" : "false") + "}";
  } else {
    j += "null";
  }
  return ReturnString(j + "}");
}

namespace {

// The checks every way of giving an input shares: the name is an input, the dtype is known, the dims are
// valid and give exactly `bytes` (on the host: `data` is then non-null; on the GPU, data is null and
// `bytes` is not checked). Returns the session, or nullptr with the error set.
WebSession* CheckInput(int session, const char* name, const char* dtype, const void* data, size_t bytes,
                       const int64_t* dims, int rank, DType* dt_out, Shape* shape_out, bool on_gpu = false) {
  WebSession* ws = Find(session);
  if (!ws) return nullptr;
  const std::string input = name ? name : "";
  bool known = false;
  for (const runtime::InputSpec& in : ws->session->inputs()) known = known || in.name == input;
  auto fail = [](const Status& s) {
    SetError(s);
    return nullptr;
  };
  if (!known) return fail(UsageError("'", input, "' is not an input of the model"));
  DType dt = DType::kUndefined;
  if (!dtype || !DTypeFromName(dtype, &dt) || !IsSupportedDType(dt)) {
    return fail(UsageError("input '", input, "': unsupported dtype '", dtype ? dtype : "", "'"));
  }
  if (rank < 0 || (rank > 0 && !dims)) return fail(UsageError("input '", input, "': bad rank ", rank));
  Shape shape(dims, dims + rank);
  for (int64_t d : shape) {
    if (d < 0) return fail(UsageError("input '", input, "': negative dimension ", d));
  }
  auto count = CheckedNumElements(shape);
  if (!count.ok()) return fail(count.status().Prefixed("input '" + input + "': "));
  const uint64_t want = static_cast<uint64_t>(count.value()) * DTypeSize(dt);
  if (on_gpu) {
    *dt_out = dt;
    *shape_out = std::move(shape);
    return ws;
  }
  if (want != bytes) {
    return fail(UsageError("input '", input, "': ", DTypeName(dt), ShapeString(shape), " needs ", want,
                           " bytes, got ", bytes));
  }
  if (!data && bytes > 0) return fail(UsageError("input '", input, "': null data"));
  *dt_out = dt;
  *shape_out = std::move(shape);
  return ws;
}

}  // namespace

int wc_session_set_input(int session, const char* name, const char* dtype, const void* data, size_t bytes,
                         const int64_t* dims, int rank) {
  DType dt;
  Shape shape;
  WebSession* ws = CheckInput(session, name, dtype, data, bytes, dims, rank, &dt, &shape);
  if (!ws) return 0;
  const auto* p = static_cast<const uint8_t*>(data);
  ws->gpu_feeds.erase(name ? name : "");
  ws->feeds[name ? name : ""] = HostTensor::Owned(dt, shape, std::vector<uint8_t>(p, p + bytes));
  return 1;
}

int wc_session_take_input(int session, const char* name, const char* dtype, void* data, size_t bytes,
                          const int64_t* dims, int rank) {
  // Owned from here on, whatever the outcome: freed with the tensor, or now on an error.
  std::shared_ptr<void> owned(data, std::free);
  DType dt;
  Shape shape;
  WebSession* ws = CheckInput(session, name, dtype, data, bytes, dims, rank, &dt, &shape);
  if (!ws) return 0;
  ws->gpu_feeds.erase(name ? name : "");
  ws->feeds[name ? name : ""] = HostTensor::View(dt, shape, static_cast<const uint8_t*>(data), bytes, std::move(owned));
  return 1;
}

int wc_session_set_gpu_input(int session, const char* name, const char* dtype, int buffer, double buffer_size,
                             const int64_t* dims, int rank) {
  // Adopted first, so that its handle is dropped again whatever the outcome.
  gpu::BufferPtr adopted = gpu::browser::AdoptBrowserBuffer(buffer, buffer_size >= 0 ? static_cast<uint64_t>(buffer_size) : 0);
  DType dt;
  Shape shape;
  WebSession* ws = CheckInput(session, name, dtype, nullptr, 0, dims, rank, &dt, &shape, true);
  if (!ws) return 0;
  ws->feeds.erase(name);  // the last one given counts
  ws->gpu_feeds[name] = runtime::DeviceTensor{dt, shape, std::move(adopted)};
  return 1;
}

int wc_session_keep_output(int session, const char* name) {
  WebSession* ws = Find(session);
  if (!ws) return 0;
  ws->keep.insert(name ? name : "");
  return 1;
}

int wc_session_run(int session) {
  WebSession* ws = Find(session);
  if (!ws) return 0;
  std::map<std::string, HostTensor> feeds;
  feeds.swap(ws->feeds);  // inputs are cleared by every run, whatever its outcome
  runtime::DeviceIo io;
  io.inputs.swap(ws->gpu_feeds);
  io.keep.swap(ws->keep);
  ws->outputs.clear();
  ws->gpu_outputs.clear();
  ws->ran = false;
  ws->stats = runtime::RunStats();
  // Run may suspend the module (WebGPU work); the JS API serializes calls into the module, so no
  // release can remove `ws` meanwhile. Timing every dispatch costs a pass each on the GPU: only when
  // profiling.
  ws->stats.timestamps = ws->profile;
  g_running = session;
  const bool device_io = !io.inputs.empty() || !io.keep.empty();
  auto outputs = ws->session->Run(feeds, &ws->stats, device_io ? &io : nullptr);
  g_running = 0;
  if (!outputs.ok()) return ModelError(outputs.status());
  ws->gpu_outputs = std::move(io.outputs);
  for (const std::string& name : ws->session->output_names()) {
    auto it = outputs->find(name);
    if (it != outputs->end()) ws->outputs.emplace_back(name, std::move(it->second));
  }
  ws->ran = true;
  return 1;
}

int wc_session_output_count(int session) {
  WebSession* ws = Find(session);
  return ws ? static_cast<int>(ws->outputs.size()) : 0;
}

int wc_session_output(int session, int index) {
  WebSession* ws = Find(session);
  if (!ws) return 0;
  if (index < 0 || static_cast<size_t>(index) >= ws->outputs.size()) {
    return SetError(UsageError("output index ", index, " is out of range: the last run has ",
                               ws->outputs.size(), " outputs"));
  }
  const auto& [name, t] = ws->outputs[static_cast<size_t>(index)];
  auto wt = std::make_unique<WebTensor>();
  wt->name = name;
  std::vector<uint8_t> bytes(t.data(), t.data() + t.byte_size());
  wt->tensor = HostTensor::Owned(t.dtype(), t.shape(), std::move(bytes));
  return Tensors().Add(std::move(wt));
}

const char* wc_session_outputs_json(int session) {
  WebSession* ws = Find(session);
  if (!ws || !ws->ran) return ReturnString("null");
  auto dims_json = [](const Shape& shape) {
    std::string dims = "[";
    for (size_t d = 0; d < shape.size(); ++d) dims += (d ? "," : "") + std::to_string(shape[d]);
    return dims + "]";
  };
  std::string j = "[";
  size_t host = 0;
  for (const std::string& name : ws->session->output_names()) {
    if (auto g = ws->gpu_outputs.find(name); g != ws->gpu_outputs.end()) {
      const runtime::DeviceTensor& d = g->second;
      const int handle = static_cast<const gpu::browser::BrowserBuffer&>(*d.buffer).handle();
      j += (j.size() > 1 ? "," : "");
      j += "{\"name\":" + JsonString(name) + ",\"dtype\":" + JsonString(DTypeName(d.dtype)) +
           ",\"dims\":" + dims_json(d.shape) + ",\"gpu\":" + std::to_string(handle) +
           ",\"bytes\":" + std::to_string(NumElements(d.shape) * static_cast<int64_t>(DTypeSize(d.dtype))) + "}";
      continue;
    }
    if (host >= ws->outputs.size() || ws->outputs[host].first != name) continue;
    const HostTensor& t = ws->outputs[host++].second;
    j += (j.size() > 1 ? "," : "");
    j += "{\"name\":" + JsonString(name) + ",\"dtype\":" + JsonString(DTypeName(t.dtype())) +
         ",\"dims\":" + dims_json(t.shape()) + ",\"ptr\":" + std::to_string(reinterpret_cast<uintptr_t>(t.data())) +
         ",\"bytes\":" + std::to_string(t.byte_size()) + "}";
  }
  return ReturnString(j + "]");
}

const char* wc_session_profile_json(int session) {
  WebSession* ws = Find(session);
  if (!ws || !ws->ran) return ReturnString("null");
  const runtime::RunStats& st = ws->stats;
  double gpu_ms = 0;
  for (const gpu::DispatchTiming& d : st.dispatches) gpu_ms += d.ms;
  // On the CPU backend the dispatches are the reference's per-node host times: there is no GPU time.
  const bool has_gpu_ms = ws->session->backend() == runtime::Backend::kWebGpu && !st.dispatches.empty();
  std::string j = "{\"wall_ms\":" + JsonNumber(st.wall_ms) +
                  ",\"gpu_ms\":" + (has_gpu_ms ? JsonNumber(gpu_ms) : std::string("null")) +
                  ",\"planned\":" + (st.planned ? "true" : "false") +
                  ",\"quick\":" + (st.quick ? "true" : "false");
  if (st.planned) {
    const runtime::PlanTiming& p = st.plan;
    const runtime::SessionTiming& s = ws->session->timing();
    j += ",\"phases\":{\"create_ms\":" + JsonNumber(ws->create_ms) + ",\"load_ms\":" + JsonNumber(s.load_ms) +
         ",\"device_ms\":" + JsonNumber(s.device_ms + ws->device_ms) + ",\"bind_ms\":" + JsonNumber(p.bind_ms) +
         ",\"plan_ms\":" + JsonNumber(p.plan_ms) + ",\"compile_ms\":" + JsonNumber(p.compile_ms) +
         ",\"pipelines\":" + std::to_string(p.pipelines) +
         ",\"pipelines_compiled\":" + std::to_string(p.pipelines_compiled) +
         ",\"upload_ms\":" + JsonNumber(p.upload_ms) + ",\"program_ms\":" + JsonNumber(p.program_ms) +
         ",\"first_run_ms\":" + JsonNumber(st.execute_ms) +
         ",\"first_run\":" + JsonString(p.first_run) +
         ",\"tuned_pipelines\":" + std::to_string(p.tuned_pipelines) + "}";
  }
  j += ",\"dispatches\":[";
  for (size_t i = 0; i < st.dispatches.size(); ++i) {
    const gpu::DispatchTiming& d = st.dispatches[i];
    j += (i ? "," : "");
    j += "{\"node\":" + JsonString(d.label) + ",\"kernel\":" + JsonString(d.kernel) +
         ",\"ms\":" + JsonNumber(d.ms) + "}";
  }
  return ReturnString(j + "]}");
}

// Session::Settle: with the quick tier, waits for the tuned kernels and switches to them (1), or the error.
int wc_session_settle(int session) {
  WebSession* ws = Find(session);
  if (!ws) return 0;
  Status st = ws->session->Settle();
  if (!st.ok()) return ModelError(st);
  return 1;
}

void wc_session_release(int session) {
  WebSession* ws = Sessions().Find(session);
  const bool webgpu = ws && ws->session->backend() == runtime::Backend::kWebGpu;
  Sessions().Erase(session);
  // The session's buffers went back to the pool: give their memory back to the browser.
  if (webgpu) wcgpu_trim_pool();
}
