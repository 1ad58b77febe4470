// The JS API's own behaviour, under Node on the CPU backend (fast, no browser): Tensor validation, the
// session's names and metadata, run's checks (unknown input, fetches), concurrent runs queued in order
// with the results a sequential run gives, onnxruntime-web's (buffer, offset, length) form, the caller's
// model bytes left unchanged, release, and error messages that name the model file as the CLI does.
//
//   node api_node.mjs --dist web/dist --small-mlp models/small_mlp.onnx --webconv build/webconv --work DIR
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { fail, parseFlags, requireDist, runCommand, seededFloats } from './lib/util.mjs';

const flags = parseFlags(process.argv.slice(2));
for (const f of ['dist', 'small-mlp', 'webconv', 'work']) if (!flags[f]) fail(`--${f} is required`);
requireDist(flags.dist);
fs.mkdirSync(flags.work, { recursive: true });
const wc = await import(pathToFileURL(path.resolve(flags.dist, 'webconv.mjs')).href);
const { InferenceSession, Tensor } = wc;
const seed = Number(process.env.WEBCONV_SEED ?? 20261124);
console.log(`seed ${seed} (WEBCONV_SEED replays)`);

let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) ++failures;
};
const rejects = async (promiseOrFn, pattern, what) => {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
    check(false, `${what}: expected an error matching ${pattern}, got success`);
  } catch (e) {
    check(pattern.test(e.message), `${what}: "${e.message}"`);
  }
};
const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

// Tensor.
const t = new Tensor('float32', new Float32Array(6), [2, 3]);
check(t.type === 'float32' && t.size === 6 && t.dims.join() === '2,3' && t.location === 'cpu', 'Tensor fields');
check(new Tensor(new Int32Array(4)).type === 'int32' && new Tensor(new BigInt64Array(2), [2]).type === 'int64',
      'Tensor infers the type from the typed array');
check(new Tensor('int64', [1, 2, 3]).data instanceof BigInt64Array, 'Tensor converts plain arrays');
await rejects(() => new Tensor('float32', new Float32Array(5), [2, 3]), /hold 6 elements but the data has 5/,
              'Tensor with dims that do not fit its data');
await rejects(() => new Tensor('float32', new Int32Array(2), [2]), /needs a Float32Array/, 'Tensor with the wrong array');
await rejects(() => new Tensor('string', ['a'], [1]), /unsupported type 'string'/, 'Tensor of strings');
check(t.reshape([3, 2]).dims.join() === '3,2', 'Tensor.reshape');

// A session on the CPU backend: names, metadata, backend.
const modelBytes = new Uint8Array(fs.readFileSync(flags['small-mlp']));
const pristine = modelBytes.slice();
const s = await InferenceSession.create(modelBytes, { executionProviders: ['wasm'] });
check(same(modelBytes, pristine), 'create leaves the caller\'s model bytes unchanged');
check(s.backend === 'cpu' && s.adapter === null, `'wasm' selects the cpu backend (${s.backend})`);
check(s.inputNames.join() === 'features' && s.outputNames.length === 1, `names: ${s.inputNames} -> ${s.outputNames}`);
const meta = s.inputMetadata[0];
check(meta.type === 'float32' && meta.isTensor && meta.shape[0] === 'batch' && meta.shape[1] === 64,
      `input metadata ${JSON.stringify(meta)}`);
const out0 = s.outputNames[0];

// Runs: sequential results, then the same feeds concurrently (queued) must give the same results.
const feeds = [1, 2, 3].map((b, k) => ({ features: new Tensor('float32', seededFloats(b * 64, seed + k), [b, 64]) }));
const sequential = [];
for (const f of feeds) sequential.push((await s.run(f))[out0]);
const concurrent = await Promise.all(feeds.map((f) => s.run(f)));
check(concurrent.every((r, k) => same(Array.from(r[out0].data), Array.from(sequential[k].data)) &&
                                 r[out0].dims.join() === sequential[k].dims.join()),
      `3 concurrent runs (batch 1, 2, 3) equal the sequential ones: dims ${sequential.map((x) => `[${x.dims}]`)}`);
check(sequential[1].dims[0] === 2, 'the symbolic batch dim follows the fed tensor');
const profile = s.profile;
check(profile && profile.wallMs >= 0 && Array.isArray(profile.dispatches), `profile after a run: ${JSON.stringify(profile)}`);
check(Object.keys(await s.run(feeds[0], [out0])).join() === out0, 'run with fetches returns the named output');
await rejects(s.run({ nope: feeds[0].features }), /'nope' is not an input of the model/, 'run with an unknown input');
await rejects(s.run(feeds[0], ['nope']), /'nope' is not an output/, 'run with an unknown fetch');
await rejects(s.run({ features: new Tensor('float32', new Float32Array(10), [1, 10]) }), /features|64|10/,
              'run with a wrong-shaped input');
await s.release();
await rejects(s.run(feeds[0]), /released/, 'run after release');

// onnxruntime-web's (buffer, byteOffset, byteLength, options) form, on a buffer with bytes around the model.
const padded = new Uint8Array(modelBytes.length + 16);
padded.set(modelBytes, 8);
const s2 = await InferenceSession.create(padded.buffer, 8, modelBytes.length, { executionProviders: ['cpu'] });
check(same(Array.from((await s2.run(feeds[0]))[out0].data), Array.from(sequential[0].data)),
      'create(buffer, offset, length) runs the same model');
await s2.release();

// Tensor.fromImage under Node: pixels given as {data, width, height} need no canvas.
const rgba = Uint8ClampedArray.from({ length: 2 * 2 * 4 }, (_, i) => i * 15);
const fromPixels = await Tensor.fromImage({ data: rgba, width: 2, height: 2 }, { tensorLayout: 'NHWC' });
check(fromPixels.dims.join() === '1,2,2,3' && Math.abs(fromPixels.data[4] - rgba[5] / 255) < 1e-7,
      'Tensor.fromImage of {data, width, height} under Node (NHWC, pixel / 255)');
await rejects(Tensor.fromImage({ data: rgba, width: 3, height: 2 }), /data.length must be width \* height \* 4/,
              'Tensor.fromImage of pixels that do not fit their size');

// Tensor.getData / dispose, session.startProfiling / endProfiling, as onnxruntime-web has them.
const held = new Tensor('float32', new Float32Array([1, 2]), [2]);
check((await held.getData(true))[1] === 2, 'getData(release) returns the data');
held.dispose();
check(held.data === undefined && held.location === 'none', 'dispose drops the data');
await rejects(held.getData(), /disposed/, 'getData after dispose');
{
  const lines = [];
  const keep = wc.env.logger;
  wc.env.logger = { log: (l) => lines.push(l), error: (l) => lines.push(l) };
  const ps = await InferenceSession.create(modelBytes, { executionProviders: ['cpu'] });
  const feedsP = { features: new Tensor('float32', seededFloats(64, seed), [1, 64]) };
  await ps.run(feedsP);
  ps.startProfiling();
  await ps.run(feedsP);
  await ps.run(feedsP);
  const runsP = ps.endProfiling();
  await ps.run(feedsP);
  wc.env.logger = keep;
  check(runsP.length === 2 && lines.filter((l) => /^webconv profile: run \d: wall/.test(l)).length === 2 &&
        ps.endProfiling().length === 0,
        `startProfiling/endProfiling keep and log the runs in between (${runsP.length} runs, ${lines.length} lines)`);
  await ps.release();
}

// Providers and errors.
await rejects(InferenceSession.create(modelBytes, { executionProviders: ['webgl'] }), /none of the execution providers/,
              'an execution provider list webconv cannot serve');
await rejects(InferenceSession.create(modelBytes, { executionProviders: ['webgpu'] }),
              /Node has no navigator\.gpu.*"webgpu" package.*env\.webgpu\.device/,
              'WebGPU under Node (no navigator.gpu): a message for Node');

// onnxruntime-web's env settings: assigning them never throws; one that has no effect is said once.
const logged = [];
const logger = wc.env.logger;
wc.env.logger = { log: (s) => logged.push(s), error: (s) => logged.push(s) };
wc.env.wasm.numThreads = 4;
wc.env.wasm.simd = true;
wc.env.wasm.proxy = false;
wc.env.webgpu.powerPreference = 'low-power';
wc.env.logLevel = 'error';
wc.env.debug = false;
check(typeof wc.env.wasm === 'object' && typeof wc.env.webgpu === 'object' && 'device' in wc.env.webgpu,
      'env.wasm and env.webgpu exist, with onnxruntime-web\'s fields');
for (let k = 0; k < 2; ++k) await (await InferenceSession.create(modelBytes, { executionProviders: ['cpu'] })).release();
const said = logged.filter((l) => /env\.wasm\.numThreads has no effect/.test(l)).length;
check(said === 1, `numThreads > 1 on the CPU backend is said to have no effect, once (said ${said} times)`);
wc.env.logger = logger;
wc.env.wasm.numThreads = 0;

// Session options: freeDimensionOverrides fixes a symbolic dim (metadata and feeds); options webconv does
// not act on are accepted and said once.
logged.length = 0;
wc.env.logger = { log: (s) => logged.push(s), error: (s) => logged.push(s) };
const fixed = await InferenceSession.create(modelBytes, { executionProviders: ['cpu'], freeDimensionOverrides: { batch: 2 },
                                                          graphOptimizationLevel: 'all', logSeverityLevel: 3 });
await (await InferenceSession.create(modelBytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'basic' })).release();
check(fixed.inputMetadata[0].shape.join() === '2,64' && fixed.outputMetadata[0].shape.join() === '2,32',
      `freeDimensionOverrides fixes 'batch' in the metadata (${fixed.inputMetadata[0].shape}, ${fixed.outputMetadata[0].shape})`);
const two = new Tensor('float32', seededFloats(2 * 64, seed), [2, 64]);
check((await fixed.run({ features: two })).probabilities.dims.join() === '2,32', 'a feed of the fixed size runs');
await rejects(fixed.run({ features: new Tensor('float32', seededFloats(3 * 64, seed), [3, 64]) }),
              /input 'features' dim 0 \('batch'\) is fixed to 2 by freeDimensionOverrides, got 3/,
              'a feed of another size');
await rejects(InferenceSession.create(modelBytes, { executionProviders: ['cpu'], freeDimensionOverrides: { batch: -1 } }),
              /'batch' must be a non-negative integer/, 'a negative override');
await fixed.release();
const optionLines = logged.filter((l) => /session option graphOptimizationLevel has no effect/.test(l)).length;
check(optionLines === 1 && logged.some((l) => /logSeverityLevel has no effect/.test(l)),
      `options webconv does not act on are said once each (${logged.join(' | ')})`);
wc.env.logger = logger;

// env.wasm.wasmPaths as {wasm, mjs}: webconv.mjs copied alone to another folder finds the core by them.
const alone = path.join(flags.work, 'alone');
fs.mkdirSync(alone, { recursive: true });
fs.copyFileSync(path.join(flags.dist, 'webconv.mjs'), path.join(alone, 'webconv.mjs'));
const distUrl = pathToFileURL(path.resolve(flags.dist)).href;
const script = `const wc = await import(${JSON.stringify(pathToFileURL(path.join(alone, 'webconv.mjs')).href)});
wc.env.wasm.wasmPaths = {wasm: ${JSON.stringify(distUrl + '/webconv.wasm')}, mjs: ${JSON.stringify(distUrl + '/webconv-core.mjs')}};
const s = await wc.InferenceSession.create(${JSON.stringify(path.resolve(flags['small-mlp']))}, {executionProviders: ['cpu']});
console.log('inputs ' + s.inputNames.join());`;
const child = await runCommand(process.execPath, ['--input-type=module', '-e', script]);
check(child.code === 0 && /inputs features/.test(child.stdout),
      `env.wasm.wasmPaths {wasm, mjs} locates the core (${child.code}: ${(child.stdout + child.stderr).trim().slice(0, 200)})`);

const truncated = path.join(flags.work, 'truncated.onnx');
fs.writeFileSync(truncated, modelBytes.subarray(0, modelBytes.length >> 1));
let jsMessage = '';
try {
  await InferenceSession.create(truncated, { executionProviders: ['cpu'] });
} catch (e) {
  jsMessage = e.message;
}
const cli = await runCommand(flags.webconv, ['run', truncated, '--backend', 'cpu']);
const cliMessage = cli.stderr.trim().split('\n').pop().replace(/^error: /, '');
console.log(`truncated model: JS  "${jsMessage}"\n                 CLI "${cliMessage}" (exit ${cli.code})`);
check(cli.code === 3 && jsMessage === cliMessage, 'a truncated model file rejects with the CLI\'s message');
// externalData (onnxruntime-web's option): small_mlp saved with every tensor in weights.bin (python3-onnx, as
// the model builders use) gives bit for bit the outputs of the model with its weights inline, whether the
// file comes as bytes, as an ArrayBuffer, as "./weights.bin" or as a file path; missing or misnamed, the
// session rejects naming the location. A session created after a failed one gets none of its files.
const extDir = path.join(flags.work, 'external');
fs.mkdirSync(extDir, { recursive: true });
const python = process.env.WEBCONV_PYTHON || '/usr/bin/python3';
const saved = await runCommand(python, ['-c', `import onnx
m = onnx.load(${JSON.stringify(path.resolve(flags['small-mlp']))})
onnx.save_model(m, ${JSON.stringify(path.join(extDir, 'model.onnx'))}, save_as_external_data=True,
                all_tensors_to_one_file=True, location='weights.bin', size_threshold=0)`]);
check(saved.code === 0, `small_mlp saved with external data (${saved.stderr.trim().slice(-200)})`);
const extModel = new Uint8Array(fs.readFileSync(path.join(extDir, 'model.onnx')));
const weights = new Uint8Array(fs.readFileSync(path.join(extDir, 'weights.bin')));
check(extModel.length < modelBytes.length / 4, `the model file holds no weights (${extModel.length} of ${modelBytes.length} bytes)`);
const inlineSession = await InferenceSession.create(modelBytes, { executionProviders: ['cpu'] });
const inline = (await inlineSession.run(feeds[1]))[inlineSession.outputNames[0]].data;
await inlineSession.release();
for (const [what, data] of [['Uint8Array', weights], ['ArrayBuffer', weights.slice().buffer],
                            ['file path', path.join(extDir, 'weights.bin')]]) {
  for (const name of ['weights.bin', './weights.bin']) {
    const es = await InferenceSession.create(extModel, { executionProviders: ['cpu'], externalData: [{ path: name, data }] });
    const out = (await es.run(feeds[1]))[es.outputNames[0]].data;
    check(same(out, inline), `externalData as ${what} named '${name}': the inline model's outputs`);
    await es.release();
  }
}
await rejects(InferenceSession.create(extModel, { executionProviders: ['cpu'] }),
              /location 'weights\.bin': a model given as bytes needs its external data given with it/,
              'a model with external data and no externalData');
await rejects(InferenceSession.create(extModel, { executionProviders: ['cpu'], externalData: [{ path: 'w.bin', data: weights }] }),
              /location 'weights\.bin' is not among the external data given \('w\.bin'\)/, 'externalData under another name');
await rejects(InferenceSession.create(extModel, { executionProviders: ['cpu'], externalData: [{ data: weights }] }),
              /externalData entry 0 needs a path/, 'an externalData entry without a path');
await rejects(InferenceSession.create(extModel, { executionProviders: ['cpu'], externalData: [{ path: 'weights.bin', data: 42 }] }),
              /externalData entry 0 \('weights\.bin'\): data must be/, 'externalData of the wrong type');
await rejects(InferenceSession.create(extModel, { executionProviders: ['cpu'], externalData: [{ path: 'weights.bin', data: weights.subarray(0, 100) }] }),
              /past the end of the file \(100 bytes\)/, 'externalData shorter than the model says');
await rejects(InferenceSession.create(extModel, { executionProviders: ['cpu'] }),
              /none was/, 'the next session does not inherit an earlier session\'s external files');

const v = await wc.coreVersion();
check(v.webconv === wc.version && /emscripten/.test(v.build), `coreVersion ${JSON.stringify(v)}`);

if (failures) fail(`${failures} check(s) failed`);
console.log('JS API checks passed');
