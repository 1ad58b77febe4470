// BatchNormalization (opsets 1-15). Legacy forms: consumed_inputs (1-5, ignored), is_test (1-6), spatial
// (1-8; spatial=0 gives per-element statistics of shape [C, D1, ...]). training_mode=1 (14-15) normalizes
// with the batch's statistics and gives the updated running ones; the older training outputs (before 14:
// saved mean and variance) are rejected with a clear error.
#include "ops/norm/batch_norm.h"

#include <cmath>
#include <vector>

#include "ops/norm/row_norm.h"

namespace webconv::ops {
namespace {

struct BatchNormAttrs {
  double epsilon = 1e-5;
  double momentum = 0.9;
  bool spatial = true;
  bool is_test = false;
  bool training = false;
};

constexpr const char* kInputNames[] = {"X", "scale", "B", "mean", "var"};
constexpr const char* kOutputNames[] = {"Y", "mean", "var", "saved_mean", "saved_var"};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 5, 5));
  const int max_outputs = ctx.opset >= 14 ? 3 : 5;
  if (ctx.num_outputs < 1 || ctx.num_outputs > max_outputs)
    return BadModel("expects 1 to ", max_outputs, " outputs, got ", ctx.num_outputs);
  auto a = std::make_shared<BatchNormAttrs>();
  float epsilon = 0, momentum = 0;
  WC_RETURN_IF_ERROR(ctx.attrs.Float("epsilon", 1e-5f, &epsilon));
  // Momentum updates the running statistics while training.
  WC_RETURN_IF_ERROR(ctx.attrs.Float("momentum", 0.9f, &momentum));
  a->epsilon = epsilon;
  a->momentum = momentum;
  if (ctx.opset < 9) {
    int64_t spatial = 1;
    WC_RETURN_IF_ERROR(ctx.attrs.Int("spatial", 1, &spatial));
    a->spatial = spatial != 0;
  }
  if (ctx.opset < 7) {
    int64_t is_test = 0;
    WC_RETURN_IF_ERROR(ctx.attrs.Int("is_test", 0, &is_test));
    a->is_test = is_test != 0;
  }
  if (ctx.opset >= 14) {
    int64_t training = 0;
    WC_RETURN_IF_ERROR(ctx.attrs.Int("training_mode", 0, &training));
    if (training != 0 && training != 1) return BadModel("training_mode must be 0 or 1, got ", training);
    a->training = training == 1;
  }
  *out = a;
  return OkStatus();
}

// Which optional outputs the node may name. A node with only Y is inference in every opset: the
// older specs list "Y" alone as the test-mode form, whatever is_test says.
Status CheckOutputs(const BatchNormAttrs& a, int opset, const std::vector<bool>& present,
                    BatchNormProblem* p) {
  for (size_t k = 1; k < present.size(); ++k) {
    if (!present[k]) continue;
    if (opset >= 14 && a.training) {
      (k == 1 ? p->running_mean : p->running_var) = true;
      continue;
    }
    if (opset >= 14)
      return BadModel("output ", k, " (running_", k == 1 ? "mean" : "var",
                      ") exists only when training (training_mode=1)");
    if (opset >= 7 || !a.is_test)
      return BadModel("output ", k, " (", kOutputNames[k],
                      ") asks for training mode, which is not supported; inference names only Y");
    if (k >= 3)
      return BadModel("output ", k, " (", kOutputNames[k],
                      ") is computed only in training mode, which is not supported");
    (k == 1 ? p->copy_mean : p->copy_var) = true;
  }
  return OkStatus();
}

Result<BatchNormProblem> Resolve(const BatchNormAttrs& a, int opset, const std::vector<TensorInfo>& in,
                                 const std::vector<bool>& outputs_present) {
  BatchNormProblem p;
  p.epsilon = a.epsilon;
  p.training = a.training;
  p.momentum = a.momentum;
  const Shape& x = in[0].shape;
  for (size_t k = 0; k < 5; ++k) {
    if (!in[k].present) return BadModel("input ", k, " (", kInputNames[k], ") is required");
    if (!IsFloat(in[k].dtype))
      return BadModel("input ", k, " (", kInputNames[k], ") has type ", DTypeName(in[k].dtype),
                      "; BatchNormalization takes floating-point tensors");
  }
  const size_t min_rank = opset >= 9 ? 1 : 2;
  if (x.size() < min_rank)
    return BadModel("X has rank ", x.size(), "; BatchNormalization-", opset, " needs ",
                    min_rank == 1 ? "[N] or [N, C, ...]" : "[N, C, ...]");
  // From opset 9 a 1-D X of size N has one channel.
  const int64_t channels = x.size() >= 2 ? x[1] : 1;
  int64_t inner = 1;
  for (size_t k = 2; k < x.size(); ++k) inner *= x[k];
  p.elements = NumElements(x);
  Shape expect = {channels};
  if (a.spatial) {
    p.stride = inner;
    p.count = channels;
  } else {
    p.stride = 1;
    p.count = channels * inner;
    expect.assign(x.begin() + 1, x.end());
  }
  for (size_t k = 1; k < 5; ++k) {
    const Shape& s = in[k].shape;
    const bool flat = s.size() == 1 && s[0] == p.count;
    if (s != expect && !flat)
      return BadModel("input ", k, " (", kInputNames[k], ") has shape ", ShapeString(s), ", expected ",
                      ShapeString(expect), a.spatial ? " (one value per channel of X " : " (spatial=0: X ",
                      ShapeString(x), ")");
  }
  WC_RETURN_IF_ERROR(CheckOutputs(a, opset, outputs_present, &p));
  return p;
}

std::vector<bool> Present(const std::vector<TensorInfo>& outs) {
  std::vector<bool> r;
  for (const TensorInfo& t : outs) r.push_back(t.present);
  return r;
}

Status Infer(InferContext& ctx) {
  WC_RETURN_IF_ERROR(
      Resolve(ctx.Attrs<BatchNormAttrs>(), ctx.opset, ctx.inputs, Present(ctx.outputs)).status());
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = ctx.inputs[0].shape;
  for (size_t k = 1; k <= 2 && k < ctx.outputs.size(); ++k) {
    if (!ctx.outputs[k].present) continue;
    ctx.outputs[k].dtype = ctx.inputs[k + 2].dtype;
    ctx.outputs[k].shape = ctx.inputs[k + 2].shape;
  }
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const std::vector<TensorInfo> in = ctx.input_infos();
  std::vector<bool> present;
  for (const HostTensor& t : *ctx.outputs) present.push_back(t.dtype() != DType::kUndefined);
  WC_ASSIGN_OR_RETURN(BatchNormProblem p, Resolve(ctx.Attrs<BatchNormAttrs>(), ctx.opset, in, present));
  const HostTensor &x = *ctx.inputs[0], &scale = *ctx.inputs[1], &bias = *ctx.inputs[2],
                   &mean = *ctx.inputs[3], &var = *ctx.inputs[4];
  std::vector<double> m(static_cast<size_t>(p.count)), v(static_cast<size_t>(p.count));
  if (p.training) {
    BatchStatistics(p, x, &m, &v);
  } else {
    for (int64_t c = 0; c < p.count; ++c) {
      m[static_cast<size_t>(c)] = mean.GetDouble(c);
      v[static_cast<size_t>(c)] = var.GetDouble(c);
    }
  }
  HostTensor& y = ctx.out(0);
  for (int64_t i = 0; i < p.elements; ++i) {
    const size_t c = static_cast<size_t>((i / p.stride) % p.count);
    y.SetDouble(i, (x.GetDouble(i) - m[c]) / std::sqrt(v[c] + p.epsilon) * scale.GetDouble(static_cast<int64_t>(c)) +
                       bias.GetDouble(static_cast<int64_t>(c)));
  }
  if (p.training) {
    for (int64_t c = 0; c < p.count; ++c) {
      const size_t k = static_cast<size_t>(c);
      if (p.running_mean) ctx.out(1).SetDouble(c, mean.GetDouble(c) * p.momentum + m[k] * (1 - p.momentum));
      if (p.running_var) ctx.out(2).SetDouble(c, var.GetDouble(c) * p.momentum + v[k] * (1 - p.momentum));
    }
    return OkStatus();
  }
  const HostTensor* stats[] = {&mean, &var};
  for (int k = 1; k <= 2; ++k) {
    if (!(k == 1 ? p.copy_mean : p.copy_var)) continue;
    for (int64_t i = 0; i < stats[k - 1]->num_elements(); ++i)
      ctx.out(k).SetDouble(i, stats[k - 1]->GetDouble(i));
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(BatchNormProblem p,
                      Resolve(ctx.Attrs<BatchNormAttrs>(), ctx.opset, ctx.inputs, Present(ctx.outputs)));
  return BatchNormGpu(p, ctx);
}

double Flops(const InferContext& ctx) {
  // One multiply-add per element once the per-channel factor is formed.
  return 2.0 * static_cast<double>(NumElements(ctx.inputs[0].shape));
}

}  // namespace

void BatchStatistics(const BatchNormProblem& p, const HostTensor& x, std::vector<double>* mean,
                     std::vector<double>* var) {
  const int64_t per_channel = p.count > 0 ? p.elements / p.count : 0;
  std::vector<double> sum(static_cast<size_t>(p.count), 0.0), sq(static_cast<size_t>(p.count), 0.0);
  for (int64_t i = 0; i < p.elements; ++i) sum[static_cast<size_t>((i / p.stride) % p.count)] += x.GetDouble(i);
  for (int64_t c = 0; c < p.count; ++c)
    (*mean)[static_cast<size_t>(c)] = sum[static_cast<size_t>(c)] / static_cast<double>(per_channel);
  for (int64_t i = 0; i < p.elements; ++i) {
    const size_t c = static_cast<size_t>((i / p.stride) % p.count);
    const double d = x.GetDouble(i) - (*mean)[c];
    sq[c] += d * d;
  }
  for (int64_t c = 0; c < p.count; ++c)
    (*var)[static_cast<size_t>(c)] = sq[static_cast<size_t>(c)] / static_cast<double>(per_channel);
}

std::vector<OpSchema> BatchNormRows() {
  OpSchema bn;
  bn.op_type = "BatchNormalization";
  bn.parse = Parse;
  bn.infer = Infer;
  bn.reference = Reference;
  bn.gpu = Gpu;
  bn.flops = Flops;
  bn.notes =
      "floating-point inputs; training_mode=1 (opset 14-15): the batch's statistics per channel (population "
      "variance) and the running mean/var outputs; the training outputs of opsets before 14 are an error; "
      "legacy is_test/spatial (spatial=0: per-element statistics) accepted";
  return {bn};
}

}  // namespace webconv::ops
