// Robustness: real models with seeded random truncations, byte flips and splices must parse to either a
// model or a BadModel status, never crash, hang or allocate without bound. The seed is printed; set
// WEBCONV_FUZZ_SEED to replay a run and WEBCONV_FUZZ_ITERS to change its length.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "mutate.h"
#include "onnx/loader.h"
#include "proto_builder.h"
#include "test_util.h"

namespace webconv::onnx {
namespace {

namespace fs = std::filesystem;

// A spread of the test models (every 40th, which includes subgraphs, sequences and initializers), plus
// a hand-built one with typed tensor fields and external data references.
std::vector<std::string> Corpus() {
  std::vector<std::string> out;
  const std::string root = testing::TestDataDir();
  if (fs::exists(root)) {
    std::vector<std::string> all;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.path().extension() == ".onnx" || e.path().extension() == ".pb") all.push_back(e.path().string());
    }
    std::sort(all.begin(), all.end());
    for (size_t i = 0; i < all.size(); i += 40) out.push_back(testing::ReadFile(all[i]));
    for (const char* name :
         {"/node/test_if/model.onnx", "/node/test_loop11/model.onnx", "/node/test_scan9_sum/model.onnx",
          "/node/test_sequence_map_identity_1_sequence/model.onnx",
          "/pytorch-converted/test_ConvTranspose2d/model.onnx"}) {
      if (fs::exists(root + name)) out.push_back(testing::ReadFile(root + name));
    }
  }
  using testing::Proto;
  Proto t;
  t.Bytes(8, "w")
      .PackedVarints(1, {2, 2})
      .Varint(2, 10)
      .PackedVarints(5, {1, 2, 3, 4})
      .Message(13, Proto().Bytes(1, "location").Bytes(2, "w.bin"));
  Proto attr;
  attr.Bytes(1, "t").Varint(20, 4).Message(5, t).PackedFloats(7, {1.f, 2.f}).PackedVarints(8, {1, 2});
  Proto elem_type = Proto().Message(1, Proto().Varint(1, 1));  // TypeProto { tensor_type { elem_type } }
  Proto seq_type = Proto().Message(4, Proto().Message(1, elem_type));  // sequence of that
  Proto graph;
  graph.Message(5, t)
      .Message(1, Proto().Bytes(4, "Conv").Message(5, attr))
      .Message(11, Proto().Bytes(1, "x").Message(2, seq_type));
  out.push_back(testing::ModelHeader().Message(7, graph).str());
  return out;
}

// Exercises everything downstream of the parse too: the dump converts every tensor.
void Check(const std::string& bytes, uint64_t seed, size_t iter) {
  auto m = LoadModelBytes(std::vector<uint8_t>(bytes.begin(), bytes.end()));
  if (m.ok()) {
    const std::string dump = DumpModel(m.value()->proto);
    EXPECT_FALSE(dump.empty());
  } else {
    EXPECT_EQ(m.status().code, StatusCode::kBadModel) << "seed " << seed << " iteration " << iter;
    EXPECT_FALSE(m.status().message.empty());
  }
  TensorProto t;
  if (ParseTensorProto(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &t).ok()) {
    auto h = TensorToHost(t, nullptr);
    if (!h.ok()) {
      EXPECT_EQ(h.status().code, StatusCode::kBadModel);
    }
  }
}

TEST(Fuzz, MutatedModelsNeverCrash) {
  const uint64_t seed = testing::EnvOr("WEBCONV_FUZZ_SEED", std::random_device{}());
  const uint64_t iters = testing::EnvOr("WEBCONV_FUZZ_ITERS", 300);
  std::printf("fuzz seed %llu (replay with WEBCONV_FUZZ_SEED=%llu)\n", static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto corpus = Corpus();
  size_t parsed_ok = 0, total = 0;
  for (const std::string& original : corpus) {
    for (uint64_t i = 0; i < iters; ++i) {
      std::string s = original;
      testing::Mutate(&s, rng);
      Check(s, seed, i);
      parsed_ok += LoadModelBytes(std::vector<uint8_t>(s.begin(), s.end())).ok();
      ++total;
      if (::testing::Test::HasFailure()) return;
    }
  }
  std::printf("%zu mutated inputs from %zu files, %zu still parsed\n", total, corpus.size(), parsed_ok);
}

}  // namespace
}  // namespace webconv::onnx
