// One cold start of ONNX Runtime (onnxruntime-node), for webconv's cold-start comparison (bench/cold.py):
// InferenceSession.create and the first run in a fresh Node process, then a few warm runs.
// node ort_cold.mjs MODEL [--ep webgpu|cpu] [--shape name=d0,d1,...]... [--runs N]
// Prints one JSON line: create_ms, first_run_ms, first_result_ms (process start to the first outputs,
// from performance.now(), whose origin is the process start), warm_median_ms.
import { createRequire } from 'module';
import fs from 'fs';
const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const args = process.argv.slice(2);
const model = args.shift();
let ep = 'webgpu', runs = 5; const shapes = {};
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--ep') ep = args[++i];
  else if (args[i] === '--runs') runs = +args[++i];
  else if (args[i] === '--shape') { const [n, s] = args[++i].split('='); shapes[n] = s.split(',').map(Number); }
}
const t0 = performance.now();
const session = await ort.InferenceSession.create(fs.readFileSync(model), { executionProviders: [ep] });
const t1 = performance.now();
const feeds = {};
for (const name of session.inputNames) {
  const meta = (session.inputMetadata || []).find?.(m => m.name === name);
  const dims = shapes[name] || (meta && meta.shape && meta.shape.every(d => typeof d === 'number') ? meta.shape : null);
  if (!dims) throw new Error(`give --shape ${name}=...`);
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; data[i] = s / 4294967296; }
  feeds[name] = new ort.Tensor('float32', data, dims);
}
const t2 = performance.now();
await session.run(feeds);
const t3 = performance.now();
const times = [];
for (let i = 0; i < runs; i++) { const a = performance.now(); await session.run(feeds); times.push(performance.now() - a); }
times.sort((a, b) => a - b);
console.log(JSON.stringify({ model: model.split('/').pop(), ep, create_ms: +(t1 - t0).toFixed(2),
  first_run_ms: +(t3 - t2).toFixed(2), first_result_ms: +(t3 - (t2 - t1)).toFixed(2),
  warm_median_ms: times.length ? +times[times.length >> 1].toFixed(3) : null }));
