// Table-driven elementwise unary ops. Each op is one UnaryDef: its float64 reference (and exact integer
// forms where integers are accepted), its WGSL bodies per GPU word type, and the attributes it reads.
// The machinery in unary.cc does parsing, inference, the reference loop and kernel generation for all.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ops/op_schema.h"

namespace webconv::ops {

enum class UnaryTypes {
  kFloat,        // float types
  kFloatSigned,  // float and signed integer types
  kNumeric,      // float and all integer types
  kBool,         // bool only
  kFloatToBool,  // float in, bool out (IsNaN, IsInf)
};

struct UnaryParams {
  double p[3] = {0, 0, 0};
};

// An attribute read into UnaryParams::p[k].
struct ParamSpec {
  const char* name = nullptr;  // nullptr: unused slot
  double def = 0;
  double def_before_6 = std::numeric_limits<double>::quiet_NaN();  // Selu-1's defaults differ; NaN: same
  bool is_int = false;
};

struct UnaryAttrs;

struct UnaryDef {
  const char* op = "";
  int since = 1;  // first opset defining the op
  UnaryTypes types = UnaryTypes::kFloat;
  // Float reference; NaN inputs of float-to-float ops never reach it (NaN maps to NaN).
  double (*ref)(double x, const UnaryParams& p) = nullptr;
  // Exact forms for integers (wrapping like the GPU's 32-bit words do); nullptr: round ref's result.
  int64_t (*ref_int)(int64_t x, const UnaryParams& p) = nullptr;
  uint64_t (*ref_uint)(uint64_t x, const UnaryParams& p) = nullptr;  // unsigned and bool
  // WGSL body of `fn op(x: T) -> R` per GPU word type; parameters are uniforms u.p0..u.p2 of type T.
  const char* wgsl_f32 = nullptr;
  const char* wgsl_i32 = nullptr;
  const char* wgsl_u32 = nullptr;
  uint32_t math = 0;  // WgslMath functions the f32 body calls
  ParamSpec params[3] = {};
  int max_inputs = 1;  // Clip: 3 from opset `inputs_since` (its bounds became inputs)
  int inputs_since = 1;
  // Overrides p from the dtype and the optional inputs (Clip's bounds); nullptr: p are the attributes.
  UnaryParams (*resolve)(const UnaryAttrs& a, DType t, const HostTensor* in1,
                         const HostTensor* in2) = nullptr;
  Status (*check)(const UnaryParams& p) = nullptr;  // validates attribute values

  // As a step fused into another kernel's epilogue (OpSchema::as_pointwise; the Conv kernels apply
  // their steps in registers before the one store). `fusable` lets the rewrites fuse the op; that is
  // all a float op needs: its WGSL is then wgsl_f32 as a function of x and the baked parameters, its
  // value `ref`. The rest is optional:
  //   tag         its short name in kernel names ("lrelu"); nullptr: the op in lower case
  //   step_wgsl   the statement applying it to `y` with the parameters baked in (when wgsl_f32 cannot
  //               serve: Clip's infinite bounds have no WGSL literal), where a kernel inlines it
  //   apply_f32   the CPU backend's loop over n values in place (nullptr: `ref` per value, in double);
  //               NaN must stay NaN, as in the reference
  bool fusable = false;
  const char* tag = nullptr;
  std::string (*step_wgsl)(const float p[3]) = nullptr;
  void (*apply_f32)(float* v, int64_t n, const float p[3]) = nullptr;
};

struct UnaryAttrs {
  const UnaryDef* def = nullptr;
  UnaryParams params;
  bool present[3] = {false, false, false};  // which attributes the node carries
};

// A fused step (PointwiseFn of a fusable UnaryDef), for the kernels that apply one:
//   PointwiseStepWgsl   the WGSL statement applying it to the f32 `y`; a helper function it calls is added
//                       to *functions once (by name), and the WgslMath functions it needs to *math
//   PointwiseValue      its float64 value at x (NaN stays NaN)
//   PointwiseApplyF32   the CPU backend's loop, in place
//   PointwiseTag        its short name in kernel names
std::string PointwiseStepWgsl(const PointwiseFn& f, std::string* functions, uint32_t* math);
double PointwiseValue(const PointwiseFn& f, double x);
void PointwiseApplyF32(const PointwiseFn& f, float* v, int64_t n);
std::string PointwiseTag(const PointwiseFn& f);
// OpSchema::as_pointwise of the fusable rows (UnaryRow sets it).
bool UnaryAsPointwise(const OpAttrs& attrs, DType type, const std::vector<const HostTensor*>& inputs,
                      PointwiseFn* out);

Status ParseUnary(const UnaryDef& d, const ParseContext& ctx, OpAttrs* out);
OpSchema UnaryRow(const UnaryDef& d, ParseFn parse);
template <const UnaryDef& D>
OpSchema UnaryRowOf() {
  return UnaryRow(D, [](const ParseContext& ctx, OpAttrs* out) { return ParseUnary(D, ctx, out); });
}

// Rows of the unary files, gathered by UnaryOps().
std::vector<OpSchema> UnaryMathRows();        // unary_math.cc
std::vector<OpSchema> UnaryTrigRows();        // unary_trig.cc
std::vector<OpSchema> UnaryActivationRows();  // unary_activation.cc
std::vector<OpSchema> ShrinkRows();           // shrink.cc

}  // namespace webconv::ops
