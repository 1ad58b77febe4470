// The WebAssembly core under Node (no GPU there): the raw C ABI on backend "cpu" must give the same
// outputs as the native `webconv run --backend cpu` on the same inputs, and a malformed model must fail
// with the same line the CLI prints.
// Usage: node node_cpu_test.mjs --dist web/dist --webconv build/webconv --models models --work DIR
// WEBCONV_SEED replays the random input.
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

import {RawCore, compare, floats, npyFloat32, randomFloats, readNpyFloat32} from './core_util.mjs';
import {check, finish, parseArgs} from './test_run.mjs';

const args = parseArgs(['dist', 'webconv', 'models', 'work']);

const glue = path.join(args.dist, 'webconv-core.mjs');
const wasm = path.join(args.dist, 'webconv.wasm');
if (!fs.existsSync(glue) || !fs.existsSync(wasm)) {
  console.error(`FAIL: ${glue} or ${wasm} is missing: build the WebAssembly core first with web/build.sh`);
  process.exit(1);
}
fs.rmSync(args.work, {recursive: true, force: true});
fs.mkdirSync(args.work, {recursive: true});

const {default: createWebconvCore} = await import(pathToFileURL(path.resolve(glue)).href);
const m = await createWebconvCore({wasmBinary: fs.readFileSync(wasm), print: console.log, printErr: console.error});
const core = new RawCore(m);
const version = core.version();
console.log(`core: ${JSON.stringify(version)}`);
check(/^wasm32-emscripten-/.test(version.build) && typeof version.webconv === 'string', 'wc_version_json');

// 1. small_mlp on cpu vs the native CLI, on the same seeded input.
const seed = Number(process.env.WEBCONV_SEED || Date.now() % 1000000);
console.log(`seed ${seed} (WEBCONV_SEED=${seed} replays)`);
const batch = 3;
const input = randomFloats(batch * 64, seed);
const inputNpy = path.join(args.work, 'features.npy');
fs.writeFileSync(inputNpy, npyFloat32(input, [batch, 64]));
const modelPath = path.join(args.models, 'small_mlp.onnx');
execFileSync(args.webconv, ['run', modelPath, '--backend', 'cpu', '--input', `features=${inputNpy}`,
                            '--output-dir', path.join(args.work, 'native')], {stdio: 'pipe'});
const want = readNpyFloat32(fs.readFileSync(path.join(args.work, 'native', 'probabilities.npy')));

const parsed = core.parseTensor('npy', fs.readFileSync(inputNpy));
check(parsed.dtype === 'float32' && JSON.stringify(parsed.dims) === `[${batch},64]` &&
      compare(floats(parsed), input, 0, 0).ok, 'wc_tensor_from_npy reads back the input file');

const modelBytes = new Uint8Array(fs.readFileSync(modelPath));
const {handle: s, error, after} = await core.createSessionKeepingBuffer(modelBytes, {backend: 'cpu'});
check(s > 0, `wc_session_create on cpu ${error}`);
check(Buffer.compare(Buffer.from(after), Buffer.from(modelBytes)) === 0, 'the caller\'s model bytes are unchanged');
const info = core.info(s);
console.log(`info: ${JSON.stringify(info)}`);
check(info.backend === 'cpu' && info.adapter === null, 'info: backend cpu, no adapter');
check(JSON.stringify(info.inputs) === '[{"name":"features","dtype":"float32","dims":["batch",64],"host":false}]',
      'info: input features float32 ["batch",64]');
check(info.outputs.length === 1 && info.outputs[0].name === 'probabilities' && info.outputs[0].dtype === 'float32',
      'info: output probabilities float32');

core.setInput(s, 'features', 'float32', input, [batch, 64]);
await core.run(s);
const out = core.outputs(s);
check(Object.keys(out).join() === 'probabilities', 'one output, probabilities');
const got = out.probabilities;
check(JSON.stringify(got.dims) === JSON.stringify(want.dims), `output dims ${JSON.stringify(got.dims)} = native ${JSON.stringify(want.dims)}`);
// Both sides run the float32 CPU backend: OpenBLAS natively, Eigen in the module; sums may round apart.
const c = compare(floats(got), want.data, 1e-6, 1e-6);
check(c.ok, `cpu outputs match native --backend cpu (max abs err ${c.maxAbs.toExponential(2)}${c.maxAbs === 0 ? ', bit-identical' : ''}) ${c.message}`);
const prof = core.profile(s);
check(typeof prof.wall_ms === 'number' && prof.planned === true && prof.gpu_ms === null, `profile of the first run: ${JSON.stringify(prof)}`);

// Inputs are cleared by each run: a second run without them fails, naming the input.
let second = '';
try {
  await core.run(s);
} catch (e) {
  second = e.message;
}
check(second === "model: input 'features' was not given", `a run without inputs fails: "${second}"`);
core.setInput(s, 'features', 'float32', input, [batch, 64]);
await core.run(s);
check(compare(floats(core.outputs(s).probabilities), floats(got), 0, 0).ok && core.profile(s).planned === false,
      'a second run reuses the plan and gives the same outputs');

let bad = '';
try {
  core.setInput(s, 'features', 'float32', input, [batch + 1, 64]);
} catch (e) {
  bad = e.message;
}
check(/needs \d+ bytes, got \d+/.test(bad), `set_input with a wrong byte count fails: "${bad}"`);
// take_input keeps the caller's heap copy as the input: the same outputs as set_input's copy, the same
// checks, and a refused input leaves the session able to run.
core.takeInput(s, 'features', 'float32', input, [batch, 64]);
await core.run(s);
check(compare(floats(core.outputs(s).probabilities), floats(got), 0, 0).ok, 'take_input gives the outputs set_input gives');
let badTake = '';
try {
  core.takeInput(s, 'features', 'float32', input, [batch + 1, 64]);
} catch (e) {
  badTake = e.message;
}
check(/needs \d+ bytes, got \d+/.test(badTake), `take_input with a wrong byte count fails: "${badTake}"`);
let unknownTake = '';
try {
  core.takeInput(s, 'nope', 'float32', input, [batch, 64]);
} catch (e) {
  unknownTake = e.message;
}
check(/'nope' is not an input of the model/.test(unknownTake), `take_input of an unknown name fails: "${unknownTake}"`);
core.takeInput(s, 'features', 'float32', input, [batch, 64]);
await core.run(s);
check(compare(floats(core.outputs(s).probabilities), floats(got), 0, 0).ok, 'a run after refused take_inputs');
core.release(s);
check(core.info(s) === null && /no session with handle/.test(core.lastError()), 'a released handle is refused');

// 2. A malformed model (truncated): the message equals the CLI's error line for a file named "model".
const truncated = modelBytes.slice(0, Math.floor(modelBytes.length / 2));
fs.writeFileSync(path.join(args.work, 'model'), truncated);
const cli = spawnSync(path.resolve(args.webconv), ['run', 'model', '--backend', 'cpu'], {cwd: args.work, encoding: 'utf8'});
const cliLine = cli.stderr.trim().split('\n').pop();
let wasmError = '';
try {
  await core.createSession(truncated, {backend: 'cpu'});
} catch (e) {
  wasmError = e.message;
}
console.log(`CLI:  ${cliLine}\nwasm: ${wasmError}`);
check(cli.status === 3 && cliLine === `error: ${wasmError}`, 'a truncated model fails with the CLI\'s message');

// 3. Options are checked.
let opt = '';
try {
  await core.createSession(modelBytes, {backend: 'cpu', threads: 4});
} catch (e) {
  opt = e.message;
}
check(opt === 'session options: unknown key "threads" (known: backend, profile, firstRun, kernelTuning)', `unknown option key: "${opt}"`);

finish();
