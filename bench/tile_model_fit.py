#!/usr/bin/env python3
"""Checks and refits the H100 tile model of src/ops/conv/conv_tiling.cc (ChooseConvTiling) against
measured per-layer tile times.

The model: for each candidate tile (efficiency e, resident r), workgroups = row tiles x column tiles
x groups, waves = ceil(workgroups / (132 r)), cost = waves x TM x TN x r / e; the cheapest candidate
wins, skipping tiles at least twice as wide as the layer's channels (and wider than 16).

Data:
  --sweep FILE.json   a bench/tile_sweep.py result whose rows carry every candidate's time
                      (e.g. bench/results/h100-2026-11-25-stages/chosen.json); layer shapes come from
                      the prepared suite's manifest (--manifest, bench/suite.py --prepare)
  --nodes FILE.txt    bench/device_siblings.sh's siblings_tiles.txt: per-node times of the merged
                      TransNetV2 Convs under each forced tile (shapes listed in MERGED below)
  --layers FILE.txt   lines "LAYER TILE MS ms ..." for bench/make_conv_layers.py's layers under each
                      forced tile (shapes listed in LAYERS below; e.g. layers_tiles.txt of
                      bench/results/h100-2026-12-06-siblings/)

Prints the current model's choice per layer where it is more than 3% slower than the fastest
candidate, the sum of chosen over the sum of fastest times, then the same for the refitted numbers
(coordinate descent over e in 0.30..0.80 and r in 1..4, starting from the current table).

  /usr/bin/python3 bench/tile_model_fit.py --manifest build-bench/suite-device/manifest.json \\
      --sweep bench/results/h100-2026-11-25-stages/chosen.json --nodes siblings_tiles.txt
"""
import argparse
import json
import math
import re

# The table in conv_tiling.cc: (TM, TN, TK, RM, RN), efficiency, resident.
CURRENT = [((128, 64, 16, 8, 8), 0.7, 4), ((128, 32, 16, 8, 4), 0.6, 4), ((64, 64, 16, 4, 4), 0.6, 2),
           ((64, 64, 8, 8, 4), 0.75, 2), ((64, 32, 16, 4, 4), 0.6, 1), ((32, 32, 16, 4, 4), 0.3, 1),
           ((64, 16, 16, 4, 4), 0.6, 4), ((128, 16, 16, 4, 4), 0.6, 4)]
SMS = 132
# The merged sibling Convs of the TransNetV2 backbone at T=100 (rows, output channels, reduction depth).
MERGED = {"conv_25": (129600, 128, 576), "conv_50": (31200, 256, 576), "conv_73": (31200, 256, 1152),
          "conv_98": (7200, 512, 1152), "conv_121": (7200, 512, 2304)}
# bench/make_conv_layers.py's GEMM layers (rows, output channels, reduction depth), for --layers.
LAYERS = {"c2d_3x3_256": (3136, 256, 2304), "c2d_1x1_512": (3136, 512, 512), "c2d_3x3_64": (12544, 64, 576),
          "c3d_3x3x3_64": (50176, 64, 1728), "c3d_1x1x1_128": (12544, 128, 128)}


def name(t):
    return "t%dx%dk%d_r%dx%d" % t


def layer_dims(spec):
    nd = len(spec["kernel"])
    out = [(spec["in_spatial"][i] + spec["pads"][i] + spec["pads"][nd + i] - spec["dilation"][i] *
            (spec["kernel"][i] - 1) - 1) // spec["stride"][i] + 1 for i in range(nd)]
    return math.prod(out), spec["cout"] // spec["group"], spec["group"]


def load(args):
    layers = []  # (name, rows, cols, groups, {tile: ms})
    specs = {}
    if args.manifest:
        specs = {r["name"]: r["spec"] for r in json.load(open(args.manifest))["rows"] if r.get("spec")}
    for path in args.sweep:
        for r in json.load(open(path))["rows"]:
            if r["tiles"] and r["name"] in specs:
                layers.append((r["name"],) + layer_dims(specs[r["name"]]) + (r["tiles"],))
    for path in args.nodes:
        times, tile = {k: {} for k in MERGED}, None
        for line in open(path):
            m = re.match(r"== WEBCONV_CONV_TILE=(\S+)$", line.strip())
            if line.startswith("=="):
                tile = m.group(1) if m else None
                continue
            m = re.match(r"\s+([\d.]+) ms .* (conv_\d+)\s+\[", line)
            if m and tile and m.group(2) in MERGED:
                times[m.group(2)][tile] = float(m.group(1))
        for k, (rows, cols, _) in MERGED.items():
            layers.append(("transnetv2_merged." + k, rows, cols, 1, times[k]))
    for path in args.layers:
        times = {}
        for line in open(path):
            m = re.match(r"(\S+)\s+(t\S+)\s+([\d.]+) ms", line)
            if m and m.group(1) in LAYERS:
                times.setdefault(m.group(1), {})[m.group(2)] = float(m.group(3))
        for k, t in times.items():
            layers.append(("conv_layers." + k, LAYERS[k][0], LAYERS[k][1], 1, t))
    return layers


def choose(rows, cols, groups, table):
    best, pick = math.inf, None
    for t, eff, res in table:
        if t[1] >= 2 * cols and t[1] > 16:
            continue
        wgs = math.ceil(rows / t[0]) * math.ceil(cols / t[1]) * groups
        cost = math.ceil(wgs / (SMS * res)) * t[0] * t[1] * res / eff
        if cost < best:
            best, pick = cost, name(t)
    return pick


def score(layers, table):
    names = {name(t) for t, _, _ in table}
    chosen = fastest = 0.0
    misses = []
    for lname, rows, cols, groups, times in layers:
        avail = {k: v for k, v in times.items() if k in names}
        pick = choose(rows, cols, groups, table)
        t = times.get(pick, math.inf)
        chosen += t
        fastest += min(avail.values())
        if t > 1.03 * min(avail.values()):
            misses.append((lname, pick, t / min(avail.values()), min(avail, key=avail.get)))
    return chosen / fastest, misses


def report(label, layers, table):
    ratio, misses = score(layers, table)
    print("%s: chosen / fastest over %d layers = %.4f" % (label, len(layers), ratio))
    for lname, pick, r, best in misses:
        print("   %-50s %-18s %.3fx slower than %s" % (lname, pick, r, best))


def refit(layers, table):
    table = list(table)
    ratio = score(layers, table)[0]
    effs = [round(0.30 + 0.05 * i, 2) for i in range(11)]
    improved = True
    while improved:
        improved = False
        for i, (t, e0, r0) in enumerate(table):
            for e in effs:
                for r in (1, 2, 3, 4):
                    trial = table[:i] + [(t, e, r)] + table[i + 1:]
                    s = score(layers, trial)[0]
                    if s < ratio - 1e-9:
                        ratio, table, improved = s, trial, True
    return table


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--manifest")
    ap.add_argument("--sweep", action="append", default=[])
    ap.add_argument("--nodes", action="append", default=[])
    ap.add_argument("--layers", action="append", default=[])
    args = ap.parse_args()
    layers = load(args)
    report("current table", layers, CURRENT)
    fitted = refit(layers, CURRENT)
    report("refitted table", layers, fitted)
    for (t, e0, r0), (_, e, r) in zip(CURRENT, fitted):
        print("  %-18s efficiency %.2f -> %.2f, resident %d -> %d" % (name(t), e0, e, r0, r))


if __name__ == "__main__":
    main()
