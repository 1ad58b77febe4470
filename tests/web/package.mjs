// The JS package as a user installs it: `npm pack` of web/dist, `npm install --offline` of the tarball into
// a fresh project, then
//  - Node: `import ... from 'webconv'` runs models/small_mlp.onnx on the CPU backend; its output must match
//    the native `webconv run --backend cpu` on the same input, the model bytes handed to
//    InferenceSession.create must be unchanged afterwards, and a malformed model must reject with the
//    same text the native CLI prints for it (after its "error: ");
//  - Chromium: a page of the project that imports 'webconv' through an import map runs the default model on
//    the clip (WebGPU); its output must match the native float64 reference within `webconv check`'s tolerance.
//
//   node package.mjs --dist web/dist --webconv build/webconv --small-mlp models/small_mlp.onnx --work DIR
import fs from 'node:fs';
import path from 'node:path';

import { launch, newPage } from './lib/browser.mjs';
import { serve } from './lib/server.mjs';
import { compareArrays, fail, parseFlags, readNpy, requireDist, runCommand, seededFloats,
         writeNpyFloat32 } from './lib/util.mjs';

const flags = parseFlags(process.argv.slice(2));
for (const f of ['dist', 'webconv', 'small-mlp', 'work']) if (!flags[f]) fail(`--${f} is required`);
requireDist(flags.dist);
const dist = path.resolve(flags.dist);
const work = path.resolve(flags.work);
const seed = Number(process.env.WEBCONV_SEED ?? 20261124);
const kCheck = { atol: 1e-4, rtol: 1e-3 }; // webconv check's tolerance
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) ++failures;
};
const mustRun = async (cmd, args, options) => {
  const r = await runCommand(cmd, args, options);
  if (r.code !== 0) fail(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r;
};

// 1. Pack and install, offline, into a fresh project.
fs.rmSync(work, { recursive: true, force: true });
const project = path.join(work, 'app');
fs.mkdirSync(project, { recursive: true });
const pack = await mustRun('npm', ['pack', dist, '--pack-destination', work, '--json', '--loglevel=error']);
const packed = JSON.parse(pack.stdout)[0];
console.log(`npm pack: ${packed.filename}, ${packed.size} bytes, files: ${packed.files.map((f) => f.path).join(', ')}`);
check(packed.name === 'webconv' && packed.version === '0.1.0', 'the package is webconv@0.1.0');
check(packed.files.some((f) => f.path === 'LICENSE') &&
      JSON.parse(fs.readFileSync(path.join(dist, 'package.json'), 'utf8')).license === 'MIT',
      'the package carries its license (MIT: the LICENSE file and package.json\'s license field)');
fs.writeFileSync(path.join(project, 'package.json'),
                 JSON.stringify({ name: 'webconv-user-app', private: true, type: 'module' }, null, 2));
await mustRun('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error',
                      path.join(work, packed.filename)], { cwd: project });
const installed = path.join(project, 'node_modules', 'webconv');
for (const f of ['package.json', 'webconv.mjs', 'webconv.d.ts', 'webconv-core.mjs', 'webconv.wasm'])
  check(fs.existsSync(path.join(installed, f)), `installed node_modules/webconv/${f}`);

// 2. Node, the CPU backend: small_mlp against the native CLI; the caller's bytes; a malformed model.
fs.copyFileSync(flags['small-mlp'], path.join(project, 'small_mlp.onnx'));
writeNpyFloat32(path.join(project, 'features.npy'), seededFloats(3 * 64, seed), [3, 64]);
console.log(`small_mlp features: float32[3,64] seeded random (seed ${seed}; WEBCONV_SEED replays)`);
fs.writeFileSync(path.join(project, 'bad.onnx'), Buffer.from('this is not an ONNX model, only text\n'));
fs.writeFileSync(path.join(project, 'use.mjs'), `// What a user of the package writes under Node.
import fs from 'node:fs';
import { InferenceSession, Tensor, tensorFromNpy, version } from 'webconv';

const bytes = new Uint8Array(fs.readFileSync('small_mlp.onnx'));
const before = bytes.slice();
const session = await InferenceSession.create(bytes, { executionProviders: ['cpu'] });
const features = await tensorFromNpy(fs.readFileSync('features.npy'));
const out = await session.run({ [session.inputNames[0]]: new Tensor('float32', features.data, features.dims) });
const unchanged = bytes.length === before.length && bytes.every((b, i) => b === before[i]);
let badMessage = null;
try {
  await InferenceSession.create('bad.onnx', { executionProviders: ['cpu'] });
} catch (e) {
  badMessage = e.message;
}
const name = session.outputNames[0];
await session.release();
console.log(JSON.stringify({ version, backend: session.backend, inputs: session.inputNames, name,
                             dims: out[name].dims, type: out[name].type, data: Array.from(out[name].data),
                             unchanged, badMessage }));
`);
const node = await mustRun(process.execPath, ['use.mjs'], { cwd: project });
const r = JSON.parse(node.stdout.trim().split('\n').pop());
console.log(`node: webconv ${r.version}, backend ${r.backend}, output '${r.name}' ${r.type}[${r.dims}] (${(node.ms / 1000).toFixed(1)} s)`);
check(r.backend === 'cpu', 'the Node session runs on the cpu backend');
check(r.unchanged, 'the model bytes given to InferenceSession.create are unchanged');
await mustRun(flags.webconv, ['run', 'small_mlp.onnx', '--backend', 'cpu', '--input', `${r.inputs[0]}=features.npy`,
                              '--output-dir', 'native_out'], { cwd: project });
const want = readNpy(path.join(project, 'native_out', `${r.name}.npy`));
const c = compareArrays(r.data, want.data, kCheck);
check(c.ok && want.dims.join(',') === r.dims.join(','), `small_mlp in Node vs native cpu [${want.dims}]: ${c.message}`);
const bad = await runCommand(flags.webconv, ['run', 'bad.onnx', '--backend', 'cpu'], { cwd: project });
const cliLine = bad.stderr.trim().split('\n').pop().replace(/^error: /, '');
console.log(`malformed model: JS "${r.badMessage}"\n                 CLI "${cliLine}" (exit ${bad.code})`);
check(bad.code === 3 && r.badMessage === cliLine, 'a malformed model rejects with the CLI\'s message');

// 3. Chromium: a page of the project imports 'webconv' through an import map and runs the default model.
const demo = path.join(dist, 'demo');
await mustRun(flags.webconv, ['run', path.join(demo, 'default.onnx'), '--backend', 'cpu', '--input',
                              `frames=${path.join(demo, 'clip.npy')}`, '--output-dir', path.join(work, 'native_default')]);
fs.writeFileSync(path.join(project, 'index.html'), `<!doctype html>
<title>a page using the webconv package</title>
<script type="importmap">{"imports": {"webconv": "/node_modules/webconv/webconv.mjs"}}</script>
<script type="module">
import { InferenceSession, tensorFromNpy } from 'webconv';
try {
  const clip = await tensorFromNpy(new Uint8Array(await (await fetch('/model/clip.npy')).arrayBuffer()));
  const session = await InferenceSession.create('/model/default.onnx', { executionProviders: ['webgpu'] });
  const out = await session.run({ [session.inputNames[0]]: clip });
  const t = out[session.outputNames[0]];
  window.result = { name: session.outputNames[0], input: session.inputNames[0], dims: t.dims,
                    data: Array.from(t.data), adapter: session.adapter };
} catch (e) {
  window.result = { error: e.message };
}
</script>
`);
const server = await serve({ '/': project, '/model/': demo });
const browser = await launch();
try {
  const page = await newPage(browser);
  const t0 = performance.now();
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 300_000 });
  const res = await page.evaluate(() => window.result);
  if (res.error) fail(`the page failed: ${res.error}`);
  console.log(`page: default model on ${res.adapter?.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const ref = readNpy(path.join(work, 'native_default', `${res.name}.npy`));
  const d = compareArrays(res.data, ref.data, kCheck);
  check(res.input === 'frames' && d.ok && ref.dims.join(',') === res.dims.join(','),
        `default model through the installed package vs native float64 reference [${res.dims}]: ${d.message}`);
} finally {
  await browser.close();
  await server.close();
}
if (failures) fail(`${failures} check(s) failed`);
console.log('package checks passed');
