// Loads an ONNX model with webconv's C++ API, runs it once and prints every output.
// usage: run_model MODEL [NAME=FILE.npy]... [--backend cpu]
// Inputs not given as .npy files get seeded random values in [0, 1) (open dims set to 1).
#include <webconv/webconv.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>

static int fail(const webconv::Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return s.exit_code();
}

int main(int argc, char** argv) {
  if (argc < 2)
    return std::fprintf(stderr, "usage: %s MODEL [NAME=FILE.npy]... [--backend cpu]\n", argv[0]), 2;
  webconv::Options options;
  std::map<std::string, webconv::Tensor> inputs;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--backend" && i + 1 < argc && !std::strcmp(argv[++i], "cpu")) {
      options.backend = webconv::Backend::kCpu;
    } else if (const size_t eq = arg.find('='); eq != std::string::npos) {
      auto t = webconv::read_npy(arg.substr(eq + 1));
      if (!t.ok()) return fail(t.status());
      inputs[arg.substr(0, eq)] = *t;
    }
  }
  auto session = webconv::Session::load(argv[1], options);
  if (!session.ok()) return fail(session.status());
  const webconv::AdapterInfo* adapter = session->adapter();
  std::printf("webconv %s on %s\n", webconv::version(),
              adapter ? adapter->name.c_str() : "the cpu reference");
  std::mt19937 rng(1);
  for (const webconv::TensorInfo& in : session->inputs()) {
    if (inputs.count(in.name) || in.optional || in.dtype != webconv::DType::kFloat32) continue;
    std::vector<int64_t> shape = in.shape;
    for (int64_t& d : shape) d = d < 0 ? 1 : d;
    auto t = webconv::Tensor::zeros(in.dtype, shape);
    if (!t.ok()) return fail(t.status());
    for (float& v : t->mutable_values<float>()) v = std::uniform_real_distribution<float>(0, 1)(rng);
    std::printf("input %s %s: random\n", in.name.c_str(), t->description().c_str());
    inputs[in.name] = *t;
  }
  auto outputs = session->run(inputs);
  if (!outputs.ok()) return fail(outputs.status());
  for (const auto& [name, t] : *outputs) {
    std::printf("output %s %s:", name.c_str(), t.description().c_str());
    for (float v : t.values<float>()) std::printf(" %.9g", v);
    std::printf("\n");
  }
  std::printf("time: %.3f ms\n", session->profile().wall_ms);
  return 0;
}
