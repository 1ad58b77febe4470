#!/usr/bin/python3
"""Shot-detection F1 on videos with known transitions (tools/train/synth.py writes them), for webconv's
TransNetV2 and the histogram baseline side by side.

Matching is TransNetV2's evaluate_scenes (training/metrics_utils.py of soCzech/TransNetV2, after
gyglim/shot-detection-evaluation): scenes become transitions (the gap between consecutive scenes), each
widened by the tolerance (2 frames, as the paper), and a predicted transition that overlaps a true one
is a hit. Per kind: recall is over the true transitions of that kind (cut, or gradual: dissolve, fade,
wipe); a prediction that hits a true transition counts for that transition's kind; a prediction that
hits none is a false positive for both, so precision per kind is hits of the kind / (hits of the kind +
all false positives).

    /usr/bin/python3 tools/train/evaluate.py VIDEO... [--webconv build/webconv --model M.onnx] [--baseline]
        [--backend webgpu|cpu] [--threshold 0.5] [--json OUT]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hist_baseline  # noqa: E402

TOLERANCE = 2


def truth_scenes(truth):
    """The true scenes as predictions_to_scenes forms them from the labels: a scene ends on the first
    transition frame (for a cut, the last frame of the old shot) and the next starts after the last."""
    scenes, start = [], 0
    for t in truth["transitions"]:
        scenes.append([start, t["first"]])
        start = t["last"] + 1
    scenes.append([start, truth["frames"] - 1])
    return np.array(scenes, np.float32)


def to_transitions(scenes):
    s = np.asarray(scenes, np.float32) + np.array([[-0.5 + TOLERANCE / 2, 0.5 - TOLERANCE / 2]])
    return np.stack([s[:-1, 1], s[1:, 0]], 1)


def match(gt_trans, pred_trans):
    """(hit flags per true transition, number of unmatched predictions): the two-pointer walk of
    evaluate_scenes."""
    hits = np.zeros(len(gt_trans), bool)
    i = j = fp = 0
    while i < len(gt_trans) or j < len(pred_trans):
        if j == len(pred_trans):
            i += 1
        elif i == len(gt_trans):
            fp += 1
            j += 1
        elif pred_trans[j, 1] < gt_trans[i, 0]:
            fp += 1
            j += 1
        elif pred_trans[j, 0] > gt_trans[i, 1]:
            i += 1
        else:
            hits[i] = True
            i += 1
            j += 1
    return hits, fp


def f1(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def score(results):
    """results: [(truth, predicted scenes)] -> {kind: {f1, precision, recall, tp, fp, fn}}."""
    acc = {k: [0, 0, 0] for k in ("all", "cut", "gradual")}
    for truth, scenes in results:
        gt = to_transitions(truth_scenes(truth))
        pred = to_transitions(scenes) if len(scenes) > 1 else np.zeros((0, 2), np.float32)
        hits, fp = match(gt, pred)
        kinds = ["cut" if t["kind"] == "cut" else "gradual" for t in truth["transitions"]]
        for k in ("all", "cut", "gradual"):
            sel = [kk == k or k == "all" for kk in kinds]
            acc[k][0] += int(hits[sel].sum()) if len(sel) else 0
            acc[k][1] += fp
            acc[k][2] += int((~hits[sel]).sum()) if len(sel) else 0
    out = {}
    for k, (tp, fp, fn) in acc.items():
        v, p, r = f1(tp, fp, fn)
        out[k] = {"f1": v, "precision": p, "recall": r, "tp": tp, "fp": fp, "fn": fn}
    return out


def webconv_scenes(webconv, model, video, backend, threshold):
    cmd = [webconv, "shots", video, "--json", "--backend", backend, "--threshold", str(threshold)]
    if model:
        cmd += ["--model", model]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(r.stdout)["scenes"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("videos", nargs="+")
    p.add_argument("--webconv")
    p.add_argument("--model")
    p.add_argument("--backend", default="webgpu")
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--baseline", action="store_true")
    p.add_argument("--json")
    a = p.parse_args()
    detectors = {}
    if a.webconv:
        detectors["webconv TransNetV2"] = lambda v: webconv_scenes(a.webconv, a.model, v, a.backend, a.threshold)
    if a.baseline:
        detectors["HSV histogram baseline"] = lambda v: hist_baseline.detect(v)["scenes"]
    report = {}
    for name, detect in detectors.items():
        results = [(json.load(open(v + ".truth.json")), detect(v)) for v in a.videos]
        report[name] = score(results)
    n_true = {k: sum((t["kind"] == "cut") == (k == "cut") for v in a.videos
                     for t in json.load(open(v + ".truth.json"))["transitions"]) for k in ("cut", "gradual")}
    print(f"{len(a.videos)} videos, {n_true['cut']} hard cuts, {n_true['gradual']} gradual transitions; "
          f"tolerance {TOLERANCE} frames")
    print(f"{'detector':26} {'kind':8} {'F1':>6} {'P':>6} {'R':>6} {'TP':>5} {'FP':>5} {'FN':>5}")
    for name, s in report.items():
        for k in ("cut", "gradual", "all"):
            v = s[k]
            print(f"{name:26} {k:8} {v['f1']:6.3f} {v['precision']:6.3f} {v['recall']:6.3f} "
                  f"{v['tp']:5d} {v['fp']:5d} {v['fn']:5d}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
