#!/usr/bin/env python3
"""Trains TransNetV2 (tools/train/model.py) on synthetic shots (tools/train/synth.py) on a GPU, from a seed.

Clips of 100 frames at 48x27 are generated on the fly by CPU workers from the photo bank's training
photographs (every third photograph is held out for evaluation). Loss: binary cross-entropy on the
single-frame labels (transition frames weighted 5x, as the TransNetV2 paper weights them) plus 0.1 x the
all-frames labels' cross-entropy. AdamW with a cosine schedule, bf16 autocast. Writes to OUT:
  weights.f16.npz    every parameter and batch-norm statistic, float16 (the repository keeps this)
  transnetv2.onnx    the trained model exported by PyTorch (opset 17, T = 100, float32, not constant-folded)
  check.npz          a fixed input clip and PyTorch's outputs for it (to check webconv's run of the export)
  log.json           loss per logging step, steps, clips, seconds, the arguments

    python3 tools/train/train.py --bank BANK.npz --out OUT [--minutes 8] [--batch 32] [--seed 2026] [--workers 14]
"""
import argparse
import json
import math
import multiprocessing as mp
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as tmodel  # noqa: E402
import synth  # noqa: E402

T, H, W = 100, 27, 48
_BANK = None


def _init(bank_path):
    global _BANK
    _BANK = np.load(bank_path)["images"]


def make_clip(seed):
    rng = np.random.default_rng(seed)
    photos = synth.photo_split(len(_BANK), "train")
    frames, one_hot, many_hot, _ = synth.make_sequence(rng, _BANK, T, W, H, photos)
    return frames, one_hot, many_hot


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bank", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=float, default=8)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 2))
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(a.seed)
    dev = torch.device("cuda")
    net = tmodel.TransNetV2().to(dev).to(memory_format=torch.channels_last_3d)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-4)
    pool = mp.get_context("fork").Pool(a.workers, initializer=_init, initargs=(a.bank,))
    budget = a.minutes * 60
    t0 = time.time()
    log, step, clip_seed = [], 0, a.seed * 1_000_000
    pending = pool.map_async(make_clip, range(clip_seed, clip_seed + a.batch))
    clip_seed += a.batch
    est_steps = None
    while True:
        batch = pending.get()
        elapsed = time.time() - t0
        if elapsed > budget:
            break
        pending = pool.map_async(make_clip, range(clip_seed, clip_seed + a.batch))
        clip_seed += a.batch
        frames = torch.from_numpy(np.stack([b[0] for b in batch])).to(dev)
        one = torch.from_numpy(np.stack([b[1] for b in batch])).float().to(dev)[..., None]
        many = torch.from_numpy(np.stack([b[2] for b in batch])).float().to(dev)[..., None]
        # Cosine decay over the time budget (steps are not known in advance).
        lr = a.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, elapsed / budget)))
        for g in opt.param_groups:
            g["lr"] = lr
        net.train()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            s, m = net(frames)
        s, m = s.float(), m.float()
        weight = 1 + 4 * one
        loss_s = F.binary_cross_entropy_with_logits(s, one, weight=weight)
        loss_m = F.binary_cross_entropy_with_logits(m, many)
        loss = loss_s + 0.1 * loss_m
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 25 == 0 or step == 1:
            log.append({"step": step, "seconds": round(time.time() - t0, 1), "loss": float(loss),
                        "loss_single": float(loss_s), "loss_many": float(loss_m), "lr": lr})
            print(f"step {step} {time.time() - t0:6.1f}s loss {float(loss):.4f} single {float(loss_s):.4f} "
                  f"many {float(loss_m):.4f} lr {lr:.2e}", flush=True)
    pool.terminate()
    seconds = time.time() - t0
    net.eval().float()
    state = {k: v.detach().cpu().numpy() for k, v in net.state_dict().items() if v.dtype.is_floating_point}
    np.savez_compressed(os.path.join(a.out, "weights.f16.npz"), **{k: v.astype(np.float16) for k, v in state.items()})
    # The export and the check use the float16-rounded weights: what the repository's model will hold.
    with torch.no_grad():
        for k, v in net.state_dict().items():
            if v.dtype.is_floating_point:
                v.copy_(v.half().float())
    _init(a.bank)
    clip = torch.from_numpy(make_clip(123456)[0][None]).to(dev)
    with torch.no_grad():
        s, m = net(clip)
    np.savez_compressed(os.path.join(a.out, "check.npz"), frames=clip.cpu().numpy(), single=s.cpu().numpy(),
                        many=m.cpu().numpy())
    # No constant folding: the initializers keep the state dict's names (batch norms stay nodes), so the
    # graph with its weights stripped and weights.f16.npz rebuild the model (tools/models/make_transnetv2_trained.py).
    export = dict(opset_version=17, input_names=["frames"], output_names=["single_frame", "many_hot"],
                  do_constant_folding=False)
    try:
        torch.onnx.export(net, (clip,), os.path.join(a.out, "transnetv2.onnx"), dynamo=False, **export)
    except TypeError:  # a PyTorch without the dynamo switch exports with TorchScript already
        torch.onnx.export(net, (clip,), os.path.join(a.out, "transnetv2.onnx"), **export)
    with open(os.path.join(a.out, "log.json"), "w") as f:
        json.dump({"args": vars(a), "steps": step, "clips": step * a.batch, "seconds": round(seconds, 1),
                   "log": log, "torch": torch.__version__, "gpu": torch.cuda.get_device_name()}, f, indent=1)
    print(f"done: {step} steps, {step * a.batch} clips in {seconds:.0f} s")


if __name__ == "__main__":
    main()
