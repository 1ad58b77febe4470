// The browser build's CPU backend (web/dist: 'cpu', Eigen on WebAssembly SIMD, one thread) against
// onnxruntime-web's 'wasm' EP (SIMD, numThreads 1), both under Node on the same model and inputs, in
// alternating rounds. Prints one JSON line per round and a summary with the ratio of medians.
//   node bench/web_cpu_bench.mjs MODEL --shape name=d0,d1,... [--runs N] [--rounds R] [--dist web/dist]
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const model = args.shift();
let runs = 10, rounds = 3, dist = 'web/dist';
const shapes = {};
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = +args[++i];
  else if (args[i] === '--rounds') rounds = +args[++i];
  else if (args[i] === '--dist') dist = args[++i];
  else if (args[i] === '--shape') { const [n, s] = args[++i].split('='); shapes[n] = s.split(',').map(Number); }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const wc = await import(pathToFileURL(path.resolve(dist, 'webconv.mjs')).href);
const require = createRequire(import.meta.url);
const ort = require('onnxruntime-web');
ort.env.wasm.numThreads = 1;

// Same pseudo-random values for both runtimes (never zeros).
function feeds(T, names) {
  const out = {};
  for (const name of names) {
    const dims = shapes[name];
    if (!dims) throw new Error(`give --shape ${name}=...`);
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    let s = 12345;
    for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; data[i] = (s / 2 ** 32) * 2 - 1; }
    out[name] = new T('float32', data, dims);
  }
  return out;
}

async function time(session, T) {
  const f = feeds(T, session.inputNames);
  for (let i = 0; i < 3; i++) await session.run(f);
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await session.run(f);
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const wcSession = await wc.InferenceSession.create(model, { executionProviders: ['cpu'] });
const ortSession = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
const w = [], o = [];
for (let r = 0; r < rounds; r++) {
  w.push(await time(wcSession, wc.Tensor));
  o.push(await time(ortSession, ort.Tensor));
  console.log(JSON.stringify({ round: r, webconv_cpu_ms: w[r], ort_wasm_ms: o[r] }));
}
console.log(JSON.stringify({ model: path.basename(model), runs, rounds, webconv_cpu_median_ms: median(w),
                             ort_wasm_median_ms: median(o), ort_over_webconv: median(o) / median(w) }));
