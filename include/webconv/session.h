// webconv::Session: an ONNX model loaded for one backend (WebGPU, the fast CPU backend or the float64
// CPU reference), run on named input tensors. Loading parses and validates the model and (for WebGPU)
// opens the device; the first run() for a set of input shapes plans and compiles, later runs with the
// same shapes reuse that.
// A Session is movable (a moved-from one may only be destroyed or assigned to), not copyable, and not
// safe to run() from two threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "webconv/dtype.h"
#include "webconv/status.h"
#include "webconv/tensor.h"

namespace webconv {

namespace detail {
struct SessionAccess;  // builds a Session from the library's internal one
}  // namespace detail

enum class Backend {
  kWebGpu,  // WebGPU through Dawn (float32 compute)
  kCpu,        // the fast CPU backend: float32 kernels on a GEMM library (OpenBLAS), the machine's cores
  kReference,  // the float64 reference: every op in float64 accumulation; slow, exact, the tests' oracle
};
const char* backend_name(Backend backend) noexcept;  // "webgpu", "cpu", "ref"

// Which kernels serve a WebGPU session's first runs. The tuned kernels run fastest and take longest to
// compile; the quick tier's Conv kernel compiles in a fraction of the time and runs slower. kQuick: the
// first run on the quick tier, the tuned kernels compiled in the background from the second run on and
// used once ready (settle() waits for them). kAuto picks by a cost model of compile and run time.
enum class FirstRun { kAuto, kTuned, kQuick, kQuickOnly };

// Overrides of the WebGPU kernels' own choices and of single fusions, for benchmarks and experiments:
// each default lets webconv choose. The CLI's WEBCONV_CONV_* / WEBCONV_NO_* variables (docs/cli.md) set
// the same fields and, when set, win over these. Fixed for the session's plans.
struct KernelTuning {
  std::string conv_tile;        // "" or a tile as kernel names write it ("t64x64k16_r4x4"): every
                                // implicit-GEMM Conv on it
  uint32_t conv_splits = 0;     // split-K ranges of every implicit-GEMM Conv (capped by its depth); 0 chooses
  bool conv_f16_tiles = false;  // the implicit GEMM stages its K slices as f16 pairs (f32 arithmetic)
  std::string conv_sizes;       // "", "baked" or "uniform": sizes as WGSL constants or uniforms
  int conv_strip_rows = 0;      // the direct Conv kernel's output rows per thread (1..64); 0 chooses
  int conv_strip_depths = 0;    // and its output depths per thread (1..64); 0 chooses
  bool conv_subgroup_taps = false;  // the direct kernel's taps by subgroup shuffles (needs "subgroups")
  bool sibling_merge = true;    // sibling Convs (same input, same window) run as one
  bool branch_merge = true;     // Concat branch Convs differing in dilations and pads run as one
};

struct Options {
  Backend backend = Backend::kWebGpu;
  FirstRun first_run = FirstRun::kAuto;  // env WEBCONV_FIRST_RUN overrides kAuto
  // Which adapter (WebGPU only): "" picks automatically (env WEBCONV_ADAPTER when set, else a hardware
  // GPU through Vulkan, else SwiftShader), "gpu" requires a hardware adapter, "swiftshader" the CPU one;
  // anything else is a case-insensitive substring of the adapter's name.
  std::string adapter;
  // Per-node GPU times in profile(), from timestamp queries when the adapter has them.
  bool profiling = false;
  // Conv fusions (BatchNorm folding, activation and residual-Add epilogues, in-place Concat). Off runs
  // the graph as written; env WEBCONV_NO_FUSION=1 also turns them off for every session.
  bool fusion = true;
  KernelTuning tuning;  // a malformed field fails load() with a usage error naming it
};

// A graph input or output as the model declares it.
struct TensorInfo {
  std::string name;
  DType dtype = DType::kUndefined;
  bool has_shape = false;              // false: the model gives no shape (not even a rank)
  std::vector<int64_t> shape;          // -1 for a dim the model leaves open
  std::vector<std::string> dim_names;  // per dim: its symbolic name ("batch") or "" (fixed or unnamed)
  // Inputs only: an initializer also listed as an input. It need not be fed; feeding it overrides it.
  bool optional = false;
  // "[batch,64]"; an open dim without a name prints as "?", a shapeless tensor as "?".
  std::string shape_string() const;
};

struct AdapterInfo {
  std::string name;     // e.g. "NVIDIA H100 80GB HBM3" or "SwiftShader Device (Subzero)"
  std::string backend;  // "Vulkan", ...
  std::string type;     // "discrete GPU", "integrated GPU", "CPU", "unknown"
  std::string driver;   // the driver's description/version as the adapter reports it
  std::string why;      // why this adapter was chosen, one sentence
  bool is_software = false;  // SwiftShader or another CPU implementation
  // Timestamp queries are on for this device: they are requested only with Options::profiling, so this
  // is false without it even when the adapter could time.
  bool has_timestamps = false;
};

// One node of the executed graph (after constant folding and fusion: folded nodes are absent, and a
// fused node carries the work of the nodes merged into it).
struct NodeProfile {
  std::string node;                  // the node's name, or "#index" when the model gives none
  std::string op;                    // op type, e.g. "Conv"
  double gpu_ms = -1;                // GPU time of its kernels; < 0 when not measured
  std::vector<std::string> kernels;  // kernels it dispatched, when measured
};

struct Profile {
  double wall_ms = 0;      // host time of the whole run() (upload, planning when new, execution, readback)
  double execute_ms = 0;   // host time of the execution alone
  bool planned = false;    // the run planned and compiled (first run for these input shapes)
  bool gpu_timed = false;  // nodes carry GPU times (WebGPU, Options::profiling, adapter timestamps)
  std::vector<NodeProfile> nodes;  // in execution order
};

class Session {
 public:
  // Loads the model file at `path` (memory-mapped; external data files must lie in its folder).
  static Result<Session> load(const std::string& path, const Options& options = {}) noexcept;
  // Loads a model from memory. The bytes are copied: they may be freed once load() returns. A model
  // with external data must be loaded from its path instead.
  static Result<Session> load(std::span<const uint8_t> bytes, const Options& options = {}) noexcept;

  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  const std::vector<TensorInfo>& inputs() const noexcept;
  const std::vector<TensorInfo>& outputs() const noexcept;

  // Runs the model. Every input without `optional` must be fed, with the declared dtype and a shape that
  // matches the declared one (open dims take any size). Returns every output by name. Outputs own their
  // bytes (they stay valid after the session is gone) and are read-only (see Tensor::clone()).
  Result<std::map<std::string, Tensor>> run(const std::map<std::string, Tensor>& inputs) noexcept;

  // With the quick tier (FirstRun): compiles the tuned kernels if they are not yet, waits for them and
  // switches, so the next run is a tuned one. Returns at once otherwise.
  Status settle() noexcept;

  // The last run's profile (empty before the first run).
  const Profile& profile() const noexcept;
  const Options& options() const noexcept;
  // The adapter in use (WebGPU), else nullptr.
  const AdapterInfo* adapter() const noexcept;

 private:
  friend struct detail::SessionAccess;
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace webconv
