// MelWeightMatrix (opset 17): the [floor(dft_length / 2) + 1, num_mel_bins] matrix of triangular filters
// that maps a one-sided linear spectrum onto the mel scale, mel(f) = 2595 log10(1 + f / 700). Band edges:
// num_mel_bins + 2 points evenly spaced in mel from lower_edge_hertz to upper_edge_hertz (the step is the
// span over num_mel_bins + 2, as ONNX's reference has it), each mapped back to hertz and to the spectrum
// bin floor((dft_length + 1) * f / sample_rate). Filter i rises from bin edge i to its peak 1 at edge
// i + 1 and falls to 0 at edge i + 2; a filter whose rising side is empty is 1 at its centre bin.
// Every input is a scalar that sets the output's shape, so all must be known when the graph is planned;
// the node is then evaluated by the reference (it has no kernel of its own).
#include <algorithm>
#include <cmath>

#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct MelAttrs {
  DType dtype = DType::kFloat32;
};

struct MelParams {
  int64_t mel_bins = 0, dft_length = 0, sample_rate = 0;
  double lower_hz = 0, upper_hz = 0;
  int64_t spectrum_bins() const { return dft_length / 2 + 1; }
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 5, 5));
  auto a = std::make_shared<MelAttrs>();
  int64_t dtype = 1;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("output_datatype", 1, &dtype));
  if (!DTypeFromInt(dtype, &a->dtype) || !(IsFloat(a->dtype) || IsInteger(a->dtype)) || !IsSupportedDType(a->dtype))
    return BadModel("attribute output_datatype is ", dtype, ": a float or integer type is needed");
  *out = a;
  return OkStatus();
}

Result<MelParams> Resolve(const HostTensor* const v[5]) {
  static const char* kNames[] = {"num_mel_bins", "dft_length", "sample_rate", "lower_edge_hertz",
                                 "upper_edge_hertz"};
  for (int k = 0; k < 5; ++k) {
    if (!v[k]) return BadModel("input ", k, " (", kNames[k], ") must be known when the graph is planned");
    if (v[k]->num_elements() != 1) return BadModel(kNames[k], " must be a scalar, got shape ", ShapeString(v[k]->shape()));
    const bool integral = k < 3;
    if (integral != IsInteger(v[k]->dtype()) || (!integral && !IsFloat(v[k]->dtype())))
      return BadModel(kNames[k], " has type ", DTypeName(v[k]->dtype()), ", expected ", integral ? "an integer" : "a float");
  }
  MelParams p;
  p.mel_bins = v[0]->GetInt(0);
  p.dft_length = v[1]->GetInt(0);
  p.sample_rate = v[2]->GetInt(0);
  p.lower_hz = v[3]->GetDouble(0);
  p.upper_hz = v[4]->GetDouble(0);
  if (p.mel_bins < 1 || p.mel_bins > (int64_t{1} << 20)) return BadModel("num_mel_bins is ", p.mel_bins, "; 1 to 2^20 are supported");
  if (p.dft_length < 1 || p.dft_length > (int64_t{1} << 30)) return BadModel("dft_length is ", p.dft_length, "; 1 to 2^30 are supported");
  if (p.sample_rate < 1) return BadModel("sample_rate is ", p.sample_rate, "; it must be positive");
  if (!(p.lower_hz >= 0) || !(p.upper_hz >= p.lower_hz) || !std::isfinite(p.upper_hz))
    return BadModel("the band [", p.lower_hz, ", ", p.upper_hz, "] Hz must be finite with 0 <= lower <= upper");
  if (p.spectrum_bins() * p.mel_bins > kMaxElements)
    return BadModel("the matrix would have ", p.spectrum_bins() * p.mel_bins, " elements, more than 2^40");
  return p;
}

Result<MelParams> ResolveInfos(const std::vector<TensorInfo>& in) {
  const HostTensor* v[5];
  for (int k = 0; k < 5; ++k) v[k] = in[k].constant;
  return Resolve(v);
}

Status Infer(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(MelParams p, ResolveInfos(ctx.inputs));
  ctx.outputs[0].dtype = ctx.Attrs<MelAttrs>().dtype;
  ctx.outputs[0].shape = {p.spectrum_bins(), p.mel_bins};
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor* v[5];
  for (int k = 0; k < 5; ++k) v[k] = ctx.inputs[k];
  WC_ASSIGN_OR_RETURN(MelParams p, Resolve(v));
  const int64_t points = p.mel_bins + 2, rows = p.spectrum_bins();
  const double low_mel = 2595.0 * std::log10(1.0 + p.lower_hz / 700.0);
  const double high_mel = 2595.0 * std::log10(1.0 + p.upper_hz / 700.0);
  const double step = (high_mel - low_mel) / static_cast<double>(points);
  std::vector<int64_t> edge(static_cast<size_t>(points));
  for (int64_t k = 0; k < points; ++k) {
    const double hz = 700.0 * (std::pow(10.0, (static_cast<double>(k) * step + low_mel) / 2595.0) - 1.0);
    const double bin = std::floor(static_cast<double>(p.dft_length + 1) * hz / static_cast<double>(p.sample_rate));
    // 2^53 bounds the conversion (an absurd upper edge); the loops below visit only the spectrum's rows.
    edge[static_cast<size_t>(k)] = static_cast<int64_t>(std::min(bin, 9007199254740992.0));
  }
  HostTensor& y = ctx.out(0);
  for (int64_t i = 0; i < y.num_elements(); ++i) y.SetDouble(i, 0.0);
  // Edges past the last spectrum bin (an upper edge above the Nyquist frequency) have no row to write:
  // each side of a filter visits only its rows inside the spectrum.
  for (int64_t i = 0; i < p.mel_bins; ++i) {
    const int64_t lo = edge[static_cast<size_t>(i)], mid = edge[static_cast<size_t>(i + 1)],
                  hi = edge[static_cast<size_t>(i + 2)];
    if (mid == lo) {
      if (mid < rows) y.SetDouble(mid * p.mel_bins + i, 1.0);
    } else {
      for (int64_t j = lo; j <= std::min(mid, rows - 1); ++j)
        y.SetDouble(j * p.mel_bins + i, static_cast<double>(j - lo) / static_cast<double>(mid - lo));
    }
    for (int64_t j = mid; j < std::min(hi, rows); ++j)
      y.SetDouble(j * p.mel_bins + i, static_cast<double>(hi - j) / static_cast<double>(hi - mid));
  }
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> MelWeightMatrixRows() {
  OpSchema s;
  s.op_type = "MelWeightMatrix";
  s.min_opset = 17;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.host_inputs = {0, 1, 2, 3, 4};
  s.notes = "every input sets the output's shape and must be known when planning (constant or graph input); "
            "evaluated by the reference then";
  return {s};
}

}  // namespace webconv::ops::tensor
