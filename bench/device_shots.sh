#!/usr/bin/env bash
# `webconv shots` speed on the device machine (bench/shots.py): webconv on the H100 next to the same
# pipeline through ONNX Runtime's WebGPU and CPU EPs, decoding included, and the decode ceiling.
# The device has no ffmpeg: a small ffmpeg/ffprobe build (decoders, demuxers and the scaler only) is
# carried compressed in DIR. Prepare (here, from the project root):
#   DIR=.devdata/shots; bench/shots.py --make $DIR/full --frames 2000
#   cp $DIR/full/shots_2000.mp4 $DIR/; python3 -c "import sys; sys.path.insert(0,'bench'); import onnx_weights; \
#     onnx_weights.strip('$DIR/full/transnetv2_T100.onnx', '$DIR/transnetv2_T100.onnx')"
#   strip -o $DIR/webconv build/webconv; xz -9 -c FFMPEG > $DIR/ffmpeg.xz; xz -9 -c FFPROBE > $DIR/ffprobe.xz
# where FFMPEG and FFPROBE come from Debian's ffmpeg source (apt-get source --download-only ffmpeg, with a
# deb-src line; nasm installed), configured with only what decoding needs and linked against libc alone:
#   ./configure --disable-everything --disable-doc --disable-network --disable-autodetect --disable-debug \
#     --disable-ffplay --enable-decoder=h264,hevc,vp8,vp9,mpeg4,ffv1,rawvideo,mjpeg,av1 \
#     --enable-demuxer=mov,matroska,avi,yuv4mpegpipe,rawvideo --enable-parser=h264,hevc,vp8,vp9,mpeg4video,av1 \
#     --enable-protocol=file,pipe --enable-filter=scale,format,null,buffer,buffersink,fps,setpts \
#     --enable-muxer=rawvideo --enable-encoder=rawvideo --enable-swscale && make -j2
# (5.1.9 gave frames byte-identical to Debian's ffmpeg for the benchmark video.)
# Run (device; carry .device and DIR):  bench/device_shots.sh DIR
set -u
source bench/device_env.sh
dir=$1
out=${OUT:-$dir/results}
mkdir -p "$out" /tmp/ff
for p in ffmpeg ffprobe; do [ -x /tmp/ff/$p ] || { xz -dc "$dir/$p.xz" > /tmp/ff/$p && chmod +x /tmp/ff/$p; }; done
export PATH=/tmp/ff:$PATH
mkdir -p /tmp/shots-models
[ -f /tmp/shots-models/transnetv2_T100.onnx ] || python3 -c "import sys; sys.path.insert(0, 'bench'); import onnx_weights; \
onnx_weights.fill('$dir/transnetv2_T100.onnx', '/tmp/shots-models/transnetv2_T100.onnx')"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | tee "$out/shots.txt"
nproc | sed 's/^/cpu cores: /' | tee -a "$out/shots.txt"
for v in "$dir"/*.mp4; do
  python3 bench/shots.py --video "$v" --model /tmp/shots-models/transnetv2_T100.onnx --webconv "$dir/webconv" \
    --ort-eps webgpu,cpu --json "$out/shots-$(basename "$v" .mp4).json" 2>&1 | tee -a "$out/shots.txt"
done
