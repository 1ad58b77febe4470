#!/usr/bin/python3
"""Prints the demo's per-frame table: the synthetic clip's ground truth next to the transition
probabilities computed by webconv's run (WebGPU, or the fast CPU backend) and by the float64 reference,
then the max error between the two.

    demo_report.py RUN.npy REFERENCE.npy TRUTH.txt [--atol A] [--rtol R] [--label BACKEND]

Exits 1 when an element is outside |run - ref| <= atol + rtol * |ref| (the rule and default
tolerances of `webconv check`), so the demo fails loudly if the run disagrees with the reference.
"""
import argparse
import sys

import numpy as np


def read_truth(path, frames):
    labels = [""] * frames
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts and parts[0] == "cut":
                labels[int(parts[1])] = "hard cut (first frame of new scene)"
            elif parts and parts[0] == "fade":
                a, b = int(parts[1]), int(parts[2])
                for t in range(a, b + 1):
                    labels[t] = f"fade ({t - a + 1} of {b - a + 1})"
    return labels


def main():
    p = argparse.ArgumentParser()
    p.add_argument("webgpu", help="the output of the backend under test (.npy)")
    p.add_argument("reference")
    p.add_argument("truth")
    p.add_argument("--atol", type=float, default=1e-4)
    p.add_argument("--rtol", type=float, default=1e-3)
    p.add_argument("--label", default="webgpu", help="the backend under test, for the column title")
    a = p.parse_args()
    got = np.load(a.webgpu).astype(np.float64)
    ref = np.load(a.reference).astype(np.float64)
    if got.shape != ref.shape:
        sys.exit(f"error: {a.label} output {got.shape} and reference output {ref.shape} differ in shape")
    got, ref = got.reshape(-1), ref.reshape(-1)
    labels = read_truth(a.truth, len(ref))
    print(f"{'frame':>5}  {'ground truth':<36} {a.label:>10} {'float64':>10}  probability")
    for t, (g, r) in enumerate(zip(got, ref)):
        bar = "#" * int(round(g * 20))
        print(f"{t:>5}  {labels[t]:<36} {g:>10.6f} {r:>10.6f}  |{bar:<20}|")
    err = np.abs(got - ref)
    bad = int(np.count_nonzero(~(err <= a.atol + a.rtol * np.abs(ref))))
    nz = ref != 0
    max_rel = float(np.max(err[nz] / np.abs(ref[nz]))) if nz.any() else 0.0
    verdict = "within" if bad == 0 else f"OUTSIDE ({bad} of {len(ref)} elements)"
    print(f"max abs err vs float64 reference: {err.max():.3e} (max rel {max_rel:.3e}); {verdict} tolerance "
          f"(atol {a.atol:g}, rtol {a.rtol:g}, as webconv check)")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
