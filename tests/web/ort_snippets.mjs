// Ordinary onnxruntime-web code, run unchanged against both libraries in one headless Chromium page: each
// snippet below is written as an onnxruntime-web user writes it (`ort` is the imported module) and runs
// once with onnxruntime-web 1.30 (`onnxruntime-web/webgpu`) and once with webconv. Each returns plain
// data (values, dims, types, locations, names); the two results must be equal (floats within webconv
// check's tolerance), or the snippet is listed in kKnownDifferences with the reason, which
// docs/differences-from-ort-web.md gives too.
//   node ort_snippets.mjs --dist web/dist --node-modules node_modules --work DIR
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { launch, newPage } from './lib/browser.mjs';
import { compareArrays } from './lib/compare.mjs';
import { serve } from './lib/server.mjs';
import { fail, parseFlags, requireDist, seededFloats } from './lib/util.mjs';

const flags = parseFlags(process.argv.slice(2));
for (const f of ['dist', 'node-modules', 'work']) if (!flags[f]) fail(`--${f} is required`);
requireDist(flags.dist);
const ortDist = path.join(flags['node-modules'], 'onnxruntime-web', 'dist');
if (!fs.existsSync(path.join(ortDist, 'ort.webgpu.bundle.min.mjs')))
  fail(`${ortDist}/ort.webgpu.bundle.min.mjs is missing: npm ci installs onnxruntime-web (scripts/setup.sh)`);
const here = path.dirname(fileURLToPath(import.meta.url));
fs.mkdirSync(flags.work, { recursive: true });
const makeModel = path.join(here, '..', 'web_core', 'make_conv_model.py');
execFileSync('/usr/bin/python3', [makeModel, path.join(flags.work, 'conv.onnx')]);
execFileSync('/usr/bin/python3', [makeModel, '--large-neg', path.join(flags.work, 'neg.onnx')]);
const seed = Number(process.env.WEBCONV_SEED ?? Date.now() % 1000000);
console.log(`seed ${seed} (WEBCONV_SEED=${seed} replays)`);

// Snippets whose results differ between the libraries on purpose, with the reason
// (docs/differences-from-ort-web.md, "Tensor.fromImage of translucent pixels").
const kKnownDifferences = {
  imageTranslucent: 'onnxruntime-web draws ImageData through a canvas, whose premultiplied alpha changes the ' +
                    'colours of translucent pixels (a value 148 at alpha 3 reads 170); webconv reads the bytes as given',
};

const server = await serve({ '/wc/': flags.dist, '/ort/': ortDist, '/work/': flags.work },
                           { '/test.html': '<!doctype html><title>onnxruntime-web snippets</title>' });
const browser = await launch();
let results;
try {
  const page = await newPage(browser);
  await page.goto(`${server.url}/test.html`);
  results = await page.evaluate(runSnippets, { x: Array.from(seededFloats(3 * 12 * 12, seed)) });
  await page.close();
} finally {
  await browser.close();
  await server.close();
}

let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) ++failures;
};
const kTolerance = { atol: 1e-4, rtol: 1e-3 };
// Equal as plain data; arrays of numbers compared within the tolerance.
function same(a, b) {
  if (Array.isArray(a) && Array.isArray(b) && a.every((v) => typeof v === 'number') && b.every((v) => typeof v === 'number'))
    return a.length === b.length && (a.length === 0 || compareArrays(a, b, kTolerance).ok);
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => same(a[k], b[k]));
  }
  return Object.is(a, b);
}
for (const [name, r] of Object.entries(results)) {
  const known = kKnownDifferences[name];
  if (r.ort.error || r.webconv.error) {
    check(!!known, `${name}: onnxruntime-web ${r.ort.error ?? 'ran'}; webconv ${r.webconv.error ?? 'ran'}` +
                   (known ? ` (known difference: ${known})` : ''));
    continue;
  }
  const ok = same(r.ort.value, r.webconv.value);
  check(ok || !!known, `${name}: ${ok ? 'the same results' : 'results differ'}` + (known && !ok ? ` (known difference: ${known})` : '') +
                       (ok ? '' : `\n  onnxruntime-web ${JSON.stringify(r.ort.value).slice(0, 400)}\n  webconv         ${JSON.stringify(r.webconv.value).slice(0, 400)}`));
}
check(Object.keys(results).length >= 10, `${Object.keys(results).length} snippets ran on both libraries`);
if (failures) fail(`${failures} snippet(s) differ`);
console.log('onnxruntime-web snippets: the same results from both libraries');

async function runSnippets({ x }) {
  const libraries = {
    ort: { module: '/ort/ort.webgpu.bundle.min.mjs', wasmPaths: '/ort/' },
    webconv: { module: '/wc/webconv.mjs', wasmPaths: '/wc/' },
  };
  const conv = '/work/conv.onnx', neg = '/work/neg.onnx';
  const floats = (t) => Array.from(t, Number);
  const snippets = {
    // The quick start: env settings on the first lines, a session, a tensor, a run, the output's data.
    async quickStart(ort) {
      ort.env.wasm.numThreads = 1;
      const session = await ort.InferenceSession.create(conv, { executionProviders: ['webgpu'] });
      const input = new ort.Tensor('float32', Float32Array.from(x), [1, 3, 12, 12]);
      const results = await session.run({ x: input });
      const y = results.y;
      await session.release();
      return { type: y.type, dims: y.dims, size: y.size, data: floats(y.data) };
    },
    async namesAndMetadata(ort) {
      const session = await ort.InferenceSession.create(conv);
      const out = { inputs: session.inputNames, outputs: session.outputNames };
      await session.release();
      return out;
    },
    async fetchesByName(ort) {
      const session = await ort.InferenceSession.create(conv, { executionProviders: ['webgpu'] });
      const r = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [1, 3, 12, 12]) }, ['y']);
      return { keys: Object.keys(r), data: floats(r.y.data) };
    },
    async runOptions(ort) {
      const session = await ort.InferenceSession.create(conv, { executionProviders: ['webgpu'] });
      const r = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [1, 3, 12, 12]) },
                                  { tag: 'frame 1', logSeverityLevel: 3 });
      return { keys: Object.keys(r), data: floats(r.y.data) };
    },
    async ignoredSessionOptions(ort) {
      const session = await ort.InferenceSession.create(conv, {
        executionProviders: ['webgpu'], graphOptimizationLevel: 'all', logSeverityLevel: 3, enableMemPattern: false,
        executionMode: 'sequential' });
      const r = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [1, 3, 12, 12]) });
      return floats(r.y.data);
    },
    async getDataAndDispose(ort) {
      const session = await ort.InferenceSession.create(conv, { executionProviders: ['webgpu'] });
      const r = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [1, 3, 12, 12]) });
      const data = floats(await r.y.getData());
      r.y.dispose();
      return { data, location: r.y.location };
    },
    async plainArraysAndReshape(ort) {
      const t = new ort.Tensor('float32', [1, 2, 3, 4, 5, 6], [2, 3]);
      const r = t.reshape([3, 2]);
      const b = new ort.Tensor('bool', [true, false, true], [3]);
      const i = new ort.Tensor('int64', [1, 2, 3], [3]);
      return { dims: r.dims, data: floats(r.data), size: r.size, bool: floats(b.data), int64: i.data.constructor.name };
    },
    async freeDimensionOverrides(ort) {
      const session = await ort.InferenceSession.create(neg, { executionProviders: ['webgpu'],
                                                              freeDimensionOverrides: { rows: 2 } });
      const data = Float32Array.from({ length: 2000 }, (_, k) => (k % 7) - 3);
      const r = await session.run({ x: new ort.Tensor('float32', data, [2, 1000]) });
      return { dims: r.y.dims, head: floats(r.y.data.subarray(0, 8)) };
    },
    async imageInOut(ort) {
      const pixels = new Uint8ClampedArray(4 * 4 * 4).map((_, k) => (k % 4 === 3 ? 255 : (k * 37) % 256));
      const t = await ort.Tensor.fromImage(new ImageData(pixels, 4, 4), { tensorFormat: 'RGB' });
      const back = t.toImageData();
      return { dims: t.dims, type: t.type, data: floats(t.data), width: back.width, height: back.height,
               pixels: floats(back.data) };
    },
    async imageTranslucent(ort) {
      const pixels = new Uint8ClampedArray(4 * 4 * 4).map((_, k) => (k * 37) % 256);
      const t = await ort.Tensor.fromImage(new ImageData(pixels, 4, 4), { tensorFormat: 'RGB' });
      return { dims: t.dims, data: floats(t.data) };
    },
    // IO binding: a frame in a GPUBuffer of the library's device in, the output left on the GPU.
    async ioBinding(ort) {
      const session = await ort.InferenceSession.create(conv, { executionProviders: ['webgpu'],
                                                               preferredOutputLocation: 'gpu-buffer' });
      const device = await ort.env.webgpu.device;
      const data = Float32Array.from(x);
      const buffer = device.createBuffer({ size: data.byteLength,
                                           usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(buffer, 0, data);
      const input = ort.Tensor.fromGpuBuffer(buffer, { dataType: 'float32', dims: [1, 3, 12, 12] });
      const r = await session.run({ x: input });
      const location = r.y.location;
      const out = floats(await r.y.getData(true));
      buffer.destroy();
      return { location, dims: r.y.dims, data: out };
    },
  };
  const results = {};
  for (const [name, snippet] of Object.entries(snippets)) results[name] = {};
  for (const [lib, where] of Object.entries(libraries)) {
    let ort;
    try {
      ort = await import(where.module);
      ort.env.wasm.wasmPaths = where.wasmPaths;
    } catch (e) {
      for (const name of Object.keys(snippets)) results[name][lib] = { error: `import failed: ${e?.message ?? e}` };
      continue;
    }
    for (const [name, snippet] of Object.entries(snippets)) {
      try {
        results[name][lib] = { value: await snippet(ort) };
      } catch (e) {
        results[name][lib] = { error: String(e?.message ?? e).replace(/\s+/g, ' ').slice(0, 300) };
      }
    }
  }
  return results;
}
