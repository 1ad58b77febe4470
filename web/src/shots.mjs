// Shot detection with TransNetV2 in the page: the reference inference (soCzech/TransNetV2,
// inference/transnetv2.py) over frames the page decodes, on a webconv InferenceSession. The same protocol
// as the native `webconv shots` (src/shots/protocol.h): windows of 100 frames advancing by 50, the ends
// padded with copies of the first and last frame, the middle 50 predictions of each window kept, scenes
// formed from the single-frame head as predictions_to_scenes does. A model with a fixed window of W frames
// uses W/2 and W/4.
import { Tensor } from './webconv.mjs';

/** {window, step, context} for a model window of `window` frames (a multiple of 4). */
export function windowGeometry(window) {
  if (!Number.isInteger(window) || window < 4 || window % 4 !== 0)
    throw new Error(`a TransNetV2 window of ${window} frames: the protocol needs a multiple of 4 (the reference uses 100)`);
  return { window, step: window / 2, context: window / 4 };
}

/** The source frame at position i of window k, for a video of `frames` frames (Infinity while unknown). */
export function sourceFrame(g, k, i, frames) {
  return Math.min(Math.max(k * g.step + i - g.context, 0), frames - 1);
}

/** The highest frame window k reads: it can run once that frame is decoded, or the video has ended. */
export function lastFrameNeeded(g, k) {
  return k * g.step + g.window - g.context - 1;
}

/** Scenes [[first, last], ...] (inclusive) from per-frame probabilities, as the reference forms them. */
export function predictionsToScenes(probabilities, threshold = 0.5) {
  const scenes = [];
  let t = 0, prev = 0, start = 0;
  const n = probabilities.length;
  for (let i = 0; i < n; ++i) {
    t = probabilities[i] > threshold ? 1 : 0;
    if (prev === 1 && t === 0) start = i;
    if (prev === 0 && t === 1 && i !== 0) scenes.push([start, i]);
    prev = t;
  }
  if (n && t === 0) scenes.push([start, n - 1]);
  if (n && !scenes.length) scenes.push([0, n - 1]);
  return scenes;
}

/**
 * How a session takes frames and gives predictions, as `webconv shots --model` reads a TransNetV2 export:
 * frames [B,T,H,W,3] or [B,3,T,H,W], uint8 or float32 (0..255); T and H x W fixed or symbolic (then 100 and
 * 27 x 48); one or two heads (an output named like "many"/"all" is the all-frames head); an output that a
 * Sigmoid produces is a probability, any other a logit.
 */
export function shotModelInterface(session) {
  const inputs = session.inputMetadata;
  if (inputs.length !== 1) throw new Error(`not a TransNetV2 export: it has ${inputs.length} inputs; TransNetV2 has one`);
  const input = inputs[0];
  if (!['uint8', 'float32'].includes(input.type))
    throw new Error(`not a TransNetV2 export: input '${input.name}' is ${input.type}, not uint8 or float32`);
  const dim = (d) => (typeof d === 'number' && d >= 0 ? d : -1);
  const s = (input.shape && input.shape.length ? input.shape : [-1, -1, 27, 48, 3]).map(dim);
  if (s.length !== 5) throw new Error(`not a TransNetV2 export: input '${input.name}' has rank ${s.length}, not 5`);
  let channelsLast;
  if (s[4] === 3 && s[1] !== 3) channelsLast = true;
  else if (s[1] === 3 && s[4] !== 3) channelsLast = false;
  else if ((s[4] === -1 && s[1] === -1) || (s[4] === 3 && s[1] === 3)) channelsLast = true;
  else throw new Error(`not a TransNetV2 export: input '${input.name}' [${s}] has no axis of 3 colors first or last`);
  const [t, h, w] = channelsLast ? [s[1], s[2], s[3]] : [s[2], s[3], s[4]];
  if (s[0] !== 1 && s[0] !== -1) throw new Error(`not a TransNetV2 export: a fixed batch of ${s[0]}, not 1`);
  const outputs = session.outputMetadata;
  if (outputs.length < 1 || outputs.length > 2)
    throw new Error(`not a TransNetV2 export: it has ${outputs.length} outputs; TransNetV2 has one or two`);
  let all = outputs.length === 2 ? outputs.findIndex((o) => /many|all/i.test(o.name)) : -1;
  if (outputs.length === 2 && all < 0) all = 1;
  const single = outputs[all === 0 ? 1 : 0];
  return {
    input: input.name, type: input.type, channelsLast, window: t === -1 ? 100 : t,
    height: h === -1 ? 27 : h, width: w === -1 ? 48 : w,
    single: single.name, singleIsProbability: !!single.sigmoid,
    all: all >= 0 ? outputs[all].name : null, allIsProbability: all >= 0 ? !!outputs[all].sigmoid : false,
  };
}

// One window's input tensor from `window` RGB frames (height x width x 3 bytes each).
function windowTensor(m, frames) {
  const t = frames.length, pixels = m.height * m.width;
  const data = m.type === 'uint8' ? new Uint8Array(t * pixels * 3) : new Float32Array(t * pixels * 3);
  for (let f = 0; f < t; ++f) {
    const src = frames[f];
    if (m.channelsLast) {
      data.set(src, f * pixels * 3);  // uint8 copied, or converted to 0..255 floats
      continue;
    }
    for (let p = 0; p < pixels; ++p)
      for (let c = 0; c < 3; ++c) data[(c * t + f) * pixels + p] = src[p * 3 + c];
  }
  const dims = m.channelsLast ? [1, t, m.height, m.width, 3] : [1, 3, t, m.height, m.width];
  return new Tensor(m.type, data, dims);
}

function headValues(m, outputs, name, isProbability) {
  const o = outputs[name];
  if (!o || o.data.length !== m.window)
    throw new Error(`output '${name}' has ${o ? o.data.length : 0} values, not one per frame of the ${m.window}-frame window`);
  return Float32Array.from(o.data, (v) => (isProbability ? v : 1 / (1 + Math.exp(-v))));
}

/**
 * Runs TransNetV2 over `frames`, an (async) iterable of RGB frames (Uint8Array of height x width x 3, the
 * size shotModelInterface(session) gives), as the reference protocol says. Holds at most one window of
 * frames. onProgress({frames, windows}) is called after each window; onSceneStart(frame, rgb) when a frame is
 * found to start a scene (as predictions_to_scenes forms them; for thumbnails). Resolves to {frames, window, windows,
 * singleFrame, allFrames (null with one head), scenes, wallMs, modelMs, firstWindowMs}.
 */
export async function detectShots(session, frames, { threshold = 0.5, onProgress, onSceneStart } = {}) {
  const m = shotModelInterface(session);
  const g = windowGeometry(m.window);
  const bytes = m.height * m.width * 3;
  const it = (frames[Symbol.asyncIterator] ?? frames[Symbol.iterator]).call(frames);
  const held = [];  // held[j] is frame base + j
  let base = 0, read = 0, ended = false, modelMs = 0, firstWindowMs = 0, windows = 0;
  const single = [], all = [];
  const t0 = performance.now();
  for (let k = 0; ; ++k) {
    while (!ended && read <= lastFrameNeeded(g, k)) {
      const { value, done } = await it.next();
      if (done) { ended = true; break; }
      if (!(value instanceof Uint8Array) && !(value instanceof Uint8ClampedArray) || value.length !== bytes)
        throw new Error(`frame ${read} is not ${m.width}x${m.height} RGB (${bytes} bytes)`);
      held.push(value);
      ++read;
    }
    if (ended && k * g.step >= read) break;
    const total = ended ? read : Infinity;
    const win = [];
    for (let i = 0; i < g.window; ++i) win.push(held[sourceFrame(g, k, i, total) - base]);
    const tm = performance.now();
    const outputs = await session.run({ [m.input]: windowTensor(m, win) });
    const ms = performance.now() - tm;
    modelMs += ms;
    if (k === 0) firstWindowMs = ms;
    const s = headValues(m, outputs, m.single, m.singleIsProbability);
    const a = m.all ? headValues(m, outputs, m.all, m.allIsProbability) : null;
    for (let j = 0; j < g.step && k * g.step + j < total; ++j) {
      const f = k * g.step + j;
      const isTransition = s[g.context + j] > threshold;
      const prevTransition = f > 0 && single[f - 1] > threshold;
      if (onSceneStart && !isTransition && (f === 0 || prevTransition)) onSceneStart(f, held[f - base]);
      single.push(s[g.context + j]);
      if (a) all.push(a[g.context + j]);
    }
    ++windows;
    const keepFrom = Math.max(0, (k + 1) * g.step - g.context);
    while (base < keepFrom && held.length > 1) { held.shift(); ++base; }
    onProgress?.({ frames: Math.min(single.length, read), windows });
  }
  if (!read) throw new Error('the video has no frames');
  single.length = read;
  if (m.all) all.length = read;
  return {
    frames: read, window: g.window, windows, singleFrame: Float32Array.from(single),
    allFrames: m.all ? Float32Array.from(all) : null, scenes: predictionsToScenes(single, threshold),
    wallMs: performance.now() - t0, modelMs, firstWindowMs,
  };
}

/**
 * The frames of a <video> element as it plays (requestVideoFrameCallback), each drawn to width x height on a
 * canvas and read back as RGB: an async iterable for detectShots. Playback pauses while `maxQueued` frames
 * wait for the model and resumes when they are taken, so a slow model never makes the player skip frames;
 * frames the player skips anyway are counted in `stats.dropped` (their indices come from the media time).
 * `stats.fps` is estimated from the media times. The video should be muted (autoplay rules).
 */
export function videoFrames(video, { width = 48, height = 27, playbackRate = 1, maxQueued = 200 } = {}) {
  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height)
                                                         : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const stats = { frames: 0, dropped: 0, fps: 0, error: null };
  const queue = [], times = [];
  let ended = false, wake = null;
  const signal = () => { if (wake) { const w = wake; wake = null; w(); } };
  // The frame on screen, once per media time (a frame presented twice is taken once).
  const capture = (mediaTime) => {
    if (times.length && mediaTime <= times[times.length - 1]) return;
    ctx.drawImage(video, 0, 0, width, height);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const rgb = new Uint8Array(width * height * 3);
    for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) { rgb[q] = rgba[p]; rgb[q + 1] = rgba[p + 1]; rgb[q + 2] = rgba[p + 2]; }
    times.push(mediaTime);
    queue.push(rgb);
    ++stats.frames;
    updateTiming();
    if (queue.length >= maxQueued) video.pause();
  };
  // fps: the median gap between media times; a gap of more than 1.5 frames is frames the player skipped.
  const updateTiming = () => {
    if (times.length < 2) return;
    const gaps = [];
    for (let i = Math.max(1, times.length - 64); i < times.length; ++i) gaps.push(times[i] - times[i - 1]);
    gaps.sort((a, b) => a - b);
    const frame = gaps[gaps.length >> 1];
    if (frame > 0) {
      stats.fps = 1 / frame;
      const gap = times[times.length - 1] - times[times.length - 2];
      if (gap > 1.5 * frame) stats.dropped += Math.round(gap / frame) - 1;
    }
  };
  const onFrame = (_now, meta) => {
    capture(meta.mediaTime);
    if (!video.ended) video.requestVideoFrameCallback(onFrame);
    signal();
  };
  const onEnded = () => { ended = true; signal(); };
  const onError = () => { stats.error = video.error?.message || 'the browser cannot play this video'; ended = true; signal(); };
  video.addEventListener('ended', onEnded);
  video.addEventListener('error', onError);
  const iterator = {
    stats,
    async *[Symbol.asyncIterator]() {
      if (video.readyState < 2) await new Promise((res, rej) => {
        video.addEventListener('loadeddata', res, { once: true });
        video.addEventListener('error', () => rej(new Error(video.error?.message || 'the browser cannot play this video')), { once: true });
      });
      video.muted = true;
      video.playbackRate = playbackRate;
      // The first frame is shown before playback starts, and no frame callback of the playback reports it:
      // a seek to the start decodes it again (also for a hidden element); it is taken when the seek ends.
      await new Promise((res) => {
        video.addEventListener('seeked', res, { once: true });
        video.currentTime = 0;
      });
      capture(video.currentTime);
      video.requestVideoFrameCallback(onFrame);
      await video.play();
      try {
        for (;;) {
          if (queue.length) {
            const f = queue.shift();
            if (video.paused && !video.ended && queue.length < maxQueued / 2) video.play();
            yield f;
          } else if (ended) {
            if (stats.error) throw new Error(stats.error);
            return;
          } else {
            await new Promise((res) => { wake = res; });
          }
        }
      } finally {
        video.pause();
        video.removeEventListener('ended', onEnded);
        video.removeEventListener('error', onError);
      }
    },
  };
  return iterator;
}
