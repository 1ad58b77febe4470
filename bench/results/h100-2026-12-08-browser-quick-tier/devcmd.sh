#!/usr/bin/env bash
# One device call: first-run tiers of the native and browser builds (cold.py), then an A/B of the
# steady state between the build before the issue-18 changes (webconv_base) and this one.
set -u
mkdir -p .device/lib && cp .devdata/lib/*.xz .device/lib/
date
bash bench/device_cold.sh .devdata/cold .devdata/webconv --variants quick,tuned,browser-quick,browser-tuned \
  --repeat 3 --runs 20 --timeout 200 --work /tmp/coldwork
date
source bench/device_env.sh
if [ -x .devdata/webconv_base ]; then
  python3 - <<'PY' | tee "$OUT/ab.txt"
import json, subprocess, statistics
man = json.load(open(".devdata/cold/manifest.json"))
for row in man:
    shape = row["input"] + "=" + ",".join(map(str, row["dims"]))
    res = {"webconv_base": [], "webconv": []}
    for rep in range(3):
        for b in ("webconv_base", "webconv"):
            out = subprocess.run([".devdata/" + b, "bench", "/tmp/coldwork/" + row["model"], "--shape", shape,
                                  "--runs", "30", "--warmup", "5", "--adapter", "gpu", "--json"],
                                 capture_output=True, text=True, timeout=120)
            j = json.loads([l for l in out.stdout.splitlines() if l.startswith("{")][-1])
            res[b].append((j["gpu_median_ms"], j["wall_median_ms"], j.get("dispatches")))
    for b, v in res.items():
        print("%-40s %-13s gpu %s  wall %s  dispatches %s" % (row["model"], b,
              " ".join("%.3f" % x[0] for x in v), " ".join("%.3f" % x[1] for x in v), v[0][2]))
    gb = statistics.median(x[0] for x in res["webconv_base"]); gn = statistics.median(x[0] for x in res["webconv"])
    print("%-40s gpu median new/base %.4f" % (row["model"], gn / gb))
PY
fi
date
