// Fusable unary ops as steps of another kernel's epilogue (UnaryDef::fusable, OpSchema::as_pointwise):
// what the op contributes (its WGSL, its value, its CPU loop) so that the fusing kernel names no op.
#include <cctype>
#include <cmath>

#include "ops/elementwise/unary.h"
#include "ops/elementwise/wgsl_math.h"

namespace webconv::ops {
namespace {

UnaryParams Widened(const PointwiseFn& f) {
  UnaryParams p;
  for (int k = 0; k < 3; ++k) p.p[k] = f.p[k];
  return p;
}

// wgsl_f32 reads its parameters as uniforms u.p0..u.p2; as a helper function it takes them as p0..p2.
std::string AsHelperBody(const char* body) {
  std::string s = body;
  for (size_t at = s.find("u.p"); at != std::string::npos; at = s.find("u.p", at)) s.erase(at, 2);
  return s;
}

}  // namespace

std::string PointwiseTag(const PointwiseFn& f) {
  if (f.def->tag) return f.def->tag;
  std::string tag = f.def->op;
  for (char& c : tag) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tag;
}

std::string PointwiseStepWgsl(const PointwiseFn& f, std::string* functions, uint32_t* math) {
  const UnaryDef& d = *f.def;
  *math |= d.math;
  if (d.step_wgsl) return d.step_wgsl(f.p);
  const std::string name = "step_" + PointwiseTag(f);
  const std::string head = "fn " + name + "(";
  if (functions->find(head) == std::string::npos)
    *functions += head + "x: f32, p0: f32, p1: f32, p2: f32) -> f32 {\n  " + AsHelperBody(d.wgsl_f32) + "\n}\n";
  return "y = " + name + "(y, " + WgslF32Literal(f.p[0]) + ", " + WgslF32Literal(f.p[1]) + ", " + WgslF32Literal(f.p[2]) + ");";
}

double PointwiseValue(const PointwiseFn& f, double x) {
  if (std::isnan(x)) return x;
  return f.def->ref(x, Widened(f));
}

void PointwiseApplyF32(const PointwiseFn& f, float* v, int64_t n) {
  if (f.def->apply_f32) {
    f.def->apply_f32(v, n, f.p);
    return;
  }
  const UnaryParams p = Widened(f);
  for (int64_t i = 0; i < n; ++i)
    if (!std::isnan(v[i])) v[i] = static_cast<float>(f.def->ref(v[i], p));
}

// OpSchema::as_pointwise of a fusable UnaryDef row: float32 only; the parameters are the attributes,
// or what `resolve` makes of the constant bound inputs (Clip); each must be exact in f32, and finite
// unless the op writes its own step WGSL (a helper's arguments are WGSL literals).
bool UnaryAsPointwise(const OpAttrs& attrs, DType type, const std::vector<const HostTensor*>& inputs,
                      PointwiseFn* out) {
  const auto& a = attrs.As<UnaryAttrs>();
  const UnaryDef& d = *a.def;
  if (!d.fusable || type != DType::kFloat32 || inputs.empty()) return false;
  UnaryParams p = a.params;
  if (d.resolve) {
    const HostTensor* bound[2] = {inputs.size() > 1 ? inputs[1] : nullptr, inputs.size() > 2 ? inputs[2] : nullptr};
    for (const HostTensor* b : bound)
      if (b && b->num_elements() != 1) return false;
    p = d.resolve(a, type, bound[0], bound[1]);
  } else if (inputs.size() != 1) {
    return false;
  }
  out->def = &d;
  for (int k = 0; k < 3; ++k) {
    out->p[k] = static_cast<float>(p.p[k]);
    if (std::isnan(p.p[k]) || static_cast<double>(out->p[k]) != p.p[k]) return false;
    if (!d.step_wgsl && std::isinf(p.p[k])) return false;
  }
  return true;
}

}  // namespace webconv::ops
