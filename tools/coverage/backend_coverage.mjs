// How many of the ONNX backend node cases (Debian's libonnx-testdata) each runtime passes, in one run:
// webconv on WebGPU, on its fast CPU backend and on its float64 reference (`webconv test-onnx --backend
// webgpu|cpu|ref`, no manifest, so expected failures count as failures), and ONNX Runtime (npm
// onnxruntime-node) with its WebGPU EP and its CPU EP.
//
//   node tools/coverage/backend_coverage.mjs [--data DIR] [--webconv build/webconv] [--dist web/dist]
//        [--ort-eps webgpu,cpu] [--only REGEX] [--json OUT]
//
// A case passes when every test_data_set_* gives every expected output: same shape, and elementwise
// |got - want| <= 1e-7 + 1e-3 |want| for floats (NaN matching NaN), exactly for integers and bools (the
// tolerance of ONNX's own backend test runner, which `webconv test-onnx` applies too).
// The .pb tensors are read with webconv's JS API (tensorFromProto); a case whose inputs it cannot read
// (string tensors, sequences) is reported as such and not counted for ONNX Runtime. ONNX Runtime places
// the nodes its WebGPU EP lacks on its CPU EP without saying so (webconv never moves a node), so its WebGPU
// column counts what the two EPs run together. Without a GPU the
// WebGPU EP needs VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json, as webconv finds SwiftShader.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

import { compareArrays } from '../../tests/web/lib/compare.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = { data: '/usr/share/libonnx-testdata/data/node', webconv: 'build/webconv', dist: 'web/dist',
              'ort-eps': 'webgpu,cpu', only: null, json: null };
for (let i = 0; i < args.length; ++i) {
  const k = args[i].replace(/^--/, '');
  if (!(k in opt) || i + 1 >= args.length) {
    console.error(`backend_coverage: unknown or incomplete option ${args[i]}`);
    process.exit(2);
  }
  opt[k] = args[++i];
}
const only = opt.only ? new RegExp(opt.only) : null;
const cases = fs.readdirSync(opt.data).filter((c) => c.startsWith('test_') && (!only || only.test(c))).sort();
const wc = await import(pathToFileURL(path.resolve(opt.dist, 'webconv.mjs')).href);
const ort = require('onnxruntime-node');
ort.env.logLevel = 'fatal';  // refusals are counted here; ONNX Runtime's own error lines would bury the table

// webconv: one test-onnx process per backend over every case; its PASS / FAIL lines name each case.
function runWebconv(backend) {
  const dirs = cases.map((c) => path.join(opt.data, c));
  const t0 = performance.now();
  const r = spawnSync(opt.webconv, ['test-onnx', ...dirs, '--backend', backend], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const pass = new Set();
  for (const line of (r.stdout + r.stderr).split('\n')) {
    const m = /^PASS\s+(\S+)\s+\[/.exec(line);
    if (m) pass.add(m[1]);
  }
  return { pass, seconds: (performance.now() - t0) / 1000 };
}

async function readTensor(file) {
  return (await wc.tensorFromProto(new Uint8Array(fs.readFileSync(file)))).tensor;
}

// ONNX's tolerance for floats; integers, bools and raw float16 words exactly.
function close(got, want) {
  if (got.dims.length !== want.dims.length || got.dims.some((d, k) => Number(d) !== Number(want.dims[k]))) return false;
  const floats = got.data instanceof Float32Array || got.data instanceof Float64Array;
  return compareArrays(got.data, want.data, floats ? { atol: 1e-7, rtol: 1e-3 } : { atol: 0, rtol: 0 }).ok;
}

// ONNX Runtime on one case: 'pass', 'fail' (wrong or refused) or 'unreadable' (inputs this harness cannot
// read).
async function runOrt(c, ep) {
  const dir = path.join(opt.data, c);
  const sets = fs.readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort();
  let session;
  try {
    session = await ort.InferenceSession.create(fs.readFileSync(path.join(dir, 'model.onnx')),
                                                { executionProviders: [ep], logSeverityLevel: 4 });
  } catch {
    return 'fail';
  }
  try {
    for (const set of sets) {
      const files = fs.readdirSync(path.join(dir, set));
      const feeds = {};
      const inputs = files.filter((f) => /^input_\d+\.pb$/.test(f)).sort((x, y) => parseInt(x.slice(6)) - parseInt(y.slice(6)));
      const outputs = files.filter((f) => /^output_\d+\.pb$/.test(f)).sort((x, y) => parseInt(x.slice(7)) - parseInt(y.slice(7)));
      let want;
      try {
        for (let k = 0; k < inputs.length; ++k) {
          const t = await readTensor(path.join(dir, set, inputs[k]));
          feeds[session.inputNames[k]] = new ort.Tensor(t.type, t.data, t.dims);
        }
        want = [];
        for (const f of outputs) want.push(await readTensor(path.join(dir, set, f)));
      } catch {
        return 'unreadable';
      }
      let got;
      try {
        got = await session.run(feeds);
      } catch {
        return 'fail';
      }
      for (let k = 0; k < want.length; ++k) {
        const g = got[session.outputNames[k]];
        if (!g || !close(g, want[k])) return 'fail';
      }
    }
    return 'pass';
  } finally {
    await session.release?.();
  }
}

const result = { cases: cases.length, data: opt.data, columns: {} };
for (const backend of ['webgpu', 'cpu', 'ref']) {
  const w = runWebconv(backend);
  result.columns[`webconv ${backend}`] = { pass: [...w.pass], seconds: w.seconds };
  console.log(`webconv ${backend}: ${w.pass.size} of ${cases.length} pass (${w.seconds.toFixed(0)} s)`);
}
for (const ep of opt['ort-eps'].split(',').filter(Boolean)) {
  const t0 = performance.now();
  const pass = [], unreadable = [];
  for (const c of cases) {
    const r = await runOrt(c, ep);
    if (r === 'pass') pass.push(c);
    else if (r === 'unreadable') unreadable.push(c);
  }
  const seconds = (performance.now() - t0) / 1000;
  result.columns[`ORT ${ep}`] = { pass, unreadable, seconds };
  console.log(`ONNX Runtime ${ep} EP${ep === 'webgpu' ? ' (with its silent CPU fallback)' : ''}: ${pass.length} of ` +
              `${cases.length} pass, ${unreadable.length} with inputs this harness cannot read (${seconds.toFixed(0)} s)`);
}
// The cases one side passes and the other does not, for the webconv WebGPU column against each ORT column.
const wgpu = new Set(result.columns['webconv webgpu'].pass);
for (const [name, col] of Object.entries(result.columns)) {
  if (!name.startsWith('ORT')) continue;
  const theirs = new Set(col.pass);
  const onlyOrt = [...theirs].filter((c) => !wgpu.has(c));
  const onlyWc = [...wgpu].filter((c) => !theirs.has(c));
  col.only_ort = onlyOrt;
  col.only_webconv_webgpu = onlyWc;
  console.log(`${name} passes ${onlyOrt.length} cases webconv on WebGPU does not; webconv on WebGPU passes ${onlyWc.length} it does not`);
}
if (opt.json) fs.writeFileSync(opt.json, JSON.stringify(result, null, 1));
