// MatMulInteger and QLinearMatMul on WebGPU and the CPU backend against the reference, exactly: 2-D,
// batched with broadcast, and 1-D operands; uint8 and int8; zero points absent, per tensor, per row of A
// and per column of B; QLinearMatMul with per-row and per-column scales.
#include <gtest/gtest.h>

#include <sstream>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

TEST(MatMulInteger, RandomProblemsMatchTheReferenceExactly) {
  const uint64_t seed = BaseSeed(20261216);
  std::cout << "MatMulInteger seed " << seed << " (WEBCONV_SEED)\n";
  struct Shapes {
    Shape a, b;
    int64_t m, n;  // rows of A and columns of B, for per-row / per-column parameters
  };
  const Shapes shapes[] = {{{5, 7}, {7, 3}, 5, 3},
                           {{2, 1, 4, 6}, {3, 6, 5}, 4, 5},  // batch broadcast
                           {{6}, {6, 4}, 1, 4},               // 1-D A
                           {{3, 6}, {6}, 3, 1}};              // 1-D B
  int index = 0;
  for (const Shapes& sh : shapes)
    for (bool qlinear : {false, true})
      for (int params : {0, 1, 2}) {  // 0: no zero points (MatMulInteger only), 1: per tensor, 2: per row/column
        if (qlinear && params == 0) continue;
        std::mt19937_64 rng(seed + static_cast<uint64_t>(index++));
        const DType at = index % 2 ? DType::kInt8 : DType::kUInt8, bt = index % 3 ? DType::kUInt8 : DType::kInt8;
        std::ostringstream what;
        what << (qlinear ? "QLinearMatMul " : "MatMulInteger ") << DTypeName(at) << ShapeString(sh.a) << " x "
             << DTypeName(bt) << ShapeString(sh.b) << " parameters " << params;
        SCOPED_TRACE(what.str());
        auto lo = [](DType t) { return t == DType::kInt8 ? -128 : 0; };
        auto hi = [](DType t) { return t == DType::kInt8 ? 127 : 255; };
        const Shape ap = params == 2 ? Shape{sh.m} : Shape{}, bp = params == 2 ? Shape{sh.n} : Shape{};
        ModelBuilder m(13);
        m.Input("a", at, sh.a);
        m.Initializer("b", RandomIntegers(bt, sh.b, rng, lo(bt), hi(bt)));
        m.Initializer("az", RandomIntegers(at, ap, rng, lo(at) / 2, hi(at) / 2));
        m.Initializer("bz", RandomIntegers(bt, bp, rng, lo(bt) / 2, hi(bt) / 2));
        std::vector<std::string> inputs;
        if (!qlinear) {
          inputs = {"a", "b"};
          if (params) inputs.insert(inputs.end(), {"az", "bz"});
        } else {
          m.Initializer("as", RandomTensor(DType::kFloat32, ap, rng, 0.002, 0.01));
          m.Initializer("bs", RandomTensor(DType::kFloat32, bp, rng, 0.002, 0.01));
          m.Initializer("ys", RandomTensor(DType::kFloat32, {}, rng, 0.01, 0.05));
          m.Initializer("yz", RandomIntegers(DType::kInt8, {}, rng, -20, 20));
          inputs = {"a", "as", "az", "b", "bs", "bz", "ys", "yz"};
        }
        m.Node(qlinear ? "QLinearMatMul" : "MatMulInteger", inputs, {"y"}, {}, "product");
        m.Output("y", qlinear ? DType::kInt8 : DType::kInt32);
        EXPECT_TRUE(MatchesReference(m.Serialize(), {{"a", RandomIntegers(at, sh.a, rng, lo(at), hi(at))}},
                                     runtime::Tolerance{0, 0}));
      }
}

}  // namespace
}  // namespace webconv::testing
