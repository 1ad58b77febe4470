#!/usr/bin/python3
"""Writes a synthetic video clip for the shot-boundary demo: frames drawn procedurally, deterministic.

The frames are 48x27 RGB in [0, 1] (TransNetV2's input size), stored as float32 [1, 3, T, 27, 48], the
layout the TransNetV2 model of tools/models/make_transnetv2.py takes (`webconv run MODEL --input
frames=clip.npy`). The clip has four scenes: moving shapes over a drifting gradient, each scene with
its own palette and motion. Scene 1 -> 2 and 3 -> 4 are hard cuts; scene 2 -> 3 is a cross-fade over
several frames. The ground truth goes next to the clip as text:

    cut F        the hard cut: frame F is the first frame of the new scene
    fade A B     frames A..B (inclusive) blend the two scenes

    /usr/bin/python3 tools/models/make_clip.py OUT.npy [--frames T] [--truth OUT.txt]
"""
import argparse

import numpy as np

HEIGHT, WIDTH = 27, 48


def scene_frame(scene, t):
    """Frame t (time since the clip start) of scene `scene`: [3, H, W] in [0, 1]."""
    rng = np.random.default_rng(1000 + scene)  # fixed per scene: palette, shapes and their paths
    c0, c1 = rng.random(3), rng.random(3)
    angle = rng.random() * 2 * np.pi
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    u = (np.cos(angle) * x / WIDTH + np.sin(angle) * y / HEIGHT + 0.03 * t) % 1.0
    img = c0[:, None, None] * (1 - u) + c1[:, None, None] * u
    for _ in range(3):
        color = rng.random(3)
        cx, cy = rng.random() * WIDTH, rng.random() * HEIGHT
        vx, vy = rng.uniform(-2, 2), rng.uniform(-1, 1)
        r = rng.uniform(3, 7)
        px, py = (cx + vx * t) % WIDTH, (cy + vy * t) % HEIGHT
        if rng.random() < 0.5:
            inside = (x - px) ** 2 + (y - py) ** 2 < r * r
        else:
            inside = (np.abs(x - px) < r) & (np.abs(y - py) < 0.6 * r)
        img = np.where(inside[None], color[:, None, None], img)
    return img


def layout(frames):
    """Scene boundaries for a clip of `frames` frames: (cut1, fade_start, fade_end, cut2)."""
    if frames < 8:
        raise ValueError("the clip needs at least 8 frames (4 scenes, a fade of 2 or more frames)")
    fade_len = max(2, frames // 8)
    cut1 = frames // 4
    fade_start = frames // 2 - fade_len // 2
    fade_end = fade_start + fade_len - 1
    cut2 = (3 * frames) // 4 + 1
    assert 0 < cut1 < fade_start <= fade_end < cut2 < frames, (cut1, fade_start, fade_end, cut2)
    return cut1, fade_start, fade_end, cut2


def make(frames):
    cut1, fade_start, fade_end, cut2 = layout(frames)
    out = np.empty((1, 3, frames, HEIGHT, WIDTH), np.float32)
    for t in range(frames):
        if t < cut1:
            img = scene_frame(0, t)
        elif t < fade_start:
            img = scene_frame(1, t)
        elif t <= fade_end:
            # Weight of the incoming scene rises strictly between 0 and 1 across the fade frames.
            a = (t - fade_start + 1) / (fade_end - fade_start + 2)
            img = (1 - a) * scene_frame(1, t) + a * scene_frame(2, t)
        elif t < cut2:
            img = scene_frame(2, t)
        else:
            img = scene_frame(3, t)
        out[0, :, t] = np.clip(img, 0.0, 1.0)
    truth = [f"cut {cut1}", f"fade {fade_start} {fade_end}", f"cut {cut2}"]
    return out, truth


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--frames", type=int, default=32)
    p.add_argument("--truth", help="ground-truth text file (default: OUT with .truth.txt)")
    a = p.parse_args()
    clip, truth = make(a.frames)
    np.save(a.out, clip)
    truth_path = a.truth or (a.out[:-4] if a.out.endswith(".npy") else a.out) + ".truth.txt"
    with open(truth_path, "w") as f:
        f.write("\n".join(truth) + "\n")
    print(f"wrote {a.out} (synthetic clip, {a.frames} frames of 48x27 RGB; {', '.join(truth)}) and {truth_path}")


if __name__ == "__main__":
    main()
