#include "shots/shot_model.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>

#include "onnx/loader.h"

namespace webconv::shots {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Status ModelError(const std::string& path, const std::string& what) {
  return BadModel(path, ": not a TransNetV2 export webconv shots can run: ", what);
}

}  // namespace

Result<std::unique_ptr<ShotModel>> ShotModel::Load(const std::string& path, const runtime::SessionOptions& options) {
  WC_ASSIGN_OR_RETURN(std::shared_ptr<const onnx::Model> model, onnx::LoadModelFile(path));
  auto m = std::unique_ptr<ShotModel>(new ShotModel());
  m->path_ = path;
  ShotModelInfo& info = m->info_;
  for (const onnx::StringStringEntry& e : model->proto.metadata_props)
    if (e.key == "webconv.weights") info.weights_note = std::string(e.value);
  WC_ASSIGN_OR_RETURN(m->session_, runtime::Session::FromModel(model, options));

  // The frames input: the one input without a default.
  std::vector<runtime::InputSpec> inputs;
  for (const runtime::InputSpec& in : m->session_->inputs())
    if (!in.has_default) inputs.push_back(in);
  if (inputs.size() != 1)
    return ModelError(path, "it has " + std::to_string(inputs.size()) + " inputs to feed; TransNetV2 has one");
  const runtime::InputSpec& in = inputs[0];
  info.input = in.name;
  info.dtype = in.dtype;
  if (in.dtype != DType::kUInt8 && in.dtype != DType::kFloat32)
    return ModelError(path, "input '" + in.name + "' is " + DTypeName(in.dtype) + ", not uint8 or float32");
  Shape dims = in.has_shape ? in.shape : Shape{-1, -1, 27, 48, 3};
  if (dims.size() != 5)
    return ModelError(path, "input '" + in.name + "' has rank " + std::to_string(dims.size()) +
                                ", not 5 ([B, T, H, W, 3] or [B, 3, T, H, W])");
  if (dims[4] == 3 && dims[1] != 3) info.channels_last = true;
  else if (dims[1] == 3 && dims[4] != 3) info.channels_last = false;
  else if (dims[4] == -1 && dims[1] == -1) info.channels_last = true;
  else if (dims[4] == 3 && dims[1] == 3) info.channels_last = true;  // T = 3 is no TransNetV2 window
  else
    return ModelError(path, "input '" + in.name + "' is " + ShapeString(dims) +
                                ": no axis of 3 colors first or last ([B, T, H, W, 3] or [B, 3, T, H, W])");
  const int64_t batch = dims[0], t = info.channels_last ? dims[1] : dims[2];
  const int64_t h = info.channels_last ? dims[2] : dims[3], w = info.channels_last ? dims[3] : dims[4];
  if (batch != 1 && batch != -1)
    return ModelError(path, "input '" + in.name + "' has a fixed batch of " + std::to_string(batch) + ", not 1");
  info.window = t == -1 ? 100 : t;
  info.height = h == -1 ? 27 : static_cast<int>(std::min<int64_t>(h, 1 << 20));
  info.width = w == -1 ? 48 : static_cast<int>(std::min<int64_t>(w, 1 << 20));
  if (info.height > 4096 || info.width > 4096)
    return ModelError(path, "input '" + in.name + "' frames of " + std::to_string(h) + "x" + std::to_string(w) +
                                " are larger than 4096");

  // The heads.
  const std::vector<std::string> outs = m->session_->output_names();
  if (outs.empty() || outs.size() > 2)
    return ModelError(path, "it has " + std::to_string(outs.size()) +
                                " outputs; TransNetV2 has one or two (single-frame, all-frames)");
  int all = -1;
  for (size_t k = 0; k < outs.size(); ++k) {
    const std::string n = Lower(outs[k]);
    if (outs.size() == 2 && (n.find("many") != std::string::npos || n.find("all") != std::string::npos)) {
      all = static_cast<int>(k);
      break;
    }
  }
  if (outs.size() == 2 && all < 0) all = 1;
  info.single_output = outs[all == 0 ? 1 : 0];
  if (all >= 0) info.all_output = outs[static_cast<size_t>(all)];
  const ir::Graph& g = m->session_->graph();
  auto is_probability = [&](const std::string& name) {
    for (int v : g.outputs)
      if (g.values[static_cast<size_t>(v)].name == name) return ir::IsSigmoidOutput(g, v);
    return false;
  };
  info.single_is_probability = is_probability(info.single_output);
  if (!info.all_output.empty()) info.all_is_probability = is_probability(info.all_output);
  return m;
}

Result<WindowPredictions> ShotModel::Run(const std::vector<const uint8_t*>& frames, runtime::RunStats* stats) {
  const ShotModelInfo& in = info_;
  if (frames.size() != static_cast<size_t>(in.window)) return UsageError("internal: a window of ", frames.size(), " frames");
  const size_t pixels = static_cast<size_t>(in.height) * static_cast<size_t>(in.width);
  const size_t frame_bytes = pixels * 3;
  const size_t t = frames.size();
  const Shape shape = in.channels_last ? Shape{1, in.window, in.height, in.width, 3}
                                       : Shape{1, 3, in.window, in.height, in.width};
  std::vector<uint8_t> bytes(t * frame_bytes * DTypeSize(in.dtype));
  // Element (f, pixel, c) of the window: channels last at (f*pixels + pixel)*3 + c, else (c*t + f)*pixels + pixel.
  for (size_t f = 0; f < t; ++f) {
    const uint8_t* src = frames[f];
    if (in.dtype == DType::kUInt8 && in.channels_last) {
      std::memcpy(bytes.data() + f * frame_bytes, src, frame_bytes);
      continue;
    }
    for (size_t p = 0; p < pixels; ++p) {
      for (size_t c = 0; c < 3; ++c) {
        const size_t at = in.channels_last ? (f * pixels + p) * 3 + c : (c * t + f) * pixels + p;
        if (in.dtype == DType::kUInt8) {
          bytes[at] = src[p * 3 + c];
        } else {
          const float v = static_cast<float>(src[p * 3 + c]);
          std::memcpy(bytes.data() + at * sizeof(float), &v, sizeof(float));
        }
      }
    }
  }
  std::map<std::string, HostTensor> feeds;
  feeds.emplace(in.input, HostTensor::Owned(in.dtype, shape, std::move(bytes)));
  WC_ASSIGN_OR_RETURN(auto outputs, session_->Run(feeds, stats));
  auto head = [&](const std::string& name, bool is_probability, std::vector<float>* dst) -> Status {
    auto it = outputs.find(name);
    if (it == outputs.end()) return BadModel(path_, ": output '", name, "' was not produced");
    const HostTensor& o = it->second;
    if (o.num_elements() != in.window)
      return BadModel(path_, ": output '", name, "' is ", ShapeString(o.shape()), ", not one value per frame of the ",
                      in.window, "-frame window");
    dst->resize(t);
    for (size_t i = 0; i < t; ++i) {
      const double v = o.GetDouble(static_cast<int64_t>(i));
      dst->at(i) = static_cast<float>(is_probability ? v : 1.0 / (1.0 + std::exp(-v)));
    }
    return OkStatus();
  };
  WindowPredictions p;
  WC_RETURN_IF_ERROR(head(in.single_output, in.single_is_probability, &p.single));
  if (!in.all_output.empty()) WC_RETURN_IF_ERROR(head(in.all_output, in.all_is_probability, &p.all));
  return p;
}

}  // namespace webconv::shots
