// Whole models in Chromium: webconv's JS API on WebGPU against the native CLI, and against onnxruntime-web
// 1.30 (`onnxruntime-web/webgpu`, one wasm thread) in the same browser as an independent oracle and the
// speed anchor. Models: the default model (TransNetV2 architecture, random weights, web/dist/demo/) on its
// clip, and models/small_mlp.onnx on seeded random features.
//  - webconv's outputs must match the native `webconv run` within `webconv check`'s tolerance
//    (|a - b| <= 1e-4 + 1e-3 |b|); the native run uses --native-backend (default ref: the float64
//    reference, what `webconv check` compares with, and seconds instead of half a minute on SwiftShader);
//  - ONNX Runtime's outputs must match webconv's within the same tolerance;
//  - prints webconv's first run and steady-state median, ONNX Runtime's median, and the ratio.
// Where ONNX Runtime fails on a model its error is printed and that model's ORT part does not fail the test.
//
//   node models.mjs --dist web/dist --webconv build/webconv --small-mlp models/small_mlp.onnx
//                   --node-modules node_modules --work DIR [--runs N] [--ort-first-limit-s S] [--seed S]
//                   [--native-backend ref|cpu|webgpu]
// --runs: steady-state runs after the first, for the default model (small_mlp always gets 10).
// --ort-first-limit-s: when ONNX Runtime's first run of a model takes longer than this, its steady-state
//   runs are skipped and only first runs are compared (ctest uses this to stay within its time budget:
//   ONNX Runtime runs the default model in about 90 s per run on SwiftShader).
import fs from 'node:fs';
import path from 'node:path';

import { launch, newPage } from './lib/browser.mjs';
import { serve } from './lib/server.mjs';
import { compareArrays, fail, median, parseFlags, readNpy, requireDist, runCommand, seededFloats,
         writeNpyFloat32 } from './lib/util.mjs';

const flags = parseFlags(process.argv.slice(2));
for (const f of ['dist', 'webconv', 'small-mlp', 'node-modules', 'work']) if (!flags[f]) fail(`--${f} is required`);
requireDist(flags.dist);
const runs = Number(flags.runs ?? 3);
const ortFirstLimitMs = 1000 * Number(flags['ort-first-limit-s'] ?? Infinity);
const seed = Number(flags.seed ?? process.env.WEBCONV_SEED ?? 20261124);
const nativeBackend = flags['native-backend'] ?? 'ref';
const kCheck = { atol: 1e-4, rtol: 1e-3 }; // webconv check's tolerance
fs.mkdirSync(flags.work, { recursive: true });
const ortDist = path.join(flags['node-modules'], 'onnxruntime-web', 'dist');
if (!fs.existsSync(path.join(ortDist, 'ort.webgpu.bundle.min.mjs')))
  fail(`${ortDist}/ort.webgpu.bundle.min.mjs is missing: npm ci installs onnxruntime-web (scripts/setup.sh)`);

// The models and their inputs, as files both the native CLI and the page read.
const defaultModel = path.join(flags.dist, 'demo', 'default.onnx');
const clip = path.join(flags.dist, 'demo', 'clip.npy');
for (const f of [defaultModel, clip]) if (!fs.existsSync(f)) fail(`${f} is missing: web/build.sh copies it`);
const mlpDir = path.join(flags.work, 'small_mlp');
fs.mkdirSync(mlpDir, { recursive: true });
fs.copyFileSync(flags['small-mlp'], path.join(mlpDir, 'small_mlp.onnx'));
console.log(`small_mlp features: float32[2,64] seeded random in [-1, 1) (seed ${seed}; WEBCONV_SEED replays)`);
writeNpyFloat32(path.join(mlpDir, 'features.npy'), seededFloats(2 * 64, seed), [2, 64]);

const models = [
  { label: 'default (TransNetV2 arch, T=8)', model: defaultModel, url: '/demo/default.onnx',
    input: clip, inputUrl: '/demo/clip.npy', runs },
  { label: 'small_mlp', model: path.join(mlpDir, 'small_mlp.onnx'), url: '/work/small_mlp/small_mlp.onnx',
    input: path.join(mlpDir, 'features.npy'), inputUrl: '/work/small_mlp/features.npy', runs: 10 },
];

const server = await serve({ '/': flags.dist, '/work/': flags.work, '/ort/': ortDist },
                           { '/test.html': '<!doctype html><title>webconv models</title>' });
const browser = await launch();
let failures = 0;
const summary = [];
try {
  const page = await newPage(browser);
  await page.goto(`${server.url}/test.html`);
  for (const m of models) {
    console.log(`== ${m.label}`);
    const r = await page.evaluate(runWebconv, { url: m.url, inputUrl: m.inputUrl, runs: m.runs });
    if (r.error) {
      console.log(`FAIL webconv: ${r.error}`);
      ++failures;
      continue;
    }
    console.log(`webconv (${r.adapter}): create ${r.createMs.toFixed(0)} ms, first run ${r.firstMs.toFixed(1)} ms, ` +
                `steady median ${median(r.steadyMs).toFixed(1)} ms over ${m.runs} runs ` +
                `[${r.steadyMs.map((x) => x.toFixed(1)).join(', ')}]`);
    // Progress and phases: 'load' 0/1 and 1/1, one 'compile' event per pipeline compiled (done counting up
    // to the total the phases report), then 'run' 0/1 and 1/1; phases only on the run that planned.
    const compiles = r.progress.filter((p) => p.phase === 'compile');
    const order = r.progress.map((p) => p.phase).filter((p, i, a) => i === 0 || a[i - 1] !== p).join(',');
    const progressOk = r.phases && order === 'load,compile,run' && compiles.length === r.phases.pipelinesCompiled &&
                       compiles.every((p, i) => p.done === i + 1 && p.total === compiles.length) &&
                       r.phases.pipelines >= r.phases.pipelinesCompiled && r.phases.compileMs > 0 &&
                       r.steadyPhases === null;
    console.log(`${progressOk ? 'ok  ' : 'FAIL'} progress ${order} (${compiles.length} compile events); phases ` +
                JSON.stringify(r.phases));
    if (!progressOk) ++failures;
    // The native CLI on the same model and input.
    const outDir = path.join(flags.work, `native_${path.basename(m.model, '.onnx')}`);
    const native = await runCommand(flags.webconv, ['run', m.model, '--input', `${r.inputName}=${m.input}`,
                                                    '--output-dir', outDir, '--backend', nativeBackend]);
    if (native.code !== 0) fail(`native webconv run exited ${native.code}: ${native.stderr}`);
    console.log(`native webconv run --backend ${nativeBackend}: ${(native.ms / 1000).toFixed(1)} s (whole process)`);
    for (const [name, out] of Object.entries(r.outputs)) {
      const want = readNpy(path.join(outDir, `${name}.npy`));
      const dimsOk = want.dims.join(',') === out.dims.join(',');
      const c = dimsOk ? compareArrays(out.data, want.data, kCheck) : { ok: false, message: `shape [${out.dims}] != native [${want.dims}]` };
      console.log(`${c.ok ? 'ok  ' : 'FAIL'} webconv browser vs native ${nativeBackend} '${name}' ${out.type}[${out.dims}]: ${c.message}`);
      if (!c.ok) ++failures;
    }
    // onnxruntime-web on the same model and input.
    const o = await page.evaluate(runOrt, { url: m.url, inputUrl: m.inputUrl, runs: m.runs, inputName: r.inputName,
                                            firstLimitMs: ortFirstLimitMs });
    if (o.error) {
      console.log(`onnxruntime-web failed on this model (not a webconv failure): ${o.error}`);
      summary.push(`${m.label}: webconv ${median(r.steadyMs).toFixed(1)} ms; onnxruntime-web failed`);
      continue;
    }
    for (const [name, out] of Object.entries(r.outputs)) {
      const theirs = o.outputs[name];
      const c = theirs ? compareArrays(theirs.data, out.data, kCheck) : { ok: false, message: 'missing in ORT outputs' };
      console.log(`${c.ok ? 'ok  ' : 'FAIL'} onnxruntime-web vs webconv '${name}': ${c.message}`);
      if (!c.ok) ++failures;
    }
    const ours = median(r.steadyMs);
    const first = `first runs: webconv ${r.firstMs.toFixed(0)} ms, onnxruntime-web ${o.firstMs.toFixed(0)} ms, ` +
                  `ORT/webconv = ${(o.firstMs / r.firstMs).toFixed(2)}x`;
    let line;
    if (o.steadyMs.length) {
      const theirs = median(o.steadyMs);
      console.log(`onnxruntime-web 1.30 webgpu: create ${o.createMs.toFixed(0)} ms, first run ${o.firstMs.toFixed(1)} ms, ` +
                  `steady median ${theirs.toFixed(1)} ms over ${o.steadyMs.length} runs ` +
                  `[${o.steadyMs.map((x) => x.toFixed(1)).join(', ')}]`);
      line = `${m.label}: steady medians: webconv ${ours.toFixed(1)} ms, onnxruntime-web ${theirs.toFixed(1)} ms, ` +
             `ORT/webconv = ${(theirs / ours).toFixed(2)}x; ${first}`;
    } else {
      console.log(`onnxruntime-web 1.30 webgpu: create ${o.createMs.toFixed(0)} ms, first run ${o.firstMs.toFixed(1)} ms ` +
                  `(over --ort-first-limit-s: steady runs skipped)`);
      line = `${m.label}: webconv steady median ${ours.toFixed(1)} ms; ${first}`;
    }
    console.log(line);
    summary.push(line);
  }
} finally {
  await browser.close();
  await server.close();
}
console.log('== summary (Chromium, WebGPU on SwiftShader; wall time around session.run)');
for (const s of summary) console.log(s);
if (failures) fail(`${failures} comparison(s) failed`);
console.log('all comparisons passed');

// In the page: webconv's JS API. Outputs come back as plain arrays (page.evaluate serializes them).
async function runWebconv({ url, inputUrl, runs }) {
  try {
    const wc = await import('/webconv.mjs');
    const input = await wc.tensorFromNpy(new Uint8Array(await (await fetch(inputUrl)).arrayBuffer()));
    let t = performance.now();
    const progress = [];
    const session = await wc.InferenceSession.create(url, { executionProviders: ['webgpu'],
                                                            onProgress: (p) => progress.push(p) });
    const createMs = performance.now() - t;
    const feeds = { [session.inputNames[0]]: input };
    t = performance.now();
    let out = await session.run(feeds);
    const firstMs = performance.now() - t;
    const phases = session.profile?.phases ?? null;
    const steadyMs = [];
    for (let k = 0; k < runs; ++k) {
      t = performance.now();
      out = await session.run(feeds);
      steadyMs.push(performance.now() - t);
    }
    const outputs = {};
    for (const [name, v] of Object.entries(out)) outputs[name] = { type: v.type, dims: v.dims, data: Array.from(v.data) };
    const a = session.adapter;
    await session.release();
    return { inputName: session.inputNames[0], createMs, firstMs, steadyMs, outputs, progress, phases,
             steadyPhases: session.profile?.phases ?? null, adapter: a ? `${a.name}, ${a.backend}` : 'cpu' };
  } catch (e) {
    return { error: String(e.message ?? e) };
  }
}

// In the page: onnxruntime-web's WebGPU EP, one wasm thread (no cross-origin isolation needed).
async function runOrt({ url, inputUrl, runs, inputName, firstLimitMs }) {
  try {
    const ort = await import('/ort/ort.webgpu.bundle.min.mjs');
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = '/ort/';
    const wc = await import('/webconv.mjs');
    const input = await wc.tensorFromNpy(new Uint8Array(await (await fetch(inputUrl)).arrayBuffer()));
    let t = performance.now();
    const session = await ort.InferenceSession.create(url, { executionProviders: ['webgpu'] });
    const createMs = performance.now() - t;
    const feeds = { [inputName]: new ort.Tensor('float32', input.data, input.dims) };
    t = performance.now();
    let out = await session.run(feeds);
    const firstMs = performance.now() - t;
    const steadyMs = [];
    for (let k = 0; k < runs && firstMs <= firstLimitMs; ++k) {
      t = performance.now();
      out = await session.run(feeds);
      steadyMs.push(performance.now() - t);
    }
    const outputs = {};
    for (const [name, v] of Object.entries(out)) outputs[name] = { dims: v.dims, data: Array.from(await v.getData()) };
    await session.release();
    return { createMs, firstMs, steadyMs, outputs };
  } catch (e) {
    return { error: String(e.message ?? e).replace(/\s+/g, ' ') };
  }
}
