#!/usr/bin/env python3
"""Shot detection speed end to end (decoding included): `webconv shots` against the same pipeline through
ONNX Runtime (bench/shots_ort.mjs: the same ffmpeg command and reference windows) on its WebGPU and CPU
EPs, in one run, on one video and one TransNetV2 model. Also says whether the pipelines agree (scenes and
the largest probability difference against webconv's).

  bench/shots.py --video V --model M --webconv build/webconv [--ort-eps webgpu,cpu] [--backends webgpu]
                 [--json OUT]
  bench/shots.py --make DIR [--frames N]    write a synthetic video (tools/video/make_video.py) and a
                                            TransNetV2 T=100 model (tools/models/make_transnetv2.py) there

A last row times the same ffmpeg command alone (frames thrown away): the decode ceiling.
Each pipeline runs once, in a fresh process, with the persistent pipeline cache off: frames per second
counts from the first decoded frame to the last prediction, so it includes the first window's planning and
shader compilation (printed apart as "first window"). Session creation is not in it (printed apart).
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
PY = "/usr/bin/python3"


def run_webconv(webconv, video, model, backend):
    r = subprocess.run([webconv, "shots", video, "--model", model, "--json", "--backend", backend,
                        "--no-pipeline-cache"], capture_output=True, text=True)
    if r.returncode != 0:
        return {"error": r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}"}
    j = json.loads(r.stdout)
    t = j["timing"]
    return {"frames": j["frames"], "windows": t["windows"], "wall_ms": t["wall_ms"], "first_window_ms": t["first_window_ms"],
            "frames_per_second": t["frames_per_second"], "single_frame": j["single_frame"], "scenes": j["scenes"],
            "create_ms": None}


def run_decode_only(video):
    """The ceiling: the same ffmpeg command with its frames thrown away, no model."""
    t0 = time.perf_counter()
    r = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "file:" + video, "-an", "-sn",
                        "-dn", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "48x27", "pipe:1"], capture_output=True)
    wall = (time.perf_counter() - t0) * 1000
    if r.returncode != 0:
        return {"error": r.stderr.decode(errors="replace").strip()[-200:]}
    frames = len(r.stdout) // (48 * 27 * 3)
    return {"frames": frames, "windows": 0, "wall_ms": wall, "first_window_ms": 0,
            "frames_per_second": 1000 * frames / wall}


def run_ort(node, video, model, ep):
    r = subprocess.run([node, os.path.join(HERE, "shots_ort.mjs"), video, model, "--ep", ep], capture_output=True, text=True)
    if r.returncode != 0:
        return {"error": r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}"}
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--make")
    p.add_argument("--frames", type=int, default=1000)
    p.add_argument("--video")
    p.add_argument("--model")
    p.add_argument("--webconv")
    p.add_argument("--backends", default="webgpu")
    p.add_argument("--ort-eps", default="webgpu,cpu")
    p.add_argument("--node", default="node")
    p.add_argument("--json")
    a = p.parse_args()
    if a.make:
        os.makedirs(a.make, exist_ok=True)
        video, model = os.path.join(a.make, f"shots_{a.frames}.mp4"), os.path.join(a.make, "transnetv2_T100.onnx")
        subprocess.run([PY, os.path.join(ROOT, "tools/video/make_video.py"), video, "--frames", str(a.frames), "--shots",
                        str(max(2, a.frames // 60)), "--fades", str(max(1, a.frames // 200)), "--size", "320x180"],
                       check=True)
        subprocess.run([PY, os.path.join(ROOT, "tools/models/make_transnetv2.py"), model, "--frames", "100"], check=True)
        return
    rows = []
    for backend in a.backends.split(","):
        rows.append((f"webconv {backend}", run_webconv(a.webconv, a.video, a.model, backend)))
    for ep in a.ort_eps.split(",") if a.ort_eps else []:
        rows.append((f"ORT {ep} EP", run_ort(a.node, a.video, a.model, ep)))
    rows.append(("decode only (ffmpeg)", run_decode_only(a.video)))
    ref = rows[0][1]
    print(f"video {os.path.basename(a.video)}, model {os.path.basename(a.model)}")
    print(f"{'pipeline':18} {'frames':>7} {'windows':>7} {'wall s':>8} {'fps':>9} {'first window':>13} {'vs webconv':>11}  agreement")
    for name, r in rows:
        if "error" in r:
            print(f"{name:18} error: {r['error']}")
            continue
        ratio = r["frames_per_second"] / ref["frames_per_second"] if "frames_per_second" in ref else float("nan")
        if "scenes" not in r:
            agreement = "(no model)"
        else:
            diff = max((abs(x - y) for x, y in zip(r["single_frame"], ref.get("single_frame", []))), default=float("nan"))
            agreement = ("same scenes" if r["scenes"] == ref.get("scenes") else "DIFFERENT scenes") + \
                f", max |p - p_webconv| {diff:.1e}"
        print(f"{name:18} {r['frames']:7d} {r['windows']:7d} {r['wall_ms'] / 1000:8.2f} {r['frames_per_second']:9.1f} "
              f"{r['first_window_ms']:11.0f}ms {ratio:10.2f}x  {agreement}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({name: {k: v for k, v in r.items() if k != "single_frame"} for name, r in rows}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
