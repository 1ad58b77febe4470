// Times one ONNX model under ONNX Runtime (npm onnxruntime-node), the comparison column of
// bench/suite.py. Wall time around each `session.run` (input upload, execution, output readback),
// after warm-up runs; prints one JSON line: {"model", "ep", "runs", "median_ms", "min_ms", "max_ms"}.
//
//   node bench/ort_bench.mjs MODEL [--ep webgpu|cpu] [--shape NAME=d0,d1,...]... [--runs N] [--warmup N]
//
// Float inputs get a fixed pseudo-random sequence in [-1, 1), integer inputs zeros. A model ONNX Runtime
// refuses prints {"error": "..."} and exits 3; a usage error exits 2.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function usage(msg) {
  process.stderr.write(`ort_bench: ${msg}\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
let model = null;
let ep = 'webgpu';
let runs = 20;
let warmup = 3;
const shapes = {};
for (let i = 0; i < argv.length; ++i) {
  const a = argv[i];
  const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
  if (a === '--ep') ep = value();
  else if (a === '--runs') runs = Number(value());
  else if (a === '--warmup') warmup = Number(value());
  else if (a === '--shape') {
    const v = value();
    const eq = v.indexOf('=');
    if (eq <= 0) usage(`--shape expects NAME=d0,d1,..., got '${v}'`);
    shapes[v.slice(0, eq)] = v.slice(eq + 1).split(',').map(Number);
  } else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else if (model === null) model = a;
  else usage('expects one MODEL');
}
if (model === null) usage('expects one MODEL');
if (!(runs >= 1) || !(warmup >= 0)) usage('--runs must be >= 1 and --warmup >= 0');

const ort = require('onnxruntime-node');
try {
  const session = await ort.InferenceSession.create(fs.readFileSync(model), { executionProviders: [ep] });
  const feeds = {};
  for (const name of session.inputNames) {
    const meta = (session.inputMetadata || []).find?.((m) => m.name === name);
    const known = meta && Array.isArray(meta.shape) && meta.shape.every((d) => typeof d === 'number');
    const dims = shapes[name] || (known ? meta.shape : null);
    if (!dims) usage(`input '${name}' has symbolic dims: give --shape ${name}=...`);
    const count = dims.reduce((x, y) => x * y, 1);
    const isInt = meta && /int64/.test(String(meta.type));
    const data = isInt ? new BigInt64Array(count) : new Float32Array(count);
    let s = 12345;
    if (!isInt)
      for (let k = 0; k < count; ++k) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        data[k] = (s / 4294967296) * 2 - 1;
      }
    feeds[name] = new ort.Tensor(isInt ? 'int64' : 'float32', data, dims);
  }
  for (let k = 0; k < warmup; ++k) await session.run(feeds);
  const times = [];
  for (let k = 0; k < runs; ++k) {
    const t0 = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  const median = runs % 2 ? times[runs >> 1] : 0.5 * (times[runs / 2 - 1] + times[runs / 2]);
  const r = (x) => Number(x.toFixed(4));
  console.log(JSON.stringify({ model: model.split('/').pop(), ep, runs, median_ms: r(median), min_ms: r(times[0]),
    max_ms: r(times[runs - 1]) }));
} catch (e) {
  console.log(JSON.stringify({ model: model.split('/').pop(), ep, error: String(e.message ?? e).replace(/\s+/g, ' ') }));
  process.exit(3);
}
