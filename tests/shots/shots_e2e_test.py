#!/usr/bin/python3
"""`webconv shots` end to end, against a direct reimplementation of TransNetV2's reference inference
(soCzech/TransNetV2, inference/transnetv2.py: predict_frames, predictions_to_scenes) on the same frames.

Generated videos (tools/video/make_video.py: several containers, codecs, sizes and lengths, one shorter
than a window) run through shot probes (tools/models/make_shot_probe.py: models whose outputs are a known
function of the frames, in both input layouts, uint8 and float32, fixed and symbolic windows). The test
decodes each video with the reference's own ffmpeg command, computes the probe's outputs in float64 and
runs the reference protocol on them; webconv's JSON must match: frame count, fps, both heads' per-frame
probabilities (atol 2e-5) and the scenes. Then the CSV and the plots are checked, and every bad input:
not a video, no video stream, no frames, truncated (and --allow-damaged), missing, empty, a directory,
a model that is not a TransNetV2 export, an existing file under --plot, bad options, no ffmpeg on PATH.
Last, peak memory on a video ten times longer stays the same (streaming).

    shots_e2e_test.py WEBCONV WORKDIR [--backends cpu,webgpu]
"""
import json
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = "/usr/bin/python3"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    if r.returncode < 0:
        failures.append(f"{cmd}: killed by signal {-r.returncode}")
    return r


def decode(path, width, height):
    """The reference's decode: ffmpeg, rawvideo, rgb24, -s WxH."""
    out = subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", path, "-f", "rawvideo", "-pix_fmt",
                          "rgb24", "-s", f"{width}x{height}", "pipe:"], capture_output=True, check=True).stdout
    return np.frombuffer(out, np.uint8).reshape([-1, height, width, 3])


def probe_outputs(window_frames):
    """tools/models/make_shot_probe.py's function of one window, in float64."""
    m = window_frames.reshape(len(window_frames), -1).astype(np.float64).mean(axis=1) / 255
    d = np.abs(m - np.concatenate([[0.0], m[:-1]]))
    single = 1 / (1 + np.exp(-(10 * d - 1)))
    many = 1 / (1 + np.exp(-(20 * d - 2)))
    return single, many


def reference_predict_frames(frames, window):
    """predict_frames as the reference writes it, for a window of `window` (100: the reference's own)."""
    step, context = window // 2, window // 4
    n = len(frames)
    end_pad = context + step - (n % step if n % step != 0 else step)
    padded = np.concatenate([frames[:1]] * context + [frames] + [frames[-1:]] * end_pad, 0)
    single, many = [], []
    ptr = 0
    while ptr + window <= len(padded):
        s, a = probe_outputs(padded[ptr:ptr + window])
        single.append(s[context:context + step])
        many.append(a[context:context + step])
        ptr += step
    return np.concatenate(single)[:n], np.concatenate(many)[:n]


def reference_scenes(predictions, threshold=0.5):
    """predictions_to_scenes as the reference writes it."""
    predictions = (np.asarray(predictions) > threshold).astype(np.uint8)
    scenes = []
    t, t_prev, start = -1, 0, 0
    for i, t in enumerate(predictions):
        if t_prev == 1 and t == 0:
            start = i
        if t_prev == 0 and t == 1 and i != 0:
            scenes.append([start, i])
        t_prev = t
    if t == 0:
        scenes.append([start, i])
    if len(scenes) == 0:
        return [[0, len(predictions) - 1]]
    return scenes


def make_video(work, name, *args):
    path = os.path.join(work, name)
    subprocess.run([PY, os.path.join(ROOT, "tools/video/make_video.py"), path, *args], check=True, capture_output=True)
    return path


def make_probe(work, name, *args):
    path = os.path.join(work, name)
    subprocess.run([PY, os.path.join(ROOT, "tools/models/make_shot_probe.py"), path, *args], check=True,
                   capture_output=True)
    return path


def png_size_and_pixels(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    w = h = None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        assert zlib.crc32(kind + body) == crc, kind
        if kind == b"IHDR":
            w, h = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return w, h, len(zlib.decompress(idat))


def main():
    wc, work = sys.argv[1], sys.argv[2]
    backends = ["cpu", "webgpu"]
    if "--backends" in sys.argv:
        backends = sys.argv[sys.argv.index("--backends") + 1].split(",")
    os.makedirs(work, exist_ok=True)

    videos = {
        "h264.mp4": make_video(work, "h264.mp4", "--frames", "150", "--seed", "3"),
        "vp9.webm": make_video(work, "vp9.webm", "--frames", "121", "--size", "64x36", "--codec", "libvpx-vp9",
                               "--fps", "30", "--seed", "4"),
        "mpeg4.avi": make_video(work, "mpeg4.avi", "--frames", "57", "--size", "80x60", "--codec", "mpeg4",
                                "--shots", "2", "--fades", "0", "--seed", "5"),
        "short.mkv": make_video(work, "short.mkv", "--frames", "30", "--codec", "ffv1", "--shots", "2", "--fades", "0",
                                "--seed", "6"),
    }
    probes = {  # name: (path, window the detector must use)
        "t8_nthwc_uint8": (make_probe(work, "t8_nthwc_uint8.onnx", "--frames", "8"), 8),
        "t12_ncthw_float": (make_probe(work, "t12_ncthw_float.onnx", "--frames", "12", "--layout", "ncthw", "--dtype",
                                       "float32"), 12),
        "dyn_nthwc_float": (make_probe(work, "dyn_nthwc_float.onnx", "--frames", "dynamic", "--dtype", "float32"), 100),
    }

    # --- Every video through every probe on the CPU backend, and a sample on WebGPU.
    combos = [(v, p, "cpu") for v in videos for p in probes]
    if "webgpu" in backends:
        combos += [("h264.mp4", "t8_nthwc_uint8", "webgpu"), ("short.mkv", "dyn_nthwc_float", "webgpu"),
                   ("vp9.webm", "t12_ncthw_float", "webgpu")]
    for vname, pname, backend in combos:
        video, (model, window) = videos[vname], probes[pname]
        truth = json.load(open(video + ".truth.json"))
        what = f"{vname} x {pname} on {backend}"
        r = run([wc, "shots", video, "--model", model, "--json", "--backend", backend])
        if r.returncode != 0:
            check(False, f"{what}: exit {r.returncode}: {r.stderr.strip()[-400:]}")
            continue
        got = json.loads(r.stdout)
        frames = decode(video, 48, 27)
        want_single, want_many = reference_predict_frames(frames, window)
        check(got["frames"] == truth["frames"] == len(frames), f"{what}: {got['frames']} frames, truth {truth['frames']}")
        check(abs(got["fps"] - truth["fps"]) < 1e-3, f"{what}: fps {got['fps']}")
        check(got["window"] == window, f"{what}: window {got['window']}, expected {window}")
        s, a = np.array(got["single_frame"]), np.array(got["all_frames"])
        err = max(np.abs(s - want_single).max(), np.abs(a - want_many).max())
        check(s.shape == want_single.shape and err < 2e-5, f"{what}: probabilities against the reference, max err {err:.2e}")
        check(got["scenes"] == reference_scenes(s), f"{what}: scenes are predictions_to_scenes of the probabilities")
        check(got["scenes"] == reference_scenes(want_single), f"{what}: scenes equal the reference's")
        check(all(abs(b - e) < 1e-6 for sc, ss in zip(got["scenes"], got["scenes_seconds"])
                  for b, e in zip([sc[0] / truth["fps"], (sc[1] + 1) / truth["fps"]], ss)),
              f"{what}: scenes_seconds are the frames over the fps")
        check("no_dump" not in r.stderr and r.stderr.count("\n") == 0 or "frames in" in r.stderr,
              f"{what}: with --json the report goes to stderr")

    # --- Threshold, CSV, plots.
    video, (model, _) = videos["h264.mp4"], probes["t8_nthwc_uint8"]
    r = run([wc, "shots", video, "--model", model, "--json", "--backend", "cpu", "--threshold", "0.3"])
    got = json.loads(r.stdout)
    check(r.returncode == 0 and got["scenes"] == reference_scenes(got["single_frame"], 0.3) and len(got["scenes"]) > 1,
          f"--threshold 0.3: {len(got['scenes'])} scenes, as the reference forms them at 0.3")
    r = run([wc, "shots", video, "--model", model, "--csv", "--backend", "cpu", "--threshold", "0.3"])
    rows = r.stdout.strip().splitlines()
    check(r.returncode == 0 and rows[0].startswith("scene,first_frame,last_frame") and len(rows) == len(got["scenes"]) + 1,
          f"--csv: a header and one row per scene ({len(rows) - 1})")
    first = rows[1].split(",")
    check(first[4] == "00:00:00.000" and re.match(r"\d\d:\d\d:\d\d\.\d\d\d$", first[5]) is not None,
          f"--csv: timecodes ({first[4]}, {first[5]})")
    svg, png = os.path.join(work, "plot.svg"), os.path.join(work, "plot.png")
    for path in (svg, png):
        if os.path.exists(path):
            os.remove(path)
    r1 = run([wc, "shots", video, "--model", model, "--backend", "cpu", "--threshold", "0.3", "--plot", svg])
    r2 = run([wc, "shots", video, "--model", model, "--backend", "cpu", "--threshold", "0.3", "--plot", png])
    check(r1.returncode == 0 and r2.returncode == 0, "--plot svg and png: exit 0")
    root = ET.parse(svg).getroot()
    lines = [e for e in root.iter() if e.tag.endswith("line") and e.get("stroke") == "#d62728"]
    polylines = [e for e in root.iter() if e.tag.endswith("polyline")]
    check(len(lines) == len(got["scenes"]) - 1 and len(polylines) == 2,
          f"--plot svg: {len(lines)} cut lines for {len(got['scenes'])} scenes, {len(polylines)} curves")
    w, h, raw = png_size_and_pixels(open(png, "rb").read())
    check((w, h) == (1200, 300) and raw == h * (1 + 3 * w), f"--plot png: a valid {w}x{h} RGB PNG")
    r = run([wc, "shots", video, "--model", model, "--backend", "cpu", "--plot", svg])
    check(r.returncode == 0 and "replaced" in r.stdout, "--plot replaces its own earlier SVG")
    sheet = os.path.join(work, "sheet.png")
    if os.path.exists(sheet):
        os.remove(sheet)
    r = run([wc, "shots", video, "--model", model, "--backend", "cpu", "--threshold", "0.3", "--contact-sheet", sheet])
    n = len(got["scenes"])
    cols, rows = min(6, n), (n + 5) // 6
    w, h, raw = png_size_and_pixels(open(sheet, "rb").read()) if r.returncode == 0 else (0, 0, 0)
    check((w, h) == (8 + cols * 192 + (cols - 1) * 4, 8 + rows * 108 + (rows - 1) * 4),
          f"--contact-sheet: a {w}x{h} PNG of {n} first frames")
    # A text file under --plot's name is not replaced, nor is the model through a hard link.
    note = os.path.join(work, "notes.svg")
    open(note, "w").write("my notes\n")
    r = run([wc, "shots", video, "--model", model, "--backend", "cpu", "--plot", note])
    check(r.returncode == 2 and "--overwrite" in r.stderr and open(note).read() == "my notes\n",
          "--plot: an existing non-image file is refused and unchanged")
    link = os.path.join(work, "model_link.svg")
    if os.path.exists(link):
        os.remove(link)
    os.link(model, link)
    before = open(model, "rb").read()
    r = run([wc, "shots", video, "--model", model, "--backend", "cpu", "--plot", link, "--overwrite"])
    check(r.returncode == 2 and open(model, "rb").read() == before, "--plot: the model is never written (hard link)")

    # --- Without --backend: WebGPU on a hardware GPU, the fast CPU backend on a CPU-emulated one (said).
    r = run([wc, "shots", video, "--model", model])
    software = re.search(r"^adapter: .*CPU\)", r.stdout, re.M) is None and "CPU-emulated" in r.stdout
    hardware = re.search(r"^adapter: ", r.stdout, re.M) is not None and "CPU)" not in r.stdout
    check(r.returncode == 0 and ((software and re.search(r"^backend: cpu \(float32", r.stdout, re.M)) or hardware),
          "no --backend: the fast CPU backend when the adapter is CPU-emulated (and the command says why), "
          "else WebGPU")

    # --- The default model comes from WEBCONV_SHOTS_MODEL.
    env = dict(os.environ, WEBCONV_SHOTS_MODEL=model)
    r = run([wc, "shots", video, "--backend", "cpu", "--json"], env=env)
    check(r.returncode == 0 and json.loads(r.stdout)["model"] == model, "WEBCONV_SHOTS_MODEL names the default model")

    # --- Bad input: a clear one-line error and exit 2 (video) or 3 (model); never a crash.
    text = os.path.join(work, "notes.txt")
    open(text, "w").write("not a video\n")
    empty = os.path.join(work, "empty.mp4")
    open(empty, "w").close()
    wav = os.path.join(work, "sound.wav")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine", "-t", "1", wav], check=True)
    noframes = os.path.join(work, "noframes.y4m")
    open(noframes, "w").write("YUV4MPEG2 W96 H54 F25:1 Ip A1:1 C420jpeg\n")
    data = open(videos["vp9.webm"], "rb").read()
    cut = os.path.join(work, "cut.webm")
    open(cut, "wb").write(data[:len(data) // 2])
    faststart = os.path.join(work, "faststart.mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", videos["h264.mp4"], "-c", "copy", "-movflags", "+faststart",
                    faststart], check=True)
    data = open(faststart, "rb").read()
    cut_mp4 = os.path.join(work, "cut.mp4")
    open(cut_mp4, "wb").write(data[:len(data) // 2])
    bad_model = os.path.join(work, "bad_model.onnx")
    subprocess.run([PY, os.path.join(ROOT, "tools/models/make_small_mlp.py"), bad_model], check=True, capture_output=True)
    cases = [
        ("a text file", [text], 2, r"is not a video that FFmpeg can read"),
        ("an empty file", [empty], 2, r"is empty, not a video"),
        ("a missing file", [os.path.join(work, "missing.mp4")], 2, r"No such file"),
        ("a directory", [work], 2, r"not a regular file"),
        ("audio only", [wav], 2, r"has no video stream"),
        ("no frames", [noframes], 2, r"has no frames"),
        ("a truncated webm", [cut], 2, r"truncated or damaged: decoded \d+ of the 121 frames"),
        ("a truncated mp4", [cut_mp4], 2, r"truncated or damaged: decoded \d+ of the 150 frames"),
        ("a model that is not TransNetV2", [videos["h264.mp4"], "--model", bad_model], 3, r"not a TransNetV2 export"),
        ("--json with --csv", [videos["h264.mp4"], "--json", "--csv"], 2, r"choose one"),
        ("--threshold 2", [videos["h264.mp4"], "--threshold", "2"], 2, r"not in \[0, 1\]"),
        ("--plot x.pdf", [videos["h264.mp4"], "--plot", os.path.join(work, "x.pdf")], 2, r"\.svg or \.png"),
    ]
    for what, args, code, rx in cases:
        if "--model" not in args:
            args = args + ["--model", model]
        r = run([wc, "shots", *args, "--backend", "cpu"])
        err_lines = [l for l in r.stderr.splitlines() if l.startswith("error:")]
        check(r.returncode == code and len(err_lines) == 1 and re.search(rx, err_lines[0]) is not None,
              f"{what}: exit {r.returncode} (want {code}): {err_lines[0] if err_lines else r.stderr.strip()[-200:]}")
    r = run([wc, "shots", cut, "--model", model, "--backend", "cpu", "--json", "--allow-damaged"])
    ok = r.returncode == 0 and "warning:" in r.stderr and 0 < json.loads(r.stdout)["frames"] < 121
    check(ok, "--allow-damaged: the truncated webm's decodable frames, with a warning")
    env = dict(os.environ, PATH="/nonexistent")
    r = run([wc, "shots", videos["h264.mp4"], "--model", model, "--backend", "cpu"], env=env)
    check(r.returncode == 2 and "ffprobe' was not found on PATH" in r.stderr and "apt-get install ffmpeg" in r.stderr,
          "no ffmpeg on PATH: says how to install it")

    # --- Streaming: peak memory does not grow with the video's length (10x the frames, same peak).
    peaks = {}
    for n in (2000, 20000):
        long_video = os.path.join(work, f"long_{n}.mkv")
        if not os.path.exists(long_video):
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size=96x54:rate=25",
                            "-frames:v", str(n), "-c:v", "ffv1", long_video], check=True)
        proc = subprocess.Popen([wc, "shots", long_video, "--model", model, "--backend", "cpu"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        peaks[n] = usage.ru_maxrss / 1024  # MiB
        check(status == 0, f"{n} frames: exit {status >> 8}")
    check(peaks[20000] < peaks[2000] * 1.25 + 8,
          f"peak memory {peaks[2000]:.0f} MiB for 2000 frames, {peaks[20000]:.0f} MiB for 20000: bounded")

    print(f"{len(failures)} failed" if failures else "all passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
