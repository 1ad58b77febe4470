#!/usr/bin/python3
"""Synthetic shots and transitions for training and evaluating TransNetV2, as the TransNetV2 paper built
its training transitions from shots. Pure numpy, seeded: the same arguments give the same frames.

Shots: a camera that pans and zooms over a photograph from the bank (tools/train/photo_bank.py), with
moving objects (rectangles and ellipses), a lighting drift and sensor noise. Joins: hard cuts, dissolves,
fades to and from black, and wipes. Hard negatives inside shots, which are not transitions: flashes,
fast pans and fast-moving objects. Compression artefacts come from encoding the evaluation videos.

Labels (TransNetV2's): single-frame ("one hot") marks a hard cut's last frame of the old shot and a
gradual transition's middle frame; all-frames ("many hot") marks every frame of a gradual transition and
a cut's last old frame. Truth: {"kind": "cut"|"dissolve"|"fade"|"wipe", "first": A, "last": B}, where
A..B are the frames that belong to neither shot (for a cut, A = B = the last frame of the old shot).

    /usr/bin/python3 tools/train/synth.py OUTDIR --bank BANK.npz [--videos 20] [--frames 600] [--seed 1000]
        [--size 192x108] [--photos eval|train|all] [--fps 25] [--crf 23]
writes OUTDIR/synth_SEED.mp4 and OUTDIR/synth_SEED.mp4.truth.json per video (held-out evaluation sets:
other seeds, and with --photos eval the photographs training never sees).
"""
import argparse
import json
import os
import subprocess

import numpy as np


def photo_split(n_photos, which):
    """Indices of the bank's photographs: every third one is held out for evaluation."""
    idx = np.arange(n_photos)
    if which == "eval":
        return idx[idx % 3 == 2]
    if which == "train":
        return idx[idx % 3 != 2]
    return idx


def bilinear(img, xs, ys):
    """img [H, W, 3] float sampled at float pixel coordinates xs [w], ys [h] (a separable grid)."""
    h, w = img.shape[:2]
    xs = np.clip(xs, 0, w - 1.001)
    ys = np.clip(ys, 0, h - 1.001)
    x0, y0 = xs.astype(int), ys.astype(int)
    fx, fy = (xs - x0)[None, :, None], (ys - y0)[:, None, None]
    a = img[y0][:, x0]
    b = img[y0][:, x0 + 1]
    c = img[y0 + 1][:, x0]
    d = img[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


class Shot:
    """One shot: its photograph, camera path, objects, lighting and hard negatives, drawn at any time t."""

    def __init__(self, rng, photo, length, width, height):
        self.photo = photo.astype(np.float32) / 255
        self.length, self.width, self.height = length, width, height
        ph, pw = photo.shape[:2]
        fast_pan = rng.random() < 0.15
        z0, z1 = rng.uniform(1.0, 2.2, size=2)
        self.zoom = (z0, z1 if rng.random() < 0.5 else z0)
        reach = 1.0 if fast_pan else 0.25
        c0 = np.array([rng.uniform(0.3, 0.7) * pw, rng.uniform(0.3, 0.7) * ph])
        c1 = c0 + rng.uniform(-reach, reach, size=2) * np.array([pw, ph]) * (1 if fast_pan else 0.5)
        self.centre = (c0, c1)
        self.objects = []
        for _ in range(rng.integers(0, 4)):
            fast = rng.random() < 0.15
            speed = rng.uniform(0.03, 0.08) if fast else rng.uniform(0.0, 0.01)
            self.objects.append({
                "ellipse": rng.random() < 0.5, "color": rng.random(3).astype(np.float32),
                "size": rng.uniform(0.08, 0.3, size=2), "pos": rng.uniform(0, 1, size=2),
                "vel": rng.normal(size=2) * speed})
        self.gain = (rng.uniform(0.7, 1.2), rng.uniform(0.7, 1.2))
        self.noise = rng.uniform(0, 0.03)
        self.flash = int(rng.integers(2, max(3, length - 3))) if rng.random() < 0.1 and length > 6 else -1
        self.rng = np.random.default_rng(rng.integers(2**31))

    def frame(self, t):
        u = t / max(1, self.length - 1)
        ph, pw = self.photo.shape[:2]
        zoom = self.zoom[0] + (self.zoom[1] - self.zoom[0]) * u
        cx, cy = self.centre[0] + (self.centre[1] - self.centre[0]) * u
        cw, ch = pw / zoom, ph / zoom
        cx = np.clip(cx, cw / 2, pw - cw / 2)
        cy = np.clip(cy, ch / 2, ph - ch / 2)
        xs = cx - cw / 2 + (np.arange(self.width) + 0.5) * cw / self.width
        ys = cy - ch / 2 + (np.arange(self.height) + 0.5) * ch / self.height
        img = bilinear(self.photo, xs, ys)
        gy, gx = np.mgrid[0:self.height, 0:self.width]
        gx, gy = (gx + 0.5) / self.width, (gy + 0.5) / self.height
        for o in self.objects:
            px, py = (o["pos"] + o["vel"] * t) % 1.0
            sx, sy = o["size"]
            if o["ellipse"]:
                inside = ((gx - px) / sx) ** 2 + ((gy - py) / sy) ** 2 < 0.25
            else:
                inside = (np.abs(gx - px) < sx / 2) & (np.abs(gy - py) < sy / 2)
            img = np.where(inside[..., None], o["color"], img)
        img = img * (self.gain[0] + (self.gain[1] - self.gain[0]) * u)
        if self.flash >= 0 and 0 <= t - self.flash < 3:
            a = (0.8, 0.5, 0.25)[t - self.flash]
            img = img * (1 - a) + a
        img = img + self.rng.normal(scale=self.noise, size=img.shape)
        return np.clip(img, 0, 1).astype(np.float32)


def transition_frames(kind, a, b, k, t_a, t_b, rng_edge):
    """The k frames of a gradual transition from shot a (at its times t_a..) to shot b (t_b..)."""
    out = []
    for j in range(k):
        w = (j + 1) / (k + 1)
        fa, fb = a.frame(t_a + j), b.frame(t_b + j)
        if kind == "dissolve":
            out.append((1 - w) * fa + w * fb)
        elif kind == "fade":  # out to black over the first half, in from black over the second
            out.append(fa * max(0.0, 1 - 2 * w) if w < 0.5 else fb * min(1.0, 2 * w - 1))
        else:  # wipe: a soft edge moving across, in one of four directions
            hgt, wid = fa.shape[:2]
            gy, gx = np.mgrid[0:hgt, 0:wid]
            coord = {0: gx / wid, 1: 1 - gx / wid, 2: gy / hgt, 3: 1 - gy / hgt}[rng_edge]
            m = np.clip((w - coord) * 12 + 0.5, 0, 1)[..., None]
            out.append((1 - m) * fa + m * fb)
    return out


def make_sequence(rng, bank, n_frames, width, height, photos=None):
    """frames uint8 [n, H, W, 3], one_hot [n], many_hot [n] (uint8) and the transitions (truth)."""
    photos = np.arange(len(bank)) if photos is None else photos
    frames, one_hot, many_hot, truth = [], [], [], []
    shot = Shot(rng, bank[rng.choice(photos)], int(rng.integers(12, 120)), width, height)
    t = 0
    while len(frames) < n_frames:
        while t < shot.length and len(frames) < n_frames:
            frames.append(shot.frame(t))
            one_hot.append(0)
            many_hot.append(0)
            t += 1
        if len(frames) >= n_frames:
            break
        nxt = Shot(rng, bank[rng.choice(photos)], int(rng.integers(12, 120)), width, height)
        kind = rng.choice(["cut", "dissolve", "fade", "wipe"], p=[0.55, 0.2, 0.13, 0.12])
        if kind == "cut":
            one_hot[-1] = many_hot[-1] = 1
            truth.append({"kind": "cut", "first": len(frames) - 1, "last": len(frames) - 1})
            shot, t = nxt, 0
            continue
        k = int(rng.integers(4, 21))
        first = len(frames)
        for f in transition_frames(kind, shot, nxt, k, t, 0, int(rng.integers(4))):
            frames.append(f)
            one_hot.append(0)
            many_hot.append(1)
        last = len(frames) - 1
        one_hot[(first + last) // 2] = 1
        truth.append({"kind": str(kind), "first": first, "last": last})
        shot, t = nxt, k
    n = n_frames
    frames = (np.stack(frames[:n]) * 255 + 0.5).astype(np.uint8)
    truth = [tr for tr in truth if tr["last"] < n - 1]
    return frames, np.array(one_hot[:n], np.uint8), np.array(many_hot[:n], np.uint8), truth


def write_video(path, frames, fps, crf):
    n, h, w, _ = frames.shape
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", str(fps),
           "-i", "pipe:0", "-c:v", "libx264", "-crf", str(crf), "-pix_fmt", "yuv420p", path]
    subprocess.run(cmd, input=frames.tobytes(), check=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--bank", required=True)
    p.add_argument("--videos", type=int, default=20)
    p.add_argument("--frames", type=int, default=600)
    p.add_argument("--seed", type=int, default=1000)
    p.add_argument("--size", default="192x108")
    p.add_argument("--photos", choices=["eval", "train", "all"], default="eval")
    p.add_argument("--fps", type=float, default=25)
    p.add_argument("--crf", type=int, default=23)
    a = p.parse_args()
    width, height = (int(v) for v in a.size.split("x"))
    bank = np.load(a.bank)["images"]
    photos = photo_split(len(bank), a.photos)
    os.makedirs(a.out, exist_ok=True)
    for v in range(a.videos):
        seed = a.seed + v
        frames, _, _, truth = make_sequence(np.random.default_rng(seed), bank, a.frames, width, height, photos)
        path = os.path.join(a.out, f"synth_{seed}.mp4")
        write_video(path, frames, a.fps, a.crf)
        with open(path + ".truth.json", "w") as f:
            json.dump({"frames": a.frames, "fps": a.fps, "width": width, "height": height, "seed": seed,
                       "photos": a.photos, "transitions": truth}, f, indent=1)
        kinds = {k: sum(t["kind"] == k for t in truth) for k in ("cut", "dissolve", "fade", "wipe")}
        print(f"wrote {path}: {a.frames} frames, {kinds}")


if __name__ == "__main__":
    main()
