// onnxruntime-web's env.webgpu.device in the page: an application that made its own GPUDevice hands it to
// webconv, which then runs on that device (the buffers it makes belong to it), leaves the application's
// error handler in place, and gives the outputs a session on webconv's own device gives.
//   node shared_device.mjs --dist web/dist --small-mlp models/small_mlp.onnx
import fs from 'node:fs';

import { launch, newPage } from './lib/browser.mjs';
import { serve } from './lib/server.mjs';
import { fail, parseFlags, requireDist, seededFloats } from './lib/util.mjs';

const flags = parseFlags(process.argv.slice(2));
for (const f of ['dist', 'small-mlp']) if (!flags[f]) fail(`--${f} is required`);
requireDist(flags.dist);
if (!fs.existsSync(flags['small-mlp'])) fail(`${flags['small-mlp']} is missing`);
const seed = Number(process.env.WEBCONV_SEED ?? 20261206);
console.log(`seed ${seed} (WEBCONV_SEED replays)`);

const server = await serve({ '/': flags.dist }, { '/test.html': '<!doctype html><title>webconv shared device</title>' });
const browser = await launch();
let r, own;
try {
  const modelBytes = Array.from(fs.readFileSync(flags['small-mlp']));
  const features = Array.from(seededFloats(2 * 64, seed));
  // Each page loads its own core: one where webconv makes its device, one given the application's.
  for (const share of [false, true]) {
    const page = await newPage(browser);
    await page.goto(`${server.url}/test.html`);
    const result = await page.evaluate(runInPage, { modelBytes, features, share });
    if (share) r = result;
    else own = result;
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
if (own.error) fail(`the page failed: ${own.error}`);
if (r.error) fail(`the page failed: ${r.error}`);
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) ++failures;
};
const same = r.outputs?.length === own.outputs.length && r.outputs.every((v, i) => v === own.outputs[i]);
check(same, `a session on the shared device gives the outputs of one on webconv's own device (${r.outputs?.slice(0, 3)})`);
check(r.handlerKept, "the application's onuncapturederror handler is left in place");
check(r.buffersOnShared, 'webconv made its buffers on the shared device (createBuffer calls seen on it)');
check(r.envNamesShared && own.envNamesOwn, 'afterwards env.webgpu.device is the device webconv runs on');
if (failures) fail(`${failures} shared-device check(s) failed`);
console.log('shared-device checks passed');

async function runInPage({ modelBytes, features, share }) {
  try {
    const wc = await import('/webconv.mjs');
    const bytes = new Uint8Array(modelBytes);
    const feeds = { features: new wc.Tensor('float32', Float32Array.from(features), [2, 64]) };
    let device = null, handler = null, created = 0;
    if (share) {
      // The application's device, with its own error handler and a count of the buffers made on it.
      const adapter = await navigator.gpu.requestAdapter();
      device = await adapter.requestDevice({ label: 'application' });
      handler = () => {};
      device.onuncapturederror = handler;
      const createBuffer = device.createBuffer.bind(device);
      device.createBuffer = (d) => (++created, createBuffer(d));
      wc.env.webgpu.device = device;
      wc.env.webgpu.adapter = adapter;
    }
    const session = await wc.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
    const outputs = Array.from((await session.run(feeds)).probabilities.data);
    await session.release();
    return { outputs, handlerKept: share && device.onuncapturederror === handler, buffersOnShared: created > 0,
             envNamesShared: share && wc.env.webgpu.device === device,
             envNamesOwn: !share && typeof wc.env.webgpu.device?.createBuffer === 'function' };
  } catch (e) {
    return { error: String(e.message ?? e) };
  }
}
