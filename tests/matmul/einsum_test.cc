// Einsum on WebGPU and the CPU backend against the float64 reference, in float32 and int32: matrix and
// batched products, transposes, traces and diagonals (a label repeated in one input), sums to a scalar,
// "..." broadcast between inputs, implicit outputs, and three inputs.
#include <gtest/gtest.h>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

struct EinsumCase {
  std::string equation;
  std::vector<Shape> inputs;
};

TEST(Einsum, EquationsMatchFloat64Reference) {
  const uint64_t seed = BaseSeed(20261220);
  std::cout << "Einsum seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const EinsumCase cases[] = {
      {"ij,jk->ik", {{3, 4}, {4, 5}}},
      {"bij,bjk->bik", {{2, 3, 4}, {2, 4, 5}}},
      {"ij->ji", {{3, 5}}},
      {"ii->", {{4, 4}}},
      {"bii->bi", {{3, 4, 4}}},
      {"ij->", {{3, 5}}},
      {"...ij,...jk->...ik", {{2, 1, 3, 4}, {3, 4, 2}}},
      {"ij,ij", {{3, 4}, {3, 4}}},  // implicit output: nothing used once, a scalar
      {"ik,kj", {{2, 3}, {3, 4}}},  // implicit output: ij
      {"ab,bc,cd->ad", {{2, 3}, {3, 4}, {4, 2}}},
  };
  for (DType t : {DType::kFloat32, DType::kInt32})
    for (const EinsumCase& c : cases) {
      SCOPED_TRACE(::testing::Message() << c.equation << " " << DTypeName(t));
      ModelBuilder m(12);
      std::vector<std::string> names;
      std::map<std::string, HostTensor> feeds;
      for (size_t k = 0; k < c.inputs.size(); ++k) {
        const std::string name = "x" + std::to_string(k);
        m.Input(name, t, c.inputs[k]);
        feeds[name] = RandomTensor(t, c.inputs[k], rng, -4, 4);
        names.push_back(name);
      }
      m.Node("Einsum", names, {"y"}, {StringAttr("equation", c.equation)}, "einsum");
      m.Output("y", t);
      EXPECT_TRUE(MatchesReference(m.Serialize(), feeds, runtime::Tolerance{1e-5, 1e-5}));
    }
}

}  // namespace
}  // namespace webconv::testing
