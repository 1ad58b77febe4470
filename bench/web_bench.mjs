// The browser build (web/dist: the WebAssembly core and webconv.mjs) on a real GPU without a browser:
// Dawn's Node binding (npm `webgpu`, dawn.node) is set as navigator.gpu, the closest stand-in for Chrome's
// WebGPU these machines allow. One cold start in a fresh Node process, then warm runs, then profiled runs
// of a second session for the GPU time. Prints one JSON line in bench/cold.py's terms.
// node bench/web_bench.mjs MODEL --shape name=d0,d1,... [--runs N] [--dist web/dist] [--webgpu DIR]
//                         [--first-run auto|tuned|quick|quick-only]
//   --webgpu: the folder of the `webgpu` package (index.js); default: resolved as a module.
//   --first-run: the session's firstRun option (default auto). After the first run the session settles
//   (settle(): the tuned kernels compiled and switched to), as `webconv bench` does, so the warm runs are
//   the tuned tier's; settle_ms says how long that took.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const model = args.shift();
let runs = 10, dist = 'web/dist', webgpuDir = null, firstRun = 'auto';
const shapes = {};
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = +args[++i];
  else if (args[i] === '--dist') dist = args[++i];
  else if (args[i] === '--webgpu') webgpuDir = args[++i];
  else if (args[i] === '--first-run') firstRun = args[++i];
  else if (args[i] === '--shape') { const [n, s] = args[++i].split('='); shapes[n] = s.split(',').map(Number); }
}
const webgpu = await import(webgpuDir ? pathToFileURL(path.resolve(webgpuDir, 'index.js')).href : 'webgpu');
Object.assign(globalThis, webgpu.globals);
globalThis.navigator = { gpu: webgpu.create((process.env.DAWN_NODE_FLAGS || '').split(' ').filter(Boolean)) };
const { InferenceSession, Tensor } = await import(pathToFileURL(path.resolve(dist, 'webconv.mjs')).href);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[s.length >> 1] : null; };
const progress = [];
const t0 = performance.now();
const session = await InferenceSession.create(model, {
  executionProviders: ['webgpu'], firstRun, onProgress: (p) => progress.push(p) });
const t1 = performance.now();
const feeds = {};
for (const name of session.inputNames) {
  const dims = shapes[name];
  if (!dims) throw new Error(`give --shape ${name}=...`);
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; data[i] = s / 4294967296; }
  feeds[name] = new Tensor('float32', data, dims);
}
const t2 = performance.now();
await session.run(feeds);
const t3 = performance.now();
const phases = session.profile?.phases ?? null;
const firstQuick = !!session.profile?.quick;
const t4 = performance.now();
await session.settle();
const settleMs = performance.now() - t4;
const wall = [];
for (let i = 0; i < runs; i++) { const a = performance.now(); await session.run(feeds); wall.push(performance.now() - a); }
// GPU time: a profiled session (its pipelines are already compiled: same WGSL, same device).
const profiled = await InferenceSession.create(model, { executionProviders: ['webgpu'], enableProfiling: true,
                                                        firstRun: 'tuned' });
const gpu = [];
await profiled.run(feeds);
for (let i = 0; i < Math.min(runs, 10); i++) { await profiled.run(feeds); if (profiled.profile?.gpuMs) gpu.push(profiled.profile.gpuMs); }
console.log(JSON.stringify({
  model: path.basename(model), adapter: session.adapter?.name ?? null, create_ms: +(t1 - t0).toFixed(2),
  phases: phases && { ...Object.fromEntries(Object.entries({
    first_result_ms: t3 - (t2 - t1), load_ms: phases.loadMs, device_ms: phases.deviceMs, bind_ms: phases.bindMs,
    plan_ms: phases.planMs, compile_ms: phases.compileMs, pipelines: phases.pipelines,
    pipelines_compiled: phases.pipelinesCompiled, upload_ms: phases.uploadMs, program_ms: phases.programMs,
    first_run_ms: phases.firstRunMs, warm_run_ms: wall[0] ?? null, first_run_tier: phases.firstRunTier,
    first_run_quick: firstQuick, tuned_pipelines: phases.tunedPipelines, settle_ms: settleMs }).map(([k, v]) => [k, typeof v === 'number' ? +v.toFixed(3) : v])) },
  wall_median_ms: median(wall), gpu_median_ms: median(gpu),
  progress_events: progress.length, compile_events: progress.filter((p) => p.phase === 'compile').length,
}));
process.exit(0);
