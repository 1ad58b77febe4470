#!/usr/bin/python3
"""A content-change shot detector after PySceneDetect's ContentDetector, the baseline next to TransNetV2:
frames decoded by ffmpeg (scaled to 160x90), converted to HSV, and the mean absolute change of hue,
saturation and value (each 0..255) between consecutive frames averaged into one score; a cut where the
score reaches the threshold (27, PySceneDetect's default) at least 15 frames after the previous cut
(its default minimum scene length). It detects only abrupt changes, as PySceneDetect's detector does.

    /usr/bin/python3 tools/train/hist_baseline.py VIDEO [--threshold 27] [--min-scene 15]
prints {"frames", "scenes"} as JSON (scenes inclusive, as `webconv shots --json`).
"""
import argparse
import json
import subprocess

import numpy as np

W, H = 160, 90


def rgb_to_hsv255(rgb):
    """uint8 RGB [..., 3] -> float HSV with each channel in 0..255 (OpenCV's 8-bit convention, hue doubled)."""
    x = rgb.astype(np.float32) / 255
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    mx, mn = x.max(-1), x.min(-1)
    d = mx - mn
    h = np.zeros_like(mx)
    nz = d > 1e-6
    rm = nz & (mx == r)
    gm = nz & (mx == g) & ~rm
    bm = nz & ~rm & ~gm
    h[rm] = ((g - b)[rm] / d[rm]) % 6
    h[gm] = (b - r)[gm] / d[gm] + 2
    h[bm] = (r - g)[bm] / d[bm] + 4
    h = h / 6 * 255
    s = np.where(mx > 1e-6, d / np.maximum(mx, 1e-6), 0) * 255
    return np.stack([h, s, mx * 255], -1)


def detect(video, threshold=27.0, min_scene=15):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", video, "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
                          f"{W}x{H}", "pipe:1"], capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, H, W, 3)
    n = len(frames)
    scenes, start, last_cut, prev = [], 0, 0, None
    for i in range(n):
        hsv = rgb_to_hsv255(frames[i])
        if prev is not None:
            score = float(np.abs(hsv - prev).mean(axis=(0, 1)).mean())
            if score >= threshold and i - last_cut >= min_scene:
                scenes.append([start, i - 1])
                start = last_cut = i
        prev = hsv
    scenes.append([start, n - 1])
    return {"frames": n, "scenes": scenes}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("video")
    p.add_argument("--threshold", type=float, default=27.0)
    p.add_argument("--min-scene", type=int, default=15)
    a = p.parse_args()
    print(json.dumps(detect(a.video, a.threshold, a.min_scene)))


if __name__ == "__main__":
    main()
