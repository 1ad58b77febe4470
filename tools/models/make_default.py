#!/usr/bin/python3
"""Writes models/default.onnx, the model scripts/demo.sh runs: the TransNetV2 architecture (shot-boundary
detection) in the torch export style, with seeded RANDOM weights, NOT trained; its probabilities mean
nothing. It is built by tools/models/make_transnetv2.py for a fixed number of frames T (the head's
weights depend on T). TransNetV2's canonical window is 100 frames; the demo uses fewer so that it
runs in well under two minutes on a 2-core machine with a CPU-emulated GPU (SwiftShader). The file is
about 30 MB, so it is generated (deterministically) rather than committed.

    /usr/bin/python3 tools/models/make_default.py [OUT] [--frames T]
"""
import argparse
import os
import sys

import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_transnetv2  # noqa: E402

DEFAULT_FRAMES = 8  # keep in step with README.md (NOTES.md says why it is this small)
SEED = 2020
STYLE = "torch"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out", nargs="?", default="models/default.onnx")
    p.add_argument("--frames", type=int, default=DEFAULT_FRAMES)
    a = p.parse_args()
    model = make_transnetv2.build(a.frames, STYLE, backbone_only=False, seed=SEED)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    onnx.save(model, a.out)
    print(f"wrote {a.out} (TransNetV2 architecture, {STYLE} style, T={a.frames}, seed {SEED}; "
          "random weights, not trained)")


if __name__ == "__main__":
    main()
