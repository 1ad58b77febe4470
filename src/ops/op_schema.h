// What every op provides, and the contexts its functions receive. Ops know nothing of the graph or the
// runtime: they see typed tensor descriptions, their parsed attributes, and (for folding and the CPU
// reference) host tensors.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "common/host_tensor.h"
#include "common/status.h"
#include "cpu/workspace.h"
#include "gpu/kernel.h"
#include "ops/attr_reader.h"

namespace webconv::ops {

struct KernelTuning;  // kernel_tuning.h
struct UnaryDef;      // elementwise/unary.h

// A tensor as shape inference and kernel generators see it.
struct TensorInfo {
  bool present = false;  // false for an omitted optional input
  DType dtype = DType::kUndefined;
  Shape shape;
  const HostTensor* constant = nullptr;  // known value (initializer or folded), else nullptr
};

// Parsed attributes: each op defines its own struct, stores it here from its parse function, and reads
// it back with As<T>() (or a context's Attrs<T>()). The attributes keep the type they were stored as, so
// reading them as another type (an op's hook given another op's node, say) is an internal error with
// both type names, never a reinterpretation of the bytes.
class OpAttrs {
 public:
  OpAttrs() = default;
  OpAttrs(std::nullptr_t) {}  // NOLINT: an op without attributes
  template <typename T>
  OpAttrs(std::shared_ptr<T> p)  // NOLINT: implicit, so that `*out = std::make_shared<MyAttrs>(...)` reads plainly
      : ptr_(std::move(p)), type_(ptr_ ? &typeid(std::remove_const_t<T>) : nullptr) {}

  template <typename T>
  const T& As() const {
    if (!ptr_ || *type_ != typeid(T))
      throw std::logic_error(std::string("internal: attributes of type '") + (ptr_ ? type_->name() : "none") +
                             "' read as '" + typeid(T).name() + "'");
    return *static_cast<const T*>(ptr_.get());
  }
  explicit operator bool() const { return ptr_ != nullptr; }

 private:
  std::shared_ptr<const void> ptr_;
  const std::type_info* type_ = nullptr;
};

struct ParseContext {
  const AttrReader& attrs;
  int opset = 0;
  int num_inputs = 0;   // as written in the node (optional trailing inputs may be empty names)
  int num_outputs = 0;
};

struct InferContext {
  OpAttrs attrs;
  int opset = 0;
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;  // fill dtype and shape of each present output
  template <typename T>
  const T& Attrs() const { return attrs.template As<T>(); }
  bool has_input(size_t i) const { return i < inputs.size() && inputs[i].present; }
};

// The float64 reference: outputs are pre-allocated (dtype, shape from inference); each element is
// computed in double (or int64 for integers) and rounded once when stored.
struct RefContext {
  OpAttrs attrs;
  int opset = 0;
  std::vector<const HostTensor*> inputs;  // nullptr for an omitted optional input
  std::vector<HostTensor>* outputs = nullptr;
  template <typename T>
  const T& Attrs() const { return attrs.template As<T>(); }
  HostTensor& out(size_t i) { return (*outputs)[i]; }
  // Set by the fast CPU backend's plan, null elsewhere: a slot the node's kernel may fill with what it
  // prepares once and reuses on later runs of the same plan (same shapes), and which inputs are the
  // model's constants (the same bytes on every run; empty when unknown).
  std::shared_ptr<void>* state = nullptr;
  std::vector<bool> constant_inputs;
  cpu::Workspace* workspace = nullptr;  // the plan's scratch memory (also set by the fast CPU backend only)
  bool input_is_constant(size_t i) const { return i < constant_inputs.size() && constant_inputs[i]; }
  // The inputs as shape inference sees them (values attached), for ops that resolve their geometry
  // from TensorInfo on every backend.
  std::vector<TensorInfo> input_infos() const;
};

// GPU storage: every element is one 4-byte word. float16 tensors are held as float32 words and computed
// in float32 (WebGPU's shader-f16 is optional, and float32 arithmetic is at least as accurate): they are
// widened on upload, rounded to float16 on download and by Cast to float16. float64 tensors are held as
// float32 words too (WGSL has no 64-bit float): rounded to float32 on upload (a finite value beyond its
// range is an error), computed in float32, widened on download; the CLI says so when a model has them.
// int64 and uint64 are held as 32-bit words (a value beyond 32 bits on upload is an error).
gpu::ScalarType GpuType(DType t);
bool GpuSupports(DType t);
// float32, float16 and float64: the types held as f32 words.
inline bool IsGpuFloat(DType t) { return GpuSupports(t) && GpuType(t) == gpu::ScalarType::kF32; }

// Which tensor a kernel binding refers to.
struct GpuRef {
  // kIndexCheck: the run's index-check words (GpuContext::CheckIndices).
  enum Kind { kInput, kOutput, kScratch, kIndexCheck } kind = kInput;
  int index = 0;
};

struct GpuDispatchRecord {
  std::shared_ptr<const gpu::Kernel> kernel;
  std::vector<GpuRef> bindings;  // in the kernel's binding order
  std::vector<uint8_t> uniforms;
  uint32_t groups[3] = {1, 1, 1};
};

// Indices read from a tensor at run time (Gather, ScatterND, ...) may be out of range, which ONNX makes an
// error. The kernels clamp such an index so that they never touch memory outside a tensor, and a check
// dispatched before them (ops/tensor/tensor_common.h DispatchAxisIndexCheck) records the first offending position in its slot
// of the run's check words; after the run, the runtime fails with `describe`'s message (the CPU
// reference's), naming the node.
struct GpuIndexCheck {
  int indices_input = 1;  // the input holding the indices
  // The error for the out-of-range index at flat `position` of the indices; `value` is that index when
  // the runtime knows it (the indices are a graph input), else nullptr.
  std::function<Status(int64_t position, const int64_t* value)> describe;
};

struct GpuContext {
  OpAttrs attrs;
  int opset = 0;
  std::vector<TensorInfo> inputs, outputs;
  std::vector<GpuDispatchRecord> dispatches;  // filled by the op, in order
  std::vector<uint64_t> scratch_words;        // sizes (in 4-byte words) of scratch buffers the op asks for
  // The adapter is a CPU implementation (SwiftShader): kernels may pick shapes that suit a few SIMD
  // cores (no idle padding, few invocations) rather than a GPU's thousands of threads.
  bool software_adapter = false;
  uint32_t max_workgroup_storage = 16384;  // bytes of workgroup memory a kernel may declare (WebGPU's default)
  uint64_t max_storage_binding = 128ull << 20;  // bytes one storage binding may span (WebGPU's default)
  bool subgroups = false;  // the device has WebGPU's "subgroups" feature (WGSL `enable subgroups`)
  uint32_t fixed_subgroup_size = 0;  // with subgroups: their size when it never varies, else 0
  uint32_t compute_units = 132;  // the adapter's SMs or CUs (gpu/compute_units.h), which tile choices fill
  // The session's overrides of the kernels' choices (kernel_tuning.h); null: none. Kernels read it through
  // tuning_or_defaults().
  const KernelTuning* tuning = nullptr;
  const KernelTuning& tuning_or_defaults() const;
  // The quick tier (runtime FirstRun): kernels that compile in a fraction of the tuned ones' time, for the
  // runs made while the tuned ones compile. Ops with such a form (OpSchema::gpu_has_quick: Conv,
  // ConvTranspose) use it; the others ignore the flag.
  bool quick = false;
  uint32_t first_index_check_slot = 0;   // set by the runtime: slots before it belong to earlier nodes
  std::vector<GpuIndexCheck> index_checks;  // filled by the op through CheckIndices, in slot order

  template <typename T>
  const T& Attrs() const { return attrs.template As<T>(); }
  bool has_input(size_t i) const { return i < inputs.size() && inputs[i].present; }
  static GpuRef In(int i) { return {GpuRef::kInput, i}; }
  static GpuRef Out(int i) { return {GpuRef::kOutput, i}; }
  GpuRef Scratch(uint64_t words) {
    scratch_words.push_back(words);
    return {GpuRef::kScratch, static_cast<int>(scratch_words.size() - 1)};
  }
  // Registers a check of runtime indices; returns the slot (a uniform for the kernel) whose word the kernel
  // sets through a GpuRef{kIndexCheck} binding (see IndexCheckWgsl in ops/tensor/tensor_common.h).
  uint32_t CheckIndices(GpuIndexCheck check) {
    index_checks.push_back(std::move(check));
    return first_index_check_slot + static_cast<uint32_t>(index_checks.size() - 1);
  }
  static GpuRef IndexCheckWords() { return {GpuRef::kIndexCheck, 0}; }
  void Dispatch(const gpu::KernelBuilder& b, std::vector<GpuRef> bindings, const uint32_t groups[3]) {
    GpuDispatchRecord r;
    r.kernel = b.Build();
    r.bindings = std::move(bindings);
    r.uniforms = b.PackUniforms();
    for (int k = 0; k < 3; ++k) r.groups[k] = groups[k];
    dispatches.push_back(std::move(r));
  }
};

using ParseFn = Status (*)(const ParseContext&, OpAttrs*);
using InferFn = Status (*)(InferContext&);
using RefFn = Status (*)(RefContext&);
using GpuFn = Status (*)(GpuContext&);
// Pad folding (ir/rewrite_pad.cc). A Pad op describes itself as a constant-zero pad when it is one:
// `inputs` are its inputs' constant values (nullptr when unknown); `begin`/`end` get one amount per
// axis of a rank-`rank` tensor. Returns false when it is not a zero pad with known, non-negative amounts.
using AsZeroPadFn = bool (*)(const OpAttrs& attrs, int opset, const std::vector<const HostTensor*>& inputs,
                             size_t rank, std::vector<int64_t>* begin, std::vector<int64_t>* end);
// A windowed op absorbs zero padding of its spatial axes into its own pads: writes new attributes, or
// returns false when it cannot do so exactly (e.g. auto_pad SAME, MaxPool's padding is not zero).
using AbsorbPadFn = bool (*)(const OpAttrs& attrs, const std::vector<int64_t>& begin, const std::vector<int64_t>& end,
                             OpAttrs* out);
// An elementwise float function another kernel can apply to its results in registers before storing
// them (a Conv's epilogue step: ir/rewrite_epilogue.cc, ops/conv/conv_epilogue.h): the op's own
// definition and its parameters, exact in f32. Its WGSL, float64 value and CPU loop come from the op
// (PointwiseStepWgsl and friends, elementwise/unary.h), so a kernel that fuses one knows no op by name.
struct PointwiseFn {
  const UnaryDef* def = nullptr;
  float p[3] = {0, 0, 0};
  // The same function: the same op and bit-identical parameters.
  bool operator==(const PointwiseFn& o) const { return def == o.def && std::memcmp(p, o.p, sizeof p) == 0; }
};
// An op describes itself as such a function when it is one: `inputs` are its inputs' constant values
// (nullptr when unknown; input 0 is the data). False when it is not (a bound that is not a constant, a
// parameter not exact in f32, a type other than float32).
using AsPointwiseFn = bool (*)(const OpAttrs& attrs, DType type, const std::vector<const HostTensor*>& inputs,
                               PointwiseFn* out);
// A pool describes itself as the mean of non-overlapping windows that tile its input from the start
// (kernel = strides, no dilation or pads, a shorter tail dropped): `window` gets the window per axis of
// the 3-D padded spatial axes (D, H, W; 1 for absent axes). A Conv can then average in its store
// (ir/rewrite_pool.cc). False for anything else, or when `y` is not the pool's output for `x`.
using AsWindowMeanFn = bool (*)(const OpAttrs& attrs, const TensorInfo& x, const Shape& y, int64_t window[3]);
// Floating-point operations of one execution (multiply and add count as two), for benchmarks.
using FlopsFn = double (*)(const InferContext&);

struct OpSchema {
  const char* domain = "";  // "" is the default ai.onnx domain
  const char* op_type = "";
  int min_opset = 1, max_opset = 17;  // inclusive range of opset versions handled
  ParseFn parse = nullptr;            // nullptr: the op has no attributes to read
  InferFn infer = nullptr;
  RefFn reference = nullptr;
  // The fast CPU backend's kernel (float32, on cpu/): same contract as `reference`, and it runs the
  // reference itself for types it does not take. nullptr: the CPU backend runs the reference.
  RefFn cpu = nullptr;
  GpuFn gpu = nullptr;                // nullptr: no WebGPU kernel (only valid for aliasing ops)
  // `gpu` writes other kernels when GpuContext::quick is set (a quick tier for first runs).
  bool gpu_has_quick = false;
  FlopsFn flops = nullptr;            // nullptr: counted as zero (data movement)
  AsZeroPadFn as_zero_pad = nullptr;  // set by Pad
  AbsorbPadFn absorb_zero_pad = nullptr;  // set by ops that fold a preceding zero Pad into their pads
  AsPointwiseFn as_pointwise = nullptr;   // set by elementwise ops a Conv may apply in its epilogue
  AsWindowMeanFn as_window_mean = nullptr;  // set by AveragePool, which a Conv may do in its store
  // Inputs whose values the op needs when it is planned (e.g. Reshape's shape): they must be
  // constant after folding, or be graph inputs whose values are bound at run time.
  std::vector<int> host_inputs = {};
  // The output is the first input's bytes under a new shape (Reshape, Flatten, ...): no kernel runs.
  bool output_aliases_input0 = false;
  // The reference reads only its inputs' shapes (Shape, Size): it can be evaluated when planning even
  // when the input values are not known.
  bool shape_only = false;
  // Types the op accepts, checked against input 0 (empty: any supported type).
  std::vector<DType> types = {};
  const char* notes = "";
};

// Helpers shared by many ops.
Status CheckInputCount(const ParseContext& ctx, int min, int max);
// Input i when the node has it; nullptr when it is omitted, beyond the inputs, or i < 0.
const TensorInfo* PresentInput(const std::vector<TensorInfo>& in, int i);
// Normalizes a possibly negative axis against `rank`; fails when out of [-rank, rank).
Status NormalizeAxis(int64_t axis, int64_t rank, int64_t* out, const char* what = "axis");
std::vector<int64_t> ContiguousStrides(const Shape& shape);
// Reads a host tensor of integers (int32/int64) into a vector.
std::vector<int64_t> ToInts(const HostTensor& t);

}  // namespace webconv::ops
