#!/usr/bin/python3
"""Writes a 1-D temporal convolutional network (TCN; seeded random weights, NOT trained) as ONNX.

Input N x C_in x L. One residual block per dilation d (default 1, 2, 4, 8): two causal Conv1d layers
(kernel k, dilation d, pads [(k-1)*d, 0]: all padding at the start, begin != end, so output t sees only
inputs <= t), each followed by Relu; the block input is added back (through a 1x1 Conv where the channel
count changes, i.e. in the first block), then Relu. A final 1x1 Conv maps to the output channels. Opset 13.

    /usr/bin/python3 tools/models/make_tcn1d.py OUT.onnx [--tiny] [--seed 1] [--batch 1] [--length L]
        [--in-channels 4] [--channels C] [--out-channels 5] [--kernel 3] [--dilations 1,2,4,8]

Defaults (for benchmarks): input 1x4x16384, 128 hidden channels, kernel 3, dilations 1,2,4,8, 5 outputs.
--tiny (for tests): input 1x4x64, 16 hidden channels (receptive field 61 < 64, so every dilation reaches
real samples). --length and --channels override either.
"""
import argparse

import onnx

from graph_builder import GraphBuilder


def build(seed, batch, length, cin, channels, cout, kernel, dilations):
    b = GraphBuilder(seed)
    x, c = "sequence", cin
    for d in dilations:
        causal = [(kernel - 1) * d, 0]
        y = b.relu(b.conv(x, c, channels, (kernel,), 1, pads=causal, dilation=d, prefix=f"causal_d{d}"))
        y = b.relu(b.conv(y, channels, channels, (kernel,), 1, pads=causal, dilation=d, prefix=f"causal_d{d}"))
        shortcut = x if c == channels else b.conv(x, c, channels, (1,), 1, prefix="shortcut")
        x = b.relu(b.add(y, shortcut, "residual"))
        c = channels
    x = b.rename_output(b.conv(x, c, cout, (1,), 1, prefix="head"), "prediction")
    return b.model(f"tcn1d_l{length}", [("sequence", [batch, cin, length])], [x], 13, "webconv tools/models/make_tcn1d.py",
                   f"1-D TCN, dilations {list(dilations)}, kernel {kernel}, {channels} channels, input "
                   f"{batch}x{cin}x{length}, seed {seed}: random weights, not trained")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--tiny", action="store_true", help="the small test configuration")
    p.add_argument("--length", type=int)
    p.add_argument("--in-channels", type=int, default=4)
    p.add_argument("--channels", type=int)
    p.add_argument("--out-channels", type=int, default=5)
    p.add_argument("--kernel", type=int, default=3)
    p.add_argument("--dilations", default="1,2,4,8")
    a = p.parse_args()
    dilations = [int(s) for s in a.dilations.split(",")]
    a.length = a.length or (64 if a.tiny else 16384)
    a.channels = a.channels or (16 if a.tiny else 128)
    if not dilations or min(dilations) < 1 or a.kernel < 1 or a.length < 1:
        p.error("--dilations, --kernel and --length must be positive")
    model = build(a.seed, a.batch, a.length, a.in_channels, a.channels, a.out_channels, a.kernel, dilations)
    onnx.save(model, a.out)
    print(f"wrote {a.out} ({model.doc_string})")


if __name__ == "__main__":
    main()
