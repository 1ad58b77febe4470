// IO binding as onnxruntime-web has it, in the page: Tensor.fromGpuBuffer feeds and preferredOutputLocation
// 'gpu-buffer' outputs give the same bits as host tensors do. The model (make_conv_model.py --gpu-io) has
// a float32 input the kernels take from the GPU, an int64 input the plan reads on the host (downloaded
// through the tensor's own download function), float32 outputs kept by the kernels and an int64 output
// uploaded into a buffer of its own. Pre-allocated outputs in fetches are filled. Each run's outputs are
// buffers of their own (a later run leaves them as they were); dispose() destroys them; a CPU session
// downloads GPU feeds; misuse is a clear error.
//   node gpu_buffers.mjs --dist web/dist --work DIR
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { launch, newPage } from './lib/browser.mjs';
import { serve } from './lib/server.mjs';
import { fail, parseFlags, requireDist, seededFloats } from './lib/util.mjs';

const flags = parseFlags(process.argv.slice(2));
for (const f of ['dist', 'work']) if (!flags[f]) fail(`--${f} is required`);
requireDist(flags.dist);
const here = path.dirname(fileURLToPath(import.meta.url));
fs.mkdirSync(flags.work, { recursive: true });
const model = path.join(flags.work, 'gpu_io.onnx');
execFileSync('/usr/bin/python3', [path.join(here, '..', 'web_core', 'make_conv_model.py'), '--gpu-io', model]);
const seed = Number(process.env.WEBCONV_SEED ?? Date.now() % 1000000);
console.log(`seed ${seed} (WEBCONV_SEED=${seed} replays)`);

const server = await serve({ '/': flags.dist }, { '/test.html': '<!doctype html><title>webconv gpu buffers</title>' });
const browser = await launch();
let r;
try {
  const page = await newPage(browser);
  await page.goto(`${server.url}/test.html`);
  r = await page.evaluate(runInPage, { modelBytes: Array.from(fs.readFileSync(model)),
                                       x1: Array.from(seededFloats(3 * 12 * 12, seed)),
                                       x2: Array.from(seededFloats(3 * 12 * 12, seed + 1)) });
  await page.close();
} finally {
  await browser.close();
  await server.close();
}
if (r.error) fail(`the page failed: ${r.error}`);

let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) ++failures;
};
const same = (a, b) => Array.isArray(a) && Array.isArray(b) && a.length > 0 && a.length === b.length &&
                       a.every((v, i) => Object.is(v, b[i]));
const names = ['y', 'flat', 'arg'];
check(r.host1.y.length === 36 && r.host1.arg.length === 4, `the host run gives y (${r.host1.y.length}) and arg (${r.host1.arg.length})`);
check(!same(r.host1.y, r.host2.y), 'the two inputs give different outputs (the checks below can tell runs apart)');
for (const n of names) {
  check(r.gpu1.locations[n] === 'gpu-buffer', `${n}: a 'gpu-buffer' output (${r.gpu1.locations[n]})`);
  check(same(r.gpu1.late[n], r.host1[n]), `${n}: run 1's GPU output, downloaded after run 2, equals the host run's bit for bit`);
  check(same(r.gpu2[n], r.host2[n]), `${n}: run 2 from the GPU equals the host run's bit for bit`);
}
check(/getData/.test(r.gpu1.dataThrows ?? ''), `.data of a 'gpu-buffer' output says to use getData(): ${r.gpu1.dataThrows}`);
check(r.gpu1.afterGetData === 'cpu', `getData() makes the tensor a host one (${r.gpu1.afterGetData})`);
check(r.gpu1.disposed === 'none' && r.gpu1.destroyed, 'dispose() destroys an output\'s buffer');
check(r.record.y === 'gpu-buffer' && r.record.flat === 'cpu' && r.record.arg === 'cpu',
      `preferredOutputLocation {y: 'gpu-buffer'}: y ${r.record.y}, flat ${r.record.flat}, arg ${r.record.arg}`);
check(same(r.record.yData, r.host1.y), 'y from the per-output setting equals the host run\'s');
check(same(r.cpu.y, r.host1.y.length ? r.cpuHost.y : []) && r.cpu.location === 'cpu',
      'a CPU session downloads GPU feeds and gives host outputs equal to its own host run');
check(r.given.same && r.given.keys === 'flat,y', `pre-allocated outputs in fetches are the tensors returned (${r.given.keys})`);
check(same(r.given.y, r.host2.y), 'a pre-allocated gpu-buffer output is filled with the host run\'s bits');
check(same(r.given.flat, r.host2.flat), 'a pre-allocated host output is filled in place with the host run\'s bits');
check(/fetches\['y'\] is float32\[1,4,3,4\], the output is float32\[1,4,3,3\]/.test(r.given.mismatch ?? ''),
      `a pre-allocated output of other dims is refused: ${r.given.mismatch}`);
check(/COPY_SRC/.test(r.errors.noCopySrc ?? '') && /'x'/.test(r.errors.noCopySrc ?? ''),
      `a feed buffer without COPY_SRC is refused, naming the input: ${r.errors.noCopySrc}`);
check(/needs 1872 bytes, the buffer has 1728/.test(r.errors.small ?? ''), `fromGpuBuffer on a buffer too small: ${r.errors.small}`);
check(/preferredOutputLocation/.test(r.errors.location ?? ''), `a bad location is refused: ${r.errors.location}`);
check(/'nope' is not an output/.test(r.errors.unknown ?? ''), `an unknown output name is refused: ${r.errors.unknown}`);
if (failures) fail(`${failures} gpu-buffer check(s) failed`);
console.log('gpu-buffer checks passed');

async function runInPage({ modelBytes, x1, x2 }) {
  const message = (e) => String(e?.message ?? e);
  try {
    const wc = await import('/webconv.mjs');
    const bytes = new Uint8Array(modelBytes);
    const shape = new BigInt64Array([4n, 9n]);
    const hostFeeds = (x) => ({ x: new wc.Tensor('float32', Float32Array.from(x), [1, 3, 12, 12]),
                                shape: new wc.Tensor('int64', shape, [2]) });
    const asArrays = async (outs) => {
      const o = {};
      for (const [k, t] of Object.entries(outs)) o[k] = Array.from(await t.getData(), Number);
      return o;
    };
    const out = {};
    const host = await wc.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
    out.host1 = await asArrays(await host.run(hostFeeds(x1)));
    out.host2 = await asArrays(await host.run(hostFeeds(x2)));

    // webconv's device exists once a WebGPU session does: buffers for the feeds are made on it.
    const device = wc.env.webgpu.device;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const upload = (typed) => {
      const b = device.createBuffer({ size: Math.ceil(typed.byteLength / 16) * 16, usage });
      device.queue.writeBuffer(b, 0, typed);
      return b;
    };
    // The application's own download, as onnxruntime-web's examples write one.
    const download = (buffer, bytes, ArrayType) => async () => {
      const staging = device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(buffer, 0, staging, 0, staging.size);
      device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const copy = staging.getMappedRange().slice(0, bytes);
      staging.destroy();
      return new ArrayType(copy);
    };
    const gpuFeeds = (x) => {
      const xb = upload(Float32Array.from(x)), sb = upload(shape);
      return { x: wc.Tensor.fromGpuBuffer(xb, { dataType: 'float32', dims: [1, 3, 12, 12] }),
               shape: wc.Tensor.fromGpuBuffer(sb, { dataType: 'int64', dims: [2], download: download(sb, 16, BigInt64Array) }) };
    };
    const session = await wc.InferenceSession.create(bytes, { executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer' });
    const run1 = await session.run(gpuFeeds(x1));
    const run2 = await session.run(gpuFeeds(x2));
    out.gpu1 = { locations: Object.fromEntries(Object.entries(run1).map(([k, t]) => [k, t.location])) };
    try {
      void run1.y.data;
    } catch (e) {
      out.gpu1.dataThrows = message(e);
    }
    out.gpu1.late = await asArrays(run1);  // after run 2: run 1's buffers are its own
    out.gpu1.afterGetData = run1.y.location;
    out.gpu2 = await asArrays(run2);
    const third = await session.run(gpuFeeds(x1));
    const buffer = third.y.gpuBuffer;
    third.y.dispose();
    out.gpu1.disposed = third.y.location;
    // A destroyed buffer fails validation when used: the copy raises an error in the scope.
    device.pushErrorScope('validation');
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(buffer, 0, upload(new Float32Array(4)), 0, 16);
    device.queue.submit([enc.finish()]);
    out.gpu1.destroyed = (await device.popErrorScope()) !== null;

    const perOutput = await wc.InferenceSession.create(bytes, { executionProviders: ['webgpu'],
                                                                preferredOutputLocation: { y: 'gpu-buffer' } });
    const rec = await perOutput.run(gpuFeeds(x1));
    out.record = Object.fromEntries(Object.entries(rec).map(([k, t]) => [k, t.location]));
    out.record.yData = Array.from(await rec.y.getData(true));

    // Pre-allocated outputs in fetches, as onnxruntime-web fills them.
    const yBuffer = upload(new Float32Array(36));
    const yTarget = wc.Tensor.fromGpuBuffer(yBuffer, { dataType: 'float32', dims: [1, 4, 3, 3], download: download(yBuffer, 144, Float32Array) });
    const flatTarget = new wc.Tensor('float32', new Float32Array(36), [4, 9]);
    const filled = await host.run(hostFeeds(x2), { y: yTarget, flat: flatTarget });
    out.given = { same: filled.y === yTarget && filled.flat === flatTarget, keys: Object.keys(filled).sort().join(','),
                  y: Array.from(await yTarget.getData()), flat: Array.from(flatTarget.data) };
    await host.run(hostFeeds(x2), { y: new wc.Tensor('float32', new Float32Array(48), [1, 4, 3, 4]) })
      .catch((e) => { out.given.mismatch = message(e); });

    const cpu = await wc.InferenceSession.create(bytes, { executionProviders: ['cpu'], preferredOutputLocation: 'gpu-buffer' });
    out.cpuHost = await asArrays(await cpu.run(hostFeeds(x1)));
    const feeds = gpuFeeds(x1);
    feeds.x = wc.Tensor.fromGpuBuffer(feeds.x.gpuBuffer, { dataType: 'float32', dims: [1, 3, 12, 12],
                                                           download: download(feeds.x.gpuBuffer, 432 * 4, Float32Array) });
    const cpuOut = await cpu.run(feeds);
    out.cpu = { y: Array.from(await cpuOut.y.getData()), location: cpuOut.y.location };

    out.errors = {};
    const noCopy = device.createBuffer({ size: 432 * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    await session.run({ x: wc.Tensor.fromGpuBuffer(noCopy, { dataType: 'float32', dims: [1, 3, 12, 12] }),
                        shape: new wc.Tensor('int64', shape, [2]) }).catch((e) => { out.errors.noCopySrc = message(e); });
    try {
      wc.Tensor.fromGpuBuffer(noCopy, { dataType: 'float32', dims: [1, 3, 12, 13] });
    } catch (e) {
      out.errors.small = message(e);
    }
    await wc.InferenceSession.create(bytes, { preferredOutputLocation: 'texture' }).catch((e) => { out.errors.location = message(e); });
    await wc.InferenceSession.create(bytes, { preferredOutputLocation: { nope: 'gpu-buffer' } })
      .catch((e) => { out.errors.unknown = message(e); });
    return out;
  } catch (e) {
    return { error: `${message(e)}\n${e?.stack ?? ''}` };
  }
}
