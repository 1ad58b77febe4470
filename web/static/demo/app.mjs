// The demo page's logic: WebGPU detection (with the CPU backend offered when it is missing), the built-in
// TransNetV2 demo (frame strip, per-frame probabilities against the ground truth), shots in a video the user
// gives (shots_panel.mjs), a model the user picks or drops (inputs, outputs, run on random inputs), and the
// timing of the last run (total and per op).
// window.webconvDemo exposes the page's state for the browser tests.
import * as wc from '../webconv.mjs';

import { barChart, probabilityPlot } from './charts.mjs';
import { drawFrames } from './frames.mjs';
import { randomTensor, resolveDims } from './inputs.mjs';
import { setupShots } from './shots_panel.mjs';

const $ = (id) => document.getElementById(id);
const state = { builtin: 'idle', custom: 'idle', error: null, lastProfile: null };
window.webconvDemo = state;

// --- Environment ------------------------------------------------------------------------------------------

async function detectWebGpu() {
  const status = $('gpu-status');
  let reason = null;
  if (!('gpu' in navigator)) {
    reason = window.isSecureContext
      ? 'this browser has no WebGPU (navigator.gpu is missing)'
      : 'WebGPU needs a secure context (https:// or http://localhost); this page is not one';
  } else {
    try {
      const adapter = await navigator.gpu.requestAdapter();
      if (!adapter) reason = 'navigator.gpu offers no adapter (WebGPU may be disabled, or no GPU is usable)';
      else {
        const info = adapter.info ?? {};
        const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'an adapter';
        status.textContent = `WebGPU is available: ${name}.`;
        status.className = 'status ok';
      }
    } catch (e) {
      reason = `requesting a WebGPU adapter failed: ${e.message}`;
    }
  }
  if (reason) {
    status.textContent = `WebGPU is not available: ${reason}. The CPU backend (float32 on WebAssembly SIMD) ` +
                         'is selected instead.';
    status.className = 'status warn';
    $('backend').value = 'cpu';
    $('backend').querySelector('option[value=webgpu]').disabled = true;
  }
  state.webgpu = !reason;
}

const backend = () => $('backend').value;

// The session's onProgress, shown on a <progress> bar next to a status line: the model loading, then the
// first run compiling its pipelines (i of N), then running. The bar hides itself when the run ends.
function progressTo(barId, statusId) {
  return ({ phase, done, total }) => {
    const bar = $(barId);
    if (phase === 'compile') {
      state.compileProgress = { done, total };  // what the bar last showed (read by tests/web/demo_page.mjs)
      bar.hidden = false;
      bar.max = total;
      bar.value = done;
      setStatus(statusId, `Compiling GPU pipelines: ${done} of ${total}…`);
    } else if (phase === 'load') {
      bar.hidden = done >= total;
      bar.removeAttribute('value');  // indeterminate while the model is read
    } else if (phase === 'run') {
      if (done < total) {
        bar.hidden = false;
        bar.removeAttribute('value');
        setStatus(statusId, 'Running the first time…');
      } else {
        bar.hidden = true;
      }
    }
  };
}

function setStatus(id, text, isError = false) {
  $(id).textContent = text;
  $(id).className = 'status-inline' + (isError ? ' error' : '');
}

// --- Timing -----------------------------------------------------------------------------------------------

function showTiming(label, totalMs, session) {
  const p = session.profile;
  state.lastProfile = p;
  const parts = [`${label}: ${totalMs.toFixed(1)} ms in session.run on ${session.backend}`];
  if (p?.wallMs != null) parts.push(`core wall ${p.wallMs.toFixed(1)} ms`);
  if (p?.gpuMs != null) parts.push(`GPU ${p.gpuMs.toFixed(2)} ms (timestamps)`);
  if (p?.planned) parts.push(session.backend === 'webgpu' ? 'first run: includes planning and kernel compilation'
                                                          : 'first run: includes planning');
  $('timing-summary').textContent = parts.join(' · ');
  const chart = $('timing-chart');
  if (!p || !p.dispatches.length) {
    chart.replaceChildren();
    const why = session.backend === 'cpu' ? 'profiling was off for this session'
                                          : 'the adapter has no timestamp queries';
    chart.textContent = `No per-op timings: ${why}.`;
    return;
  }
  // One bar per node (a node may run several dispatches), longest first; the tail folds into one bar.
  const byNode = new Map();
  for (const d of p.dispatches) {
    const e = byNode.get(d.node) ?? { label: d.node, value: 0, kernels: new Set() };
    e.value += d.ms;
    e.kernels.add(d.kernel);
    byNode.set(d.node, e);
  }
  const items = [...byNode.values()].sort((a, b) => b.value - a.value);
  const shown = items.slice(0, 32).map((e) => ({ label: e.label, value: e.value,
                                                title: `${e.label} (${[...e.kernels].join(', ')}): ${e.value.toFixed(4)} ms` }));
  const rest = items.slice(32);
  barChart(chart, shown, { unit: session.backend === 'webgpu' ? 'ms (GPU timestamps)' : 'ms (CPU)' });
  // The tail is a sum of many nodes: as a bar it would dwarf the nodes above, so it is a line of text.
  if (rest.length) {
    const note = document.createElement('div');
    note.className = 'muted';
    note.textContent = `and ${rest.length} other nodes: ${rest.reduce((a, e) => a + e.value, 0).toFixed(3)} ms in all`;
    chart.appendChild(note);
  }
}

// --- Built-in demo ----------------------------------------------------------------------------------------

function parseTruth(text) {
  const truth = { cuts: [], fades: [] };
  for (const line of text.split('\n')) {
    const [kind, a, b] = line.trim().split(/\s+/);
    if (kind === 'cut') truth.cuts.push(Number(a));
    else if (kind === 'fade') truth.fades.push([Number(a), Number(b)]);
  }
  return truth;
}

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`cannot fetch ${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

const builtinSessions = new Map(); // backend -> session; the second run shows the steady state

async function runBuiltin() {
  $('run-builtin').disabled = true;
  state.builtin = 'running';
  try {
    setStatus('builtin-status', 'Loading the clip…');
    const [clipBytes, truthText] = await Promise.all([fetchBytes('demo/clip.npy'),
                                                      fetch('demo/clip.truth.txt').then((r) => r.text())]);
    const clip = await wc.tensorFromNpy(clipBytes);
    drawFrames($('frames'), clip);
    const truth = parseTruth(truthText);
    let session = builtinSessions.get(backend());
    if (!session) {
      setStatus('builtin-status', 'Loading the model (about 30 MB)…');
      session = await wc.InferenceSession.create('demo/default.onnx',
                                                 { executionProviders: [backend()], enableProfiling: true,
                                                   onProgress: progressTo('builtin-progress', 'builtin-status') });
      builtinSessions.set(backend(), session);
    }
    setStatus('builtin-status', `Running on ${session.backend}` +
              (session.adapter ? ` (${session.adapter.name})` : '') + '… the first run compiles the kernels.');
    const t0 = performance.now();
    const outputs = await session.run({ [session.inputNames[0]]: clip });
    const ms = performance.now() - t0;
    const out = outputs[session.outputNames[0]];
    const probs = Array.from(out.data, Number);
    probabilityPlot($('probability-plot'), probs, truth);
    showTiming('TransNetV2 demo', ms, session);
    setStatus('builtin-status', `Done: ${probs.length} frames in ${ms.toFixed(0)} ms. Run again for the steady state.`);
    state.builtin = 'done';
    state.probabilities = probs;
  } catch (e) {
    $('builtin-progress').hidden = true;
    setStatus('builtin-status', e.message, true);
    state.builtin = 'error';
    state.error = e.message;
  } finally {
    $('run-builtin').disabled = false;
  }
}

// --- A model of the user's --------------------------------------------------------------------------------

let custom = null; // {session, name}

function shapeText(shape) {
  return `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;
}

// A symbolic dim that is the batch: named so (batch, batch_size, N, B...), or an unnamed leading dim.
function isBatchDim(name, index) {
  if (name == null || name === '') return index === 0;
  return /^(batch|batch_size|batchsize|n|b|bs|num_batches)$/i.test(String(name));
}

function ioTable(title, metas, editable) {
  const table = document.createElement('table');
  table.className = 'io';
  table.innerHTML = `<caption>${title}</caption><tr><th>name</th><th>dtype</th><th>shape</th>` +
                    (editable ? '<th>values for symbolic dims</th>' : '') + '</tr>';
  for (const m of metas) {
    const tr = table.insertRow();
    tr.insertCell().textContent = m.name;
    tr.insertCell().textContent = m.type ?? '?';
    tr.insertCell().textContent = m.type === null && !m.shape.length ? 'known after a run' : shapeText(m.shape);
    if (!editable) continue;
    const cell = tr.insertCell();
    m.shape.forEach((d, k) => {
      if (typeof d === 'number') return;
      const label = document.createElement('label');
      label.textContent = `${d ?? `dim ${k}`} = `;
      const input = document.createElement('input');
      input.type = 'number';
      input.min = '0';
      // A batch dim defaults to 1; any other size (height, width, frames) is asked for: a guess of 1 would
      // fail inside the model (a pool larger than its input) rather than here.
      if (isBatchDim(d, k)) input.value = '1';
      else input.placeholder = 'size?';
      input.dataset.key = `${m.name}:${k}`;
      label.appendChild(input);
      cell.appendChild(label);
      cell.append(' ');
    });
  }
  return table;
}

async function loadCustom(file) {
  $('run-custom').disabled = true;
  // Nothing of the previous model stays on screen: a file that fails to load leaves an empty table.
  $('custom-outputs').replaceChildren();
  $('model-info').replaceChildren();
  try {
    if (custom) await custom.session.release();
    custom = null;
    setStatus('custom-status', `Loading ${file.name}…`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const session = await wc.InferenceSession.create(bytes, { executionProviders: [backend()], enableProfiling: true,
                                                              onProgress: progressTo('custom-progress', 'custom-status') });
    custom = { session, name: file.name };
    $('model-info').replaceChildren(ioTable(`Inputs of ${file.name}`, session.inputMetadata, true),
                                    ioTable('Outputs', session.outputMetadata, false));
    setStatus('custom-status', `Loaded on ${session.backend}.`);
    $('run-custom').disabled = false;
    state.custom = 'loaded';
  } catch (e) {
    setStatus('custom-status', `${file.name}: ${e.message}`, true);
    state.custom = 'error';
    state.error = e.message;
  }
}

async function runCustom() {
  if (!custom) return;
  $('run-custom').disabled = true;
  try {
    const values = {};
    for (const input of $('model-info').querySelectorAll('input[data-key]')) values[input.dataset.key] = input.value;
    const feeds = {};
    custom.session.inputMetadata.forEach((m, k) => {
      feeds[m.name] = randomTensor(m.type, resolveDims(m, values), 1 + k);
    });
    setStatus('custom-status', 'Running…');
    const t0 = performance.now();
    const outputs = await custom.session.run(feeds);
    const ms = performance.now() - t0;
    const list = document.createElement('ul');
    for (const [name, t] of Object.entries(outputs)) {
      const li = document.createElement('li');
      const head = Array.from(t.data.slice(0, 6), (v) => (typeof v === 'bigint' ? String(v) : (+v).toPrecision(5)));
      li.textContent = `${name}: ${t.type}[${t.dims.join(', ')}] [${head.join(', ')}${t.size > 6 ? ', …' : ''}]`;
      list.appendChild(li);
    }
    $('custom-outputs').replaceChildren(list);
    showTiming(custom.name, ms, custom.session);
    setStatus('custom-status', `Done in ${ms.toFixed(1)} ms (random inputs, seeds 1, 2, …).`);
    state.custom = 'done';
  } catch (e) {
    $('custom-progress').hidden = true;
    setStatus('custom-status', e.message, true);
    state.custom = 'error';
    state.error = e.message;
  } finally {
    $('run-custom').disabled = false;
  }
}

// --- Wiring -----------------------------------------------------------------------------------------------

$('run-builtin').addEventListener('click', runBuiltin);
$('run-custom').addEventListener('click', runCustom);
$('model-file').addEventListener('change', (e) => e.target.files[0] && loadCustom(e.target.files[0]));
const zone = $('drop-zone');
zone.addEventListener('dragover', (e) => {
  e.preventDefault();
  zone.classList.add('over');
});
zone.addEventListener('dragleave', () => zone.classList.remove('over'));
zone.addEventListener('drop', (e) => {
  e.preventDefault();
  zone.classList.remove('over');
  const file = e.dataTransfer.files[0];
  if (file) loadCustom(file);
});
$('backend').addEventListener('change', () => {
  if (custom) setStatus('custom-status', 'Backend changed: load the model again to use it.');
});

setupShots(state, backend);

await detectWebGpu();
wc.coreVersion().then(
  (v) => ($('core-version').textContent = `webconv ${v.webconv} (${v.build})`),
  (e) => {
    $('core-version').textContent = `The WebAssembly core failed to load: ${e.message}`;
    $('core-version').className = 'error';
  });
state.ready = true;
