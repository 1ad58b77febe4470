#!/usr/bin/python3
"""Checks webconv's run of the trained TransNetV2 against PyTorch's outputs for the same clip: the check.npz
that tools/train/train.py writes (its frames, and the single-frame and all-frames logits PyTorch computed
with the float16-rounded weights). Prints the largest logit and probability differences and whether both
mark the same transition frames (probability above 0.5); exits 1 if the frames differ or a probability
differs by more than 1e-4.

    /usr/bin/python3 tools/train/check_export.py CHECK.npz --webconv build/webconv [--model models/transnetv2.onnx]
        [--backend cpu|webgpu]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("check")
    p.add_argument("--webconv", required=True)
    p.add_argument("--model", default=os.path.join(ROOT, "models/transnetv2.onnx"))
    p.add_argument("--backend", default="cpu")
    a = p.parse_args()
    d = np.load(a.check)
    with tempfile.TemporaryDirectory() as tmp:
        frames = os.path.join(tmp, "frames.npy")
        np.save(frames, d["frames"])
        subprocess.run([a.webconv, "run", a.model, "--input", f"frames={frames}", "--backend", a.backend,
                        "--output-dir", tmp], check=True, capture_output=True)
        got = {k: np.load(os.path.join(tmp, f"{k}.npy")) for k in ("single_frame", "many_hot")}
    sig = lambda x: 1 / (1 + np.exp(-x.astype(np.float64)))  # noqa: E731
    worst = 0.0
    for name, key in (("single_frame", "single"), ("many_hot", "many")):
        logit = float(np.abs(got[name] - d[key]).max())
        prob = float(np.abs(sig(got[name]) - sig(d[key])).max())
        worst = max(worst, prob)
        print(f"{name}: max |logit diff| {logit:.3g}, max |probability diff| {prob:.3g}")
    mine, theirs = (np.where(sig(x).ravel() > 0.5)[0].tolist() for x in (got["single_frame"], d["single"]))
    print(f"transition frames: webconv {mine}, PyTorch {theirs}")
    sys.exit(0 if mine == theirs and worst <= 1e-4 else 1)


if __name__ == "__main__":
    main()
