#!/usr/bin/python3
"""Smoke test of bench/tile_sweep.py on the local adapter: the quick suite's tiny ResNet is prepared as
the device would get it, then swept over two tiles and a split count. Checks that every variant was timed,
that each forced tile ran on every implicit-GEMM layer and the forced split on some, and that the chosen tile is named.

    check_tile_sweep.py --webconv BIN --out DIR
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--webconv", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    prep = os.path.join(a.out, "prepared")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "suite.py"), "--quick", "--prepare", prep,
                    "--webconv", a.webconv], check=True)
    out_json = os.path.join(a.out, "sweep.json")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "tile_sweep.py"), "--models", prep,
                        "--webconv", a.webconv, "--kinds", "model", "--filter", "resnet_tiny",
                        "--tiles", "t32x32k16_r8x8,t64x32k16_r4x4", "--splits", "2", "--runs", "1", "--warmup", "0",
                        "--work", os.path.join(a.out, "work"), "--json", out_json], text=True, capture_output=True)
    print(r.stdout, r.stderr)
    if r.returncode != 0:
        print(f"FAIL: tile_sweep.py exited {r.returncode}")
        return 1
    with open(out_json) as f:
        rows = json.load(f)["rows"]
    failures = []
    if len(rows) != 1:
        failures.append(f"expected one row, got {len(rows)}")
    for row in rows:
        if not re.fullmatch(r"t\d+x\d+k\d+_r\d+x\d+(_splitk\d+)?", row.get("chosen") or ""):
            failures.append(f"{row['name']}: chosen tile {row.get('chosen')!r}")
        if not isinstance(row.get("chosen_ms"), float) or row["chosen_ms"] <= 0:
            failures.append(f"{row['name']}: chosen time {row.get('chosen_ms')!r}")
        for name in ("t32x32k16_r8x8", "t64x32k16_r4x4", "splits2"):
            t = row["tiles"].get(name)
            if not isinstance(t, float) or t <= 0:
                failures.append(f"{row['name']}: variant {name} time {t!r}")
        for name in ("t32x32k16_r8x8", "t64x32k16_r4x4"):  # every implicit-GEMM layer runs the forced tile
            if set(t.split("_splitk")[0] for t in row["ran"].get(name) or ["none"]) != {name}:
                failures.append(f"{row['name']}: variant {name} ran {row['ran'].get(name)!r}")
        if not any(t.endswith("_splitk2") for t in row["ran"].get("splits2") or []):  # some layer is deep enough
            failures.append(f"{row['name']}: variant splits2 ran {row['ran'].get('splits2')!r}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
