// The page's "Shots in a video" panel: a video file (picked or dropped) decoded by the browser's player,
// frames scaled to the model's 48x27 on a canvas, TransNetV2 windows run through the JS API
// (webconv/shots.mjs), with progress, the probability plot, the scene list with thumbnails and a JSON
// export. The model is the trained TransNetV2 served with the page (demo/transnetv2.onnx) unless the user
// gives another TransNetV2 export.
import * as wc from '../webconv.mjs';
import { detectShots, shotModelInterface, videoFrames } from '../shots.mjs';

import { shotPlot } from './charts.mjs';

const $ = (id) => document.getElementById(id);

function status(text, isError = false) {
  $('shots-status').textContent = text;
  $('shots-status').className = 'status-inline' + (isError ? ' error' : '');
}

function thumbnail(rgb, width, height) {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.className = 'thumb';
  const img = c.getContext('2d').createImageData(width, height);
  for (let p = 0, q = 0; q < rgb.length; p += 4, q += 3) {
    img.data[p] = rgb[q];
    img.data[p + 1] = rgb[q + 1];
    img.data[p + 2] = rgb[q + 2];
    img.data[p + 3] = 255;
  }
  c.getContext('2d').putImageData(img, 0, 0);
  return c;
}

const timecode = (s) => {
  const ms = Math.round(s * 1000);
  const pad = (v, n = 2) => String(v).padStart(n, '0');
  return `${pad(Math.floor(ms / 3600000))}:${pad(Math.floor(ms / 60000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
};

export function setupShots(state, backend) {
  let videoFile = null, modelFile = null, url = null;
  const sessions = new Map();  // model key -> session

  async function session() {
    const key = `${backend()}:${modelFile ? modelFile.name + modelFile.size : 'builtin'}`;
    if (!sessions.has(key)) {
      status(modelFile ? `Loading ${modelFile.name}…` : 'Loading the trained TransNetV2 (about 30 MB)…');
      const source = modelFile ? new Uint8Array(await modelFile.arrayBuffer()) : 'demo/transnetv2.onnx';
      sessions.set(key, await wc.InferenceSession.create(source, { executionProviders: [backend()] }));
    }
    return sessions.get(key);
  }

  async function run() {
    if (!videoFile) return;
    $('shots-run').disabled = true;
    state.shots = 'running';
    state.shotsResult = null;
    $('shots-scenes').replaceChildren();
    $('shots-plot').replaceChildren();
    $('shots-export').hidden = true;
    try {
      const s = await session();
      const m = shotModelInterface(s);
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(videoFile);
      const video = $('shots-video');
      video.src = url;
      const frames = videoFrames(video, { width: m.width, height: m.height, playbackRate: Number($('shots-rate').value) });
      const thumbs = new Map();
      const t0 = performance.now();
      const threshold = Number($('shots-threshold').value);
      const result = await detectShots(s, frames, {
        threshold,
        onProgress: ({ frames: done, windows }) => {
          const secs = (performance.now() - t0) / 1000;
          $('shots-progress').hidden = false;
          if (video.duration > 0) {
            $('shots-progress').max = video.duration;
            $('shots-progress').value = video.currentTime;
          }
          status(`${done} frames, ${windows} windows, ${(done / secs).toFixed(1)} frames/s` +
                 (frames.stats.dropped ? `; the player skipped ${frames.stats.dropped} frames` : ''));
        },
        onSceneStart: (f, rgb) => thumbs.set(f, thumbnail(rgb, m.width, m.height)),
      });
      $('shots-progress').hidden = true;
      const fps = frames.stats.fps || 0;
      const out = {
        video: videoFile.name, frames: result.frames, fps: fps || null, window: result.window, threshold,
        scenes: result.scenes, dropped_frames: frames.stats.dropped,
        single_frame: Array.from(result.singleFrame, (v) => +v.toFixed(6)),
        all_frames: result.allFrames ? Array.from(result.allFrames, (v) => +v.toFixed(6)) : null,
      };
      shotPlot($('shots-plot'), result.singleFrame, result.allFrames, result.scenes, threshold);
      const list = document.createElement('ol');
      list.className = 'scenes';
      for (const [a, b] of result.scenes) {
        const li = document.createElement('li');
        if (thumbs.has(a)) li.appendChild(thumbs.get(a));
        const text = `frames ${a}–${b}` + (fps ? ` (${timecode(a / fps)} – ${timecode((b + 1) / fps)})` : '');
        li.appendChild(document.createTextNode(text));
        list.appendChild(li);
      }
      $('shots-scenes').replaceChildren(list);
      const blob = new Blob([JSON.stringify(out)], { type: 'application/json' });
      $('shots-export').href = URL.createObjectURL(blob);
      $('shots-export').download = `${videoFile.name}.shots.json`;
      $('shots-export').hidden = false;
      status(`Done: ${result.frames} frames, ${result.scenes.length} scenes in ${(result.wallMs / 1000).toFixed(1)} s` +
             (frames.stats.dropped ? `; the player skipped ${frames.stats.dropped} frames (slow machine): results approximate` : ''));
      state.shotsResult = out;
      state.shots = 'done';
    } catch (e) {
      $('shots-progress').hidden = true;
      status(e.message, true);
      state.shots = 'error';
      state.error = e.message;
    } finally {
      $('shots-run').disabled = false;
    }
  }

  const pickVideo = (f) => {
    videoFile = f;
    $('shots-run').disabled = !f;
    status(f ? `${f.name}: ready.` : '');
  };
  $('shots-video-file').addEventListener('change', (e) => pickVideo(e.target.files[0] ?? null));
  $('shots-model-file').addEventListener('change', (e) => { modelFile = e.target.files[0] ?? null; });
  $('shots-run').addEventListener('click', run);
  const zone = $('shots-drop');
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const f = e.dataTransfer.files[0];
    if (f) pickVideo(f);
  });
}
