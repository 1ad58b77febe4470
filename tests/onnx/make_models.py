#!/usr/bin/python3
"""Writes models that exercise every field of onnx.proto, for the loader's differential test.

The ONNX test data covers common models only (no functions, sparse tensors, metadata, unusual encodings),
so these fill the gaps: every attribute and tensor type, typed and raw payloads (valid and not), protobuf
edge cases written byte by byte (merged messages, unknown fields, packed attributes, oneof switches,
out-of-range enums), external data, and truncated files. Run with Debian's /usr/bin/python3.
Usage: make_models.py OUT_DIR
"""

import math
import os
import sys

import numpy as np
import onnx
from onnx import AttributeProto, TensorProto, helper

T = TensorProto


def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def field_varint(n, v):
    return varint(n << 3) + varint(v)


def field_bytes(n, b):
    return varint((n << 3) | 2) + varint(len(b)) + b


def tensor_zoo():
    """Tensors of every dtype, typed and raw, plus broken ones that decoders must call invalid."""
    ts = []
    rng = np.random.default_rng(7)
    for dt, np_dt in [(T.FLOAT, np.float32), (T.DOUBLE, np.float64), (T.INT64, np.int64), (T.INT32, np.int32),
                      (T.INT16, np.int16), (T.INT8, np.int8), (T.UINT8, np.uint8), (T.UINT16, np.uint16),
                      (T.UINT32, np.uint32), (T.UINT64, np.uint64), (T.BOOL, np.bool_),
                      (T.FLOAT16, np.float16)]:
        vals = (rng.standard_normal(6) * 50).astype(np_dt)
        name = onnx.TensorProto.DataType.Name(dt).lower()
        ts.append(helper.make_tensor(name + "_typed", dt, [2, 3], vals.tolist() if dt != T.FLOAT16 else vals))
        ts.append(helper.make_tensor(name + "_raw", dt, [2, 3], vals.tobytes(), raw=True))
    ts.append(helper.make_tensor("bf16_typed", T.BFLOAT16, [3], [1.0, -2.5, 3.0e10]))
    ts.append(helper.make_tensor("bf16_raw", T.BFLOAT16, [2], b"\x80\x3f\x00\xc0", raw=True))
    ts.append(helper.make_tensor("float_special", T.FLOAT, [5], [math.nan, -math.inf, math.inf, -0.0, 1e-40]))
    ts.append(helper.make_tensor("scalar", T.FLOAT, [], [4.0]))
    ts.append(helper.make_tensor("empty", T.FLOAT, [0, 3], []))
    ts.append(helper.make_tensor("strings", T.STRING, [3], [b"a", b"\xff\x00", b""]))
    ts.append(helper.make_tensor("complex64", T.COMPLEX64, [2], [1 + 2j, 3 - 4j]))
    ts.append(helper.make_tensor("complex128", T.COMPLEX128, [1], [1 + 2j]))
    # Values outside the element type, which ONNX's reference conversion wraps (and bool maps to 0/1).
    t = TensorProto(name="int8_wrap", data_type=T.INT8, dims=[4])
    t.int32_data.extend([300, -129, 127, -1])
    ts.append(t)
    t = TensorProto(name="bool_wide", data_type=T.BOOL, dims=[3])
    t.int32_data.extend([0, 2, -5])
    ts.append(t)
    t = TensorProto(name="uint32_wide", data_type=T.UINT32, dims=[2])
    t.uint64_data.extend([(1 << 40) + 5, 7])
    ts.append(t)
    t = TensorProto(name="f16_wide", data_type=T.FLOAT16, dims=[2])
    t.int32_data.extend([0x13C00, 0x3C00])
    ts.append(t)
    t = TensorProto(name="raw_and_typed", data_type=T.FLOAT, dims=[1], raw_data=b"\x00\x00\x80\x3f")
    t.float_data.append(5.0)
    ts.append(t)
    # Invalid ones: both sides must say "invalid" (or, for types webconv lacks, print no value at all).
    ts.append(TensorProto(name="raw_short", data_type=T.FLOAT, dims=[2], raw_data=b"\x00" * 7))
    t = TensorProto(name="typed_short", data_type=T.INT64, dims=[3])
    t.int64_data.extend([1, 2])
    ts.append(t)
    t = TensorProto(name="negative_dim", data_type=T.FLOAT, dims=[-1])
    t.float_data.extend([1.0])
    ts.append(t)
    ts.append(TensorProto(name="undefined", data_type=0, dims=[1]))
    ts.append(TensorProto(name="unknown_type", data_type=99, dims=[1], raw_data=b"\x01"))
    t = TensorProto(name="segmented", data_type=T.FLOAT, dims=[1], raw_data=b"\x00" * 4)
    t.segment.begin = 0
    t.segment.end = 1
    ts.append(t)
    t = TensorProto(name="empty_segment", data_type=T.FLOAT, dims=[1], doc_string="doc \"q\"")
    t.segment.SetInParent()
    ts.append(t)
    return ts


def subgraph(name, depth):
    nodes = [helper.make_node("Identity", ["x"], ["y"], name="id_" + name)]
    if depth > 0:
        nodes.append(helper.make_node("If", ["c"], ["z"], name="if_" + name,
                                      then_branch=subgraph(name + "_t", depth - 1),
                                      else_branch=subgraph(name + "_e", depth - 1)))
    return helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", T.FLOAT, None)],
                             [helper.make_tensor_value_info("y", T.FLOAT, ["N"])],
                             [helper.make_tensor(name + "_init", T.INT64, [2], [1, -2])])


def sparse(name):
    values = helper.make_tensor(name + "_values", T.FLOAT, [3], [1.0, 2.0, 3.0])
    indices = helper.make_tensor(name + "_indices", T.INT64, [3], [0, 5, 7])
    return helper.make_sparse_tensor(values, indices, [2, 4])


def type_zoo():
    seq = helper.make_sequence_type_proto(helper.make_tensor_type_proto(T.FLOAT, [2, "M", None]))
    mp = onnx.TypeProto()
    mp.map_type.key_type = T.INT64
    mp.map_type.value_type.CopyFrom(seq)
    opt = helper.make_optional_type_proto(mp)
    sp = helper.make_sparse_tensor_type_proto(T.FLOAT, [3, "K"])
    scalar = helper.make_tensor_type_proto(T.INT32, [])
    no_shape = helper.make_tensor_type_proto(T.BOOL, None)
    den = helper.make_tensor_type_proto(T.FLOAT, [1, 3])
    den.denotation = "IMAGE"
    den.tensor_type.shape.dim[1].denotation = "DATA_CHANNEL"
    empty_seq = onnx.TypeProto()
    empty_seq.sequence_type.SetInParent()
    return [seq, mp, opt, sp, scalar, no_shape, den, empty_seq, onnx.TypeProto()]


def features_model():
    tensors = tensor_zoo()
    types = type_zoo()
    attrs = [
        helper.make_attribute("f_nan", math.nan), helper.make_attribute("f_neg0", -0.0),
        helper.make_attribute("f_inf", -math.inf), helper.make_attribute("f_tiny", 1e-45),
        helper.make_attribute("f_big", 3.4028234e38), helper.make_attribute("f_third", 1 / 3),
        helper.make_attribute("i_neg", -(1 << 62)), helper.make_attribute("s_bytes", b"\xff\x00\"\\\n"),
        helper.make_attribute("s_text", "h\u00e9llo \u2603"),
        helper.make_attribute("t", tensors[0], doc_string="a tensor attribute"),
        helper.make_attribute("g", subgraph("g", 2)),
        helper.make_attribute("floats", [0.1, math.nan, -math.inf, 1e38]),
        helper.make_attribute("ints", [1, -1, 1 << 40]),
        helper.make_attribute("strings", [b"a", b"", b"\x01"]),
        helper.make_attribute("tensors", tensors[1:4]), helper.make_attribute("graphs", [subgraph("gs", 0)]),
        helper.make_attribute("sparse", sparse("attr_sparse")),
        helper.make_attribute("sparses", [sparse("s1"), sparse("s2")]),
    ]
    tp = AttributeProto(name="tp", type=AttributeProto.TYPE_PROTO)
    tp.tp.CopyFrom(types[2])
    tps = AttributeProto(name="tps", type=AttributeProto.TYPE_PROTOS)
    tps.type_protos.extend(types[:4])
    undefined = AttributeProto(name="undefined_with_everything", f=1.5, i=3, s=b"s")
    attrs += [tp, tps, undefined]
    node = helper.make_node("Custom", ["a", "", "b"], ["c", ""], name="custom", domain="custom.domain",
                            doc_string="node doc")
    node.attribute.extend(attrs)
    inputs = [helper.make_value_info("in%d" % i, t, doc_string="input %d" % i) for i, t in enumerate(types)]
    untyped = onnx.ValueInfoProto(name="untyped")
    graph = helper.make_graph([node, helper.make_node("Relu", ["c"], ["d"])], "features", inputs + [untyped],
                              [helper.make_tensor_value_info("d", T.FLOAT, [2, 3])], tensors,
                              doc_string="graph doc\twith tab",
                              value_info=[helper.make_tensor_value_info("c", T.FLOAT, ["batch", 3])],
                              sparse_initializer=[sparse("sp_init")])
    qa = graph.quantization_annotation.add(tensor_name="c")
    qa.quant_parameter_tensor_names.add(key="SCALE_TENSOR", value="scale")
    qa.quant_parameter_tensor_names.add(key="ZERO_POINT_TENSOR", value="zp")
    fn_node = helper.make_node("Mul", ["x", "x"], ["y"])
    ref = AttributeProto(name="alpha", ref_attr_name="alpha", type=AttributeProto.FLOAT)
    fn_node.attribute.append(ref)
    fn = helper.make_function("custom.domain", "Square", ["x"], ["y"], [fn_node],
                              [helper.make_opsetid("", 17)], ["alpha"], doc_string="function doc")
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("custom.domain", 1)],
                              producer_name="webconv-test", producer_version="1.0", domain="org.test",
                              model_version=5, doc_string="model doc \u00e9", functions=[fn])
    model.metadata_props.add(key="author", value="tests")
    model.metadata_props.add(key="", value="empty key")
    model.training_info.append(helper.make_training_info(subgraph("train", 0), [("a", "b")], None, None))
    return model


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    features = features_model().SerializeToString()
    write(os.path.join(out, "features.onnx"), features)
    # Truncations: most cut a field and fail on both sides; some land on a field boundary and parse.
    for i, cut in enumerate([1, 7, len(features) // 3, len(features) // 2, len(features) - 1]):
        write(os.path.join(out, "truncated_%d.onnx" % i), features[:cut])
    write(os.path.join(out, "empty.onnx"), b"")

    # Two serialized models back to back merge: scalars take the last value, repeated fields append, the
    # graphs merge into one.
    a = helper.make_model(subgraph("first", 1), producer_name="first", ir_version=7)
    b = helper.make_model(subgraph("second", 0), producer_name="", ir_version=8)
    write(os.path.join(out, "merged.onnx"), a.SerializeToString() + b.SerializeToString())

    # Unknown fields of every wire type, known fields with the wrong wire type, an out-of-range enum, packed
    # attribute ints and unpacked floats, a Dimension and a TypeProto whose oneof switches case.
    packed = b"".join(varint(v) for v in [0, 1, -1])
    attr = (field_bytes(1, b"pads") + field_varint(20, 7) + field_bytes(8, packed)
            + field_varint(8, 2) + field_varint(20, 99))
    floats = field_bytes(1, b"scales") + field_varint(20, 6) + b"".join(
        varint((7 << 3) | 5) + np.float32(v).tobytes() for v in [1.5, -0.25])
    unknown = (field_varint(900, 1) + varint((901 << 3) | 1) + b"\x01" * 8
               + varint((902 << 3) | 5) + b"\x02" * 4
               + field_bytes(903, b"\xff\xfe"))
    node = (field_bytes(4, b"Pad") + field_bytes(5, attr) + field_bytes(5, floats) + unknown
            + field_varint(4, 3))
    dim = field_varint(1, 4) + field_bytes(2, b"now_a_param")
    shape = field_bytes(1, dim) + field_bytes(1, b"") + field_bytes(1, field_varint(1, 9))
    tensor_type = field_varint(1, 1) + field_bytes(2, shape)
    int64_tensor_type = field_bytes(1, field_varint(1, 7))
    switching = field_bytes(1, tensor_type) + field_bytes(4, field_bytes(1, int64_tensor_type))
    to_tensor = (field_bytes(5, field_varint(1, 7)) + field_bytes(1, tensor_type)
                 + field_bytes(1, field_varint(1, 6)))
    opaque = field_bytes(1, tensor_type) + field_bytes(7, field_bytes(1, b"dom") + field_bytes(2, b"name"))
    inputs = b"".join(field_bytes(11, field_bytes(1, n) + field_bytes(2, t)) for n, t in
                      [(b"switching", switching), (b"to_tensor", to_tensor), (b"opaque", opaque)])
    enum_tensor = (field_bytes(8, b"loc") + field_varint(2, 1) + field_varint(14, 5)
                   + field_bytes(9, b"\x00" * 4))
    graph = field_bytes(1, node) + inputs + field_bytes(5, enum_tensor) + unknown + field_bytes(2, b"edge")
    opset = field_bytes(8, field_varint(2, 17))
    model = field_varint(1, 8) + field_bytes(1, b"wrong wire type") + field_bytes(7, graph) + opset + unknown
    write(os.path.join(out, "encodings.onnx"), model)
    write(os.path.join(out, "bad_packed.onnx"), field_bytes(7, field_bytes(5, field_bytes(4, b"\x00" * 7))))
    write(os.path.join(out, "group.onnx"), model + varint((77 << 3) | 3) + varint((77 << 3) | 4))

    # External data inside the model's folder; the reference decoder reads it through base_dir.
    ext_dir = os.path.join(out, "external")
    os.makedirs(ext_dir, exist_ok=True)
    w = np.arange(12, dtype=np.float32)
    write(os.path.join(ext_dir, "weights.bin"), b"head" + w.tobytes())
    t = TensorProto(name="w", data_type=T.FLOAT, dims=[3, 4], data_location=T.EXTERNAL)
    for k, v in [("location", "weights.bin"), ("offset", "4"), ("length", "48"), ("checksum", "ignored")]:
        t.external_data.add(key=k, value=v)
    g = helper.make_graph([helper.make_node("Identity", ["w"], ["y"])], "ext", [],
                          [helper.make_tensor_value_info("y", T.FLOAT, [3, 4])], [t])
    write(os.path.join(ext_dir, "model.onnx"), helper.make_model(g).SerializeToString())
    # webconv refuses these on purpose (the official parser does not look at external files at all):
    # a missing file, and a location that leaves the model's folder.
    for name, location in [("missing_external.onnx", "no_such_file.bin"),
                           ("escaping_external.onnx", "../x.bin")]:
        t = TensorProto(name="w", data_type=T.FLOAT, dims=[1], data_location=T.EXTERNAL)
        t.external_data.add(key="location", value=location)
        g = helper.make_graph([], "ext", [], [], [t])
        write(os.path.join(ext_dir, name), helper.make_model(g).SerializeToString())


if __name__ == "__main__":
    main()
