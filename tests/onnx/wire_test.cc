// Unit tests of the wire reader and of the message parsers on hand-built bytes.
#include "onnx/wire.h"

#include <gtest/gtest.h>

#include "onnx/loader.h"
#include "proto_builder.h"

namespace webconv::onnx {
namespace {

using testing::Proto;
using namespace testing::field;  // NOLINT(build/namespaces)

Result<std::shared_ptr<const Model>> Load(const Proto& p, const LoaderLimits& limits = {}) {
  return LoadModelBytes(p.vec(), limits);
}

std::string Message(const Status& s) {
  return s.message;
}

TEST(WireVarint, Decodes) {
  const uint8_t one[] = {0x01};
  const uint8_t big[] = {0xac, 0x02};
  const uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  uint64_t v = 0;
  EXPECT_EQ(wire::DecodeVarint(one, one + 1, &v), 1);
  EXPECT_EQ(v, 1u);
  EXPECT_EQ(wire::DecodeVarint(big, big + 2, &v), 2);
  EXPECT_EQ(v, 300u);
  EXPECT_EQ(wire::DecodeVarint(max, max + 10, &v), 10);
  EXPECT_EQ(v, ~uint64_t{0});
}

TEST(WireVarint, TruncatedAndOverlong) {
  const uint8_t trunc[] = {0x80, 0x80};
  const uint8_t overlong[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  uint64_t v = 0;
  EXPECT_EQ(wire::DecodeVarint(trunc, trunc + 2, &v), 0);
  EXPECT_EQ(wire::DecodeVarint(trunc, trunc, &v), 0);
  EXPECT_EQ(wire::DecodeVarint(overlong, overlong + sizeof(overlong), &v), -1);
}

TEST(WireReader, TruncatedVarintField) {
  Proto p;
  p.Tag(kModelIrVersion, 0).Raw("\x80\x80", 2);
  auto r = Load(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code, StatusCode::kBadModel);
  EXPECT_NE(Message(r.status()).find("ModelProto: truncated varint at byte offset 1"), std::string::npos)
      << Message(r.status());
}

TEST(WireReader, OverlongVarintField) {
  Proto p;
  p.Tag(kModelIrVersion, 0).Raw(std::string(10, '\x80')).Raw("\x01", 1);
  auto r = Load(p);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Message(r.status()).find("varint longer than 10 bytes"), std::string::npos)
      << Message(r.status());
}

TEST(WireReader, LengthPastEnd) {
  Proto p;
  p.Tag(kModelProducer, 2).RawVarint(100).Raw("abc");
  auto r = Load(p);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Message(r.status()).find("length 100 of field 2 runs past the end of the message (3 bytes left)"),
            std::string::npos)
      << Message(r.status());
  // A huge length must be refused before anything is sliced or allocated.
  Proto q;
  q.Tag(kModelProducer, 2).RawVarint(~uint64_t{0}).Raw("abc");
  EXPECT_FALSE(Load(q).ok());
}

TEST(WireReader, LengthPastEndOfNestedMessage) {
  // The node's string claims 5 bytes; the node has 3 left although the file has more after it.
  Proto node;
  node.Tag(kNodeName, 2).RawVarint(5).Raw("abc");
  Proto graph;
  graph.Message(kGraphNode, node).Bytes(kGraphName, "padding-padding");
  Proto model = testing::ModelHeader();
  model.Message(kModelGraph, graph);
  auto r = Load(model);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Message(r.status()).find("graph: node #0: NodeProto: length 5"), std::string::npos)
      << Message(r.status());
}

TEST(WireReader, GroupsAndBadWireTypesRejected) {
  for (uint32_t wire : {3u, 4u, 6u, 7u}) {
    Proto p;
    p.Tag(99, wire).Raw("\0\0\0\0\0\0\0\0", 8);
    auto r = Load(p);
    ASSERT_FALSE(r.ok()) << wire;
    EXPECT_EQ(r.status().code, StatusCode::kBadModel);
  }
  Proto zero;
  zero.Tag(0, 0).RawVarint(1);
  EXPECT_FALSE(Load(zero).ok());
}

TEST(WireReader, TruncatedFixed) {
  Proto p32;
  p32.Tag(99, 5).Raw("\1\2\3", 3);
  EXPECT_NE(Message(Load(p32).status()).find("truncated fixed32"), std::string::npos);
  Proto p64;
  p64.Tag(99, 1).Raw("\1\2\3\4\5\6\7", 7);
  EXPECT_NE(Message(Load(p64).status()).find("truncated fixed64"), std::string::npos);
}

TEST(WireReader, UnknownFieldsAndWrongWireTypesSkipped) {
  Proto node;
  node.Varint(1000, 5)
      .Fixed32(1001, 7)
      .Fixed64(1002, 9)
      .Bytes(1003, "junk")     // unknown numbers
      .Varint(kNodeOpType, 3)  // op_type with a wrong wire type: an unknown field to protobuf
      .Bytes(kNodeOpType, "Relu")
      .Bytes(kNodeInput, "x")
      .Bytes(kNodeOutput, "y");
  Proto graph;
  graph.Message(kGraphNode, node).Varint(3, 1).Bytes(4, "reserved");  // reserved numbers are unknown too
  Proto model = testing::ModelHeader(7);
  model.Varint(kModelIrVersion, 8).Bytes(kModelIrVersion, "wrong wire type").Message(kModelGraph, graph);
  auto r = Load(model);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ModelProto& m = r.value()->proto;
  EXPECT_EQ(m.ir_version, 8);
  ASSERT_EQ(m.graph.node.size(), 1u);
  EXPECT_EQ(m.graph.node[0].op_type, "Relu");
  EXPECT_EQ(m.graph.node[0].input, std::vector<std::string_view>{"x"});
}

TEST(WireReader, PackedAndUnpackedRepeatedInts) {
  Proto t;
  t.Varint(kTensorDims, 2)
      .PackedVarints(kTensorDims, {3, 4})
      .Varint(kTensorDims, 5)
      .PackedVarints(kTensorInt64Data, {-1, 1LL << 40})
      .Varint(kTensorInt64Data, 7)
      .PackedVarints(kTensorInt32Data, {-2})
      .Varint(kTensorInt32Data, static_cast<uint64_t>(int64_t{-3}))
      .PackedFloats(kTensorFloatData, {1.5f, -2.0f})
      .Float(kTensorFloatData, 3.0f)
      .Fixed64(kTensorDoubleData, 0x3ff0000000000000ull)  // 1.0
      .PackedVarints(kTensorUint64Data, {-1});
  TensorProto out;
  ASSERT_TRUE(ParseTensorProto(t.data(), t.size(), &out).ok());
  EXPECT_EQ(out.dims, (std::vector<int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(out.int64_data, (std::vector<int64_t>{-1, 1LL << 40, 7}));
  EXPECT_EQ(out.int32_data, (std::vector<int32_t>{-2, -3}));
  EXPECT_EQ(out.float_data, (std::vector<float>{1.5f, -2.0f, 3.0f}));
  EXPECT_EQ(out.double_data, (std::vector<double>{1.0}));
  EXPECT_EQ(out.uint64_data, (std::vector<uint64_t>{~uint64_t{0}}));
}

TEST(WireReader, PackedAttributeInts) {
  // onnx.proto does not declare AttributeProto.ints packed, but protobuf parsers accept both encodings.
  Proto attr;
  attr.Bytes(kAttrName, "pads").Varint(kAttrType, 7).PackedVarints(kAttrInts, {0, 1, 1}).Varint(kAttrInts, 2);
  Proto node;
  node.Bytes(kNodeOpType, "Conv").Message(kNodeAttribute, attr);
  Proto graph;
  graph.Message(kGraphNode, node);
  Proto model = testing::ModelHeader();
  model.Message(kModelGraph, graph);
  auto r = Load(model);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const AttributeProto& a = r.value()->proto.graph.node[0].attribute[0];
  EXPECT_EQ(a.type, AttributeProto::kInts);
  EXPECT_EQ(a.ints, (std::vector<int64_t>{0, 1, 1, 2}));
}

TEST(WireReader, MalformedPackedFields) {
  Proto t;
  t.Bytes(kTensorFloatData, std::string(7, '\0'));
  TensorProto out;
  Status s = ParseTensorProto(t.data(), t.size(), &out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message.find(
                "TensorProto.float_data (field 4) at byte offset 0: packed length 7 is not a multiple of 4"),
            std::string::npos)
      << s.message;
  Proto d;
  d.Bytes(kTensorDims, "\x05\x80");  // second varint truncated inside the packed payload
  TensorProto out2;
  s = ParseTensorProto(d.data(), d.size(), &out2);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(
      s.message.find("TensorProto.dims (field 1) at byte offset 0: truncated varint in packed field at byte "
                     "offset 3"),
      std::string::npos)
      << s.message;
}

TEST(WireReader, HugePackedCountIsNotPreallocated) {
  // 1 MB of continuation bytes: the element count is bounded by the terminating bytes (here none), so
  // the reservation is tiny and the parse fails cleanly.
  Proto t;
  t.Bytes(kTensorInt64Data, std::string(1 << 20, '\x80'));
  TensorProto out;
  EXPECT_FALSE(ParseTensorProto(t.data(), t.size(), &out).ok());
  EXPECT_LT(out.int64_data.capacity(), 16u);
}

// A graph nested `depth` levels deep through If-style graph attributes.
Proto NestedGraph(int depth) {
  Proto g;
  g.Bytes(kGraphName, "leaf");
  for (int i = 1; i < depth; ++i) {
    Proto attr;
    attr.Bytes(kAttrName, "then_branch").Varint(kAttrType, 5).Message(kAttrG, g);
    Proto node;
    node.Bytes(kNodeOpType, "If").Message(kNodeAttribute, attr);
    Proto outer;
    outer.Message(kGraphNode, node);
    g = outer;
  }
  Proto model = testing::ModelHeader();
  model.Message(kModelGraph, g);
  return model;
}

TEST(WireReader, GraphDepthLimit) {
  EXPECT_TRUE(Load(NestedGraph(32)).ok());
  auto r = Load(NestedGraph(33));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Message(r.status()).find("GraphProto nested deeper than 32 levels"), std::string::npos)
      << Message(r.status());
  LoaderLimits tight;
  tight.max_graph_depth = 3;
  EXPECT_TRUE(Load(NestedGraph(3), tight).ok());
  EXPECT_FALSE(Load(NestedGraph(4), tight).ok());
  // Far deeper than any stack could take if depth were not checked before recursing.
  EXPECT_FALSE(Load(NestedGraph(2000)).ok());
}

TEST(WireReader, TypeDepthLimit) {
  auto nested_type = [](int depth) {
    Proto t;
    t.Message(1, Proto().Varint(1, 1));  // tensor_type { elem_type: FLOAT }
    for (int i = 1; i < depth; ++i) t = Proto().Message(4, Proto().Message(1, t));  // sequence_type
    Proto attr;
    attr.Bytes(kAttrName, "tp").Varint(kAttrType, 13).Message(kAttrTp, t);
    Proto graph;
    graph.Message(kGraphNode, Proto().Message(kNodeAttribute, attr));
    return testing::ModelHeader().Message(kModelGraph, graph);
  };
  EXPECT_TRUE(Load(nested_type(100)).ok());
  auto r = Load(nested_type(101));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Message(r.status()).find("TypeProto nested deeper than 100"), std::string::npos)
      << Message(r.status());
}

TEST(Parse, EnumOutOfRangeIsUnknown) {
  Proto attr;
  attr.Bytes(kAttrName, "a").Varint(kAttrType, 2).Varint(kAttrType, 99);  // 99 is no AttributeType: 2 stays
  Proto t;
  t.Varint(kTensorDataLocation, 1).Varint(kTensorDataLocation, 5);
  Proto node;
  node.Message(kNodeAttribute, attr);
  auto r = Load(testing::ModelHeader().Message(kModelGraph, Proto().Message(kGraphNode, node)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()->proto.graph.node[0].attribute[0].type, AttributeProto::kInt);
  TensorProto out;
  ASSERT_TRUE(ParseTensorProto(t.data(), t.size(), &out).ok());
  EXPECT_EQ(out.data_location, 1);
}

TEST(Parse, RepeatedSingularMessagesMerge) {
  // Two `graph` fields merge into one graph, as protobuf does when messages are concatenated.
  Proto g1;
  g1.Bytes(kGraphName, "first").Message(kGraphNode, Proto().Bytes(kNodeOpType, "A"));
  Proto g2;
  g2.Message(kGraphNode, Proto().Bytes(kNodeOpType, "B"));
  auto r = Load(testing::ModelHeader().Message(kModelGraph, g1).Message(kModelGraph, g2));
  ASSERT_TRUE(r.ok());
  const GraphProto& g = r.value()->proto.graph;
  EXPECT_EQ(g.name, "first");
  ASSERT_EQ(g.node.size(), 2u);
  EXPECT_EQ(g.node[1].op_type, "B");
}

TEST(Parse, TypeProtoOneof) {
  Proto shape;
  shape.Message(1, Proto().Varint(1, 3))
      .Message(1, Proto().Bytes(2, "N").Bytes(3, "batch"))
      .Message(1, Proto());
  Proto type;
  type.Message(1, Proto().Varint(1, 1).Message(2, shape)).Bytes(6, "IMAGE");
  Proto vi;
  vi.Bytes(1, "x").Message(2, type);
  auto r = Load(testing::ModelHeader().Message(kModelGraph, Proto().Message(kGraphInput, vi)));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ValueInfoProto& v = r.value()->proto.graph.input[0];
  ASSERT_TRUE(v.has_type);
  EXPECT_EQ(v.type.kind, TypeProto::kTensor);
  EXPECT_EQ(v.type.denotation, "IMAGE");
  ASSERT_EQ(v.type.dims.size(), 3u);
  EXPECT_EQ(v.type.dims[0].kind, Dimension::kValue);
  EXPECT_EQ(v.type.dims[1].kind, Dimension::kParam);
  EXPECT_EQ(v.type.dims[1].param, "N");
  EXPECT_EQ(v.type.dims[1].denotation, "batch");
  EXPECT_EQ(v.type.dims[2].kind, Dimension::kUnset);

  // A later case of the oneof replaces the earlier one.
  Proto seq;
  seq.Message(1, Proto().Varint(1, 1))
      .Message(4, Proto().Message(1, Proto().Message(1, Proto().Varint(1, 7))));
  auto r2 = Load(
      testing::ModelHeader().Message(kModelGraph, Proto().Message(kGraphInput, Proto().Message(2, seq))));
  ASSERT_TRUE(r2.ok());
  const TypeProto& t = r2.value()->proto.graph.input[0].type;
  EXPECT_EQ(t.kind, TypeProto::kSequence);
  EXPECT_EQ(t.elem_type, 0);
  ASSERT_TRUE(t.inner);
  EXPECT_EQ(t.inner->kind, TypeProto::kTensor);
  EXPECT_EQ(t.inner->elem_type, 7);
}

TEST(Parse, EmptyModelIsValidProtobufButHasNoVersion) {
  auto r = LoadModelBytes({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Message(r.status()), "the model does not state its IR version (ModelProto.ir_version)");
  // The fields a model needs are enough: the graph is checked when it is built, not by the loader.
  auto header = Load(testing::ModelHeader());
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_FALSE(header.value()->proto.has_graph);
}

}  // namespace
}  // namespace webconv::onnx
