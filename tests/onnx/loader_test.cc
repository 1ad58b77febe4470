// Tests of file loading, TensorToHost, LoadTensorProtoFile and DumpModel.
#include "onnx/loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstring>

#include "proto_builder.h"
#include "test_util.h"

namespace webconv::onnx {
namespace {

using testing::Proto;
using testing::TempDir;
using namespace testing::field;  // NOLINT(build/namespaces)

TensorProto Parsed(const Proto& p) {
  TensorProto t;
  const Status s = ParseTensorProto(p.data(), p.size(), &t);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return t;
}

template <typename T>
std::vector<T> Values(const HostTensor& h) {
  std::vector<T> v(h.byte_size() / sizeof(T));
  std::memcpy(v.data(), h.data(), h.byte_size());
  return v;
}

TEST(TensorToHost, TypedFields) {
  struct Case {
    DType dtype;
    Proto data;
    std::vector<uint8_t> expect;
  };
  auto le = [](const auto& values) {
    std::vector<uint8_t> b(values.size() * sizeof(values[0]));
    std::memcpy(b.data(), values.data(), b.size());
    return b;
  };
  std::vector<Case> cases;
  cases.push_back({DType::kFloat32, Proto().PackedFloats(kTensorFloatData, {1.5f, -2.f}),
                   le(std::vector<float>{1.5f, -2.f})});
  cases.push_back({DType::kInt8, Proto().PackedVarints(kTensorInt32Data, {-1, 300}),
                   le(std::vector<int8_t>{-1, 44})});  // C-cast wraparound, as numpy's astype
  cases.push_back(
      {DType::kUInt8, Proto().PackedVarints(kTensorInt32Data, {255, 256}), le(std::vector<uint8_t>{255, 0})});
  cases.push_back(
      {DType::kBool, Proto().PackedVarints(kTensorInt32Data, {0, 2}), le(std::vector<uint8_t>{0, 1})});
  cases.push_back({DType::kFloat16, Proto().PackedVarints(kTensorInt32Data, {0x3c00, 0xc000}),
                   le(std::vector<uint16_t>{0x3c00, 0xc000})});
  cases.push_back({DType::kBFloat16, Proto().PackedVarints(kTensorInt32Data, {0x3f80, 0x4000}),
                   le(std::vector<uint16_t>{0x3f80, 0x4000})});
  cases.push_back(
      {DType::kInt16, Proto().PackedVarints(kTensorInt32Data, {-300, 7}), le(std::vector<int16_t>{-300, 7})});
  cases.push_back({DType::kUInt16, Proto().PackedVarints(kTensorInt32Data, {65535, 1}),
                   le(std::vector<uint16_t>{65535, 1})});
  cases.push_back(
      {DType::kInt32, Proto().PackedVarints(kTensorInt32Data, {-5, 5}), le(std::vector<int32_t>{-5, 5})});
  cases.push_back({DType::kInt64, Proto().PackedVarints(kTensorInt64Data, {-5, 1LL << 50}),
                   le(std::vector<int64_t>{-5, 1LL << 50})});
  cases.push_back({DType::kUInt32, Proto().PackedVarints(kTensorUint64Data, {(1LL << 32) + 3, 9}),
                   le(std::vector<uint32_t>{3, 9})});
  cases.push_back({DType::kUInt64, Proto().PackedVarints(kTensorUint64Data, {-1, 9}),
                   le(std::vector<uint64_t>{~uint64_t{0}, 9})});
  cases.push_back({DType::kFloat64,
                   Proto()
                       .Fixed64(kTensorDoubleData, 0x4000000000000000ull)
                       .Fixed64(kTensorDoubleData, 0xbff0000000000000ull),
                   le(std::vector<double>{2.0, -1.0})});
  for (const Case& c : cases) {
    Proto p;
    p.Bytes(kTensorName, "t")
        .PackedVarints(kTensorDims, {2})
        .Varint(kTensorDataType, static_cast<int>(c.dtype));
    p.Raw(c.data.str());
    auto h = TensorToHost(Parsed(p), nullptr);
    ASSERT_TRUE(h.ok()) << DTypeName(c.dtype) << ": " << h.status().ToString();
    EXPECT_EQ(h->dtype(), c.dtype);
    EXPECT_EQ(h->shape(), (Shape{2}));
    EXPECT_EQ(Values<uint8_t>(h.value()), c.expect) << DTypeName(c.dtype);
  }
}

TEST(TensorToHost, RawData) {
  const float values[3] = {1.f, 2.f, 3.f};
  Proto p;
  p.Bytes(kTensorName, "w")
      .PackedVarints(kTensorDims, {3})
      .Varint(kTensorDataType, 1)
      .Bytes(kTensorRawData, std::string_view(reinterpret_cast<const char*>(values), sizeof(values)))
      .PackedFloats(kTensorFloatData, {9.f});  // ignored: raw_data takes precedence, as in ONNX
  const TensorProto t = Parsed(p);
  auto h = TensorToHost(t, nullptr);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(Values<float>(h.value()), (std::vector<float>{1.f, 2.f, 3.f}));
  // Aligned payloads are viewed in place; misaligned ones are copied so typed access stays defined.
  if (reinterpret_cast<uintptr_t>(t.raw_data.data) % 4 == 0)
    EXPECT_EQ(h->data(), t.raw_data.data);
  else
    EXPECT_NE(h->data(), t.raw_data.data);
}

TEST(TensorToHost, Errors) {
  auto error_of = [](const Proto& p) {
    auto h = TensorToHost(Parsed(p), nullptr);
    EXPECT_FALSE(h.ok());
    EXPECT_EQ(h.status().code, StatusCode::kBadModel);
    return h.status().message;
  };
  EXPECT_EQ(error_of(Proto()
                         .Bytes(kTensorName, "w")
                         .PackedVarints(kTensorDims, {2, 2})
                         .Varint(kTensorDataType, 1)
                         .Bytes(kTensorRawData, std::string(12, '\0'))),
            "tensor 'w': raw_data holds 12 bytes but float32 [2,2] needs 16");
  EXPECT_EQ(error_of(Proto()
                         .Bytes(kTensorName, "w")
                         .PackedVarints(kTensorDims, {3})
                         .Varint(kTensorDataType, 7)
                         .PackedVarints(kTensorInt64Data, {1, 2})),
            "tensor 'w': int64_data holds 2 values but int64 [3] needs 3");
  EXPECT_EQ(error_of(Proto().Bytes(kTensorName, "s").Varint(kTensorDataType, 8).Bytes(6, "abc")),
            "tensor 's': unsupported data type string (8)");
  EXPECT_EQ(error_of(Proto().Bytes(kTensorName, "c").Varint(kTensorDataType, 14)),
            "tensor 'c': unsupported data type complex64 (14)");
  EXPECT_EQ(error_of(Proto().Bytes(kTensorName, "u").Varint(kTensorDataType, 0)),
            "tensor 'u': unsupported data type dtype(0) (0)");
  EXPECT_NE(
      error_of(Proto().Bytes(kTensorName, "n").PackedVarints(kTensorDims, {-1}).Varint(kTensorDataType, 1))
          .find("negative dimension"),
      std::string::npos);
  EXPECT_NE(error_of(Proto()
                         .Bytes(kTensorName, "big")
                         .PackedVarints(kTensorDims, {1 << 30, 1 << 30, 1 << 30})
                         .Varint(kTensorDataType, 1))
                .find("more than 2^40 elements"),
            std::string::npos);
  EXPECT_NE(
      error_of(Proto().Bytes(kTensorName, "e").Varint(kTensorDataType, 1).Varint(kTensorDataLocation, 1))
          .find("external and was not resolved"),
      std::string::npos);
  EXPECT_NE(
      error_of(Proto().Bytes(kTensorName, "g").Varint(kTensorDataType, 1).Message(3, Proto().Varint(1, 0)))
          .find("segmented"),
      std::string::npos);
}

TEST(LoadModelFile, MissingDirectoryAndFifo) {
  auto missing = LoadModelFile("/nonexistent/model.onnx");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code, StatusCode::kUsage);
  EXPECT_NE(missing.status().message.find("/nonexistent/model.onnx: cannot open"), std::string::npos);

  TempDir dir;
  auto d = LoadModelFile(dir.path().string());
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message.find("not a regular file"), std::string::npos) << d.status().message;

  // A FIFO must not block the loader waiting for a writer.
  const std::string fifo = dir.file("fifo.onnx");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto f = LoadModelFile(fifo);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message.find("not a regular file"), std::string::npos) << f.status().message;
}

TEST(LoadModelFile, EmptyAndTruncatedFiles) {
  TempDir dir;
  // An empty file is a valid, empty ModelProto, which states no IR version.
  testing::WriteFile(dir.file("empty.onnx"), "");
  auto e = LoadModelFile(dir.file("empty.onnx"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code, StatusCode::kBadModel);
  EXPECT_EQ(e.status().message,
            dir.file("empty.onnx") + ": the model does not state its IR version (ModelProto.ir_version)");

  // A model cut short: it starts as ONNX writers start one (ir_version first), so the parser's detail is
  // the message.
  testing::WriteFile(dir.file("trunc.onnx"),
                     Proto().Varint(kModelIrVersion, 8).Tag(kModelGraph, 2).RawVarint(50).Raw("xx").str());
  auto t = LoadModelFile(dir.file("trunc.onnx"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code, StatusCode::kBadModel);
  EXPECT_EQ(t.status().message,
            dir.file("trunc.onnx") +
                ": ModelProto: length 50 of field 7 runs past the end of the message (2 bytes "
                "left) at byte offset 3");
  // Something else altogether (here text; likewise a graph-only fragment) is first said not to be a model.
  for (const std::string& other : {std::string("hello, world\n"),
                                   Proto().Tag(kModelGraph, 2).RawVarint(50).Raw("xx").str()}) {
    testing::WriteFile(dir.file("other.onnx"), other);
    auto o = LoadModelFile(dir.file("other.onnx"));
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.status().code, StatusCode::kBadModel);
    EXPECT_EQ(o.status().message.rfind(dir.file("other.onnx") + ": this is not an ONNX model file (it starts with \"", 0),
              0u)
        << o.status().message;
  }
}

TEST(LoadModelFile, TestDataModelAndKeepAlive) {
  const std::string path = testing::TestDataDir() + "/node/test_add/model.onnx";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not installed";
  HostTensor weights;
  {
    auto m = LoadModelFile(path);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    const ModelProto& p = m.value()->proto;
    EXPECT_GE(p.ir_version, 3);
    ASSERT_TRUE(p.has_graph);
    ASSERT_EQ(p.graph.node.size(), 1u);
    EXPECT_EQ(p.graph.node[0].op_type, "Add");
    EXPECT_EQ(p.graph.input.size(), 2u);
    EXPECT_EQ(m.value()->dir, testing::TestDataDir() + "/node/test_add");
  }
  // Views stay valid after the Model is gone when keep_alive is held.
  std::shared_ptr<const void> keep;
  const uint8_t* view = nullptr;
  {
    Proto p = testing::ModelHeader();
    p.Message(kModelGraph, Proto().Message(kGraphInitializer, Proto()
                                                                  .Bytes(kTensorName, "w")
                                                                  .PackedVarints(kTensorDims, {2})
                                                                  .Varint(kTensorDataType, 2)
                                                                  .Bytes(kTensorRawData, "\x07\x09")));
    auto m = LoadModelBytes(p.vec());
    ASSERT_TRUE(m.ok());
    auto h = TensorToHost(m.value()->proto.graph.initializer[0], m.value()->keep_alive);
    ASSERT_TRUE(h.ok());
    weights = h.value();
    view = weights.data();
  }
  EXPECT_EQ(weights.data(), view);  // uint8: always aligned, so a view
  EXPECT_EQ(Values<uint8_t>(weights), (std::vector<uint8_t>{7, 9}));
}

TEST(LoadTensorProtoFile, TestDataInput) {
  const std::string path = testing::TestDataDir() + "/node/test_abs/test_data_set_0/input_0.pb";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not installed";
  std::string name;
  auto t = LoadTensorProtoFile(path, &name);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(name, "x");
  EXPECT_EQ(t->dtype(), DType::kFloat32);
  EXPECT_EQ(t->shape(), (Shape{3, 4, 5}));
  EXPECT_EQ(t->byte_size(), 60u * 4);
}

TEST(LoadTensorProtoFile, StringTensorFailsCleanly) {
  TempDir dir;
  testing::WriteFile(dir.file("s.pb"), Proto()
                                           .PackedVarints(kTensorDims, {1})
                                           .Varint(kTensorDataType, 8)
                                           .Bytes(kTensorName, "s")
                                           .Bytes(6, "hello")
                                           .str());
  auto t = LoadTensorProtoFile(dir.file("s.pb"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message, dir.file("s.pb") + ": tensor 's': unsupported data type string (8)");
}

TEST(DumpModel, SmallModel) {
  Proto attr;
  attr.Bytes(kAttrName, "alpha").Varint(kAttrType, 1).Float(kAttrF, 0.1f);
  Proto node;
  node.Bytes(kNodeInput, "x")
      .Bytes(kNodeInput, "")
      .Bytes(kNodeOutput, "y")
      .Bytes(kNodeOpType, "LeakyRelu")
      .Message(kNodeAttribute, attr);
  Proto graph;
  graph.Bytes(kGraphName, "g\"\n\xff")
      .Message(kGraphNode, node)
      .Message(kGraphInitializer,
               Proto().Bytes(kTensorName, "w").Varint(kTensorDataType, 2).Bytes(kTensorRawData, "a"));
  Proto model;
  model.Varint(kModelIrVersion, 8).Message(kModelOpset, Proto().Varint(2, 17)).Message(kModelGraph, graph);
  auto m = LoadModelBytes(model.vec());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(DumpModel(m.value()->proto),
            "ir_version: 8\n"
            "opset_import: domain=\"\" version=17\n"
            "model_version: 0\n"
            "graph {\n"
            "  name: \"g\\x22\\x0a\\xff\"\n"
            "  initializer {\n"
            "    name: \"w\"\n"
            "    data_type: 2\n"
            "    dims: []\n"
            "    data_location: 0\n"
            "    raw_data: bytes=1 crc32=e8b7be43\n"
            "    value: bytes=1 crc32=e8b7be43\n"
            "  }\n"
            "  node {\n"
            "    op_type: \"LeakyRelu\"\n"
            "    input: \"x\"\n"
            "    input: \"\"\n"
            "    output: \"y\"\n"
            "    attribute {\n"
            "      name: \"alpha\"\n"
            "      type: 1\n"
            "      f: 0.100000001\n"
            "      i: 0\n"
            "    }\n"
            "  }\n"
            "}\n");
}

}  // namespace
}  // namespace webconv::onnx
