// The WebAssembly core in headless Chromium on WebGPU (SwiftShader): the raw C ABI runs small_mlp and a
// small Conv model (make_conv_model.py) on backend "webgpu", and the outputs must match the native CLI's
// on the same inputs (both its WebGPU and its float64 reference) within `webconv check`'s tolerance. The
// adapter must be SwiftShader's; a page without navigator.gpu must get the "WebGPU is missing" error.
// Usage: node chromium_webgpu_test.mjs --dist web/dist --webconv build/webconv --models models --work DIR
//        [--measure MODEL.onnx --input NAME=FILE.npy [--runs N]]   also times MODEL without profiling
//        (first run, which plans and compiles, and the median of the later runs)
// WEBCONV_SEED replays the random inputs.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {chromium} from 'playwright-core';

import {compare, npyFloat32, randomFloats, readNpyFloat32} from './core_util.mjs';
import {serve} from './static_server.mjs';
import {check, finish, parseArgs} from './test_run.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs(['dist', 'webconv', 'models', 'work']);
for (const f of ['webconv-core.mjs', 'webconv.wasm']) {
  if (!fs.existsSync(path.join(args.dist, f))) {
    console.error(`FAIL: ${path.join(args.dist, f)} is missing: build the WebAssembly core first with web/build.sh`);
    process.exit(1);
  }
}
fs.rmSync(args.work, {recursive: true, force: true});
fs.mkdirSync(args.work, {recursive: true});

// The cases: a model, its input and shape; inputs seeded so that a failure replays.
const seed = Number(process.env.WEBCONV_SEED || Date.now() % 1000000);
console.log(`seed ${seed} (WEBCONV_SEED=${seed} replays)`);
execFileSync('/usr/bin/python3', [path.join(here, 'make_conv_model.py'), path.join(args.work, 'small_conv.onnx')]);
fs.copyFileSync(path.join(args.models, 'small_mlp.onnx'), path.join(args.work, 'small_mlp.onnx'));
execFileSync('/usr/bin/python3', [path.join(here, 'make_conv_model.py'), '--large-neg', path.join(args.work, 'large_neg.onnx')]);
const cases = [
  {model: 'small_mlp.onnx', input: 'features', dims: [2, 64], output: 'probabilities'},
  {model: 'small_conv.onnx', input: 'x', dims: [1, 3, 12, 12], output: 'y'},
];
const atol = 1e-4, rtol = 1e-3;  // `webconv check`'s default tolerance
for (const [k, c] of cases.entries()) {
  const n = c.dims.reduce((a, b) => a * b, 1);
  c.data = randomFloats(n, seed + k);
  c.npy = `${c.model}.in.npy`;
  fs.writeFileSync(path.join(args.work, c.npy), npyFloat32(c.data, c.dims));
  for (const backend of ['webgpu', 'cpu']) {
    const dir = path.join(args.work, `native_${backend}_${c.model}`);
    execFileSync(args.webconv, ['run', path.join(args.work, c.model), '--backend', backend, '--input',
                                `${c.input}=${path.join(args.work, c.npy)}`, '--output-dir', dir], {stdio: 'pipe'});
    c[backend] = readNpyFloat32(fs.readFileSync(path.join(dir, `${c.output}.npy`)));
  }
}

const {server, origin} = await serve({'/dist/': args.dist, '/test/': here, '/work/': args.work});
const browser = await chromium.launch({
  executablePath: process.env.WEBCONV_CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu',
         '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan']});
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.log(`  [page ${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => console.log(`  [page uncaught] ${e.message}`));
  page.setDefaultTimeout(50_000);
  await page.goto(origin + '/');

  // Runs one model in the page: session on webgpu with profiling, one input, `runs` runs; returns the
  // info, the outputs of the first run, the profile of the last and the wall time of each run.
  const runInPage = (c, runs, profile = true, on = page) => on.evaluate(async ({model, input, dims, data, runs, profile}) => {
    const {default: createWebconvCore} = await import('/dist/webconv-core.mjs');
    const {RawCore, floats} = await import('/test/core_util.mjs');
    globalThis.core ??= new RawCore(await createWebconvCore({locateFile: () => '/dist/webconv.wasm'}));
    const core = globalThis.core;
    const bytes = new Uint8Array(await (await fetch(model)).arrayBuffer());
    let t = performance.now();
    const s = await core.createSession(bytes, {backend: 'webgpu', profile});
    const createMs = performance.now() - t;
    const info = core.info(s);
    const times = [];
    let first = null;
    for (let r = 0; r < runs; ++r) {
      core.setInput(s, input, 'float32', new Float32Array(data), dims);
      t = performance.now();
      await core.run(s);
      const outs = core.outputs(s);  // the readback is part of the run, as in the CLI's time
      times.push(performance.now() - t);
      if (!first) first = Object.fromEntries(Object.entries(outs).map(([k, v]) => [k, {dims: v.dims, data: Array.from(floats(v))}]));
    }
    const last = core.profile(s);
    core.release(s);
    return {info, createMs, times, outputs: first, profile: last, heapBytes: core.m.HEAPU8.length};
  }, {model: `/work/${c.model}`, input: c.input, dims: c.dims, data: Array.from(c.data), runs, profile});

  for (const c of cases) {
    const r = await runInPage(c, 3);
    const a = r.info.adapter;
    console.log(`${c.model}: adapter ${JSON.stringify(a)}; session ${r.createMs.toFixed(1)} ms, runs ${r.times.map((x) => x.toFixed(1)).join(', ')} ms`);
    check(r.info.backend === 'webgpu' && a && a.is_software && /swiftshader/i.test(a.name),
          `${c.model}: the adapter is SwiftShader WebGPU ("${a && a.name}")`);
    const got = r.outputs[c.output];
    check(got && JSON.stringify(got.dims) === JSON.stringify(c.cpu.dims), `${c.model}: output dims ${JSON.stringify(got && got.dims)}`);
    for (const backend of ['webgpu', 'cpu']) {
      const cmp = compare(got.data, c[backend].data, atol, rtol);
      check(cmp.ok, `${c.model}: browser webgpu vs native ${backend}: max abs err ${cmp.maxAbs.toExponential(2)} ${cmp.message}`);
    }
    const p = r.profile;
    check(p.planned === false && p.dispatches.length > 0 && typeof p.gpu_ms === 'number' &&
          p.dispatches.every((d) => typeof d.node === 'string' && typeof d.kernel === 'string' && d.ms >= 0),
          `${c.model}: profile of a steady-state run: ${p.dispatches.length} dispatches, gpu ${p.gpu_ms} ms, ` +
          `wall ${p.wall_ms.toFixed(2)} ms (${p.dispatches.map((d) => `${d.node}:${d.kernel}`).join(' ')})`);
  }

  if (args.measure) {
    const [name, file] = args.input.split('=');
    const npy = readNpyFloat32(fs.readFileSync(file));
    fs.copyFileSync(args.measure, path.join(args.work, 'measure.onnx'));
    // Without profiling (one compute pass per run, as the native `bench` wall time).
    const runs = Number(args.runs || 6);
    // A fresh page: a new module, WebGPU device and pipeline cache, so the first run compiles everything.
    const fresh = await browser.newPage();
    fresh.setDefaultTimeout(600_000);
    await fresh.goto(origin + '/');
    const r = await runInPage({model: 'measure.onnx', input: name, dims: npy.dims, data: npy.data}, runs, false, fresh);
    await fresh.close();
    const steady = r.times.slice(1).sort((x, y) => x - y);
    console.log(`measure ${args.measure}: session create ${r.createMs.toFixed(0)} ms, first run ${r.times[0].toFixed(0)} ms, ` +
                `steady-state median ${steady[Math.floor(steady.length / 2)].toFixed(0)} ms (runs ${r.times.map((x) => x.toFixed(0)).join(', ')}), ` +
                `wasm heap ${(r.heapBytes / 2 ** 20).toFixed(0)} MiB`);
  }

  // Large inputs go through a staging buffer that stays with their GPU buffer between runs (webgpu_bridge.js
  // wcgpu_stage_write): each run must see its own input, never an earlier one, including runs given one
  // after another with no wait and a run whose input shape changes. Neg is exact, so the oracle is -x.
  const staged = await page.evaluate(async ({seed}) => {
    const {default: createWebconvCore} = await import('/dist/webconv-core.mjs');
    const {RawCore, floats} = await import('/test/core_util.mjs');
    globalThis.core ??= new RawCore(await createWebconvCore({locateFile: () => '/dist/webconv.wasm'}));
    const core = globalThis.core;
    const bytes = new Uint8Array(await (await fetch('/work/large_neg.onnx')).arrayBuffer());
    const s = await core.createSession(bytes, {backend: 'webgpu'});
    let state = seed >>> 0;
    const random = (n) => Float32Array.from({length: n}, () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 4294967296 - 0.5;
    });
    const results = [];
    for (const rows of [300, 300, 300, 301, 300]) {  // 300 x 1000 floats: 1.2 MB, above the staging bound
      const x = random(rows * 1000);
      core.setInput(s, 'x', 'float32', x, [rows, 1000]);
      await core.run(s);
      const y = floats(core.outputs(s).y);
      let wrong = 0;
      for (let i = 0; i < x.length; ++i) wrong += y[i] !== -x[i];
      results.push({rows, wrong, length: y.length});
    }
    core.release(s);
    return results;
  }, {seed});
  for (const [k, r] of staged.entries())
    check(r.wrong === 0 && r.length === r.rows * 1000,
          `large input, run ${k + 1} (${r.rows}x1000 floats): every output is its own input negated (${r.wrong} wrong)`);

  // A page without navigator.gpu: session creation fails with a clear message.
  const bare = await browser.newPage();
  await bare.goto(origin + '/');
  const missing = await bare.evaluate(async () => {
    Object.defineProperty(navigator, 'gpu', {value: undefined});
    const {default: createWebconvCore} = await import('/dist/webconv-core.mjs');
    const {RawCore} = await import('/test/core_util.mjs');
    const core = new RawCore(await createWebconvCore({locateFile: () => '/dist/webconv.wasm'}));
    const bytes = new Uint8Array(await (await fetch('/work/small_mlp.onnx')).arrayBuffer());
    try {
      await core.createSession(bytes, {backend: 'webgpu'});
      return 'no error';
    } catch (e) {
      return e.message;
    }
  });
  check(/^model: WebGPU is missing: .*navigator\.gpu.*use backend "cpu"/.test(missing), `no navigator.gpu: "${missing}"`);
} finally {
  await browser.close();
  server.close();
}
finish();
