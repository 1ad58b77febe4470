#!/usr/bin/python3
"""Collects the photographs that Debian packages ship into one array, the raw material of the synthetic
shots (tools/train/synth.py): every .jpg/.png/.webp under the given folders, decoded and scaled by ffmpeg
to cover 384x216 (centre crop), as uint8 [N, 216, 384, 3] in an .npz with the source names.

    apt-get download gnome-backgrounds ukui-wallpapers lomiri-wallpapers   # or install them
    for f in *.deb; do dpkg -x "$f" debs; done
    /usr/bin/python3 tools/train/photo_bank.py OUT.npz debs/usr/share/backgrounds [more folders]

Images narrower than 192 pixels (icons) are skipped. The order is sorted by path, so a bank built from
the same package versions is the same file.
"""
import os
import subprocess
import sys

import numpy as np

W, H = 384, 216


def decode(path):
    r = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-frames:v", "1", "-vf",
                        f"scale={W}:{H}:force_original_aspect_ratio=increase,crop={W}:{H}", "-f", "rawvideo",
                        "-pix_fmt", "rgb24", "pipe:1"], capture_output=True)
    if r.returncode != 0 or len(r.stdout) != W * H * 3:
        return None
    return np.frombuffer(r.stdout, np.uint8).reshape(H, W, 3)


def width_of(path):
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width", "-of",
                        "csv=p=0", path], capture_output=True, text=True)
    try:
        return int(r.stdout.strip().split("\n")[0])
    except ValueError:
        return 0


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    out, folders = sys.argv[1], sys.argv[2:]
    paths = sorted(os.path.join(d, f) for folder in folders for d, _, files in os.walk(folder) for f in files
                   if f.lower().endswith((".jpg", ".jpeg", ".png", ".webp")))
    images, names = [], []
    for p in paths:
        if width_of(p) < 192:
            continue
        img = decode(p)
        if img is not None:
            images.append(img)
            names.append(os.path.relpath(p))
    if not images:
        raise SystemExit("no images found")
    np.savez_compressed(out, images=np.stack(images), names=np.array(names))
    print(f"wrote {out}: {len(images)} images of {W}x{H}")


if __name__ == "__main__":
    main()
