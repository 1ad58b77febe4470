// Einsum (opset 12): numpy's einsum over one or more inputs. The equation names each input's axes with
// letters (and at most one "..." for broadcast axes); "->" names the output's, and without it the output
// is "..." then the letters used exactly once, in alphabetical order. A letter repeated within one input
// takes that input's diagonal; letters missing from the output are summed over.
// Every letter (and every "..." axis) becomes a label with one extent; each input reads label l with
// stride strides[input][l] (the sum of the strides of its axes with that label: diagonals for free; 0 for
// labels it lacks or broadcasts). Each output element then sums, over every combination of the summed
// labels, the product of the inputs' elements. The WebGPU kernel is that loop, one invocation per output
// element (direct and untuned).
#include <algorithm>
#include <map>

#include "ops/elementwise/elementwise.h"
#include "ops/families.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops {
namespace {

constexpr size_t kMaxLabels = 16;  // letters plus "..." axes, per equation, on WebGPU
constexpr size_t kMaxGpuInputs = 4;

struct EinsumAttrs {
  std::string equation;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 64));
  auto a = std::make_shared<EinsumAttrs>();
  if (!ctx.attrs.Has("equation")) return BadModel("attribute equation is required");
  std::string eq;
  WC_RETURN_IF_ERROR(ctx.attrs.String("equation", "", &eq));
  for (char c : eq)
    if (c != ' ') a->equation += c;
  *out = a;
  return OkStatus();
}

// One term of the equation: its labels in axis order, with -1 where "..." stands.
struct Term {
  std::vector<int> labels;
  bool ellipsis = false;
};

Result<Term> ParseTerm(const std::string& s) {
  Term t;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      if (t.ellipsis || s.compare(i, 3, "...") != 0) return BadModel("'", s, "' has a stray '.' (only one \"...\")");
      t.ellipsis = true;
      t.labels.push_back(-1);
      i += 2;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      t.labels.push_back(c >= 'a' ? c - 'a' : 26 + c - 'A');
    } else {
      return BadModel("'", s, "' holds '", std::string(1, c), "': letters, \"...\", ',' and \"->\" only");
    }
  }
  return t;
}

// The resolved problem: extents per label, each input's strides per label, the output's labels.
struct EinsumProblem {
  std::vector<int64_t> extent;                 // per label
  std::vector<std::vector<int64_t>> strides;   // [input][label]
  std::vector<int> out_labels, sum_labels;
  Shape out_shape;
};

Result<EinsumProblem> Resolve(const EinsumAttrs& a, const std::vector<TensorInfo>& in) {
  const std::string& eq = a.equation;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<Term> terms;
  size_t start = 0;
  for (;;) {
    const size_t comma = lhs.find(',', start);
    WC_ASSIGN_OR_RETURN(Term t, ParseTerm(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    terms.push_back(t);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != in.size())
    return BadModel("equation '", eq, "' has ", terms.size(), " input terms for ", in.size(), " inputs");
  for (const TensorInfo& t : in)
    if (t.dtype != in[0].dtype) return BadModel("inputs have types ", DTypeName(in[0].dtype), " and ", DTypeName(t.dtype));
  if (!IsFloat(in[0].dtype) && !IsInteger(in[0].dtype)) return BadModel("type ", DTypeName(in[0].dtype), " is not numeric");
  // "..." axes: the broadcast of every input's, right-aligned, as labels 52, 53, ...
  size_t ell_rank = 0;
  for (size_t k = 0; k < terms.size(); ++k) {
    const size_t letters = terms[k].labels.size() - (terms[k].ellipsis ? 1 : 0);
    if (in[k].shape.size() < letters || (!terms[k].ellipsis && in[k].shape.size() != letters))
      return BadModel("input ", k, " has shape ", ShapeString(in[k].shape), ", which term ", k, " of '", eq,
                      "' does not fit");
    if (terms[k].ellipsis) ell_rank = std::max(ell_rank, in[k].shape.size() - letters);
  }
  constexpr int kEll = 52;
  EinsumProblem p;
  p.extent.assign(kEll + ell_rank, -1);
  p.strides.assign(in.size(), std::vector<int64_t>(kEll + ell_rank, 0));
  std::map<int, int> uses;
  for (size_t k = 0; k < terms.size(); ++k) {
    const Shape& shape = in[k].shape;
    std::vector<int64_t> axis_stride(shape.size(), 1);
    for (size_t d = shape.size(); d-- > 1;) axis_stride[d - 1] = axis_stride[d] * shape[d];
    size_t axis = 0;
    for (int label : terms[k].labels) {
      if (label < 0) {  // this input's "..." axes, right-aligned against ell_rank
        const size_t own = shape.size() - (terms[k].labels.size() - 1);
        for (size_t e = 0; e < own; ++e, ++axis) {
          const int l = kEll + static_cast<int>(ell_rank - own + e);
          const int64_t n = shape[axis];
          if (n != 1) {
            if (p.extent[static_cast<size_t>(l)] > 1 && p.extent[static_cast<size_t>(l)] != n)
              return BadModel("the \"...\" axes of the inputs do not broadcast: ", ShapeString(shape));
            p.extent[static_cast<size_t>(l)] = n;
            p.strides[k][static_cast<size_t>(l)] += axis_stride[axis];
          } else if (p.extent[static_cast<size_t>(l)] < 1) {
            p.extent[static_cast<size_t>(l)] = 1;
          }
        }
        continue;
      }
      const int64_t n = shape[axis];
      int64_t& e = p.extent[static_cast<size_t>(label)];
      if (e >= 0 && e != n)
        return BadModel("label '", std::string(1, static_cast<char>(label < 26 ? 'a' + label : 'A' + label - 26)),
                        "' spans ", e, " and ", n, " in '", eq, "'");
      e = n;
      p.strides[k][static_cast<size_t>(label)] += axis_stride[axis];
      ++uses[label];
      ++axis;
    }
  }
  // The output's labels.
  if (arrow != std::string::npos) {
    WC_ASSIGN_OR_RETURN(Term out, ParseTerm(eq.substr(arrow + 2)));
    for (int label : out.labels) {
      if (label < 0) {
        for (size_t e = 0; e < ell_rank; ++e) p.out_labels.push_back(kEll + static_cast<int>(e));
        continue;
      }
      if (p.extent[static_cast<size_t>(label)] < 0)
        return BadModel("output label '", std::string(1, static_cast<char>(label < 26 ? 'a' + label : 'A' + label - 26)),
                        "' is in no input of '", eq, "'");
      if (std::count(p.out_labels.begin(), p.out_labels.end(), label))
        return BadModel("output label repeated in '", eq, "'");
      p.out_labels.push_back(label);
    }
    if (!out.ellipsis && ell_rank > 0)
      for (size_t e = 0; e < ell_rank; ++e)
        if (p.extent[kEll + e] > 1) return BadModel("\"...\" axes must appear in the output of '", eq, "'");
  } else {
    for (size_t e = 0; e < ell_rank; ++e) p.out_labels.push_back(kEll + static_cast<int>(e));
    for (const auto& [label, count] : uses)
      if (count == 1) p.out_labels.push_back(label);
  }
  for (size_t l = 0; l < p.extent.size(); ++l)
    if (p.extent[l] >= 0 && !std::count(p.out_labels.begin(), p.out_labels.end(), static_cast<int>(l)))
      p.sum_labels.push_back(static_cast<int>(l));
  for (int l : p.out_labels) p.out_shape.push_back(p.extent[static_cast<size_t>(l)]);
  return p;
}

Status Infer(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(EinsumProblem p, Resolve(ctx.Attrs<EinsumAttrs>(), ctx.inputs));
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = p.out_shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  WC_ASSIGN_OR_RETURN(EinsumProblem p, Resolve(ctx.Attrs<EinsumAttrs>(), ctx.input_infos()));
  HostTensor& y = ctx.out(0);
  const bool integer = IsInteger(y.dtype());
  int64_t summed = 1;
  for (int l : p.sum_labels) summed *= p.extent[static_cast<size_t>(l)];
  std::vector<int64_t> coord(p.extent.size(), 0);
  for (int64_t o = 0; o < y.num_elements(); ++o) {
    int64_t rest = o;
    for (size_t d = p.out_labels.size(); d-- > 0;) {
      const size_t l = static_cast<size_t>(p.out_labels[d]);
      coord[l] = rest % p.extent[l];
      rest /= p.extent[l];
    }
    double acc = 0;
    int64_t iacc = 0;
    for (int64_t s = 0; s < summed; ++s) {
      int64_t r = s;
      for (size_t d = p.sum_labels.size(); d-- > 0;) {
        const size_t l = static_cast<size_t>(p.sum_labels[d]);
        coord[l] = r % p.extent[l];
        r /= p.extent[l];
      }
      double prod = 1;
      int64_t iprod = 1;
      for (size_t k = 0; k < ctx.inputs.size(); ++k) {
        int64_t at = 0;
        for (size_t l = 0; l < coord.size(); ++l) at += coord[l] * p.strides[k][l];
        if (integer) iprod = static_cast<int64_t>(static_cast<uint64_t>(iprod) * static_cast<uint64_t>(ctx.inputs[k]->GetInt(at)));
        else prod *= ctx.inputs[k]->GetDouble(at);
      }
      if (integer) iacc = static_cast<int64_t>(static_cast<uint64_t>(iacc) + static_cast<uint64_t>(iprod));
      else acc += prod;
    }
    if (integer) y.SetInt(o, iacc);
    else y.SetDouble(o, acc);
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(EinsumProblem p, Resolve(ctx.Attrs<EinsumAttrs>(), ctx.inputs));
  const DType t = ctx.inputs[0].dtype;
  if (!GpuSupports(t)) return BadModel("the WebGPU backend does not hold ", DTypeName(t));
  if (ctx.inputs.size() > kMaxGpuInputs) return BadModel(ctx.inputs.size(), " inputs: the WebGPU kernel takes up to ", kMaxGpuInputs);
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements(p.out_shape, "output"));
  // Compact the labels in use: output ones first, then summed ones.
  std::vector<int> labels = p.out_labels;
  labels.insert(labels.end(), p.sum_labels.begin(), p.sum_labels.end());
  if (labels.size() > kMaxLabels) return BadModel(labels.size(), " labels: the WebGPU kernel takes up to ", kMaxLabels);
  const int64_t total = NumElements(p.out_shape);
  if (total == 0) return OkStatus();
  int64_t summed = 1;
  for (int l : p.sum_labels) summed *= p.extent[static_cast<size_t>(l)];
  if (static_cast<double>(total) * static_cast<double>(summed) > 4294967296.0)
    return BadModel("Einsum needs ", total, " x ", summed, " products on WebGPU, more than its limit of 2^32");
  const gpu::ScalarType st = GpuType(t);
  const std::string w = gpu::WgslType(st);
  gpu::KernelBuilder b("einsum_" + w + "_" + std::to_string(ctx.inputs.size()));
  std::vector<GpuRef> refs;
  for (size_t k = 0; k < ctx.inputs.size(); ++k) {
    b.Input("I" + std::to_string(k), st);
    refs.push_back(GpuContext::In(static_cast<int>(k)));
  }
  b.Output("Y", st);
  refs.push_back(GpuContext::Out(0));
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(total));
  u.AddU32("out_labels", static_cast<uint32_t>(p.out_labels.size()));
  u.AddU32("labels", static_cast<uint32_t>(labels.size()));
  u.AddU32("summed", static_cast<uint32_t>(summed));
  std::vector<int64_t> extents;
  for (int l : labels) extents.push_back(p.extent[static_cast<size_t>(l)]);
  u.AddU32Array("extent", tensor::ToU32(extents), kMaxLabels);
  for (size_t k = 0; k < ctx.inputs.size(); ++k) {
    std::vector<int64_t> s;
    for (int l : labels) s.push_back(p.strides[k][static_cast<size_t>(l)]);
    u.AddU32Array("stride" + std::to_string(k), tensor::ToU32(s), kMaxLabels);
  }
  std::string body =
      "var coord: array<u32, " + std::to_string(kMaxLabels) + ">;\n"
      "  var rest = i;\n"
      "  for (var d = i32(u.out_labels) - 1; d >= 0; d = d - 1) {\n"
      "    coord[d] = rest % extent(u32(d));\n    rest = rest / extent(u32(d));\n  }\n"
      "  var acc = " + w + "(0);\n"
      "  for (var s = 0u; s < u.summed; s = s + 1u) {\n"
      "    var r = s;\n"
      "    for (var d = i32(u.labels) - 1; d >= i32(u.out_labels); d = d - 1) {\n"
      "      coord[d] = r % extent(u32(d));\n      r = r / extent(u32(d));\n    }\n"
      "    var prod = " + w + "(1);\n";
  for (size_t k = 0; k < ctx.inputs.size(); ++k) {
    const std::string ks = std::to_string(k);
    body += "    var at" + ks + " = 0u;\n"
            "    for (var l = 0u; l < u.labels; l = l + 1u) { at" + ks + " = at" + ks + " + coord[l] * stride" + ks + "(l); }\n"
            "    prod = prod * I" + ks + "[at" + ks + "];\n";
  }
  body += "    acc = acc + prod;\n  }\n  Y[i] = narrow(acc);";
  b.Body(NarrowWgsl(t) + ElementwiseMain(body));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(total), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, refs, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> EinsumRows() {
  OpSchema s;
  s.op_type = "Einsum";
  s.min_opset = 12;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes = "any equation with \"...\" broadcast and diagonals; up to 4 inputs and 16 labels on WebGPU (direct "
            "kernel)";
  return {s};
}

}  // namespace webconv::ops
