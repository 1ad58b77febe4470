"""The benchmark's ONNX models: one single-Conv model per layer row, and whole networks from the
builders in tools/models/. Needs the `onnx` and `numpy` Python packages (Debian's python3-onnx),
so it runs where models are generated (`suite.py --prepare`, or a plain run), never on the device.
"""
import os
import subprocess
import sys

import conv_shapes

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TOOLS = os.path.join(ROOT, "tools", "models")
# Whole-network builders run as `make_X.py OUT.onnx` (their defaults give the benchmark shapes).
BUILDERS = ("resnet", "mobilenetv2", "mobilenetv3", "dbnet", "unet3d", "tcn1d")


def conv_model(s, seed):
    """One Conv with seeded random weights; input 'x' [1, cin, *in_spatial], output 'y'."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(seed)
    wshape = [s["cout"], s["cin"] // s["group"]] + s["kernel"]
    fan_in = int(np.prod(wshape[1:]))
    inits = [numpy_helper.from_array((rng.standard_normal(wshape) * np.sqrt(2.0 / fan_in)).astype(np.float32), "w")]
    ins = ["x", "w"]
    if s["bias"]:
        inits.append(numpy_helper.from_array((0.1 * rng.standard_normal(s["cout"])).astype(np.float32), "b"))
        ins.append("b")
    node = helper.make_node("Conv", ins, ["y"], name="conv", kernel_shape=s["kernel"], strides=s["stride"],
                            dilations=s["dilation"], pads=s["pads"], group=s["group"])
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, s["cin"]] + s["in_spatial"])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, s["cout"]] + conv_shapes.out_spatial(s))
    graph = helper.make_graph([node], s["name"].replace(".", "_"), [x], [y], inits)
    m = helper.make_model(graph, producer_name="webconv bench/models.py", opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def _static_input(m, fixed):
    """(name, dims) of the model's single input, symbolic dims taken from `fixed` or set to 1."""
    inp = [i for i in m.graph.input if i.name not in {t.name for t in m.graph.initializer}]
    if len(inp) != 1:
        raise ValueError(f"expected one input, found {len(inp)}")
    dims = []
    for k, d in enumerate(inp[0].type.tensor_type.shape.dim):
        dims.append(d.dim_value if d.HasField("dim_value") else fixed.get(k, 1))
    return inp[0].name, dims


def bytes_moved(m, name, dims):
    """float32 bytes of the input, every initializer and every output, each once."""
    import numpy as np
    from onnx import helper, shape_inference
    total = 4 * int(np.prod(dims)) + sum(4 * int(np.prod(t.dims)) for t in m.graph.initializer)
    c = type(m)()
    c.CopyFrom(m)
    for i in c.graph.input:
        if i.name == name:
            i.type.CopyFrom(helper.make_tensor_type_proto(i.type.tensor_type.elem_type, dims))
    try:
        inferred = shape_inference.infer_shapes(c).graph.output
    except Exception:  # noqa: BLE001 (shape inference may refuse a model: count what is known)
        inferred = c.graph.output
    for o in inferred:
        od = [d.dim_value for d in o.type.tensor_type.shape.dim]
        if od and all(od):
            total += 4 * int(np.prod(od))
    return total


def whole_models(out_dir, quick):
    """(rows, notes): the TransNetV2 backbone at T=16 and T=100, then every builder present."""
    import onnx
    sys.path.insert(0, TOOLS)
    import make_transnetv2
    rows, notes = [], []
    if quick:
        return quick_models(out_dir, make_transnetv2), notes
    path = os.path.join(out_dir, "transnetv2_backbone.onnx")
    m = make_transnetv2.build(100, "torch", True, 2020, dynamic=True)
    onnx.save(m, path)
    for t in (16, 100):
        dims = [1, 3, t, 27, 48]
        rows.append({"name": f"model.transnetv2_backbone_T{t}", "group": "model", "kind": "model",
                     "model": os.path.basename(path), "shape": "frames=" + ",".join(map(str, dims)),
                     "bytes": bytes_moved(m, "frames", dims), "torch": {"net": "transnetv2_backbone", "frames": t}})
    for b in BUILDERS:
        script = os.path.join(TOOLS, f"make_{b}.py")
        if not os.path.exists(script):
            notes.append(f"model.{b}: skipped, tools/models/make_{b}.py is not present")
            continue
        path = os.path.join(out_dir, f"{b}.onnx")
        r = subprocess.run([sys.executable, script, path], capture_output=True, text=True)
        if r.returncode != 0 or not os.path.exists(path):
            last = (r.stderr.strip().splitlines() or ["no message"])[-1]
            notes.append(f"model.{b}: skipped, make_{b}.py failed: {last}")
            continue
        m = onnx.load(path)
        try:
            name, dims = _static_input(m, {})
        except ValueError as e:
            notes.append(f"model.{b}: skipped, {e}")
            continue
        rows.append({"name": f"model.{b}", "group": "model", "kind": "model", "model": os.path.basename(path),
                     "shape": f"{name}=" + ",".join(map(str, dims)), "bytes": bytes_moved(m, name, dims)})
    return rows, notes


# Whole models small enough for a CPU Vulkan (SwiftShader) in CI: the builders' --tiny presets and the
# TransNetV2 backbone at 2 frames of 8x8 (its three 1x2x2 AveragePools leave 1x1). make_dbnet.py --tiny is
# left out: planning its 91 kernels takes SwiftShader 15-20 s of wall.
QUICK_TRANSNET = [1, 3, 2, 8, 8]


def quick_models(out_dir, make_transnetv2):
    import onnx
    rows = []
    path = os.path.join(out_dir, "transnetv2_backbone_quick.onnx")
    m = make_transnetv2.build(QUICK_TRANSNET[2], "torch", True, 2020, dynamic=True, height=QUICK_TRANSNET[3],
                              width=QUICK_TRANSNET[4])
    onnx.save(m, path)
    rows.append({"name": "quick.model.transnetv2_backbone_T2_8x8", "group": "model", "kind": "model",
                 "model": os.path.basename(path), "shape": "frames=" + ",".join(map(str, QUICK_TRANSNET)),
                 "bytes": bytes_moved(m, "frames", QUICK_TRANSNET)})
    for b in ("resnet", "mobilenetv2", "mobilenetv3"):
        path = os.path.join(out_dir, f"{b}_tiny.onnx")
        subprocess.run([sys.executable, os.path.join(TOOLS, f"make_{b}.py"), path, "--tiny"], check=True,
                       capture_output=True)
        m = onnx.load(path)
        name, dims = _static_input(m, {})
        rows.append({"name": f"quick.model.{b}_tiny", "group": "model", "kind": "model",
                     "model": os.path.basename(path), "shape": f"{name}=" + ",".join(map(str, dims)),
                     "bytes": bytes_moved(m, name, dims)})
    return rows


def layer_rows(out_dir, quick, seed=7):
    import onnx
    specs = conv_shapes.quick() if quick else conv_shapes.all_layers()
    rows = []
    for k, s in enumerate(specs):
        fname = s["name"].replace("@", "_at_") + ".onnx"
        onnx.save(conv_model(s, seed + k), os.path.join(out_dir, fname))
        rows.append({"name": s["name"], "group": f"layer:{s['net']}", "kind": "depthwise" if s["depthwise"] else "conv",
                     "model": fname, "shape": None, "flops": conv_shapes.flops(s),
                     "bytes": conv_shapes.bytes_moved(s), "spec": s})
    return rows
