// Small ops on WebGPU against the float64 reference, in the types the GPU holds: CumSum (Debian's ONNX backend
// cases cover it only in float64, which runs on the reference alone; here every exclusive/reverse
// combination along every axis), Trilu (diagonals from below the matrix to beyond it, k a constant and a
// graph input, batched matrices, both triangles), EyeLike (its kernel, with folding off), OneHot, Hardmax,
// QuantizeLinear and DequantizeLinear (every quantized type; per tensor, per axis and blocked scales),
// DynamicQuantizeLinear (ranges on either side of 0, empty, with a NaN, and more elements than its range
// kernel's workgroup), the Hann, Hamming and Blackman windows, and ReverseSequence (both axis orders, every
// length from 0 to the whole sequence, a length out of range failing every backend).
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "differential.h"
#include "model_builder.h"
#include "onnx/loader.h"

namespace webconv::testing {
namespace {

HostTensor Int64Scalar(int64_t v) {
  std::vector<uint8_t> bytes(8);
  std::memcpy(bytes.data(), &v, 8);
  return HostTensor::Owned(DType::kInt64, {}, std::move(bytes));
}

// WebGPU with constant folding on (a node whose inputs are known when planning is computed then) and off
// (its kernel runs): output `name` of both must match the float64 reference within `tol`.
void ExpectFoldedAndKernelMatch(const std::vector<uint8_t>& bytes, const std::map<std::string, HostTensor>& feeds,
                                const std::string& name, const runtime::Tolerance& tol) {
  auto want = RunOn(runtime::Backend::kReference, bytes, feeds);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  for (bool fold : {true, false}) {
    auto model = onnx::LoadModelBytes(bytes);
    ASSERT_TRUE(model.ok());
    runtime::SessionOptions o;
    o.shared_device = SharedDevice();
    o.fold_constants = fold;
    auto s = runtime::Session::FromModel(*model, o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto got = (*s)->Run(feeds);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    const auto c = runtime::Compare(got->at(name), want->at(name), tol);
    EXPECT_TRUE(c.ok) << (fold ? "folded: " : "kernel: ") << c.message;
  }
}

TEST(CumSum, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261207);
  std::cout << "CumSum seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const Shape shape = {3, 5, 7};
  for (DType t : {DType::kFloat32, DType::kInt32, DType::kInt64}) {
    const HostTensor x = RandomTensor(t, shape, rng, -8, 8);
    for (int64_t axis : {0, 1, -1}) {
      for (int exclusive : {0, 1}) {
        for (int reverse : {0, 1}) {
          SCOPED_TRACE(::testing::Message() << DTypeName(t) << " axis " << axis << " exclusive " << exclusive
                                            << " reverse " << reverse);
          ModelBuilder m(17);
          m.Input("x", t, shape);
          m.Initializer("axis", Int64Scalar(axis));
          m.Node("CumSum", {"x", "axis"}, {"y"}, {IntAttr("exclusive", exclusive), IntAttr("reverse", reverse)},
                 "cumsum");
          m.Output("y", t);
          EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", x}}, runtime::Tolerance{1e-5, 1e-5}));
        }
      }
    }
  }
}

TEST(Trilu, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261208);
  std::cout << "Trilu seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const Shape shape = {2, 4, 6};
  for (DType t : {DType::kFloat32, DType::kInt32}) {
    const HostTensor x = RandomTensor(t, shape, rng, -8, 8);
    for (int upper : {0, 1}) {
      for (int64_t k : {-9, -4, -1, 0, 2, 5, 6, 100}) {
        for (bool k_input : {false, true}) {
          SCOPED_TRACE(::testing::Message() << DTypeName(t) << (upper ? " upper" : " lower") << " k " << k
                                            << (k_input ? " (graph input)" : " (constant)"));
          ModelBuilder m(17);
          m.Input("x", t, shape);
          std::map<std::string, HostTensor> feeds = {{"x", x}};
          if (k_input) {
            m.Input("k", DType::kInt64, {});
            feeds["k"] = Int64Scalar(k);
          } else {
            m.Initializer("k", Int64Scalar(k));
          }
          m.Node("Trilu", {"x", "k"}, {"y"}, {IntAttr("upper", upper)}, "trilu");
          m.Output("y", t);
          EXPECT_TRUE(MatchesReference(m.Serialize(), feeds, runtime::Tolerance{0, 0}));
        }
      }
    }
  }
  // Without k: the main diagonal.
  ModelBuilder m(17);
  m.Input("x", DType::kFloat32, shape);
  m.Node("Trilu", {"x"}, {"y"}, {}, "trilu");
  m.Output("y", DType::kFloat32);
  EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, shape, rng)}},
                               runtime::Tolerance{0, 0}));
}

// EyeLike reads only its input's shape, so the session folds it; with folding off its kernel runs. Both
// must give the reference's matrix, for diagonals inside and outside the matrix and each GPU word type.
TEST(EyeLike, KernelMatchesFloat64Reference) {
  for (DType t : {DType::kFloat32, DType::kInt32, DType::kInt64, DType::kBool}) {
    for (int64_t k : {-7, -2, 0, 1, 3, 9}) {
      SCOPED_TRACE(::testing::Message() << DTypeName(t) << " k " << k);
      ModelBuilder m(17);
      m.Input("x", DType::kFloat32, {4, 6});
      m.Node("EyeLike", {"x"}, {"y"}, {IntAttr("dtype", static_cast<int64_t>(t)), IntAttr("k", k)}, "eye");
      m.Output("y", t);
      const std::map<std::string, HostTensor> feeds = {{"x", HostTensor::Owned(DType::kFloat32, {4, 6},
                                                                               std::vector<uint8_t>(96))}};
      ExpectFoldedAndKernelMatch(m.Serialize(), feeds, "y", runtime::Tolerance{0, 0});
    }
  }
}

// OneHot with indices inside, below (counting from the end) and outside the depth, in f32 (truncated) and
// i32/i64, along every axis, with f32 and i32 values given at run time.
TEST(OneHot, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261209);
  std::cout << "OneHot seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const Shape ishape = {3, 4};
  const int64_t depth = 5;
  for (DType it : {DType::kFloat32, DType::kInt32, DType::kInt64}) {
    // Indices from -7 to 7: some negative ones wrap into the depth, -6 and -7 and 5..7 match nothing.
    HostTensor indices = RandomTensor(it, ishape, rng, -7.9, 7.9);
    for (DType vt : {DType::kFloat32, DType::kInt32}) {
      for (int64_t axis : {-1, 0, 1, -3}) {
        SCOPED_TRACE(::testing::Message() << "indices " << DTypeName(it) << ", values " << DTypeName(vt)
                                          << ", axis " << axis);
        ModelBuilder m(17);
        m.Input("indices", it, ishape);
        m.Initializer("depth", Int64Scalar(depth));
        m.Input("values", vt, {2});
        m.Node("OneHot", {"indices", "depth", "values"}, {"y"}, {IntAttr("axis", axis)}, "onehot");
        m.Output("y", vt);
        const std::map<std::string, HostTensor> feeds = {{"indices", indices},
                                                         {"values", RandomTensor(vt, {2}, rng, -9, 9)}};
        EXPECT_TRUE(MatchesReference(m.Serialize(), feeds, runtime::Tolerance{0, 0}));
      }
    }
  }
}

// Hardmax's rows before opset 13 (the flattened axes from `axis` on) and from 13 (the one axis), with ties.
TEST(Hardmax, RowsOfEitherOpsetMatchFloat64Reference) {
  const uint64_t seed = BaseSeed(20261210);
  std::cout << "Hardmax seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const Shape shape = {2, 3, 4};
  HostTensor x = RandomTensor(DType::kFloat32, shape, rng);
  float* v = x.mutable_as<float>();
  v[5] = v[6] = 2.0f;  // a tie: the first one wins
  for (int opset : {11, 13}) {
    for (int64_t axis : {0, 1, -1}) {
      SCOPED_TRACE(::testing::Message() << "opset " << opset << " axis " << axis);
      ModelBuilder m(opset);
      m.Input("x", DType::kFloat32, shape);
      m.Node("Hardmax", {"x"}, {"y"}, {IntAttr("axis", axis)}, "hardmax");
      m.Output("y", DType::kFloat32);
      EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", x}}, runtime::Tolerance{0, 0}));
    }
  }
}

// QuantizeLinear then DequantizeLinear of its result, in one graph (both outputs compared), for each
// quantized type and scale layout: one scale, one per channel along axis 1 or -1, and opset 21's blocks
// of 2 along the last axis. x spans well beyond each type's range, so saturation is exercised.
TEST(QuantizeLinear, RoundTripMatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261209);
  std::cout << "QuantizeLinear seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const Shape shape = {2, 3, 5};
  struct Layout {
    const char* name;
    Shape scale;
    int64_t axis, block;
  };
  const Layout layouts[] = {{"per tensor", {}, 1, 0}, {"per axis 1", {3}, 1, 0}, {"per axis -1", {5}, -1, 0},
                            {"blocks of 2 on the last axis", {2, 3, 3}, -1, 2}};
  for (DType q : {DType::kUInt8, DType::kInt8, DType::kUInt16, DType::kInt16}) {
    const double range = q == DType::kUInt8 || q == DType::kInt8 ? 300 : 70000;
    for (const Layout& l : layouts) {
      for (bool zero_point : {true, false}) {
        if (!zero_point && q != DType::kUInt8 && l.block == 0) continue;  // before opset 21 no zp means uint8
        SCOPED_TRACE(::testing::Message() << DTypeName(q) << " " << l.name << (zero_point ? " with" : " without")
                                          << " zero point");
        const bool blocked = l.block > 0;
        ModelBuilder m(blocked || !zero_point ? 21 : 13);
        m.Input("x", DType::kFloat32, shape);
        m.Initializer("scale", RandomTensor(DType::kFloat32, l.scale, rng, 0.5, 4.0));
        std::vector<std::string> inputs = {"x", "scale"};
        if (zero_point) {
          const double lo = q == DType::kUInt8 || q == DType::kUInt16 ? 0 : -20;
          m.Initializer("zero", RandomTensor(q, l.scale, rng, lo, 20));
          inputs.push_back("zero");
        }
        std::vector<Attr> attrs = {IntAttr("axis", l.axis)};
        if (blocked) attrs.push_back(IntAttr("block_size", l.block));
        std::vector<Attr> q_attrs = attrs;
        if (!zero_point && q != DType::kUInt8) q_attrs.push_back(IntAttr("output_dtype", static_cast<int64_t>(q)));
        m.Node("QuantizeLinear", inputs, {"q"}, q_attrs, "quantize");
        std::vector<std::string> dq_inputs = {"q", "scale"};
        if (zero_point) dq_inputs.push_back("zero");
        m.Node("DequantizeLinear", dq_inputs, {"y"}, attrs, "dequantize");
        m.Output("q", q);
        m.Output("y", DType::kFloat32);
        const HostTensor x = RandomTensor(DType::kFloat32, shape, rng, -range, range);
        EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", x}}, runtime::Tolerance{0, 0}));
      }
    }
  }
}

// Scale and zero point that do not fit x, and types webconv does not hold, are refused with the reason.
TEST(QuantizeLinear, RefusesWhatDoesNotFit) {
  struct Case {
    Shape scale;
    DType zero_type;
    int64_t axis;
    const char* expect;
  };
  const Case cases[] = {{{4}, DType::kUInt8, 1, "per-axis scale along axis 1"},
                        {{3}, DType::kFloat32, 1, "quantized type float32 is not supported"},
                        {{3}, DType::kUInt8, 5, "axis"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expect);
    ModelBuilder m(13);
    m.Input("x", DType::kFloat32, {2, 3, 5});
    std::mt19937_64 rng(1);
    m.Initializer("scale", RandomTensor(DType::kFloat32, c.scale, rng, 1, 2));
    m.Initializer("zero", RandomTensor(c.zero_type, c.scale, rng, 0, 1));
    m.Node("QuantizeLinear", {"x", "scale", "zero"}, {"q"}, {IntAttr("axis", c.axis)}, "quantize");
    m.Output("q", c.zero_type);
    auto model = onnx::LoadModelBytes(m.Serialize());
    ASSERT_TRUE(model.ok());
    runtime::SessionOptions o;
    o.backend = runtime::Backend::kReference;
    auto s = runtime::Session::FromModel(*model, o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto got = (*s)->Run({{"x", RandomTensor(DType::kFloat32, {2, 3, 5}, rng)}});
    ASSERT_FALSE(got.ok());
    EXPECT_NE(got.status().message.find(c.expect), std::string::npos) << got.status().ToString();
    EXPECT_EQ(got.status().node, "quantize") << got.status().ToString();
    EXPECT_EQ(got.status().op, "QuantizeLinear") << got.status().ToString();
  }
}

TEST(DynamicQuantizeLinear, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261210);
  std::cout << "DynamicQuantizeLinear seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  struct Case {
    const char* name;
    Shape shape;
    double lo, hi;
    bool nan, all_outputs;
  };
  const Case cases[] = {{"both signs", {3, 1000}, -7, 3, false, true},   {"positive", {17}, 2, 9, false, true},
                        {"negative", {4, 5}, -40, -1, false, true},       {"zeros", {6}, 0, 0, false, true},
                        {"with a NaN", {2, 300}, -1, 1, true, true},     {"y only", {5, 7}, -3, 5, false, false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ModelBuilder m(11);
    m.Input("x", DType::kFloat32, c.shape);
    const std::vector<std::string> outs =
        c.all_outputs ? std::vector<std::string>{"y", "scale", "zero"} : std::vector<std::string>{"y"};
    m.Node("DynamicQuantizeLinear", {"x"}, outs, {}, "dq");
    m.Output("y", DType::kUInt8);
    if (c.all_outputs) {
      m.Output("scale", DType::kFloat32);
      m.Output("zero", DType::kUInt8);
    }
    HostTensor x = RandomTensor(DType::kFloat32, c.shape, rng, c.lo, c.hi);
    if (c.nan) x.SetDouble(123, std::nan(""));
    EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", x}}, runtime::Tolerance{0, 0}));
  }
}

// Each window, periodic and symmetric, of sizes 0 to 300 (one value included), with size a graph input
// (the kernel runs) and a constant (the node is folded when planned).
TEST(Windows, MatchFloat64Reference) {
  for (const char* op : {"HannWindow", "HammingWindow", "BlackmanWindow"})
    for (int64_t size : {0, 1, 2, 7, 300})
      for (int periodic : {0, 1})
        for (bool constant : {false, true}) {
          SCOPED_TRACE(::testing::Message() << op << " size " << size << (periodic ? " periodic" : " symmetric")
                                            << (constant ? " (constant size)" : " (size a graph input)"));
          ModelBuilder m(17);
          std::map<std::string, HostTensor> feeds;
          if (constant) m.Initializer("size", Int64Scalar(size));
          else m.Input("size", DType::kInt64, {}), feeds["size"] = Int64Scalar(size);
          m.Node(op, {"size"}, {"w"}, {IntAttr("periodic", periodic)}, "window");
          m.Output("w", DType::kFloat32);
          // Folding computes a window whose size is known when planning: with it off, the kernel runs.
          // cos in float32 on the GPU against double: a few ULP of values in [0, 1].
          ExpectFoldedAndKernelMatch(m.Serialize(), feeds, "w", runtime::Tolerance{2e-6, 1e-5});
        }
}

TEST(ReverseSequence, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261218);
  std::cout << "ReverseSequence seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  for (int64_t time_axis : {0, 1})
    for (DType t : {DType::kFloat32, DType::kInt32}) {
      SCOPED_TRACE(::testing::Message() << "time_axis " << time_axis << " " << DTypeName(t));
      const int64_t time = 6, batch = 7;
      const Shape shape = time_axis == 0 ? Shape{time, batch, 3} : Shape{batch, time, 3};
      HostTensor lens(DType::kInt64, {batch});
      for (int64_t b = 0; b < batch; ++b) lens.SetInt(b, b % (time + 1));  // 0 to the whole sequence
      ModelBuilder m(10);
      m.Input("x", t, shape);
      m.Input("lens", DType::kInt64, {batch});
      m.Node("ReverseSequence", {"x", "lens"}, {"y"},
             {IntAttr("time_axis", time_axis), IntAttr("batch_axis", 1 - time_axis)}, "reverse");
      m.Output("y", t);
      const auto bytes = m.Serialize();
      EXPECT_TRUE(MatchesReference(bytes, {{"x", RandomTensor(t, shape, rng, -9, 9)}, {"lens", lens}},
                                   runtime::Tolerance{0, 0}));
      // A length beyond the sequence fails every backend with the reference's message.
      lens.SetInt(4, time + 1);
      EXPECT_TRUE(FailsAlikeOnEveryBackend(bytes, {{"x", RandomTensor(t, shape, rng, -9, 9)}, {"lens", lens}},
                                           {"sequence_lens[4] is 7", "'reverse'"}));
    }
}

}  // namespace
}  // namespace webconv::testing
