#!/usr/bin/python3
"""Writes a synthetic video with known shot boundaries, encoded by the ffmpeg program.

Each shot is drawn procedurally (a drifting gradient with moving shapes, its own palette and motion, as
tools/models/make_clip.py draws them); shots are joined by hard cuts or cross-fades. The truth goes to
OUT.truth.json: {"frames", "fps", "width", "height", "transitions": [{"kind": "cut", "frame": F} |
{"kind": "fade", "first": A, "last": B}]}, where F is the first frame of the new shot and A..B
(inclusive) are the blended frames.

    /usr/bin/python3 tools/video/make_video.py OUT.mp4 [--frames N] [--shots 4] [--fades 1] [--size 96x54]
        [--fps 25] [--codec libx264|libvpx|mpeg4|...] [--seed S] [--contrast]

--contrast makes shots alternate dark and bright, so that every boundary is a large jump in mean
brightness (what the shot probe of tools/models/make_shot_probe.py detects, whatever the decoder).
"""
import argparse
import json
import subprocess

import numpy as np


def shot_frame(seed, t, width, height, level=None):
    """Frame t of the shot drawn from `seed`: float [H, W, 3] in [0, 1]; with `level` ("dark" or
    "bright") squeezed into [0, 0.3] or [0.7, 1]."""
    rng = np.random.default_rng(seed)
    c0, c1 = rng.random(3), rng.random(3)
    angle = rng.random() * 2 * np.pi
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    u = (np.cos(angle) * x / width + np.sin(angle) * y / height + 0.03 * t) % 1.0
    img = c0[None, None, :] * (1 - u[..., None]) + c1[None, None, :] * u[..., None]
    for _ in range(3):
        color = rng.random(3)
        cx, cy = rng.random() * width, rng.random() * height
        vx, vy = rng.uniform(-2, 2) * width / 48, rng.uniform(-1, 1) * height / 27
        r = rng.uniform(3, 7) * width / 48
        px, py = (cx + vx * t) % width, (cy + vy * t) % height
        if rng.random() < 0.5:
            inside = (x - px) ** 2 + (y - py) ** 2 < r * r
        else:
            inside = (np.abs(x - px) < r) & (np.abs(y - py) < 0.6 * r)
        img = np.where(inside[..., None], color[None, None, :], img)
    if level == "dark":
        img = 0.3 * img
    elif level == "bright":
        img = 0.7 + 0.3 * img
    return img


def plan(frames, shots, fades, rng):
    """Shot start frames and which boundaries are fades; every shot at least 12 frames."""
    if frames < 12 * shots:
        raise SystemExit(f"{frames} frames cannot hold {shots} shots of at least 12 frames")
    cuts = sorted(rng.choice(np.arange(12, frames - 11), size=shots - 1, replace=False).tolist()) if shots > 1 else []
    while any(b - a < 12 for a, b in zip([0] + cuts, cuts + [frames])):
        cuts = sorted(rng.choice(np.arange(12, frames - 11), size=shots - 1, replace=False).tolist())
    fade_at = set(rng.choice(len(cuts), size=min(fades, len(cuts)), replace=False).tolist()) if cuts else set()
    return cuts, fade_at


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--frames", type=int, default=150)
    p.add_argument("--shots", type=int, default=4)
    p.add_argument("--fades", type=int, default=1)
    p.add_argument("--size", default="96x54")
    p.add_argument("--fps", type=float, default=25)
    p.add_argument("--codec", default="libx264")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--contrast", action="store_true")
    a = p.parse_args()
    width, height = (int(v) for v in a.size.split("x"))
    rng = np.random.default_rng(a.seed)
    cuts, fade_at = plan(a.frames, a.shots, a.fades, rng)
    starts = [0] + cuts
    seeds = [int(s) for s in rng.integers(0, 2**31, size=len(starts))]
    levels = [(("dark", "bright")[k % 2] if a.contrast else None) for k in range(len(starts))]
    transitions, fades = [], {}
    for k, c in enumerate(cuts):
        if k in fade_at:
            n = 6  # blended frames, centred on the boundary
            fades[k] = (c - n // 2, c - n // 2 + n - 1)
            transitions.append({"kind": "fade", "first": fades[k][0], "last": fades[k][1]})
        else:
            transitions.append({"kind": "cut", "frame": c})
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
           "-r", str(a.fps), "-i", "pipe:0", "-c:v", a.codec, "-pix_fmt", "yuv420p"]
    if a.codec == "libx264":
        cmd += ["-crf", "18"]
    proc = subprocess.Popen(cmd + [a.out], stdin=subprocess.PIPE)
    for t in range(a.frames):
        shot = max(k for k, s in enumerate(starts) if s <= t)
        img = shot_frame(seeds[shot], t, width, height, levels[shot])
        for k, (f0, f1) in fades.items():  # inside a fade: blend shot k (outgoing) and k+1 (incoming)
            if f0 <= t <= f1:
                w = (t - f0 + 1) / (f1 - f0 + 2)
                img = ((1 - w) * shot_frame(seeds[k], t, width, height, levels[k]) +
                       w * shot_frame(seeds[k + 1], t, width, height, levels[k + 1]))
        proc.stdin.write((np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8).tobytes())
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("ffmpeg failed")
    truth = {"frames": a.frames, "fps": a.fps, "width": width, "height": height, "transitions": transitions}
    with open(a.out + ".truth.json", "w") as f:
        json.dump(truth, f, indent=1)
    print(f"wrote {a.out} ({a.frames} frames, {width}x{height} at {a.fps} fps, {a.codec}; {transitions})")


if __name__ == "__main__":
    main()
