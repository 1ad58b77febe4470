#include "cli/common.h"

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "cli/tensor_io.h"
#include "cpu/convolution.h"
#include "cpu/gemm.h"
#include "cpu/parallel.h"
#include "runtime/tuning_env.h"

namespace webconv::cli {

const std::vector<std::string> kModelValueOptions = {"input", "shape", "backend", "adapter", "seed", "first-run"};

Result<runtime::SessionOptions> SessionOptionsFromArgs(const Args& args) {
  runtime::SessionOptions o;
  const std::string backend = args.Get("backend", "webgpu");
  if (backend == "cpu") o.backend = runtime::Backend::kCpu;
  else if (backend == "ref" || backend == "reference") o.backend = runtime::Backend::kReference;
  else if (backend == "webgpu") o.backend = runtime::Backend::kWebGpu;
  else return UsageError("--backend must be webgpu, cpu or ref, got '", backend, "'");
  o.device.adapter = args.Get("adapter");
  if (args.Has("no-pipeline-cache")) o.device.pipeline_cache = false;
  if (args.Has("first-run")) {
    auto f = runtime::ParseFirstRun(args.Get("first-run"));
    if (!f.ok()) return UsageError("--first-run must be auto, tuned, quick or quick-only, got '", args.Get("first-run"), "'");
    o.first_run = *f;
  }
  WC_RETURN_IF_ERROR(runtime::ApplyTuningEnvironment(&o));
  return o;
}

namespace {

Result<Shape> ParseShape(const std::string& text, const std::string& what) {
  Shape s;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    WC_ASSIGN_OR_RETURN(int64_t d, ParseInt(item, what));
    if (d < 0) return UsageError(what, ": negative dimension ", d);
    s.push_back(d);
  }
  // A command-line mistake, not a bad model: a usage error naming the option and the input.
  auto count = CheckedNumElements(s);
  if (!count.ok()) return UsageError(what, ": ", count.status().message);
  return s;
}

Result<std::pair<std::string, std::string>> SplitAssignment(const std::string& s, const char* option) {
  const size_t eq = s.find('=');
  if (eq == std::string::npos || eq == 0) return UsageError("--", option, " expects NAME=VALUE, got '", s, "'");
  return std::make_pair(s.substr(0, eq), s.substr(eq + 1));
}

// Random data for a missing input is generated up to this size (4 GiB); a larger declared input must be
// given as a file or shrunk with --shape, rather than filling memory.
constexpr uint64_t kMaxRandomInputBytes = uint64_t{1} << 32;

}  // namespace

Result<std::map<std::string, HostTensor>> PrepareFeeds(const runtime::Session& session, const Args& args,
                                                       std::ostream& log) {
  std::map<std::string, Shape> shapes;
  for (const std::string& s : args.GetAll("shape")) {
    WC_ASSIGN_OR_RETURN(auto kv, SplitAssignment(s, "shape"));
    WC_ASSIGN_OR_RETURN(shapes[kv.first], ParseShape(kv.second, "--shape " + kv.first));
  }
  std::map<std::string, HostTensor> feeds;
  for (const std::string& s : args.GetAll("input")) {
    WC_ASSIGN_OR_RETURN(auto kv, SplitAssignment(s, "input"));
    WC_ASSIGN_OR_RETURN(feeds[kv.first], ReadTensorFile(kv.second));
  }
  uint64_t seed = 1;
  if (args.Has("seed")) {
    WC_ASSIGN_OR_RETURN(int64_t v, ParseInt(args.Get("seed"), "--seed"));
    seed = static_cast<uint64_t>(v);
  }
  const auto specs = session.inputs();
  for (const auto& [name, shape] : shapes) {
    bool known = false;
    for (const auto& spec : specs) known = known || spec.name == name;
    if (!known) return UsageError("--shape names '", name, "', which is not an input of the model");
  }
  for (size_t k = 0; k < specs.size(); ++k) {
    const runtime::InputSpec& spec = specs[k];
    if (feeds.count(spec.name) || spec.has_default) continue;
    Shape shape;
    auto it = shapes.find(spec.name);
    if (it != shapes.end()) {
      shape = it->second;
      // Checked against the model's declaration before any data is generated for it.
      if (spec.has_shape) {
        bool fits = shape.size() == spec.shape.size();
        for (size_t d = 0; fits && d < shape.size(); ++d) fits = spec.shape[d] < 0 || spec.shape[d] == shape[d];
        if (!fits)
          return UsageError("--shape ", spec.name, "=", ShapeString(shape), " does not fit the model's declared shape ",
                            ShapeString(spec.shape), " (only its dynamic dims, -1, may be chosen)");
      }
    } else {
      if (!spec.has_shape) return UsageError("input '", spec.name, "' has no declared shape; give --shape ", spec.name, "=...");
      for (size_t d = 0; d < spec.shape.size(); ++d) {
        if (spec.shape[d] >= 0) {
          shape.push_back(spec.shape[d]);
        } else {
          log << "input '" << spec.name << "': dynamic dim " << d
              << (spec.dim_names[d].empty() ? "" : " ('" + spec.dim_names[d] + "')") << " set to 1 (use --shape)\n";
          shape.push_back(1);
        }
      }
    }
    // The shape comes from the model (or --shape): checked before anything is allocated for it.
    auto count = CheckedNumElements(shape);
    if (!count.ok()) return count.status().Prefixed("input '" + spec.name + "': ");
    const uint64_t bytes = static_cast<uint64_t>(count.value()) * DTypeSize(spec.dtype);
    if (bytes > kMaxRandomInputBytes)
      return UsageError("input '", spec.name, "' ", DTypeName(spec.dtype), ShapeString(shape), " would need ",
                        bytes, " bytes of random data, more than the ", kMaxRandomInputBytes,
                        " webconv generates; give it with --input or a smaller --shape");
    log << "input '" << spec.name << "' not given: seeded random " << DTypeName(spec.dtype) << ShapeString(shape)
        << " (seed " << seed + k << ")\n";
    feeds[spec.name] = RandomTensor(spec.dtype, shape, seed + k);
  }
  return feeds;
}

void ChooseDefaultBackend(const Args& args, runtime::SessionOptions* so) {
  const char* env = std::getenv("WEBCONV_ADAPTER");
  if (args.Has("backend") || args.Has("adapter") || (env && *env)) return;
  auto device = gpu::Device::Create(so->device);
  if (device.ok() && !(*device)->info().is_software) {
    so->shared_device = std::move(device).value();
    return;
  }
  so->backend = runtime::Backend::kCpu;
  so->backend_why = device.ok() ? "the only WebGPU adapter is CPU-emulated (" + (*device)->info().name +
                                      "), slower than the CPU backend on the same cores; --backend webgpu uses it"
                                : "no WebGPU adapter (" + device.status().message + ")";
}

namespace {

// Whether the model has float64 tensors, as far as it says before a run: typed values, declared inputs,
// outputs and value infos, and Cast nodes to float64 (onnx::TensorProto type 11).
bool HasFloat64(const ir::Graph& g) {
  for (const ir::Value& v : g.values)
    if (v.dtype == DType::kFloat64) return true;
  if (!g.model) return false;
  const onnx::GraphProto& gp = g.model->proto.graph;
  for (const auto* infos : {&gp.input, &gp.output, &gp.value_info})
    for (const onnx::ValueInfoProto& vi : *infos)
      if (vi.has_type && vi.type.kind == onnx::TypeProto::kTensor && vi.type.elem_type == 11) return true;
  for (const onnx::NodeProto& n : gp.node)
    if (n.op_type == "Cast")
      for (const onnx::AttributeProto& a : n.attribute)
        if (a.name == "to" && a.i == 11) return true;
  return false;
}

}  // namespace

void PrintAdapter(const runtime::Session& session, std::ostream& os) {
  const gpu::AdapterInfo* a = session.adapter();
  if (!a) {
    if (session.backend() == runtime::Backend::kCpu)
    {
      const std::string conv = cpu::ConvolutionLibrary();
      os << "backend: cpu (float32, " << (conv.empty() ? "" : conv + " + ") << cpu::GemmLibrary() << ", "
         << cpu::Threads() << " threads)\n";
    }
    else
      os << "backend: ref (float64 reference)\n";
    if (!session.options().backend_why.empty()) os << "  why: " << session.options().backend_why << "\n";
    return;
  }
  os << "adapter: " << a->name << " (" << a->backend << ", " << a->adapter_type << ")"
     << (a->has_timestamps ? ", timestamp queries" : "") << (a->has_shader_f16 ? ", shader-f16" : "")
     << (a->has_subgroups ? ", subgroups" : "") << "\n  why: " << a->why << "\n";
  // WGSL has no 64-bit float: the WebGPU backend holds float64 as float32 (ops/op_schema.h). Said, not silent.
  if (HasFloat64(session.graph())) {
    os << "  note: the model has float64 tensors; WebGPU computes them in float32 (WGSL has no 64-bit float). "
          "--backend cpu or ref computes in float64.\n";
  }
}

std::string Summarize(const HostTensor& t, int max_values) {
  std::ostringstream os;
  os << DTypeName(t.dtype()) << ShapeString(t.shape()) << " [";
  const int64_t n = t.num_elements();
  for (int64_t i = 0; i < n && i < max_values; ++i) {
    if (i) os << ", ";
    if (IsFloat(t.dtype())) os << t.GetDouble(i);
    else os << t.GetInt(i);
  }
  if (n > max_values) os << ", ...";
  os << "]";
  return os.str();
}

int Fail(const Status& s) {
  std::cerr << "error: " << s.ToString() << "\n";
  return s.exit_code();
}

std::string InModel(const Status& s, const std::string& model_path) {
  const std::string text = s.ToString();
  if (text.find(model_path) != std::string::npos) return text;
  return model_path + ": " + text;
}

int FailModel(const Status& s, const std::string& model_path) {
  std::cerr << "error: " << InModel(s, model_path) << "\n";
  return s.exit_code();
}

}  // namespace webconv::cli
