"""Strips large float initializers out of an ONNX file and fills them back with seeded random data.

The benchmark models (ResNet-50 layers, whole networks) hold far more weight bytes than the device
machine's carry allows, and that machine may lack the `onnx` Python package. So `suite.py --prepare`
writes each model with its large float32 initializers emptied (dims and everything else kept), and the
device fills them before timing. The filled file is what both webconv and ONNX Runtime load, so the
two always see identical models. Pure standard library (numpy is used when present, for speed):
the protobuf wire format is walked directly (ModelProto.graph = 7, GraphProto.initializer = 5,
TensorProto.dims = 1, data_type = 2, float_data = 4, raw_data = 9).
"""
import array
import math
import random
import sys

FLOAT = 1
STRIP_BYTES = 16384  # initializers up to this size stay in the file (BatchNorm vectors, biases, shapes)


def _varint(buf, i):
    v, shift = 0, 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        if b < 0x80:
            return v, i
        shift += 7


def _put_varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _fields(buf):
    """(field number, wire type, value or payload bytes, raw field bytes) for each field of a message."""
    i = 0
    while i < len(buf):
        start = i
        tag, i = _varint(buf, i)
        num, wt = tag >> 3, tag & 7
        if wt == 0:
            val, i = _varint(buf, i)
        elif wt == 1:
            val, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = _varint(buf, i)
            val, i = buf[i:i + n], i + n
        elif wt == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wt}")
        yield num, wt, val, buf[start:i]


def _len_field(num, payload):
    return _put_varint(num << 3 | 2) + _put_varint(len(payload)) + payload


def _tensor_info(t):
    dims, dtype, has_data = [], 0, False
    for num, wt, val, _ in _fields(t):
        if num == 1:
            if wt == 2:  # packed
                j = 0
                while j < len(val):
                    d, j = _varint(val, j)
                    dims.append(d)
            else:
                dims.append(val)
        elif num == 2:
            dtype = val
        elif num in (4, 9, 13):  # float_data, raw_data, external_data
            has_data = has_data or len(val) > 0
    return dims, dtype, has_data


def _random_floats(count, fan_in, rng_seed):
    scale = math.sqrt(2.0 / max(fan_in, 1))
    try:
        import numpy as np
        return (np.random.default_rng(rng_seed).standard_normal(count) * scale).astype("<f4").tobytes()
    except ImportError:
        r = random.Random(rng_seed)
        a = array.array("f", (r.gauss(0.0, scale) for _ in range(count)))
        if sys.byteorder != "little":
            a.byteswap()
        return a.tobytes()


def _rewrite_tensor(t, mode, index, seed):
    dims, dtype, has_data = _tensor_info(t)
    count = math.prod(dims) if dims else 1
    if dtype != FLOAT:
        return t
    if mode == "strip" and 4 * count > STRIP_BYTES:
        return b"".join(raw for num, _, _, raw in _fields(t) if num not in (4, 9))
    if mode == "fill" and not has_data and count > 0:
        fan_in = count // dims[0] if len(dims) > 1 and dims[0] else count
        return t + _len_field(9, _random_floats(count, fan_in, seed * 100003 + index))
    return t


def _rewrite(model_bytes, mode, seed):
    out, index = bytearray(), 0
    for num, wt, val, raw in _fields(model_bytes):
        if num != 7 or wt != 2:
            out += raw
            continue
        graph = bytearray()
        for gnum, gwt, gval, graw in _fields(val):
            if gnum == 5 and gwt == 2:
                graph += _len_field(5, _rewrite_tensor(gval, mode, index, seed))
                index += 1
            else:
                graph += graw
        out += _len_field(7, bytes(graph))
    return bytes(out)


def strip(src, dst):
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as f:
        f.write(_rewrite(data, "strip", 0))


def fill(src, dst, seed=1234):
    """Gives every data-less float initializer seeded N(0, 2/fan_in) values; the rest is copied as is."""
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as f:
        f.write(_rewrite(data, "fill", seed))


def empty_initializers(path):
    """How many float initializers of the file have no data (non-zero for a stripped file)."""
    with open(path, "rb") as f:
        data = f.read()
    n = 0
    for num, wt, val, _ in _fields(data):
        if num == 7 and wt == 2:
            for gnum, gwt, gval, _ in _fields(val):
                if gnum == 5 and gwt == 2:
                    dims, dtype, has_data = _tensor_info(gval)
                    n += dtype == FLOAT and not has_data and (math.prod(dims) if dims else 1) > 0
    return n
