#!/usr/bin/python3
"""The training and evaluation tools of tools/train/: the F1 matching against the worked examples that
TransNetV2's evaluate_scenes documents, the synthetic generator's determinism and labels, and the
histogram baseline finding a generated video's hard cuts.

    train_tools_test.py WORKDIR
"""
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools/train"))
import evaluate  # noqa: E402
import hist_baseline  # noqa: E402
import synth  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def hit(gt_scenes, pred_scenes):
    hits, fp = evaluate.match(evaluate.to_transitions(gt_scenes), evaluate.to_transitions(pred_scenes))
    return bool(hits.all()) and fp == 0


def main():
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    # evaluate_scenes' own examples at a tolerance of 2 frames: predicted [[0,5],[6,9]].
    pred = [[0, 5], [6, 9]]
    check(hit([[0, 5], [6, 9]], pred), "tolerance 2: the same boundary is a hit")
    check(hit([[0, 4], [5, 9]], pred), "tolerance 2: one frame early is a hit")
    check(hit([[0, 3], [4, 9]], pred), "tolerance 2: two frames early is a hit")
    check(not hit([[0, 2], [3, 9]], pred), "tolerance 2: three frames early is a miss")
    s = evaluate.score([({"frames": 10, "transitions": [{"kind": "cut", "first": 5, "last": 5}]}, [[0, 9]])])
    check(s["cut"]["fn"] == 1 and s["cut"]["f1"] == 0, "a missed cut is a false negative")
    truth = {"frames": 40, "transitions": [{"kind": "cut", "first": 9, "last": 9},
                                           {"kind": "dissolve", "first": 20, "last": 25}]}
    s = evaluate.score([(truth, [[0, 9], [10, 22], [23, 39]])])
    check(s["cut"]["tp"] == 1 and s["gradual"]["tp"] == 1 and s["all"]["fp"] == 0,
          "a prediction inside a dissolve hits it")

    # The generator: seeded, labelled as documented.
    rng_bank = np.random.default_rng(0)
    bank = (rng_bank.random((3, 216, 384, 3)) * 255).astype(np.uint8)
    a = synth.make_sequence(np.random.default_rng(5), bank, 600, 48, 27)
    b = synth.make_sequence(np.random.default_rng(5), bank, 600, 48, 27)
    check(np.array_equal(a[0], b[0]) and a[3] == b[3], "the same seed gives the same frames and truth")
    frames, one_hot, many_hot, tr = a
    check(frames.shape == (600, 27, 48, 3) and frames.dtype == np.uint8, "frames are uint8 [n, 27, 48, 3]")
    ok = all(one_hot[t["last"]] == 1 if t["kind"] == "cut" else
             (one_hot[(t["first"] + t["last"]) // 2] == 1 and many_hot[t["first"]:t["last"] + 1].all()) for t in tr)
    check(ok and one_hot.sum() == len(tr), f"labels mark the {len(tr)} transitions, one single-frame label each")

    # The baseline on a generated video with hard cuts only.
    video = os.path.join(work, "cuts.mp4")
    subprocess.run([sys.executable, os.path.join(ROOT, "tools/video/make_video.py"), video, "--frames", "120",
                    "--shots", "4", "--fades", "0", "--contrast", "--seed", "3"], check=True, capture_output=True)
    truth = json.load(open(video + ".truth.json"))
    found = hist_baseline.detect(video, min_scene=10)  # one shot of this video is 14 frames long
    starts = [s[0] for s in found["scenes"][1:]]
    cuts = [t["frame"] for t in truth["transitions"]]
    check(found["frames"] == 120 and starts == cuts, f"baseline: scenes start at {starts}, cuts at {cuts}")

    print(f"{len(failures)} failed" if failures else "all passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
