#!/usr/bin/python3
"""Canonical text dump of ONNX models, written from the official parser's objects.

This is the reference side of webconv's loader differential test: for every model, the text printed here
must be byte-identical to webconv::onnx::DumpModel (src/onnx/dump.cc). The formatting rules are listed at
the top of dump.cc; each helper below mirrors one there.

Usage (run with Debian's /usr/bin/python3, which has python3-onnx 1.12 and numpy):
  onnx_dump.py PATH...            dump each model; a folder means every *.onnx file under it
  onnx_dump.py --tensors PATH...  summarise every test_data_set_*/{input,output}_*.pb under each folder
Each item starts with a line "=== <path>". A file that fails to parse prints "error" after it (and the
reason on stderr), so that only the fact of failing is compared.
"""

import argparse
import math
import os
import re
import sys
import warnings
import zlib

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

# numpy warns when ONNX's reference conversion wraps out-of-range int32_data values; wrapping is the
# behaviour being compared, so the warnings are noise.
warnings.simplefilter("ignore")

# Element types webconv holds (common/dtype.cc IsSupportedDType): numeric and bool, not string or complex.
SUPPORTED = {1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 16}
EXTERNAL = TensorProto.EXTERNAL

_ESCAPE = [chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else "\\x%02x" % b for b in range(256)]


def quote(value):
    """Quotes a str (proto `string`, encoded back to its UTF-8 bytes) or bytes (proto `bytes`)."""
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogateescape")
    return '"' + "".join(_ESCAPE[b] for b in value) + '"'


def fmt_float(x):
    if math.isnan(x):
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    return "%.9g" % x


def fmt_list(values, fmt=str):
    return "[" + ", ".join(fmt(v) for v in values) + "]"


def summary(data, count=None):
    if count is None:
        return "bytes=%d crc32=%08x" % (len(data), zlib.crc32(data))
    return "n=%d crc32=%08x" % (count, zlib.crc32(data))


def value_bytes(tensor, base_dir):
    """The tensor's elements as webconv's HostTensor lays them out, decoded by onnx.numpy_helper."""
    if any(d < 0 for d in tensor.dims):
        raise ValueError("negative dimension")  # numpy would read -1 as "infer"
    copy = TensorProto()
    copy.CopyFrom(tensor)  # to_array loads external data into the tensor it is given
    arr = np.ascontiguousarray(numpy_helper.to_array(copy, base_dir))
    if tensor.data_type == TensorProto.BFLOAT16:
        arr = (arr.view(np.uint32) >> 16).astype(np.uint16)  # numpy_helper widens bfloat16 to float32
    return arr.tobytes()


class Dumper:
    def __init__(self, base_dir):
        self.out = []
        self.depth = 0
        self.base_dir = base_dir

    def line(self, key, value):
        self.out.append("  " * self.depth + key + ": " + value)

    def open(self, label):
        self.out.append("  " * self.depth + label + " {")
        self.depth += 1

    def close(self):
        self.depth -= 1
        self.out.append("  " * self.depth + "}")

    def int_(self, key, v):
        self.line(key, str(v))

    def str_(self, key, v):
        if len(v):
            self.line(key, quote(v))

    def entry(self, key, e):
        self.line(key, quote(e.key) + " = " + quote(e.value))

    def opset(self, o):
        self.line("opset_import", "domain=%s version=%d" % (quote(o.domain), o.version))

    def typed(self, key, values, np_dtype):
        if len(values):
            self.line(key, summary(np.asarray(values, dtype=np_dtype).tobytes(), len(values)))

    def model(self, m):
        self.int_("ir_version", m.ir_version)
        for o in m.opset_import:
            self.opset(o)
        self.str_("producer_name", m.producer_name)
        self.str_("producer_version", m.producer_version)
        self.str_("domain", m.domain)
        self.int_("model_version", m.model_version)
        self.str_("doc_string", m.doc_string)
        for e in m.metadata_props:
            self.entry("metadata_props", e)
        if m.HasField("graph"):
            self.open("graph")
            self.graph(m.graph)
            self.close()
        for f in m.functions:
            self.open("function")
            self.function(f)
            self.close()

    def tensor(self, label, t):
        self.open(label)
        self.str_("name", t.name)
        self.str_("doc_string", t.doc_string)
        self.int_("data_type", t.data_type)
        self.line("dims", fmt_list(t.dims))
        if t.HasField("segment"):
            self.line("segment", "%d %d" % (t.segment.begin, t.segment.end))
        self.int_("data_location", t.data_location)
        for e in t.external_data:
            self.entry("external_data", e)
        if t.HasField("raw_data") and t.data_location != EXTERNAL:
            self.line("raw_data", summary(t.raw_data))
        self.typed("float_data", t.float_data, "<f4")
        self.typed("int32_data", t.int32_data, "<i4")
        if len(t.string_data):
            data = b"".join(len(s).to_bytes(8, "little") + s for s in t.string_data)
            self.line("string_data", summary(data, len(t.string_data)))
        self.typed("int64_data", t.int64_data, "<i8")
        self.typed("double_data", t.double_data, "<f8")
        self.typed("uint64_data", t.uint64_data, "<u8")
        if t.data_type in SUPPORTED:
            try:
                self.line("value", summary(value_bytes(t, self.base_dir)))
            except Exception:  # noqa: BLE001 - any failure of the reference decoder means "invalid"
                self.line("value", "invalid")
        self.close()

    def sparse(self, label, s):
        self.open(label)
        self.tensor("values", s.values)
        self.tensor("indices", s.indices)
        self.line("dims", fmt_list(s.dims))
        self.close()

    def shape(self, tt):
        if not tt.HasField("shape"):
            return
        self.open("shape")
        for d in tt.shape.dim:
            which = d.WhichOneof("value")
            if which == "dim_value":
                v = str(d.dim_value)
            else:
                v = quote(d.dim_param) if which == "dim_param" else "?"
            if len(d.denotation):
                v += " denotation=" + quote(d.denotation)
            self.line("dim", v)
        self.close()

    def type_(self, label, t):
        self.open(label)
        self.str_("denotation", t.denotation)
        which = t.WhichOneof("value")
        if which in ("tensor_type", "sparse_tensor_type"):
            tt = getattr(t, which)
            self.open(which)
            self.int_("elem_type", tt.elem_type)
            self.shape(tt)
            self.close()
        elif which in ("sequence_type", "optional_type"):
            st = getattr(t, which)
            self.open(which)
            if st.HasField("elem_type"):
                self.type_("elem_type", st.elem_type)
            self.close()
        elif which == "map_type":
            self.open("map_type")
            self.int_("key_type", t.map_type.key_type)
            if t.map_type.HasField("value_type"):
                self.type_("value_type", t.map_type.value_type)
            self.close()
        self.close()

    def value_info(self, label, v):
        self.open(label)
        self.str_("name", v.name)
        self.str_("doc_string", v.doc_string)
        if v.HasField("type"):
            self.type_("type", v.type)
        self.close()

    def attribute(self, a):
        self.open("attribute")
        self.str_("name", a.name)
        self.str_("ref_attr_name", a.ref_attr_name)
        self.str_("doc_string", a.doc_string)
        self.int_("type", a.type)
        self.line("f", fmt_float(a.f))
        self.int_("i", a.i)
        self.str_("s", a.s)
        if a.HasField("t"):
            self.tensor("t", a.t)
        if a.HasField("g"):
            self.open("g")
            self.graph(a.g)
            self.close()
        if a.HasField("sparse_tensor"):
            self.sparse("sparse_tensor", a.sparse_tensor)
        if a.HasField("tp"):
            self.type_("tp", a.tp)
        if len(a.floats):
            self.line("floats", fmt_list(a.floats, fmt_float))
        if len(a.ints):
            self.line("ints", fmt_list(a.ints))
        for s in a.strings:
            self.line("strings", quote(s))
        for t in a.tensors:
            self.tensor("tensors", t)
        for g in a.graphs:
            self.open("graphs")
            self.graph(g)
            self.close()
        for s in a.sparse_tensors:
            self.sparse("sparse_tensors", s)
        for t in a.type_protos:
            self.type_("type_protos", t)
        self.close()

    def node(self, n):
        self.open("node")
        self.str_("name", n.name)
        self.str_("op_type", n.op_type)
        self.str_("domain", n.domain)
        self.str_("doc_string", n.doc_string)
        for s in n.input:
            self.line("input", quote(s))
        for s in n.output:
            self.line("output", quote(s))
        for a in n.attribute:
            self.attribute(a)
        self.close()

    def graph(self, g):
        self.str_("name", g.name)
        self.str_("doc_string", g.doc_string)
        for v in g.input:
            self.value_info("input", v)
        for v in g.output:
            self.value_info("output", v)
        for v in g.value_info:
            self.value_info("value_info", v)
        for t in g.initializer:
            self.tensor("initializer", t)
        for s in g.sparse_initializer:
            self.sparse("sparse_initializer", s)
        for a in g.quantization_annotation:
            self.open("quantization_annotation")
            self.str_("tensor_name", a.tensor_name)
            for e in a.quant_parameter_tensor_names:
                self.entry("quant_parameter_tensor_names", e)
            self.close()
        for n in g.node:
            self.node(n)

    def function(self, f):
        self.str_("name", f.name)
        self.str_("domain", f.domain)
        self.str_("doc_string", f.doc_string)
        for s in f.input:
            self.line("input", quote(s))
        for s in f.output:
            self.line("output", quote(s))
        for s in f.attribute:
            self.line("attribute", quote(s))
        for o in f.opset_import:
            self.opset(o)
        for n in f.node:
            self.node(n)


def dump_model(path):
    model = onnx.load(path, load_external_data=False)
    d = Dumper(os.path.dirname(path))
    d.model(model)
    return d.out


def io_kind(model, pb_path):
    """The graph input/output type a test .pb file holds: 'tensor_type', 'sequence_type', ..."""
    m = re.match(r"(input|output)_(\d+)\.pb$", os.path.basename(pb_path))
    values = model.graph.input if m.group(1) == "input" else model.graph.output
    index = int(m.group(2))
    if index >= len(values) or not values[index].HasField("type"):
        return "tensor_type"
    return values[index].type.WhichOneof("value") or "tensor_type"


def dump_tensor_file(pb_path, model):
    kind = io_kind(model, pb_path)
    if kind != "tensor_type":
        return ["skip: " + kind]
    t = TensorProto()
    with open(pb_path, "rb") as f:
        t.ParseFromString(f.read())
    out = ["name: " + quote(t.name), "data_type: %d" % t.data_type, "dims: " + fmt_list(t.dims)]
    if t.data_type not in SUPPORTED:
        out.append("value: unsupported")
    else:
        try:
            out.append("value: " + summary(value_bytes(t, os.path.dirname(pb_path))))
        except Exception:  # noqa: BLE001
            out.append("value: invalid")
    return out


def find(paths, want):
    for p in paths:
        if os.path.isfile(p):
            yield p
            continue
        found = []
        for root, dirs, files in os.walk(p):
            dirs.sort()
            found.extend(os.path.join(root, f) for f in files if want(root, f))
        yield from sorted(found)


def is_test_pb(root, name):
    return re.match(r"(input|output)_\d+\.pb$", name) and os.path.basename(root).startswith("test_data_set_")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tensors", action="store_true", help="summarise test_data_set_*/*.pb files")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    out = sys.stdout
    models = {}
    if args.tensors:
        for pb in find(args.paths, is_test_pb):
            out.write("=== %s\n" % pb)
            case_dir = os.path.dirname(os.path.dirname(pb))
            try:
                if case_dir not in models:
                    model_path = os.path.join(case_dir, "model.onnx")
                    models[case_dir] = onnx.load(model_path, load_external_data=False)
                lines = dump_tensor_file(pb, models[case_dir])
            except Exception as e:  # noqa: BLE001
                print("%s: %s" % (pb, e), file=sys.stderr)
                lines = ["error"]
            out.write("".join(line + "\n" for line in lines))
        return
    for path in find(args.paths, lambda root, f: f.endswith(".onnx")):
        out.write("=== %s\n" % path)
        try:
            lines = dump_model(path)
        except Exception as e:  # noqa: BLE001
            print("%s: %s" % (path, e), file=sys.stderr)
            lines = ["error"]
        out.write("".join(line + "\n" for line in lines))


if __name__ == "__main__":
    main()
