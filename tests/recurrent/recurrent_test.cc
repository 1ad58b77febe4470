// RNN, GRU and LSTM on WebGPU and the CPU backend against the float64 reference: every direction, both
// layouts, with and without biases, initial state, sequence_lens (entries shorter than the sequence,
// one of length 0), LSTM peepholes and input_forget, GRU's linear_before_reset, clip, and activations
// other than the defaults (with alpha and beta). A sequence length outside [0, seq] fails every backend
// with one message naming the node.
#include <gtest/gtest.h>

#include <random>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

struct RecurrentCase {
  std::string op;  // RNN, GRU, LSTM
  std::string direction = "forward";
  int64_t layout = 0, seq = 5, batch = 3, input = 4, hidden = 6;
  bool bias = false, lens = false, initial = false, peepholes = false, input_forget = false, lbr = false;
  float clip = 0;
  std::vector<std::string> activations;  // empty: the defaults
  std::vector<float> alphas, betas;
};

int Gates(const std::string& op) { return op == "RNN" ? 1 : op == "GRU" ? 3 : 4; }

struct Built {
  std::vector<uint8_t> model;
  std::map<std::string, HostTensor> feeds;
};

Built Build(const RecurrentCase& c, std::mt19937_64& rng, const HostTensor* lens_override = nullptr) {
  const int64_t dirs = c.direction == "bidirectional" ? 2 : 1, gh = Gates(c.op) * c.hidden;
  ModelBuilder m(14);
  Built out;
  const Shape xs = c.layout == 0 ? Shape{c.seq, c.batch, c.input} : Shape{c.batch, c.seq, c.input};
  const Shape state = c.layout == 0 ? Shape{dirs, c.batch, c.hidden} : Shape{c.batch, dirs, c.hidden};
  m.Input("x", DType::kFloat32, xs);
  out.feeds["x"] = RandomTensor(DType::kFloat32, xs, rng);
  const double scale = 0.6;  // keeps the gates out of saturation, so differences show
  m.Initializer("w", RandomTensor(DType::kFloat32, {dirs, gh, c.input}, rng, -scale, scale));
  m.Initializer("r", RandomTensor(DType::kFloat32, {dirs, gh, c.hidden}, rng, -scale, scale));
  std::vector<std::string> inputs = {"x", "w", "r"};
  auto optional = [&](bool present, const std::string& name, auto make) {
    if (present) {
      make(name);
      inputs.push_back(name);
    } else {
      inputs.push_back("");
    }
  };
  optional(c.bias, "b", [&](const std::string& n) { m.Initializer(n, RandomTensor(DType::kFloat32, {dirs, 2 * gh}, rng)); });
  optional(c.lens, "lens", [&](const std::string& n) {
    HostTensor l(DType::kInt32, {c.batch});
    for (int64_t b = 0; b < c.batch; ++b) l.SetInt(b, b == 0 ? c.seq : b == 1 ? 0 : 1 + b % c.seq);
    m.Input(n, DType::kInt32, {c.batch});
    out.feeds[n] = lens_override ? *lens_override : l;
  });
  optional(c.initial, "h0", [&](const std::string& n) {
    m.Input(n, DType::kFloat32, state);
    out.feeds[n] = RandomTensor(DType::kFloat32, state, rng);
  });
  if (c.op == "LSTM") {
    optional(c.initial, "c0", [&](const std::string& n) {
      m.Input(n, DType::kFloat32, state);
      out.feeds[n] = RandomTensor(DType::kFloat32, state, rng);
    });
    optional(c.peepholes, "p",
             [&](const std::string& n) { m.Initializer(n, RandomTensor(DType::kFloat32, {dirs, 3 * c.hidden}, rng)); });
  }
  while (!inputs.empty() && inputs.back().empty()) inputs.pop_back();
  std::vector<Attr> attrs = {IntAttr("hidden_size", c.hidden), StringAttr("direction", c.direction),
                             IntAttr("layout", c.layout)};
  if (c.clip > 0) attrs.push_back(FloatAttr("clip", c.clip));
  if (c.input_forget) attrs.push_back(IntAttr("input_forget", 1));
  if (c.lbr) attrs.push_back(IntAttr("linear_before_reset", 1));
  if (!c.activations.empty()) attrs.push_back(StringsAttr("activations", c.activations));
  if (!c.alphas.empty()) attrs.push_back(FloatsAttr("activation_alpha", c.alphas));
  if (!c.betas.empty()) attrs.push_back(FloatsAttr("activation_beta", c.betas));
  std::vector<std::string> outputs = {"y", "y_h"};
  if (c.op == "LSTM") outputs.push_back("y_c");
  m.Node(c.op, inputs, outputs, attrs, "cell");
  for (const std::string& o : outputs) m.Output(o, DType::kFloat32);
  out.model = m.Serialize();
  return out;
}

std::vector<RecurrentCase> Cases() {
  std::vector<RecurrentCase> cases;
  for (const char* op : {"RNN", "GRU", "LSTM"})
    for (const char* direction : {"forward", "reverse", "bidirectional"})
      for (int64_t layout : {0, 1})
        for (int variant : {0, 1}) {
          RecurrentCase c;
          c.op = op;
          c.direction = direction;
          c.layout = layout;
          c.bias = c.initial = c.lens = variant == 1;
          c.peepholes = c.op == "LSTM" && variant == 1;
          c.lbr = c.op == "GRU" && layout == 1;
          cases.push_back(c);
        }
  RecurrentCase clip_forget;
  clip_forget.op = "LSTM", clip_forget.clip = 0.7f, clip_forget.input_forget = true, clip_forget.bias = true;
  cases.push_back(clip_forget);
  RecurrentCase lstm_acts;  // bidirectional: f, g, h for each direction, alpha/beta consumed in order
  lstm_acts.op = "LSTM", lstm_acts.direction = "bidirectional", lstm_acts.bias = true;
  lstm_acts.activations = {"HardSigmoid", "Elu", "Softsign", "Sigmoid", "ScaledTanh", "LeakyRelu"};
  lstm_acts.alphas = {0.3f, 0.9f, 1.5f, 0.05f};
  lstm_acts.betas = {0.45f, 0.8f};
  cases.push_back(lstm_acts);
  RecurrentCase gru_acts;
  gru_acts.op = "GRU", gru_acts.activations = {"Sigmoid", "Softplus"}, gru_acts.clip = 1.5f, gru_acts.bias = true;
  cases.push_back(gru_acts);
  RecurrentCase rnn_acts;
  rnn_acts.op = "RNN", rnn_acts.direction = "bidirectional", rnn_acts.activations = {"Relu", "Affine"};
  rnn_acts.alphas = {0.5f}, rnn_acts.betas = {0.1f};
  cases.push_back(rnn_acts);
  RecurrentCase thresholded;
  thresholded.op = "RNN", thresholded.activations = {"ThresholdedRelu"}, thresholded.alphas = {0.2f};
  cases.push_back(thresholded);
  return cases;
}

TEST(RecurrentRandom, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261213);
  std::cout << "RecurrentRandom seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  for (const RecurrentCase& c : Cases()) {
    SCOPED_TRACE(::testing::Message() << c.op << " " << c.direction << " layout " << c.layout
                                      << (c.bias ? " bias" : "") << (c.lens ? " lens" : "")
                                      << (c.initial ? " initial" : "") << (c.peepholes ? " peepholes" : "")
                                      << (c.lbr ? " linear_before_reset" : "") << (c.clip > 0 ? " clip" : "")
                                      << (c.activations.empty() ? "" : " activations"));
    const Built b = Build(c, rng);
    // float32 dot products of a few terms and 5 steps of state against float64.
    EXPECT_TRUE(MatchesReference(b.model, b.feeds, runtime::Tolerance{2e-6, 1e-5}));
  }
}

TEST(RecurrentLengths, OutOfRangeFailsOnEveryBackendNamingTheNode) {
  std::mt19937_64 rng(3);
  RecurrentCase c;
  c.op = "LSTM", c.lens = true;
  HostTensor lens(DType::kInt32, {c.batch});
  for (int64_t b = 0; b < c.batch; ++b) lens.SetInt(b, b == 1 ? c.seq + 1 : 2);
  const Built built = Build(c, rng, &lens);
  EXPECT_TRUE(FailsAlikeOnEveryBackend(built.model, built.feeds, {"'cell'", "sequence_lens[1] is 6"}));
}

}  // namespace
}  // namespace webconv::testing
