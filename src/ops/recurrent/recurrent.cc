// RNN, GRU and LSTM: parsing, shapes and the float64 reference (recurrent.h has the tensor layouts).
// The cell equations, with x the step's input row, h and c the previous state, W/R/B per gate and f, g, h
// the activations:
//   RNN:  H = f(x W^T + h R^T + Wb + Rb)
//   GRU:  z = f(x Wz^T + h Rz^T + Wbz + Rbz), r = f(... r gates ...),
//         n = g(x Wh^T + (r * h) Rh^T + Rbh + Wbh)           (linear_before_reset = 0)
//         n = g(x Wh^T + r * (h Rh^T + Rbh) + Wbh)            (linear_before_reset = 1)
//         H = (1 - z) * n + z * h
//   LSTM: i = f(x Wi^T + h Ri^T + Pi * c + Wbi + Rbi), f' = f(... + Pf * c ...) (1 - i with input_forget),
//         u = g(x Wc^T + h Rc^T + Wbc + Rbc), C = f' * c + i * u,
//         o = f(x Wo^T + h Ro^T + Po * C + Wbo + Rbo), H = o * h(C)
// `clip` bounds every gate's input to [-clip, clip] before its activation.
#include "ops/recurrent/recurrent.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "ops/families.h"

namespace webconv::ops {
namespace {

struct ActivationName {
  const char* name;
  RnnActivation::Kind kind;
  int params;  // how many of activation_alpha / activation_beta it takes
  float alpha, beta;
};

constexpr ActivationName kActivations[] = {
    {"sigmoid", RnnActivation::kSigmoid, 0, 0, 0},       {"tanh", RnnActivation::kTanh, 0, 0, 0},
    {"relu", RnnActivation::kRelu, 0, 0, 0},             {"affine", RnnActivation::kAffine, 2, 1, 0},
    {"leakyrelu", RnnActivation::kLeakyRelu, 1, 0.01f, 0}, {"thresholdedrelu", RnnActivation::kThresholdedRelu, 1, 1, 0},
    {"scaledtanh", RnnActivation::kScaledTanh, 2, 1, 1}, {"hardsigmoid", RnnActivation::kHardSigmoid, 2, 0.2f, 0.5f},
    {"elu", RnnActivation::kElu, 1, 1, 0},               {"softsign", RnnActivation::kSoftsign, 0, 0, 0},
    {"softplus", RnnActivation::kSoftplus, 0, 0, 0},
};

Status ParseActivations(const ParseContext& ctx, RecurrentAttrs* a) {
  const int want = a->functions() * a->directions();
  std::vector<std::string> names;
  if (const onnx::AttributeProto* p = ctx.attrs.Find("activations")) {
    for (std::string_view s : p->strings) names.emplace_back(s);
    if (static_cast<int>(names.size()) != want)
      return BadModel("attribute activations has ", names.size(), " names; this cell and direction take ", want);
  } else {
    const char* defaults[] = {"sigmoid", "tanh", "tanh"};
    for (int d = 0; d < a->directions(); ++d)
      for (int f = 0; f < a->functions(); ++f) names.push_back(a->cell == RecurrentAttrs::kRnn ? "tanh" : defaults[f]);
  }
  std::vector<float> alphas, betas;
  WC_RETURN_IF_ERROR(ctx.attrs.Floats("activation_alpha", &alphas));
  WC_RETURN_IF_ERROR(ctx.attrs.Floats("activation_beta", &betas));
  size_t next_alpha = 0, next_beta = 0;  // consumed in order by the functions that take them
  for (std::string name : names) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    const ActivationName* found = nullptr;
    for (const ActivationName& n : kActivations)
      if (name == n.name) found = &n;
    if (!found) return BadModel("activation '", name, "' is not one of ONNX's recurrent activations");
    RnnActivation act{found->kind, found->alpha, found->beta};
    if (found->params >= 1 && next_alpha < alphas.size()) act.alpha = alphas[next_alpha++];
    if (found->params >= 2 && next_beta < betas.size()) act.beta = betas[next_beta++];
    a->activations.push_back(act);
  }
  return OkStatus();
}

Status Parse(const ParseContext& ctx, OpAttrs* out, RecurrentAttrs::Cell cell) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 3, cell == RecurrentAttrs::kLstm ? 8 : 6));
  auto a = std::make_shared<RecurrentAttrs>();
  a->cell = cell;
  WC_RETURN_IF_ERROR(ctx.attrs.RequiredInt("hidden_size", &a->hidden));
  if (a->hidden < 1) return BadModel("attribute hidden_size must be >= 1, got ", a->hidden);
  std::string direction;
  WC_RETURN_IF_ERROR(ctx.attrs.String("direction", "forward", &direction));
  if (direction == "forward") a->direction = RecurrentAttrs::kForward;
  else if (direction == "reverse") a->direction = RecurrentAttrs::kReverse;
  else if (direction == "bidirectional") a->direction = RecurrentAttrs::kBidirectional;
  else return BadModel("attribute direction is '", direction, "': forward, reverse or bidirectional");
  WC_RETURN_IF_ERROR(ctx.attrs.Int("layout", 0, &a->layout));
  if (a->layout != 0 && a->layout != 1) return BadModel("attribute layout must be 0 or 1, got ", a->layout);
  a->has_clip = ctx.attrs.Has("clip");
  WC_RETURN_IF_ERROR(ctx.attrs.Float("clip", 0, &a->clip));
  if (a->has_clip && !(a->clip > 0)) return BadModel("attribute clip must be positive, got ", a->clip);
  int64_t flag = 0;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("linear_before_reset", 0, &flag));
  a->linear_before_reset = flag != 0;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("input_forget", 0, &flag));
  a->input_forget = flag != 0;
  WC_RETURN_IF_ERROR(ParseActivations(ctx, a.get()));
  *out = a;
  return OkStatus();
}

Status ParseRnn(const ParseContext& ctx, OpAttrs* out) { return Parse(ctx, out, RecurrentAttrs::kRnn); }
Status ParseGru(const ParseContext& ctx, OpAttrs* out) { return Parse(ctx, out, RecurrentAttrs::kGru); }
Status ParseLstm(const ParseContext& ctx, OpAttrs* out) { return Parse(ctx, out, RecurrentAttrs::kLstm); }

Status ExpectShape(const TensorInfo* t, const char* what, const Shape& want) {
  if (t && t->shape != want)
    return BadModel(what, " has shape ", ShapeString(t->shape), ", expected ", ShapeString(want));
  return OkStatus();
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<RecurrentAttrs>();
  WC_ASSIGN_OR_RETURN(RecurrentProblem p, ResolveRecurrent(a, ctx.inputs));
  const DType t = ctx.inputs[0].dtype;
  const Shape y = a.layout == 0 ? Shape{p.seq, p.dirs, p.batch, p.hidden} : Shape{p.batch, p.seq, p.dirs, p.hidden};
  const Shape state = a.layout == 0 ? Shape{p.dirs, p.batch, p.hidden} : Shape{p.batch, p.dirs, p.hidden};
  for (size_t k = 0; k < ctx.outputs.size(); ++k) {
    if (k == 2 && a.cell != RecurrentAttrs::kLstm) return BadModel("only LSTM has a third output (Y_c)");
    ctx.outputs[k].dtype = t;
    ctx.outputs[k].shape = k == 0 ? y : state;
  }
  return OkStatus();
}

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// The state of one (direction, batch entry) between steps.
struct Cell {
  std::vector<double> h, c;
};

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<RecurrentAttrs>();
  WC_ASSIGN_OR_RETURN(RecurrentProblem p, ResolveRecurrent(a, ctx.input_infos()));
  const HostTensor& x = *ctx.inputs[0];
  const HostTensor& w = *ctx.inputs[1];
  const HostTensor& r = *ctx.inputs[2];
  auto in = [&](size_t i) { return i < ctx.inputs.size() ? ctx.inputs[i] : nullptr; };
  const HostTensor *bias = in(3), *lens = in(4), *h0 = in(5), *c0 = in(6), *peep = in(7);
  const int64_t H = p.hidden, G = a.gates(), I = p.input, B = p.batch, S = p.seq;
  HostTensor* y = ctx.outputs->size() > 0 && ctx.out(0).byte_size() > 0 ? &ctx.out(0) : nullptr;
  if (y)
    for (int64_t i = 0; i < y->num_elements(); ++i) y->SetDouble(i, 0.0);
  auto state_index = [&](int64_t d, int64_t b, int64_t j) {
    return a.layout == 0 ? (d * B + b) * H + j : (b * p.dirs + d) * H + j;
  };
  for (int64_t d = 0; d < p.dirs; ++d) {
    const RnnActivation* f = &a.activations[static_cast<size_t>(d * a.functions())];
    auto act = [&](int which, double v) {
      if (a.has_clip) v = std::min<double>(a.clip, std::max<double>(-a.clip, v));
      return f[which].Apply(v);
    };
    for (int64_t b = 0; b < B; ++b) {
      Cell cell{std::vector<double>(static_cast<size_t>(H)), std::vector<double>(static_cast<size_t>(H))};
      for (int64_t j = 0; j < H; ++j) {
        if (h0) cell.h[static_cast<size_t>(j)] = h0->GetDouble(state_index(d, b, j));
        if (c0) cell.c[static_cast<size_t>(j)] = c0->GetDouble(state_index(d, b, j));
      }
      const int64_t len = lens ? lens->GetInt(b) : S;
      if (len < 0 || len > S) return BadModel("sequence_lens[", b, "] is ", len, ": it must lie in [0, ", S, "]");
      for (int64_t step = 0; step < len; ++step) {
        const int64_t t = a.reversed(static_cast<int>(d)) ? len - 1 - step : step;
        // gate g of unit j: x W^T + h R^T (+ both biases), before any activation.
        auto pre = [&](int64_t g, int64_t j, const std::vector<double>& hv, bool with_r_bias) {
          const int64_t row = g * H + j;
          double s = 0;
          for (int64_t k = 0; k < I; ++k)
            s += x.GetDouble(a.layout == 0 ? (t * B + b) * I + k : (b * S + t) * I + k) *
                 w.GetDouble((d * G * H + row) * I + k);
          for (int64_t k = 0; k < H; ++k)
            s += hv[static_cast<size_t>(k)] * r.GetDouble((d * G * H + row) * H + k);
          if (bias) s += bias->GetDouble(d * 2 * G * H + row) + (with_r_bias ? bias->GetDouble(d * 2 * G * H + G * H + row) : 0.0);
          return s;
        };
        std::vector<double> nh(static_cast<size_t>(H)), nc(static_cast<size_t>(H));
        for (int64_t j = 0; j < H; ++j) {
          const size_t J = static_cast<size_t>(j);
          if (a.cell == RecurrentAttrs::kRnn) {
            nh[J] = act(0, pre(0, j, cell.h, true));
          } else if (a.cell == RecurrentAttrs::kLstm) {
            auto pv = [&](int64_t k) { return peep ? peep->GetDouble(d * 3 * H + k * H + j) : 0.0; };
            const double i_gate = act(0, pre(0, j, cell.h, true) + pv(0) * cell.c[J]);
            const double f_gate = a.input_forget ? 1.0 - i_gate : act(0, pre(2, j, cell.h, true) + pv(2) * cell.c[J]);
            const double u = act(1, pre(3, j, cell.h, true));
            nc[J] = f_gate * cell.c[J] + i_gate * u;
            const double o_gate = act(0, pre(1, j, cell.h, true) + pv(1) * nc[J]);
            nh[J] = o_gate * f[2].Apply(nc[J]);
          }
        }
        if (a.cell == RecurrentAttrs::kGru) {
          std::vector<double> z(static_cast<size_t>(H)), rg(static_cast<size_t>(H)), rh(static_cast<size_t>(H));
          for (int64_t j = 0; j < H; ++j) {
            z[static_cast<size_t>(j)] = act(0, pre(0, j, cell.h, true));
            rg[static_cast<size_t>(j)] = act(0, pre(1, j, cell.h, true));
            rh[static_cast<size_t>(j)] = rg[static_cast<size_t>(j)] * cell.h[static_cast<size_t>(j)];
          }
          for (int64_t j = 0; j < H; ++j) {
            const size_t J = static_cast<size_t>(j);
            double n;
            if (a.linear_before_reset) {
              // x Wh^T + Wbh, then r * (h Rh^T + Rbh).
              std::vector<double> zero(static_cast<size_t>(H));
              const double xw = pre(2, j, zero, false);
              const double hr = pre(2, j, cell.h, true) - xw;  // h Rh^T + Rbh (Wbh cancels)
              n = act(1, xw + rg[J] * hr);
            } else {
              n = act(1, pre(2, j, rh, true));
            }
            nh[J] = (1.0 - z[J]) * n + z[J] * cell.h[J];
          }
        }
        cell.h = nh;
        if (a.cell == RecurrentAttrs::kLstm) cell.c = nc;
        if (y)
          for (int64_t j = 0; j < H; ++j)
            y->SetDouble(a.layout == 0 ? ((t * p.dirs + d) * B + b) * H + j : ((b * S + t) * p.dirs + d) * H + j,
                         cell.h[static_cast<size_t>(j)]);
      }
      for (int64_t j = 0; j < H; ++j) {
        if (ctx.outputs->size() > 1 && ctx.out(1).byte_size() > 0)
          ctx.out(1).SetDouble(state_index(d, b, j), cell.h[static_cast<size_t>(j)]);
        if (ctx.outputs->size() > 2 && ctx.out(2).byte_size() > 0)
          ctx.out(2).SetDouble(state_index(d, b, j), cell.c[static_cast<size_t>(j)]);
      }
    }
  }
  return OkStatus();
}

OpSchema Row(const char* op, ParseFn parse) {
  OpSchema s;
  s.op_type = op;
  s.min_opset = 7;
  s.parse = parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = RecurrentGpu;
  s.notes = "every direction, layout, activation and clip; sequence_lens; one dispatch per step on WebGPU (two for "
            "GRU)";
  return s;
}

}  // namespace

double RnnActivation::Apply(double x) const {
  switch (kind) {
    case kSigmoid: return Sigmoid(x);
    case kTanh: return std::tanh(x);
    case kRelu: return std::max(0.0, x);
    case kAffine: return alpha * x + beta;
    case kLeakyRelu: return x >= 0 ? x : alpha * x;
    case kThresholdedRelu: return x > alpha ? x : 0.0;
    case kScaledTanh: return alpha * std::tanh(beta * x);
    case kHardSigmoid: return std::max(0.0, std::min(1.0, alpha * x + beta));
    case kElu: return x >= 0 ? x : alpha * (std::exp(x) - 1.0);
    case kSoftsign: return x / (1.0 + std::fabs(x));
    case kSoftplus: return std::log1p(std::exp(x));
  }
  return x;
}

Result<RecurrentProblem> ResolveRecurrent(const RecurrentAttrs& a, const std::vector<TensorInfo>& in) {
  const TensorInfo& x = in[0];
  if (!IsFloat(x.dtype)) return BadModel("X has type ", DTypeName(x.dtype), ": a float type is needed");
  if (x.shape.size() != 3) return BadModel("X has shape ", ShapeString(x.shape), ": it must have rank 3");
  RecurrentProblem p;
  p.seq = x.shape[a.layout == 0 ? 0 : 1];
  p.batch = x.shape[a.layout == 0 ? 1 : 0];
  p.input = x.shape[2];
  p.hidden = a.hidden;
  p.dirs = a.directions();
  const int64_t gh = a.gates() * p.hidden;
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i].present && i != 4 && in[i].dtype != x.dtype)
      return BadModel("input ", i, " has type ", DTypeName(in[i].dtype), ", X ", DTypeName(x.dtype));
  WC_RETURN_IF_ERROR(ExpectShape(&in[1], "W", {p.dirs, gh, p.input}));
  WC_RETURN_IF_ERROR(ExpectShape(&in[2], "R", {p.dirs, gh, p.hidden}));
  const TensorInfo *b = PresentInput(in, 3), *lens = PresentInput(in, 4), *h0 = PresentInput(in, 5), *c0 = PresentInput(in, 6),
                   *peep = PresentInput(in, 7);
  WC_RETURN_IF_ERROR(ExpectShape(b, "B", {p.dirs, 2 * gh}));
  if (lens && lens->dtype != DType::kInt32)
    return BadModel("sequence_lens has type ", DTypeName(lens->dtype), ", expected int32");
  WC_RETURN_IF_ERROR(ExpectShape(lens, "sequence_lens", {p.batch}));
  const Shape state = a.layout == 0 ? Shape{p.dirs, p.batch, p.hidden} : Shape{p.batch, p.dirs, p.hidden};
  WC_RETURN_IF_ERROR(ExpectShape(h0, "initial_h", state));
  WC_RETURN_IF_ERROR(ExpectShape(c0, "initial_c", state));
  WC_RETURN_IF_ERROR(ExpectShape(peep, "P", {p.dirs, 3 * p.hidden}));
  p.has_bias = b, p.has_lens = lens, p.has_h0 = h0, p.has_c0 = c0, p.has_peepholes = peep;
  return p;
}

std::vector<OpSchema> RecurrentOps() {
  return {Row("RNN", ParseRnn), Row("GRU", ParseGru), Row("LSTM", ParseLstm)};
}

}  // namespace webconv::ops
