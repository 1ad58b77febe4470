#!/usr/bin/env python3
"""Per-node GPU times of one model under several environment settings (tile, split or f16 knobs), in the
same run: each setting runs `webconv bench MODEL --per-kernel` REPS times in turn, and each node's
minimum over the repetitions is printed, one column per setting. Minimums, because a software adapter's
times move by tens of percent between processes.

  python3 bench/node_sweep.py --webconv build/webconv --model M.onnx --shape frames=1,3,2,8,8 \\
      --variants 'none,WEBCONV_CONV_TILE=t8x64k8_r8x8,WEBCONV_CONV_SPLITS=2' --nodes 'conv_(98|121)$'

A variant is NAME=VALUE or `none` (no knob set).
"""
import argparse
import collections
import os
import re
import subprocess

LINE = re.compile(r"^\s+([\d.]+) ms\s+[\d.]+%\s+(?:[\d.]+ GFLOP/s)?\s+(\S+)\s+\[(\S+)\]", re.M)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--webconv", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--shape", help="passed to webconv as --shape")
    p.add_argument("--variants", required=True, help="comma-separated NAME=VALUE settings, or none")
    p.add_argument("--nodes", default=".", help="only nodes whose name matches (re.search)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--reps", type=int, default=2)
    a = p.parse_args()
    variants = [v for v in a.variants.split(",") if v]
    times = collections.defaultdict(list)  # (node, variant) -> ms
    order = []
    for _ in range(a.reps):
        for v in variants:
            env = dict(os.environ)
            for knob in ("WEBCONV_CONV_TILE", "WEBCONV_CONV_SPLITS", "WEBCONV_CONV_F16"):
                env.pop(knob, None)
            if v != "none":
                name, value = v.split("=", 1)
                env[name] = value
            cmd = [a.webconv, "bench", a.model, "--runs", str(a.runs), "--warmup", "1", "--per-kernel"]
            if a.shape:
                cmd += ["--shape", a.shape]
            out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
            for m in LINE.finditer(out):
                node = m.group(2)
                if node not in order:
                    order.append(node)
                times[(node, v)].append(float(m.group(1)))
    print("%-12s " % "node" + " ".join("%22s" % v[-22:] for v in variants))
    total = collections.Counter()
    for node in order:
        for v in variants:
            total[v] += min(times.get((node, v), [0.0]))
        if re.search(a.nodes, node):
            print("%-12s " % node + " ".join("%22.3f" % min(times.get((node, v), [float("nan")])) for v in variants))
    print("%-12s " % "all nodes" + " ".join("%22.1f" % total[v] for v in variants))


if __name__ == "__main__":
    main()
