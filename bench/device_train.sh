#!/usr/bin/env bash
# Trains TransNetV2 on the device (tools/train/train.py) and brings back what the repository keeps: the
# float16 weights, the exported graph with its large initializers stripped (bench/onnx_weights.py), the
# check clip with PyTorch's outputs, and the loss log.
# Prepare (here): the photo bank (tools/train/photo_bank.py) at DIR/bank.npz.
# Run (device; carry DIR):  bench/device_train.sh DIR MINUTES
set -u
dir=$1 minutes=${2:-6}
out=${OUT:-$dir/results}
mkdir -p "$out" /tmp/train
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null
python3 -c "import torch, numpy; print('torch', torch.__version__, 'numpy', numpy.__version__)"
python3 tools/train/train.py --bank "$dir/bank.npz" --out /tmp/train --minutes "$minutes" 2>&1 | tee "$out/train.txt" | tail -40
python3 -c "import sys; sys.path.insert(0, 'bench'); import onnx_weights; \
onnx_weights.strip('/tmp/train/transnetv2.onnx', '$out/transnetv2.graph.onnx')"
cp /tmp/train/weights.f16.npz /tmp/train/check.npz /tmp/train/log.json "$out/"
ls -la "$out"
