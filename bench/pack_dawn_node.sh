#!/usr/bin/env bash
# Packs Dawn's Node binding (npm webgpu@0.6.2, dawn.node for linux-x64) into .device/webgpu/ so that the
# browser build can be timed on the device machine's GPU (bench/web_bench.mjs), the way
# ../shared/device/prepare.sh packs onnxruntime-node. Run from the project root; the device unpacks it with
#   mkdir -p /tmp/webgpu/dist/linux-x64 && cp .device/webgpu/index.js .device/webgpu/package.json /tmp/webgpu/ &&
#   xz -dc .device/webgpu/dawn.node.xz > /tmp/webgpu/dist/linux-x64/dawn.node
# (bench/device_cold.sh does).
set -euo pipefail
mkdir -p .device/webgpu
if [ ! -f .device/webgpu/dawn.node.xz ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm init -y >/dev/null && npm install --ignore-scripts --no-audit --no-fund webgpu@0.6.2 >/dev/null)
  cp "$tmp/node_modules/webgpu/index.js" "$tmp/node_modules/webgpu/package.json" .device/webgpu/
  xz -T2 -6 -c "$tmp/node_modules/webgpu/dist/linux-x64/dawn.node" > .device/webgpu/dawn.node.xz
  rm -rf "$tmp"
fi
du -sh .device/webgpu
