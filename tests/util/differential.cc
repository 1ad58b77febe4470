#include "differential.h"

#include <cstdlib>

#include "onnx/loader.h"
#include "runtime/session.h"

namespace webconv::testing {

std::shared_ptr<gpu::Device> SharedDevice() {
  static std::shared_ptr<gpu::Device> device = [] {
    auto d = gpu::Device::Create({});
    if (!d.ok()) {
      ADD_FAILURE() << "no WebGPU device: " << d.status().ToString();
      return std::shared_ptr<gpu::Device>();
    }
    return std::shared_ptr<gpu::Device>(std::move(d).value());
  }();
  return device;
}

HostTensor RandomTensor(DType t, const Shape& shape, std::mt19937_64& rng, double lo, double hi) {
  HostTensor out(t, shape);
  std::uniform_real_distribution<double> uni(lo, hi);
  for (int64_t i = 0; i < out.num_elements(); ++i) {
    if (IsFloat(t)) out.SetDouble(i, uni(rng));
    else out.SetInt(i, static_cast<int64_t>(std::floor(uni(rng))));
  }
  return out;
}

::testing::AssertionResult MatchesReference(const std::vector<uint8_t>& model,
                                            const std::map<std::string, HostTensor>& feeds,
                                            const runtime::Tolerance& tol) {
  auto loaded = onnx::LoadModelBytes(model);
  if (!loaded.ok()) return ::testing::AssertionFailure() << "load: " << loaded.status().ToString();
  runtime::SessionOptions go;
  go.backend = runtime::Backend::kWebGpu;
  go.shared_device = SharedDevice();
  if (!go.shared_device) return ::testing::AssertionFailure() << "no device";
  runtime::SessionOptions co;
  co.backend = runtime::Backend::kCpu;
  co.fuse = false;  // the oracle runs the model as written
  auto gpu = runtime::Session::FromModel(*loaded, go);
  if (!gpu.ok()) return ::testing::AssertionFailure() << "webgpu session: " << gpu.status().ToString();
  auto cpu = runtime::Session::FromModel(*loaded, co);
  if (!cpu.ok()) return ::testing::AssertionFailure() << "cpu session: " << cpu.status().ToString();
  auto got = (*gpu)->Run(feeds);
  if (!got.ok()) return ::testing::AssertionFailure() << "webgpu run: " << got.status().ToString();
  auto want = (*cpu)->Run(feeds);
  if (!want.ok()) return ::testing::AssertionFailure() << "cpu run: " << want.status().ToString();
  for (const auto& [name, expected] : *want) {
    const auto c = runtime::Compare(got->at(name), expected, tol);
    if (!c.ok) return ::testing::AssertionFailure() << "output '" << name << "': " << c.message;
  }
  return ::testing::AssertionSuccess();
}

int SweepCount(int ci, int full) {
  const char* v = std::getenv("WEBCONV_FULL_SWEEP");
  return v && std::string(v) == "1" ? full : ci;
}

uint64_t BaseSeed(uint64_t def) {
  const char* v = std::getenv("WEBCONV_SEED");
  return v ? std::strtoull(v, nullptr, 10) : def;
}

}  // namespace webconv::testing
