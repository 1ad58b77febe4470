// Session: load a model, bind input shapes, plan once per shape, run on the chosen backend.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/host_tensor.h"
#include "common/status.h"
#include "gpu/device.h"
#include "ir/graph.h"
#include "ops/kernel_tuning.h"

namespace webconv::runtime {

// kCpu: the fast CPU backend (float32 kernels on a GEMM library, cpu/). kReference: the float64
// reference, every op in float64 accumulation; the oracle of `webconv check` and of the tests.
enum class Backend { kWebGpu, kCpu, kReference };
const char* BackendName(Backend b);

// Where the time before a first result goes. Every field is host wall time in milliseconds.
// `webconv run --timing`, `webconv bench --json` ("phases") and the JS API report these.
struct PlanTiming {
  double bind_ms = 0;     // shape inference, constant folding and the fusion rewrites for these shapes
  double plan_ms = 0;     // kernels generated and buffers assigned (WebGPU), or the CPU plan built
  double compile_ms = 0;  // pipelines compiled (concurrently where the backend can); includes upload_ms

  size_t pipelines = 0;           // pipelines the dispatches ask for, one per dispatch
  size_t pipelines_compiled = 0;  // distinct ones compiled now (the rest are the same WGSL as another
                                  // dispatch's, or were compiled earlier in the process)
  double upload_ms = 0;   // constants (weights) written to the GPU, while the pipelines compile
  double program_ms = 0;  // uniform buffers and bind groups of the prepared dispatches
  // The first-run tier the plan chose (FirstRunName of kTuned, kQuick or kQuickOnly). With the quick tier,
  // the fields above are the quick tier's, and `tuned_pipelines` is how many distinct tuned pipelines
  // it will compile later.
  std::string first_run = "tuned";
  size_t tuned_pipelines = 0;
};

// What the plan is doing, for a progress display: `phase` is "compile" (done/total pipelines), then "run"
// (0/1 when a plan's first run starts, 1/1 when it ends).
using ProgressFn = std::function<void(const std::string& phase, size_t done, size_t total)>;

// How a WebGPU plan serves its first runs. The tuned kernels (implicit GEMMs with their sizes baked in and
// unrolled register blocks) run fast and take long to compile: 100-200 ms a pipeline on NVIDIA's driver,
// more on SwiftShader's JIT. The quick tier (ops::ConvQuickGpu for Conv and ConvTranspose) compiles in a
// fraction of that and runs slower.
enum class FirstRun {
  kAuto,       // kQuick where the plan predicts an earlier first result from it (ChooseFirstRun), else kTuned
  kTuned,      // compile the tuned kernels and wait for them before the first run
  kQuick,      // the first run on the quick tier; from the second run on the tuned kernels compile in the
               // background (the quick tier still serving) and take over once all are ready. A run made
               // once (webconv run) never pays for the tuned compile.
  kQuickOnly,  // the quick tier only, never switching (tests of the quick kernels)
};
const char* FirstRunName(FirstRun f);  // "auto", "tuned", "quick", "quick-only"
Result<FirstRun> ParseFirstRun(const std::string& name);

struct SessionOptions {
  Backend backend = Backend::kWebGpu;
  // Env WEBCONV_FIRST_RUN (a FirstRunName) overrides kAuto, for benchmarks and comparisons.
  FirstRun first_run = FirstRun::kAuto;
  gpu::DeviceOptions device;
  bool fold_constants = true;
  // Conv fusions after binding (ir/rewrite.h). The float64 oracle of `check` and of the differential
  // tests turns them off, so it computes the model exactly as written. `fusion` turns single fusions off.
  bool fuse = true;
  ir::FusionOptions fusion;
  // Overrides of the WebGPU kernels' own choices (tile, splits, ...), for benchmarks and tests; fixed for
  // the session's plans. ApplyTuningEnvironment (tuning_env.h) fills it and `fuse`/`fusion` from the
  // WEBCONV_CONV_* and WEBCONV_NO_* variables.
  ops::KernelTuning kernel_tuning;
  bool profile = false;  // per-dispatch GPU timings (timestamp queries) in RunStats
  // Shared device (e.g. many sessions in one test run); created on demand when null.
  std::shared_ptr<gpu::Device> shared_device;
  ProgressFn progress;  // called during long steps of planning; may be empty
  // Bytes the CPU backends' tensors may hold at once during a run (0: half of physical memory). Checked
  // when a plan is made, so a model whose tensors together would not fit fails before it allocates.
  uint64_t cpu_memory_budget = 0;
  // Why the caller chose this backend (e.g. the CLI's choice when no GPU is there), for its reports.
  std::string backend_why;
};

struct InputSpec {
  std::string name;
  DType dtype = DType::kUndefined;
  Shape shape;  // -1 for a dynamic dim
  std::vector<std::string> dim_names;
  bool has_shape = false;
  bool has_default = false;  // an initializer listed as an input: optional to feed
};

struct RunStats {
  // In: per-dispatch GPU timings (timestamp queries, each dispatch in its own pass) are collected into
  // `dispatches` only when this is true. Off, the run is exactly an unprofiled one. Opt-in because timing
  // costs a run more than its passes: Dawn creates its timestamp-conversion pipeline (WGSL parse, driver
  // compile) on the calling thread at the first resolve, 13-20 ms of a first result (SwiftShader, H100).
  bool timestamps = false;
  double wall_ms = 0;       // host time around the whole run, planning included when it planned
  double execute_ms = 0;    // host time around the execution alone: upload, dispatches, readback
  double upload_ms = 0;     // of which: inputs prepared for the GPU (converted to 4-byte words if needed)
  double gpu_ms = 0;        //   one submission: inputs copied in, the dispatches, the outputs copied back
  double readback_ms = 0;   //   outputs converted from GPU words to their dtypes
  bool planned = false;     // this run built a new plan (first run for these shapes)
  bool quick = false;       // the run used the quick tier's kernels (FirstRun)
  PlanTiming plan;          // when `planned`: where the planning time went
  std::vector<gpu::DispatchTiming> dispatches;  // per kernel, when profiling and timestamps exist
};

// Tensors that stay on the GPU (the JS API's 'gpu-buffer' location, for video frames that are already
// there and results that go on to other GPU work). Only float32, int32 and uint32, whose GPU words are
// their bytes; only on the WebGPU backend, and only for inputs the plan does not read on the host
// (SessionInputReadOnHost).
struct DeviceTensor {
  DType dtype = DType::kUndefined;
  Shape shape;
  gpu::BufferPtr buffer;  // a buffer of the session's device, at least the tensor's bytes
};
struct DeviceIo {
  std::map<std::string, DeviceTensor> inputs;  // in: feeds copied from these buffers on the GPU
  std::set<std::string> keep;                  // in: outputs to leave on the GPU
  std::map<std::string, DeviceTensor> outputs;  // out: each kept output in a new buffer of its own
};
// By value id, as a plan sees them.
struct PlanIo {
  std::map<int, const DeviceTensor*> inputs;
  std::set<int> keep;
  std::map<int, DeviceTensor> outputs;
};

// A plan for one set of input shapes on one backend.
class Plan {
 public:
  virtual ~Plan() = default;
  // Inputs indexed by value id. Returns the graph outputs in graph order; with `io`, also the inputs it
  // gives on the GPU, and the outputs it keeps there are left empty in the result and put in io->outputs.
  virtual Result<std::vector<HostTensor>> Execute(const std::map<int, const HostTensor*>& inputs,
                                                  RunStats* stats, PlanIo* io = nullptr) = 0;
  virtual size_t dispatch_count() const = 0;
  // With the quick tier (FirstRun::kQuick): compiles the tuned kernels now if they are not yet, waits for
  // them, and switches to them, so the next run is a tuned one. Returns at once otherwise.
  virtual Status Settle() { return OkStatus(); }
  // True while runs use the quick tier; quick_only() when they always will (FirstRun::kQuickOnly).
  virtual bool quick() const { return false; }
  virtual bool quick_only() const { return false; }
  // Host time from the start of the tuned kernels' background compile to the switch (0 before it).
  virtual double tuned_ready_ms() const { return 0; }
  // Intermediate values the plan stores, and the buffers it gives them (fewer when lifetimes allow
  // reuse); 0 for the CPU plan.
  virtual size_t intermediate_values() const { return 0; }
  virtual size_t intermediate_buffers() const { return 0; }
  PlanTiming timing;  // filled while the plan is built
};

// Where the session's own start-up went (before any plan): host wall time in milliseconds.
struct SessionTiming {
  double load_ms = 0;    // the model file read, parsed and built into the typed graph
  double device_ms = 0;  // the WebGPU adapter and device (0 when shared or on the CPU backend); Load
                         // makes it while the model is read, so the two overlap
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> Load(const std::string& path, const SessionOptions& options);
  static Result<std::unique_ptr<Session>> FromModel(std::shared_ptr<const onnx::Model> model,
                                                    const SessionOptions& options);

  const ir::Graph& graph() const { return *graph_; }
  std::vector<InputSpec> inputs() const;
  std::vector<std::string> output_names() const;
  Backend backend() const { return options_.backend; }
  const SessionOptions& options() const { return options_; }
  // The adapter in use (webgpu backend), else nullptr.
  const gpu::AdapterInfo* adapter() const { return device_ ? &device_->info() : nullptr; }
  std::shared_ptr<gpu::Device> device() const { return device_; }

  // With `io`: the feeds may also come from io->inputs, and the outputs named in io->keep come back in
  // io->outputs (on the GPU) instead of the result.
  Result<std::map<std::string, HostTensor>> Run(const std::map<std::string, HostTensor>& feeds,
                                                RunStats* stats = nullptr, DeviceIo* io = nullptr);
  // True when the plan reads this input's values on the host (they set shapes or are folded), so it
  // cannot be given as a DeviceTensor.
  bool InputReadOnHost(const std::string& name) const;
  // The bound graph of the last run (shapes, folded nodes), for inspect/profiles; nullptr before a run.
  std::shared_ptr<const ir::BoundGraph> last_bound() const { return last_bound_; }
  const SessionTiming& timing() const { return timing_; }
  const Plan* last_plan() const { return last_plan_; }
  // Plan::Settle for every plan made so far: later runs use the tuned kernels (benchmarks call it before
  // timing warm runs).
  Status Settle();
  size_t plan_count() const { return plans_.size(); }

 private:
  Session() = default;
  Status CheckDeviceIo(const std::map<std::string, HostTensor>& feeds, const DeviceIo& io) const;
  bool BoundByValue(int id) const;  // value_inputs_ holds the graph input `id`
  SessionOptions options_;
  std::shared_ptr<const ir::Graph> graph_;
  std::shared_ptr<gpu::Device> device_;
  std::vector<int> value_inputs_;  // graph inputs bound by value (see ir::ValueDependentInputs)
  std::map<std::string, std::unique_ptr<Plan>> plans_;
  std::map<std::string, std::shared_ptr<const ir::BoundGraph>> bounds_;
  std::shared_ptr<const ir::BoundGraph> last_bound_;
  const Plan* last_plan_ = nullptr;
  std::shared_ptr<void> gpu_constants_;  // uploaded constants shared by this session's plans
  SessionTiming timing_;
};

// Backend plans (cpu_plan.cc, gpu_plan.cc).
Result<std::unique_ptr<Plan>> MakeCpuPlan(std::shared_ptr<const ir::BoundGraph> bound, uint64_t memory_budget,
                                          bool fast);
Result<std::unique_ptr<Plan>> MakeGpuPlan(std::shared_ptr<const ir::BoundGraph> bound,
                                          std::shared_ptr<gpu::Device> device, std::shared_ptr<void>* constants,
                                          const ProgressFn& progress, FirstRun first_run,
                                          const ops::KernelTuning& tuning);

}  // namespace webconv::runtime

namespace webconv::runtime {
// FLOPs of one run of the bound graph's unfolded nodes (per each op's FlopsFn).
double CountFlops(const ir::BoundGraph& bound);
}  // namespace webconv::runtime
