#include "runtime/session.h"

#include <algorithm>

#include <chrono>
#include <cstdlib>
#include <cstring>
#ifndef __EMSCRIPTEN__
#include <future>
#endif

#include "ir/rewrite.h"
#include "runtime/gpu_transfer.h"
#include "onnx/loader.h"

namespace webconv::runtime {

const char* BackendName(Backend b) {
  switch (b) {
    case Backend::kCpu:
      return "cpu";
    case Backend::kReference:
      return "ref";
    case Backend::kWebGpu:
      break;
  }
  return "webgpu";
}

const char* FirstRunName(FirstRun f) {
  switch (f) {
    case FirstRun::kTuned:
      return "tuned";
    case FirstRun::kQuick:
      return "quick";
    case FirstRun::kQuickOnly:
      return "quick-only";
    case FirstRun::kAuto:
      break;
  }
  return "auto";
}

Result<FirstRun> ParseFirstRun(const std::string& name) {
  for (FirstRun f : {FirstRun::kAuto, FirstRun::kTuned, FirstRun::kQuick, FirstRun::kQuickOnly})
    if (name == FirstRunName(f)) return f;
  return UsageError("first run '", name, "': expected auto, tuned, quick or quick-only");
}

namespace {
double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

Result<std::unique_ptr<Session>> Session::Load(const std::string& path, const SessionOptions& options) {
#ifndef __EMSCRIPTEN__
  // The WebGPU device (Vulkan instance, adapter, device: about 120 ms on the H100) is made on another
  // thread while the model is read and built. A model error still wins over a device error, as when the
  // two ran one after the other.
  if (options.backend == Backend::kWebGpu && !options.shared_device) {
    struct Made {
      Result<std::unique_ptr<gpu::Device>> device = DeviceError("not made");
      double ms = 0;
    };
    auto made = std::async(std::launch::async, [device_options = options.device] {
      const auto t = std::chrono::steady_clock::now();
      Made m{gpu::Device::Create(device_options), 0};
      m.ms = MsSince(t);
      return m;
    });
    const auto t0 = std::chrono::steady_clock::now();
    auto model = onnx::LoadModelFile(path);
    const double read_ms = MsSince(t0);
    Made m = made.get();
    if (!model.ok()) return model.status();
    if (!m.device.ok()) return m.device.status();
    SessionOptions with_device = options;
    with_device.shared_device = std::shared_ptr<gpu::Device>(std::move(m.device).value());
    WC_ASSIGN_OR_RETURN(auto session, FromModel(std::move(model).value(), with_device));
    session->options_.shared_device = nullptr;  // the session owns it through device_, as if it made it
    session->timing_.load_ms += read_ms;
    session->timing_.device_ms = m.ms;
    return session;
  }
#endif
  const auto t0 = std::chrono::steady_clock::now();
  WC_ASSIGN_OR_RETURN(auto model, onnx::LoadModelFile(path));
  const double read_ms = MsSince(t0);
  WC_ASSIGN_OR_RETURN(auto session, FromModel(std::move(model), options));
  session->timing_.load_ms += read_ms;
  return session;
}

Result<std::unique_ptr<Session>> Session::FromModel(std::shared_ptr<const onnx::Model> model,
                                                    const SessionOptions& options) {
  std::unique_ptr<Session> s(new Session());
  s->options_ = options;
  const auto t0 = std::chrono::steady_clock::now();
  WC_ASSIGN_OR_RETURN(auto graph, ir::BuildGraph(std::move(model)));
  ir::RunShapeFreeRewrites(graph.get());
  // No silent fallback: a node the backend cannot run fails the session here, naming it.
  auto problems = graph->Problems();
  if (!problems.empty()) return problems.front();
  s->graph_ = graph;
  s->value_inputs_ = ir::ValueDependentInputs(*graph);
  s->timing_.load_ms = MsSince(t0);
  if (options.backend == Backend::kWebGpu) {
    if (options.shared_device) {
      s->device_ = options.shared_device;
    } else {
      const auto t1 = std::chrono::steady_clock::now();
      WC_ASSIGN_OR_RETURN(auto dev, gpu::Device::Create(options.device));
      s->device_ = std::move(dev);
      s->timing_.device_ms = MsSince(t1);
    }
  }
  return s;
}

std::vector<InputSpec> Session::inputs() const {
  std::vector<InputSpec> out;
  for (int id : graph_->inputs) {
    const ir::Value& v = graph_->values[id];
    out.push_back({v.name, v.dtype, v.shape, v.dim_names, v.has_shape, v.is_initializer});
  }
  return out;
}

std::vector<std::string> Session::output_names() const {
  std::vector<std::string> out;
  for (int id : graph_->outputs) out.push_back(graph_->values[id].name);
  return out;
}

Status Session::Settle() {
  for (auto& [key, plan] : plans_) WC_RETURN_IF_ERROR(plan->Settle());
  return OkStatus();
}

bool Session::InputReadOnHost(const std::string& name) const {
  return BoundByValue(graph_->FindValue(name));
}

bool Session::BoundByValue(int id) const {
  return std::find(value_inputs_.begin(), value_inputs_.end(), id) != value_inputs_.end();
}

// The checks of Session::Run's DeviceIo: every device input is an input not also fed on the host, of a
// GPU-word dtype, in a buffer that holds it, and not read on the host; every kept output is an output.
Status Session::CheckDeviceIo(const std::map<std::string, HostTensor>& feeds, const DeviceIo& io) const {
  if ((!io.inputs.empty() || !io.keep.empty()) && options_.backend != Backend::kWebGpu) {
    return UsageError("tensors on the GPU need the webgpu backend; this session runs on ", BackendName(options_.backend));
  }
  for (const auto& [name, t] : io.inputs) {
    if (feeds.count(name)) return UsageError("input '", name, "' was given twice (on the host and on the GPU)");
    if (!IsGpuWordDType(t.dtype)) {
      return UsageError("input '", name, "': ", DTypeName(t.dtype),
                        " tensors cannot be given on the GPU (float32, int32 and uint32 can)");
    }
    WC_ASSIGN_OR_RETURN(const int64_t count, CheckedNumElements(t.shape));
    const uint64_t bytes = static_cast<uint64_t>(count) * DTypeSize(t.dtype);
    if (!t.buffer || t.buffer->size() < bytes) {
      return UsageError("input '", name, "': ", DTypeName(t.dtype), ShapeString(t.shape), " needs ", bytes,
                        " bytes, its GPU buffer has ", t.buffer ? t.buffer->size() : 0);
    }
    if (InputReadOnHost(name)) {
      return UsageError("input '", name, "' sets shapes or values when the model is planned: give it on the host");
    }
  }
  const std::vector<std::string> outputs = output_names();
  for (const std::string& name : io.keep) {
    if (std::find(outputs.begin(), outputs.end(), name) == outputs.end())
      return UsageError("'", name, "' is not an output of the model");
  }
  return OkStatus();
}

Result<std::map<std::string, HostTensor>> Session::Run(const std::map<std::string, HostTensor>& feeds,
                                                       RunStats* stats, DeviceIo* io) {
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& [name, t] : feeds) {
    const int id = graph_->FindValue(name);
    bool is_input = false;
    for (int k : graph_->inputs) is_input = is_input || k == id;
    if (!is_input) return UsageError("'", name, "' is not an input of the model");
  }
  if (io) {
    WC_RETURN_IF_ERROR(CheckDeviceIo(feeds, *io));
    io->outputs.clear();
  }
  // The plan key: every fed input's dtype and shape, plus the bytes of inputs bound by value.
  std::map<int, ir::InputBinding> bindings;
  std::map<int, const HostTensor*> by_id;
  PlanIo plan_io;
  std::string key;
  for (int id : graph_->inputs) {
    const ir::Value& v = graph_->values[id];
    auto it = feeds.find(v.name);
    if (io && it == feeds.end()) {
      if (auto d = io->inputs.find(v.name); d != io->inputs.end()) {
        bindings[id] = ir::InputBinding{d->second.dtype, d->second.shape, nullptr};
        key += std::to_string(id) + ":" + DTypeName(d->second.dtype) + ShapeString(d->second.shape) + ";";
        plan_io.inputs[id] = &d->second;
        continue;
      }
    }
    if (it == feeds.end()) {
      if (v.is_initializer) continue;
      return UsageError("input '", v.name, "' was not given");
    }
    const HostTensor& t = it->second;
    ir::InputBinding b{t.dtype(), t.shape(), nullptr};
    key += std::to_string(id) + ":" + DTypeName(t.dtype()) + ShapeString(t.shape());
    if (BoundByValue(id)) {
      b.value = std::make_shared<const HostTensor>(t);
      key += "=" + std::string(reinterpret_cast<const char*>(t.data()), t.byte_size());
    }
    key += ";";
    bindings[id] = std::move(b);
    by_id[id] = &t;
  }
  auto it = plans_.find(key);
  const bool planning = it == plans_.end();
  if (stats) stats->planned = planning;
  if (it == plans_.end()) {
    ir::BindOptions bo;
    bo.fold_constants = options_.fold_constants;
    bo.fuse = options_.fuse;
    bo.fusion = options_.fusion;
    const auto tb = std::chrono::steady_clock::now();
    WC_ASSIGN_OR_RETURN(auto bound, ir::Bind(graph_, bindings, bo));
    const double bind_ms = MsSince(tb);
    std::unique_ptr<Plan> plan;
    if (options_.backend != Backend::kWebGpu) {
      const auto tp = std::chrono::steady_clock::now();
      WC_ASSIGN_OR_RETURN(plan, MakeCpuPlan(bound, options_.cpu_memory_budget, options_.backend == Backend::kCpu));
      plan->timing.plan_ms = MsSince(tp);
    } else {
      FirstRun first_run = options_.first_run;
      if (const char* env = std::getenv("WEBCONV_FIRST_RUN"); env && *env && first_run == FirstRun::kAuto) {
        auto parsed = ParseFirstRun(env);
        if (!parsed.ok()) return parsed.status().Prefixed("WEBCONV_FIRST_RUN: ");
        first_run = *parsed;
      }
      WC_ASSIGN_OR_RETURN(plan, MakeGpuPlan(bound, device_, &gpu_constants_, options_.progress, first_run,
                                            options_.kernel_tuning));
    }
    plan->timing.bind_ms = bind_ms;
    if (stats) stats->plan = plan->timing;
    bounds_[key] = bound;
    it = plans_.emplace(key, std::move(plan)).first;
  }
  last_bound_ = bounds_[key];
  last_plan_ = it->second.get();
  const bool report = planning && options_.progress;  // the first run of a plan: the user is waiting
  if (report) options_.progress("run", 0, 1);
  const auto t1 = std::chrono::steady_clock::now();
  if (io) {
    for (const std::string& name : io->keep) plan_io.keep.insert(graph_->FindValue(name));
  }
  WC_ASSIGN_OR_RETURN(auto outs, it->second->Execute(by_id, stats, io ? &plan_io : nullptr));
  const auto t2 = std::chrono::steady_clock::now();
  if (report) options_.progress("run", 1, 1);
  std::map<std::string, HostTensor> result;
  for (size_t k = 0; k < graph_->outputs.size(); ++k) {
    const int id = graph_->outputs[k];
    const std::string& name = graph_->values[id].name;
    if (auto kept = plan_io.outputs.find(id); kept != plan_io.outputs.end()) {
      io->outputs[name] = std::move(kept->second);
      continue;
    }
    result[name] = std::move(outs[k]);
  }
  if (stats) {
    stats->execute_ms = std::chrono::duration<double, std::milli>(t2 - t1).count();
    stats->wall_ms = std::chrono::duration<double, std::milli>(t2 - t0).count();
  }
  return result;
}

}  // namespace webconv::runtime
