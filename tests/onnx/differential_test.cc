// The loader's differential test: webconv's parse of every model (and test tensor) in Debian's
// libonnx-testdata, and of models that exercise every field (make_models.py), must dump byte-identically to
// what the official parser (python3-onnx, through tools/onnx_dump.py) yields.
//
// Python runs once per test over a whole folder and prints "=== <path>" before each item; the C++ side
// then dumps the same paths in-process and compares item by item, reporting the first differing line.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <random>

#include "mutate.h"
#include "onnx/checksum.h"
#include "onnx/loader.h"
#include "test_util.h"

#ifndef WEBCONV_SOURCE_DIR
#error "WEBCONV_SOURCE_DIR must point at the source tree (tools/onnx_dump.py, tests/onnx/make_models.py)"
#endif

namespace webconv::onnx {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string Python() {
  const char* env = std::getenv("WEBCONV_PYTHON");
  return env && *env ? env : "/usr/bin/python3";  // Debian's python3-onnx lives there, not in a pyenv
}

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs a shell command and returns its standard output; a non-zero exit fails the calling test.
std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    ADD_FAILURE() << "cannot run: " << cmd;
    return out;
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int rc = ::pclose(p);
  EXPECT_EQ(rc, 0) << "command failed (is python3-onnx installed?): " << cmd;
  return out;
}

std::string OnnxDumpPy(const std::string& args) {
  return RunCommand(Python() + " " + ShellQuote(std::string(WEBCONV_SOURCE_DIR) + "/tools/onnx_dump.py") +
                    " " + args + " 2>/dev/null");
}

// Splits "=== path\n<body>" items, keeping their order.
std::vector<std::pair<std::string, std::string>> SplitItems(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> items;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    const std::string_view line(text.data() + pos, eol - pos);
    if (line.starts_with("=== "))
      items.emplace_back(std::string(line.substr(4)), "");
    else if (!items.empty())
      items.back().second.append(line).append("\n");
    pos = eol + 1;
  }
  return items;
}

// "line 12: python `...` vs webconv `...`" for the first line where the two dumps differ.
std::string FirstDifference(const std::string& py, const std::string& cc) {
  size_t a = 0, b = 0;
  for (int line = 1;; ++line) {
    const size_t ea = py.find('\n', a), eb = cc.find('\n', b);
    const std::string la = a < py.size() ? py.substr(a, ea - a) : "<end>";
    const std::string lb = b < cc.size() ? cc.substr(b, eb - b) : "<end>";
    if (la != lb) return StrCat("line ", line, ": python `", la, "` vs webconv `", lb, "`");
    if (a >= py.size() && b >= cc.size()) return "identical";
    a = ea == std::string::npos ? py.size() : ea + 1;
    b = eb == std::string::npos ? cc.size() : eb + 1;
  }
}

struct WebconvDump {
  std::string text;  // the dump, or "error\n" as python prints for a file it cannot parse
  Status status;
};

WebconvDump DumpWithWebconv(const std::string& path) {
  auto m = LoadModelFile(path);
  if (!m.ok()) return {"error\n", m.status()};
  return {DumpModel(m.value()->proto), OkStatus()};
}

// Says whether a difference is one webconv makes on purpose (it then refuses a file python accepts).
using AllowedDifference = std::function<bool(const std::string& path, const Status& webconv)>;

// The model rules the loader applies where protobuf has none, as ONNX Runtime does: a known IR version,
// at least one opset_import entry, and named attributes with distinct names in each node. Python's parser
// reads such files; truncations and flipped bits make some (e.g. a cut before opset_import).
bool BreaksModelRules(const Status& webconv) {
  for (const char* rule :
       {"IR version", "imports no operator set", "is given more than once", "has no name"}) {
    if (webconv.message.find(rule) != std::string::npos) return true;
  }
  return false;
}

// Compares the python dump of `root` with webconv's, item by item, and returns the number of items.
size_t CompareModels(const std::string& root, const AllowedDifference& allowed = nullptr) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto items = SplitItems(OnnxDumpPy(ShellQuote(root)));
  const auto t1 = std::chrono::steady_clock::now();
  size_t mismatches = 0, allowed_count = 0;
  for (const auto& [path, py] : items) {
    const WebconvDump cc = DumpWithWebconv(path);
    if (cc.text == py) continue;
    if (allowed && py != "error\n" && !cc.status.ok() && allowed(path, cc.status)) {
      ++allowed_count;
      continue;
    }
    ++mismatches;
    if (mismatches <= 50) {
      ADD_FAILURE() << path << ": " << FirstDifference(py, cc.text)
                    << (cc.status.ok() ? "" : "\nwebconv: " + cc.status.ToString());
    }
  }
  const auto t2 = std::chrono::steady_clock::now();
  using ms = std::chrono::milliseconds;
  std::printf("%s: %zu models, %zu mismatches, %zu refused on purpose; python %lld ms, webconv %lld ms\n",
              root.c_str(), items.size(), mismatches, allowed_count,
              static_cast<long long>(std::chrono::duration_cast<ms>(t1 - t0).count()),
              static_cast<long long>(std::chrono::duration_cast<ms>(t2 - t1).count()));
  EXPECT_EQ(mismatches, 0u);
  return items.size();
}

TEST(Differential, TestDataModels) {
  const std::string root = testing::TestDataDir();
  if (!fs::exists(root)) GTEST_SKIP() << root << " not installed (Debian package libonnx-testdata)";
  size_t on_disk = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) on_disk += e.path().extension() == ".onnx";
  const size_t compared = CompareModels(root);
  EXPECT_EQ(compared, on_disk) << "python did not dump every model";
  EXPECT_GT(compared, 0u);
}

void MakeModels(const fs::path& dir) {
  RunCommand(Python() + " " + ShellQuote(std::string(WEBCONV_SOURCE_DIR) + "/tests/onnx/make_models.py") +
             " " + ShellQuote(dir.string()));
}

TEST(Differential, GeneratedModels) {
  TempDir dir;
  MakeModels(dir.path());
  // Refused by design where protobuf accepts: groups (deprecated wire types 3/4), external data that
  // is missing or outside the model's folder (python's onnx.load(load_external_data=False) never looks),
  // and the empty file and truncations that break the model rules.
  const std::vector<std::string> refused = {"group.onnx", "missing_external.onnx", "escaping_external.onnx"};
  auto on_purpose = [&](const std::string& path, const Status& webconv) {
    const bool listed = std::find(refused.begin(), refused.end(), fs::path(path).filename()) != refused.end();
    return listed || BreaksModelRules(webconv);
  };
  EXPECT_GE(CompareModels(dir.path().string(), on_purpose), 10u);
}

// Damaged files: both parsers must agree on failing, and where both succeed, on every field. This is what
// checks the merge, unknown-field and oneof rules against protobuf's on inputs nobody wrote by hand.
TEST(Differential, MutatedModels) {
  TempDir dir;
  MakeModels(dir.path() / "seed");
  std::vector<std::string> corpus = {testing::ReadFile((dir.path() / "seed/features.onnx").string()),
                                     testing::ReadFile((dir.path() / "seed/encodings.onnx").string())};
  const std::string root = testing::TestDataDir();
  if (fs::exists(root)) {
    std::vector<std::string> all;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.path().extension() == ".onnx") all.push_back(e.path().string());
    }
    std::sort(all.begin(), all.end());
    for (size_t i = 0; i < all.size(); i += 50) corpus.push_back(testing::ReadFile(all[i]));
  }
  const uint64_t seed = testing::EnvOr("WEBCONV_FUZZ_SEED", std::random_device{}());
  const uint64_t count = testing::EnvOr("WEBCONV_DIFF_MUTANTS", 1500);
  std::printf("mutation seed %llu (replay with WEBCONV_FUZZ_SEED=%llu)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  const fs::path out = dir.path() / "mutants";
  fs::create_directory(out);
  for (uint64_t i = 0; i < count; ++i) {
    std::string bytes = corpus[rng() % corpus.size()];
    testing::Mutate(&bytes, rng);
    char name[32];
    std::snprintf(name, sizeof(name), "m%05llu.onnx", static_cast<unsigned long long>(i));
    testing::WriteFile((out / name).string(), bytes);
  }
  // Differences on purpose: protobuf skips groups in unknown fields, which webconv refuses since ONNX
  // never uses groups; and python's binding stops at a top-level tag 0 or end-group tag, warns "Unexpected
  // end-group tag: Not all data was converted" and keeps the model read so far, which webconv refuses as
  // C++ protobuf does. Flipped bits can also mark a tensor EXTERNAL, which python never resolves, or
  // break the model rules.
  CompareModels(out.string(), [](const std::string&, const Status& st) {
    return st.message.find("group wire type") != std::string::npos ||
           st.message.find("': external data") != std::string::npos ||
           st.message.find(": ModelProto: field number 0 at") != std::string::npos || BreaksModelRules(st);
  });
}

// The test tensors: webconv's LoadTensorProtoFile must agree with onnx.numpy_helper on name, dtype, dims
// and element bytes, refuse string tensors with a clear message, and survive the .pb files that hold
// sequences or optionals (which the test runner reads as other message types).
std::string TypeKind(const Model* model, const std::string& pb) {
  // input_<N>.pb / output_<N>.pb: the N-th graph input / output.
  const std::string name = fs::path(pb).filename().string();
  const bool is_input = name.starts_with("input_");
  if (!is_input && !name.starts_with("output_")) return "tensor_type";
  const size_t index = std::strtoul(name.c_str() + (is_input ? 6 : 7), nullptr, 10);
  const auto& values = is_input ? model->proto.graph.input : model->proto.graph.output;
  if (index >= values.size() || !values[index].has_type) return "tensor_type";
  switch (values[index].type.kind) {
    case TypeProto::kSequence:
      return "sequence_type";
    case TypeProto::kMap:
      return "map_type";
    case TypeProto::kOptional:
      return "optional_type";
    case TypeProto::kSparseTensor:
      return "sparse_tensor_type";
    default:
      return "tensor_type";
  }
}

// Same quoting as dump.cc and onnx_dump.py.
std::string Quote(std::string_view s) {
  std::string q = "\"";
  for (unsigned char c : s) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "\\x%02x", c);
    q += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? std::string(1, static_cast<char>(c)) : buf;
  }
  return q + "\"";
}

std::string DumpTensorWithWebconv(const std::string& pb,
                                  std::map<std::string, std::shared_ptr<const Model>>* models) {
  const std::string case_dir = fs::path(pb).parent_path().parent_path().string();
  auto& model = (*models)[case_dir];
  if (!model) {
    auto m = LoadModelFile(case_dir + "/model.onnx");
    if (!m.ok()) return "error\n";
    model = m.value();
  }
  const std::string kind = TypeKind(model.get(), pb);
  if (kind != "tensor_type") {
    (void)LoadTensorProtoFile(pb);  // a different message type: any result will do, but no crash
    return "skip: " + kind + "\n";
  }
  const std::string bytes = testing::ReadFile(pb);
  TensorProto t;
  if (!ParseTensorProto(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &t).ok())
    return "error\n";
  std::string dims = "[";
  for (size_t i = 0; i < t.dims.size(); ++i) dims += (i ? ", " : "") + std::to_string(t.dims[i]);
  std::string out = StrCat("name: ", Quote(t.name), "\ndata_type: ", t.data_type, "\ndims: ", dims, "]\n");
  std::string name;
  auto host = LoadTensorProtoFile(pb, &name);
  DType dtype;
  const bool supported = DTypeFromInt(t.data_type, &dtype) && IsSupportedDType(dtype);
  if (host.ok()) {
    if (name != t.name || static_cast<int>(host->dtype()) != t.data_type ||
        host->shape() != Shape(t.dims.begin(), t.dims.end())) {
      return out + "value: host tensor disagrees with the proto\n";
    }
    char buf[64];
    std::snprintf(buf, sizeof(buf), "value: bytes=%zu crc32=%08x\n", host->byte_size(),
                  Crc32(host->data(), host->byte_size()));
    return out + buf;
  }
  if (supported) return out + "value: invalid\n";
  if (host.status().message.find("unsupported data type") == std::string::npos) {
    return out + "value: unclear error: " + host.status().message + "\n";
  }
  return out + "value: unsupported\n";
}

TEST(Differential, TestDataTensors) {
  const std::string root = testing::TestDataDir();
  if (!fs::exists(root)) GTEST_SKIP() << root << " not installed (Debian package libonnx-testdata)";
  const auto t0 = std::chrono::steady_clock::now();
  const auto items = SplitItems(OnnxDumpPy("--tensors " + ShellQuote(root)));
  std::map<std::string, std::shared_ptr<const Model>> models;
  size_t mismatches = 0, unsupported = 0, skipped = 0;
  for (const auto& [path, py] : items) {
    const std::string cc = DumpTensorWithWebconv(path, &models);
    unsupported += cc.ends_with("value: unsupported\n");
    skipped += cc.starts_with("skip:");
    if (cc != py) {
      ++mismatches;
      if (mismatches <= 50) ADD_FAILURE() << path << ": " << FirstDifference(py, cc);
    }
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  std::printf("%s: %zu tensor files (%zu unsupported dtype, %zu not tensors), %zu mismatches, %lld ms\n",
              root.c_str(), items.size(), unsupported, skipped, mismatches,
              static_cast<long long>(ms.count()));
  EXPECT_EQ(mismatches, 0u);
  EXPECT_GT(items.size(), 0u);
}

}  // namespace
}  // namespace webconv::onnx
