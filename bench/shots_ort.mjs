// The `webconv shots` pipeline through ONNX Runtime (onnxruntime-node), for the side-by-side speed
// comparison (bench/shots.py): the same ffmpeg decode command, TransNetV2's reference windows (100 frames
// advancing by 50, 25 of context, the ends padded with the first and last frames; a fixed window W uses
// W/2 and W/4), one session.run per window, the middle predictions kept, scenes as predictions_to_scenes.
// node shots_ort.mjs VIDEO MODEL [--ep webgpu|cpu] [--threads N]
// Prints one JSON line: frames, windows, wall_ms (session create excluded: create_ms), first_window_ms,
// frames_per_second, single_frame (the kept probabilities) and scenes.
import { createRequire } from 'module';
import { spawn } from 'child_process';
import fs from 'fs';
const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

const args = process.argv.slice(2);
const [video, model] = [args.shift(), args.shift()];
let ep = 'webgpu', threads = 0;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--ep') ep = args[++i];
  else if (args[i] === '--threads') threads = +args[++i];
}
const t0 = performance.now();
const options = { executionProviders: [ep] };
if (threads) options.intraOpNumThreads = threads;
const session = await ort.InferenceSession.create(fs.readFileSync(model), options);
const createMs = performance.now() - t0;
const name = session.inputNames[0];
const meta = (session.inputMetadata || []).find?.((m) => m.name === name) ?? {};
const shape = meta.shape ?? [1, -1, 27, 48, 3];
const channelsLast = shape[4] === 3 && shape[1] !== 3;
const T = typeof (channelsLast ? shape[1] : shape[2]) === 'number' ? (channelsLast ? shape[1] : shape[2]) : 100;
const [H, W] = channelsLast ? [shape[2], shape[3]] : [shape[3], shape[4]];
const isUint8 = meta.type === 'uint8';
const step = T / 2, context = T / 4, frameBytes = H * W * 3;

// Frames arrive from ffmpeg as a stream; `frames` keeps those a window may still need.
const ff = spawn('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', 'file:' + video, '-an', '-sn', '-dn',
                            '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, 'pipe:1']);
let pending = Buffer.alloc(0), ended = false, wake = null;
const frames = [];  // {index, data}
let read = 0;
ff.stdout.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= frameBytes) {
    frames.push({ index: read++, data: pending.subarray(0, frameBytes) });
    pending = pending.subarray(frameBytes);
  }
  if (frames.length > 4 * T) ff.stdout.pause();
  if (wake) { wake(); wake = null; }
});
ff.stdout.on('end', () => { ended = true; if (wake) { wake(); wake = null; } });
const more = () => new Promise((r) => { wake = r; ff.stdout.resume(); });

const tStart = performance.now();
let firstWindowMs = 0, windows = 0;
const single = [];
for (let k = 0; ; ++k) {
  const lastNeeded = k * step + T - context - 1;
  while (!ended && read <= lastNeeded) await more();
  if (ended && k * step >= read) break;
  const total = ended ? read : Infinity;
  const n = T * frameBytes;
  const data = isUint8 ? new Uint8Array(n) : new Float32Array(n);
  const base = frames[0].index;
  for (let i = 0; i < T; ++i) {
    const src = frames[Math.min(Math.max(k * step + i - context, 0), total - 1) - base].data;
    for (let p = 0; p < H * W; ++p)
      for (let c = 0; c < 3; ++c)
        data[channelsLast ? (i * H * W + p) * 3 + c : (c * T + i) * H * W + p] = src[p * 3 + c];
  }
  const dims = channelsLast ? [1, T, H, W, 3] : [1, 3, T, H, W];
  const tw = performance.now();
  const out = await session.run({ [name]: new ort.Tensor(isUint8 ? 'uint8' : 'float32', data, dims) });
  if (k === 0) firstWindowMs = performance.now() - tw;
  const probs = out[session.outputNames[0]].data;
  for (let j = 0; j < step && k * step + j < total; ++j) {
    const v = probs[context + j];
    single.push(v);
  }
  ++windows;
  while (frames.length > 1 && frames[0].index < (k + 1) * step - context) frames.shift();
  if (frames.length <= 4 * T) ff.stdout.resume();
}
single.length = read;
// The builders' models end in a Sigmoid; an export that stops at the logits (the trained model's) has
// values outside [0, 1], and its probabilities are their sigmoid, as webconv shots computes them.
if (single.some((v) => v < 0 || v > 1)) single.forEach((v, i) => { single[i] = 1 / (1 + Math.exp(-v)); });
const wallMs = performance.now() - tStart;
// predictions_to_scenes
const scenes = [];
let t = 0, prev = 0, start = 0;
single.forEach((p, i) => {
  t = p > 0.5 ? 1 : 0;
  if (prev === 1 && t === 0) start = i;
  if (prev === 0 && t === 1 && i !== 0) scenes.push([start, i]);
  prev = t;
});
if (t === 0) scenes.push([start, single.length - 1]);
if (!scenes.length) scenes.push([0, single.length - 1]);
console.log(JSON.stringify({ ep, frames: read, windows, create_ms: +createMs.toFixed(1), wall_ms: +wallMs.toFixed(1),
  first_window_ms: +firstWindowMs.toFixed(1), frames_per_second: +(1000 * read / wallMs).toFixed(2),
  single_frame: single.map((v) => +v.toFixed(6)), scenes }));
