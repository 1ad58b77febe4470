"""The per-layer benchmark rows: every distinct Conv shape of three networks.

  TransNetV2 backbone at T=100 (1x3x100x27x48): read off tools/models/make_transnetv2.py's graph by
      ONNX shape inference, so the rows follow the builder.
  ResNet-50 (torchvision v1.5 layout: stride in the 3x3, 1x1 stride-2 downsample), 224x224, batch 1.
  MobileNetV2 (width 1.0), 224x224, batch 1: its stem, depthwise and pointwise convolutions.

A spec is a dict: name, net, cin, cout, group, kernel, stride, dilation, pads (begin... end...),
in_spatial, bias; `depthwise` marks group == cin == cout.
"""
import os
import sys


def spec(name, net, cin, cout, kernel, in_spatial, stride=None, dilation=None, pads=None, group=1, bias=True):
    nd = len(kernel)
    stride = list(stride or [1] * nd)
    dilation = list(dilation or [1] * nd)
    if pads is None:  # "same"-style symmetric padding for odd kernels
        half = [dilation[i] * (kernel[i] - 1) // 2 for i in range(nd)]
        pads = half + half
    return {"name": name, "net": net, "cin": cin, "cout": cout, "group": group, "kernel": list(kernel),
            "stride": stride, "dilation": dilation, "pads": list(pads), "in_spatial": list(in_spatial),
            "bias": bias, "depthwise": group > 1 and group == cin == cout}


def out_spatial(s):
    nd = len(s["kernel"])
    return [(s["in_spatial"][i] + s["pads"][i] + s["pads"][nd + i] - s["dilation"][i] * (s["kernel"][i] - 1) - 1)
            // s["stride"][i] + 1 for i in range(nd)]


def prod(v):
    p = 1
    for x in v:
        p *= x
    return p


def flops(s):
    """2 x multiply-adds (bias adds not counted), batch 1."""
    return 2 * s["cout"] * prod(out_spatial(s)) * (s["cin"] // s["group"]) * prod(s["kernel"])


def bytes_moved(s):
    """float32 input + weights (+ bias) + output, each once."""
    w = s["cout"] * (s["cin"] // s["group"]) * prod(s["kernel"]) + (s["cout"] if s["bias"] else 0)
    return 4 * (s["cin"] * prod(s["in_spatial"]) + w + s["cout"] * prod(out_spatial(s)))


def key(s):
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(s.items()) if k not in ("name",))


def dedupe(specs):
    seen, out = set(), []
    for s in specs:
        k = key(s)
        if k not in seen:
            seen.add(k)
            out.append(s)
    return out


def resnet50():
    r = [spec("resnet50.conv1_7x7s2_3to64", "resnet50", 3, 64, [7, 7], [224, 224], stride=[2, 2])]
    cin, size = 64, 56
    for stage, (width, blocks, stride) in enumerate(((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)), 1):
        out = 4 * width
        for b in range(blocks):
            s = stride if b == 0 else 1
            o = size // s
            p = f"resnet50.l{stage}"
            r.append(spec(f"{p}_1x1_{cin}to{width}@{size}", "resnet50", cin, width, [1, 1], [size, size]))
            r.append(spec(f"{p}_3x3s{s}_{width}@{size}", "resnet50", width, width, [3, 3], [size, size], stride=[s, s]))
            r.append(spec(f"{p}_1x1_{width}to{out}@{o}", "resnet50", width, out, [1, 1], [o, o]))
            if b == 0:
                r.append(spec(f"{p}_down1x1s{s}_{cin}to{out}@{size}", "resnet50", cin, out, [1, 1], [size, size],
                              stride=[s, s]))
            cin, size = out, o
    return dedupe(r)


def mobilenetv2():
    # The 3x3 stride-2 stem (3 -> 32), then the inverted residual blocks.
    r = [spec("mobilenetv2.conv1_3x3s2_3to32@224", "mobilenetv2", 3, 32, [3, 3], [224, 224], stride=[2, 2])]
    cin, size = 32, 112
    for t, c, n, s in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                       (6, 320, 1, 1)):
        for i in range(n):
            st = s if i == 0 else 1
            hidden = cin * t
            if t != 1:
                r.append(spec(f"mobilenetv2.pw_{cin}to{hidden}@{size}", "mobilenetv2", cin, hidden, [1, 1],
                              [size, size]))
            r.append(spec(f"mobilenetv2.dw3x3s{st}_{hidden}@{size}", "mobilenetv2", hidden, hidden, [3, 3],
                          [size, size], stride=[st, st], group=hidden))
            size //= st
            r.append(spec(f"mobilenetv2.pw_{hidden}to{c}@{size}", "mobilenetv2", hidden, c, [1, 1], [size, size]))
            cin = c
    r.append(spec(f"mobilenetv2.pw_{cin}to1280@{size}", "mobilenetv2", cin, 1280, [1, 1], [size, size]))
    return dedupe(r)


def transnetv2(frames=100):
    """Distinct Convs of the backbone graph, by ONNX shape inference on the builder's model."""
    import onnx
    from onnx import shape_inference
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "models"))
    import make_transnetv2
    m = shape_inference.infer_shapes(make_transnetv2.build(frames, "torch", True, 2020))
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(m.graph.input) + list(m.graph.value_info) + list(m.graph.output)}
    inits = {t.name: list(t.dims) for t in m.graph.initializer}
    r = []
    siblings = {}  # (input, window) -> specs of the Convs reading that input with that window
    for n in m.graph.node:
        if n.op_type != "Conv":
            continue
        a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
        w, x = inits[n.input[1]], shapes[n.input[0]]
        k = list(a.get("kernel_shape", w[2:]))
        s = spec("", "transnetv2", x[1], w[0], k, x[2:], stride=a.get("strides"), dilation=a.get("dilations"),
                 pads=a.get("pads"), group=a.get("group", 1), bias=len(n.input) > 2)
        kind = "spatial" if k[0] == 1 else f"temporal_d{s['dilation'][0]}"
        s["name"] = f"transnetv2.{kind}_{'x'.join(map(str, k))}_{s['cin']}to{s['cout']}@{'x'.join(map(str, x[2:]))}"
        r.append(s)
        if s["group"] == 1:
            window = (tuple(k), tuple(s["stride"]), tuple(s["dilation"]), tuple(s["pads"]))
            siblings.setdefault((n.input[0], window), []).append(s)
    # Convs reading the same input with the same window run as one wider Conv in webconv
    # (src/ir/rewrite_siblings.cc); those merged shapes are rows of their own.
    for group in siblings.values():
        if len(group) < 2:
            continue
        s = dict(group[0])
        s["cout"] = sum(g["cout"] for g in group)
        s["name"] = group[0]["name"].replace("transnetv2.", f"transnetv2.merged{len(group)}_", 1).replace(
            f"to{group[0]['cout']}@", f"to{s['cout']}@")
        r.append(s)
    return dedupe(r)


def quick():
    """Tiny rows for a smoke run on a CPU adapter: one of each kind."""
    return [
        spec("quick.spatial_1x3x3_3to32@4x9x16", "quick", 3, 32, [1, 3, 3], [4, 9, 16], pads=[0, 1, 1, 0, 1, 1],
             bias=False),
        spec("quick.temporal_d2_3x1x1_8to4@4x9x16", "quick", 8, 4, [3, 1, 1], [4, 9, 16], dilation=[2, 1, 1],
             pads=[2, 0, 0, 2, 0, 0], bias=False),
        spec("quick.dw3x3s1_16@12", "quick", 16, 16, [3, 3], [12, 12], group=16),
    ]


def all_layers():
    return transnetv2() + resnet50() + mobilenetv2()
