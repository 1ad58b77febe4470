#!/usr/bin/python3
"""Writes a DBNet-style text detector (seeded random weights, NOT trained) as ONNX.

Backbone: MobileNetV3-small (make_mobilenetv3.backbone: bneck blocks with squeeze-excite, HardSwish), its
maps at strides 4, 8, 16 and 32 feeding an FPN neck as in PaddleOCR's DBFPN: 1x1 lateral Convs to a common
width; a top-down path of nearest Resize (scales 2, the asymmetric/floor form torch exports for
F.interpolate) and Add; 3x3 smoothing Convs to a quarter of that width; Resize of each level to stride 4
(scales 8, 4, 2) and a Concat. Head: 3x3 Conv, BatchNormalization, Relu; 2x2 stride-2 ConvTranspose,
BatchNormalization, Relu; 2x2 stride-2 ConvTranspose to 1 channel; Sigmoid: the text probability map "prob"
at the input resolution. Opset 14.

    /usr/bin/python3 tools/models/make_dbnet.py OUT.onnx [--tiny] [--seed 1] [--batch 1] [--height H]
        [--width W] [--width-mult M] [--fpn C] [--features]

Defaults (for benchmarks): 1x3x960x960, backbone width x1.0, FPN width 256 (PaddleOCR's det_mv3_db).
--tiny (for tests): 64x64, backbone width x0.25, FPN width 32. Height and width must be multiples of 32.
--features adds the FPN's concatenated stride-4 map as a second output "features".
"""
import argparse

import numpy as np
import onnx

from graph_builder import GraphBuilder
from make_mobilenetv3 import OPSET, Blocks, backbone


def upsample(b, x, scale):
    """Nearest Resize by an integer factor on H and W (roi left out, scales as a constant input)."""
    scales = b.const(np.array([1, 1, scale, scale], np.float32), "up_scales")
    return b.node("Resize", [x, "", scales], f"up{scale}", mode="nearest",
                  coordinate_transformation_mode="asymmetric", nearest_mode="floor")


def build(seed, batch, height, width, width_mult, fpn, features_output):
    b = GraphBuilder(seed)
    blocks = Blocks(b)
    _, _, _, levels = backbone(blocks, "x", width_mult)
    lateral = [b.conv(x, c, fpn, 1, bias=False, prefix=f"lateral{4 << i}") for i, (x, c) in enumerate(levels)]
    merged = [lateral[3]]  # top-down: stride 32 first
    for lat in reversed(lateral[:3]):
        merged.insert(0, b.add(lat, upsample(b, merged[0], 2), "topdown"))
    smooth = [b.conv(x, fpn, fpn // 4, 3, pads=[1] * 4, bias=False, prefix=f"smooth{4 << i}")
              for i, x in enumerate(merged)]
    ups = [smooth[0]] + [upsample(b, x, 1 << i) for i, x in enumerate(smooth) if i > 0]
    fused = b.node("Concat", list(reversed(ups)), "fpn_concat", axis=1)
    inner = fpn // 4
    y = b.relu(b.batchnorm(b.conv(fused, fpn, inner, 3, pads=[1] * 4, bias=False, prefix="head_conv"), inner))
    y = b.relu(b.batchnorm(b.conv_transpose(y, inner, inner, (2, 2), (2, 2), prefix="head_up1"), inner))
    y = b.conv_transpose(y, inner, 1, (2, 2), (2, 2), prefix="head_up2")
    prob = b.rename_output(b.node("Sigmoid", [y], "prob_sigmoid"), "prob")
    outputs = [prob, b.rename_output(fused, "features")] if features_output else [prob]
    return b.model(f"dbnet_{height}x{width}", [("x", [batch, 3, height, width])], outputs, OPSET,
                   "webconv tools/models/make_dbnet.py",
                   f"DBNet-style, MobileNetV3-small x{width_mult} backbone, FPN {fpn}, input {batch}x3x{height}x"
                   f"{width}, seed {seed}: random weights, not trained")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--tiny", action="store_true", help="the small test configuration (64x64, narrow)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--height", type=int)
    p.add_argument("--width", type=int)
    p.add_argument("--width-mult", type=float, help="backbone channel multiplier (default 1.0, --tiny 0.25)")
    p.add_argument("--fpn", type=int, help="FPN width, a multiple of 4 (default 256, --tiny 32)")
    p.add_argument("--features", action="store_true", help="also output the FPN's concatenated map")
    a = p.parse_args()
    cfg = dict(height=64, width=64, width_mult=0.25, fpn=32) if a.tiny else \
        dict(height=960, width=960, width_mult=1.0, fpn=256)
    cfg.update({k: v for k, v in (("height", a.height), ("width", a.width), ("width_mult", a.width_mult),
                                  ("fpn", a.fpn)) if v is not None})
    if min(cfg["height"], cfg["width"], a.batch) < 1 or cfg["height"] % 32 or cfg["width"] % 32:
        p.error("--height and --width must be positive multiples of 32, --batch positive")
    if cfg["fpn"] < 4 or cfg["fpn"] % 4 or cfg["width_mult"] <= 0:
        p.error("--fpn must be a positive multiple of 4, --width-mult positive")
    model = build(a.seed, a.batch, cfg["height"], cfg["width"], cfg["width_mult"], cfg["fpn"], a.features)
    onnx.save(model, a.out)
    print(f"wrote {a.out} ({model.doc_string})")


if __name__ == "__main__":
    main()
