// Second page load of the browser build (web/dist) in headless Chromium: how much a page that runs a model
// gains when the browser's profile already holds what the first load left there (the HTTP cache with
// webconv.mjs, webconv-core.mjs, webconv.wasm and the model; V8's code cache; Dawn's shader and pipeline
// cache in the GPU process). webconv keeps no cache of its own in the browser, so any gain is the browser's.
//
// Per model and round: a fresh user-data (profile) folder; --loads launches of Chromium on it, one page load
// each (the first on the empty profile, the others on the profile the earlier ones left), the browser closed
// in between; then the folder is removed. Rounds run one after another (default 2), so fresh and reloaded
// loads are interleaved in time and the spread between the two fresh loads shows the machine's noise.
// Prints a table of every load and the medians per model and kind; --json writes both with the raw figures.
//
//   node bench/page_load.mjs [--model PATH [--shape NAME=d0,d1,...]...]... [--loads N] [--rounds R]
//                            [--dist web/dist] [--http-cache max-age|no-cache|no-store] [--seed S]
//                            [--json OUT] [--chromium-arg ARG]... [--trace DIR]
// --model: repeatable; default models/default.onnx. --shape: an input's dims, by input name (needed only for
//   inputs with symbolic dims; fixed dims come from the model). --loads: page loads per profile (default 3:
//   one on the fresh profile, two on the same profile). --rounds: fresh profiles per model (default 2).
// --http-cache: the Cache-Control the server sends for every file. max-age (default): a day, so a second
//   load takes the files from the disk cache without asking, as from a static host with long-lived caching;
//   no-cache: stored but revalidated (ETag, 304 answers); no-store: nothing stored, which leaves Dawn's cache
//   (and nothing else) to the second load.
// --chromium-arg: a flag added to tests/web/lib/browser.mjs's (for example --disable-gpu-shader-disk-cache,
//   which turns Dawn's cache off and so tells its share of a second load from the HTTP cache's).
// --trace: a Chrome trace of each launch (startup tracing of gpu and gpu.dawn, JSON, kept in DIR), summed up
//   per load: Dawn's cache (blobs loaded into the GPU process, cache hits, blobs stored), Tint's SPIR-V
//   generation and the pipeline creations (summed over the GPU process's threads). Tracing slows a load a
//   little: compare traced loads with traced loads.
// In the page, "first result" is performance.now() from the start of the page's module script to the first
// outputs, less the time spent making the seeded input (work an application would not do). The page also
// times importing webconv.mjs, loading the core (coreVersion() loads webconv-core.mjs and webconv.wasm),
// fetching the model, InferenceSession.create on its bytes and the first run, and reads session.profile.phases.
// WebGPU is SwiftShader here (the flags of tests/web/lib/browser.mjs): times measure the CPU, not a GPU.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { kChromiumArgs } from '../tests/web/lib/browser.mjs';

const args = process.argv.slice(2);
const models = [];
const shapes = {};
const extraArgs = [];
let loads = 3, rounds = 2, dist = 'web/dist', httpCache = 'max-age', seed = 12345, jsonOut = null, traceDir = null;
const usage = (msg) => { process.stderr.write(`page_load: ${msg}\n`); process.exit(2); };
for (let i = 0; i < args.length; i++) {
  const value = () => (i + 1 < args.length ? args[++i] : usage(`${args[i]} needs a value`));
  if (args[i] === '--model') models.push(value());
  else if (args[i] === '--shape') { const [n, s] = value().split('='); shapes[n] = s.split(',').map(Number); }
  else if (args[i] === '--loads') loads = +value();
  else if (args[i] === '--rounds') rounds = +value();
  else if (args[i] === '--dist') dist = value();
  else if (args[i] === '--http-cache') httpCache = value();
  else if (args[i] === '--seed') seed = +value();
  else if (args[i] === '--json') jsonOut = value();
  else if (args[i] === '--chromium-arg') extraArgs.push(value());
  else if (args[i] === '--trace') traceDir = value();
  else usage(`unknown argument '${args[i]}'`);
}
if (!models.length) models.push('models/default.onnx');
if (!(loads >= 1 && rounds >= 1)) usage('--loads and --rounds must be at least 1');
const kCacheControl = { 'max-age': 'public, max-age=86400', 'no-cache': 'no-cache', 'no-store': 'no-store' };
if (!kCacheControl[httpCache]) usage(`--http-cache must be one of ${Object.keys(kCacheControl).join(', ')}`);
for (const f of ['webconv.mjs', 'webconv-core.mjs', 'webconv.wasm'])
  if (!fs.existsSync(path.join(dist, f))) usage(`${path.join(dist, f)} is missing: build it with web/build.sh`);
for (const m of models) if (!fs.existsSync(m)) usage(`${m} is missing`);
const executablePath = process.env.WEBCONV_CHROMIUM || '/usr/bin/chromium';
// Debian's /usr/bin/chromium is a shell wrapper that may print to stderr; only stdout is the version.
const chromiumVersion = execFileSync(executablePath, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] })
  .toString().trim();

// The page: one module script that does what an application would, timing each step. Its query string names
// the model's URL, the given shapes and the seed. Served from memory under the same cache policy as the files.
const kPage = `<!doctype html><title>webconv page load</title><link rel="icon" href="data:,">
<script type="module">
const t0 = performance.now();
const q = new URLSearchParams(location.search);
const r = { scriptStartMs: t0 };
try {
  const wc = await import('/webconv.mjs');
  const t1 = performance.now();
  await wc.coreVersion(); // loads webconv-core.mjs and webconv.wasm: what create() would do first
  const t2 = performance.now();
  // Fetched here rather than by create(url) so that the fetch gets its own figure; create() fetches the same way.
  const bytes = new Uint8Array(await (await fetch(q.get('model'))).arrayBuffer());
  const t3 = performance.now();
  const session = await wc.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
  const t4 = performance.now();
  const given = JSON.parse(q.get('shapes'));
  const feeds = {};
  let s = Number(q.get('seed')) >>> 0;
  for (const meta of session.inputMetadata) {
    const dims = given[meta.name] ?? meta.shape;
    if (!dims.every((d) => typeof d === 'number')) throw new Error('give --shape ' + meta.name + '=...');
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; data[i] = s / 4294967296 * 2 - 1; }
    feeds[meta.name] = new wc.Tensor('float32', data, dims);
  }
  const t5 = performance.now();
  const outputs = await session.run(feeds);
  const t6 = performance.now();
  Object.assign(r, {
    adapter: session.adapter, importMs: t1 - t0, coreMs: t2 - t1, fetchMs: t3 - t2, createMs: t4 - t3,
    inputMs: t5 - t4, runMs: t6 - t5, firstResultMs: t6 - t0 - (t5 - t4), sinceNavigationMs: t6 - (t5 - t4),
    phases: session.profile?.phases ?? null,
    outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { dims: v.dims, data: Array.from(v.data) }])),
  });
} catch (e) {
  r.error = String(e?.stack ?? e);
}
// Whether each file came from the HTTP cache: transferSize is 0 for a cache hit, a few hundred bytes for a 304.
r.resources = performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
  .map((e) => ({ name: new URL(e.name).pathname, transferSize: e.transferSize, bodySize: e.encodedBodySize,
                 ms: e.duration }));
window.pageLoad = r;
</script>
`;

// A static server for the dist folder and the models (/model/K/NAME), with ETag and Last-Modified and the
// --http-cache policy. tests/web/lib/server.mjs answers no-store, right for tests and wrong here: a second
// load must be allowed to find the files in the browser's cache. One server for the whole run, so that the
// origin (and the cache keys) stay the same from one launch to the next.
function serve(modelFiles) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const urlPath = decodeURIComponent(url.pathname);
    let file = null, body = null;
    if (urlPath === '/page_load.html') body = Buffer.from(kPage);
    else if (urlPath.startsWith('/model/')) file = modelFiles[urlPath];
    else {
      const root = path.resolve(dist);
      file = path.resolve(root, '.' + path.posix.normalize('/' + urlPath));
      if (!file.startsWith(root + path.sep)) file = null;
    }
    let stat = null;
    try { if (file) stat = fs.statSync(file); } catch { /* 404 below */ }
    if (!body && !stat?.isFile()) { res.writeHead(urlPath === '/favicon.ico' ? 204 : 404); res.end(); return; }
    const etag = stat ? `"${stat.size}-${Math.floor(stat.mtimeMs)}"` : `"page-${body.length}"`;
    const headers = { 'cache-control': kCacheControl[httpCache], etag };
    if (stat) headers['last-modified'] = stat.mtime.toUTCString();
    if (httpCache !== 'no-store' && req.headers['if-none-match'] === etag) { res.writeHead(304, headers); res.end(); return; }
    const types = { '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
                    '.wasm': 'application/wasm' };
    body ??= fs.readFileSync(file);
    res.writeHead(200, { ...headers, 'content-type': types[path.extname(file ?? 'page_load.html')] ?? 'application/octet-stream',
                         'content-length': body.length });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://localhost:${server.address().port}`, close: () => new Promise((r) => server.close(r)) })));
}

// Sizes of the profile's cache folders (HTTP cache, code cache, GPU and Dawn caches), the outermost folder
// whose name holds "cache" at each place: says what the first load left for the second.
function cacheSizes(dir) {
  const out = {};
  const size = (p) => fs.readdirSync(p, { withFileTypes: true }).reduce((n, e) => {
    const q = path.join(p, e.name);
    return n + (e.isDirectory() ? size(q) : e.isFile() ? fs.statSync(q).size : 0);
  }, 0);
  const walk = (p, depth) => {
    for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const q = path.join(p, e.name);
      if (/cache/i.test(e.name)) out[path.relative(dir, q)] = size(q);
      else if (depth < 2) walk(q, depth + 1);
    }
  };
  walk(dir, 0);
  return out;
}

const sha256 = (outputs) => {
  const h = createHash('sha256');
  for (const name of Object.keys(outputs).sort())
    h.update(name).update(String(outputs[name].dims)).update(Buffer.from(new Float32Array(outputs[name].data).buffer));
  return h.digest('hex');
};

// What a launch's Chrome trace says about Dawn's cache and the pipelines: event counts and summed durations
// (ms; summed over threads, so more than wall time where pipelines compile side by side).
function traceSummary(file) {
  const t = JSON.parse(fs.readFileSync(file, 'utf8'));
  const events = Array.isArray(t) ? t : t.traceEvents;
  const count = (name) => events.filter((e) => e.name === name && e.ph !== 'E').length;
  const ms = (name) => +(events.filter((e) => e.name === name && e.ph === 'X')
    .reduce((n, e) => n + (e.dur ?? 0), 0) / 1000).toFixed(1);
  return { dawn_blobs_loaded: count('GpuHostImpl::LoadedBlob'), dawn_cache_hits: count('DawnCachingInterface::CacheHit'),
           dawn_blobs_stored: count('GpuHostImpl::StoreBlobToDisk'), tint_spirv_ms: ms('tint::spirv::writer::Generate()'),
           shader_module_ms: ms('ShaderModuleVk::GetHandleAndSpirv'),
           pipeline_create_ms: ms('CreatePipelineAsyncEvent::InitializeImpl'),
           pipelines_created: count('CreatePipelineAsyncEvent::InitializeImpl') };
}

// One launch of Chromium on `profile`, one page load, the browser closed (which writes its caches out).
async function pageLoad(server, m, profile, traceFile) {
  const loadavg = os.loadavg()[0];
  const t0 = performance.now();
  // Startup tracing (flags, no CDP session needed) covers the GPU process from its first moment, when Dawn
  // loads its cache; the trace is written when the browser closes.
  const trace = traceFile ? ['--trace-startup=gpu,gpu.dawn', `--trace-startup-file=${traceFile}`,
                             '--trace-startup-format=json', '--trace-startup-duration=900'] : [];
  const context = await chromium.launchPersistentContext(profile, { executablePath,
    args: [...kChromiumArgs, ...extraArgs, ...trace], headless: true });
  const t1 = performance.now();
  let r;
  try {
    const page = context.pages()[0] ?? await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') console.log(`  [page ${msg.type()}] ${msg.text()}`);
    });
    page.on('pageerror', (e) => console.log(`  [page uncaught] ${e.message}`));
    page.setDefaultTimeout(600_000);
    const query = new URLSearchParams({ model: m.url, shapes: JSON.stringify(shapes), seed: String(seed) });
    await page.goto(`${server.url}/page_load.html?${query}`);
    await page.waitForFunction(() => window.pageLoad !== undefined);
    r = await page.evaluate(() => window.pageLoad);
  } finally {
    await context.close();
  }
  const t2 = performance.now();
  if (r.error) throw new Error(`${m.label}: the page failed: ${r.error}`);
  const p = r.phases ?? {};
  const fromCache = r.resources.filter((e) => e.transferSize === 0 && e.bodySize > 0).length;
  const f = (x) => (typeof x === 'number' ? +x.toFixed(1) : x ?? null);
  return {
    first_result_ms: f(r.firstResultMs), since_navigation_ms: f(r.sinceNavigationMs), import_ms: f(r.importMs),
    core_ms: f(r.coreMs), fetch_ms: f(r.fetchMs), create_ms: f(r.createMs), run_ms: f(r.runMs),
    phases: { load_ms: f(p.loadMs), device_ms: f(p.deviceMs), bind_ms: f(p.bindMs), plan_ms: f(p.planMs),
              compile_ms: f(p.compileMs), pipelines: p.pipelines, pipelines_compiled: p.pipelinesCompiled,
              upload_ms: f(p.uploadMs), program_ms: f(p.programMs), first_run_ms: f(p.firstRunMs) },
    launch_ms: f(t1 - t0), browser_ms: f(t2 - t0), loadavg: +loadavg.toFixed(2),
    http_cache_hits: fromCache, resources: r.resources.map((e) => ({ ...e, ms: f(e.ms) })),
    adapter: r.adapter?.name ?? null,
    outputs: Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, { dims: v.dims, head: v.data.slice(0, 4) }])),
    outputs_sha256: sha256(r.outputs),
    trace: traceFile ? traceSummary(traceFile) : undefined,
  };
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? null : n % 2 ? s[n >> 1] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
};

const modelFiles = {};
const entries = models.map((file, k) => {
  const url = `/model/${k}/${path.basename(file)}`;
  modelFiles[url] = path.resolve(file);
  return { file, url, label: path.basename(file, '.onnx') };
});
const server = await serve(modelFiles);
if (traceDir) fs.mkdirSync(traceDir, { recursive: true });
const results = [];
const profiles = new Set();
console.log(`${chromiumVersion}; WebGPU on SwiftShader; ${os.cpus().length} cores; HTTP Cache-Control: ` +
            `${kCacheControl[httpCache]}; ${loads} loads per profile, ${rounds} profiles per model` +
            (extraArgs.length ? `; extra Chromium flags: ${extraArgs.join(' ')}` : ''));
try {
  for (let round = 1; round <= rounds; round++) {
    for (const m of entries) {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'webconv-page-load-'));
      profiles.add(profile);
      for (let k = 1; k <= loads; k++) {
        const kind = k === 1 ? 'fresh profile' : `same profile, ${k - 1}${['st', 'nd', 'rd'][k - 2] ?? 'th'} reload`;
        const traceFile = traceDir && path.resolve(traceDir, `${m.label}-r${round}-load${k}.json`);
        const r = await pageLoad(server, m, profile, traceFile);
        r.cache_sizes = cacheSizes(profile);
        results.push({ model: m.label, round, load: k, kind, ...r });
        console.log(`${m.label} round ${round} load ${k} (${kind}): first result ${r.first_result_ms} ms, compile ` +
                    `${r.phases.compile_ms} ms, ${r.http_cache_hits} of ${r.resources.length} files from the HTTP ` +
                    `cache, load avg ${r.loadavg}; caches ${JSON.stringify(r.cache_sizes)}` +
                    (r.trace ? `; trace ${JSON.stringify(r.trace)}` : ''));
      }
      fs.rmSync(profile, { recursive: true, force: true });
      profiles.delete(profile);
    }
  }
} finally {
  for (const p of profiles) fs.rmSync(p, { recursive: true, force: true });
  await server.close();
}

// The table: every load, then medians per model of the fresh loads and of the same-profile loads.
const cols = [
  ['model', (r) => r.model], ['load', (r) => `r${r.round} ${r.kind}`],
  ['first result ms', (r) => r.first_result_ms], ['import+core ms', (r) => +(r.import_ms + r.core_ms).toFixed(1)],
  ['fetch ms', (r) => r.fetch_ms], ['create ms', (r) => r.create_ms], ['compile ms', (r) => r.phases.compile_ms],
  ['pipelines', (r) => (r.phases.pipelines == null ? '' : `${r.phases.pipelines_compiled}/${r.phases.pipelines}`)],
  ['first run ms', (r) => r.phases.first_run_ms], ['run ms', (r) => r.run_ms],
  ['cached files', (r) => r.http_cache_hits], ['load avg', (r) => r.loadavg],
  ...(traceDir ? [['dawn cache hits', (r) => r.trace.dawn_cache_hits], ['tint ms', (r) => r.trace.tint_spirv_ms],
                  ['pipeline create ms (all threads)', (r) => r.trace.pipeline_create_ms]] : []),
];
const summary = [];
for (const m of entries) {
  const mine = results.filter((r) => r.model === m.label);
  for (const [kind, rows] of [['fresh (median)', mine.filter((r) => r.load === 1)],
                              ['same (median)', mine.filter((r) => r.load > 1)]]) {
    if (!rows.length) continue;
    const med = (get) => { const v = median(rows.map(get)); return v === null ? null : +v.toFixed(1); };
    summary.push({ model: m.label, round: '', kind: `${kind} of ${rows.length}`, first_result_ms: med((r) => r.first_result_ms),
                   import_ms: med((r) => r.import_ms), core_ms: med((r) => r.core_ms), fetch_ms: med((r) => r.fetch_ms),
                   create_ms: med((r) => r.create_ms), run_ms: med((r) => r.run_ms), loadavg: med((r) => r.loadavg),
                   http_cache_hits: med((r) => r.http_cache_hits),
                   phases: { compile_ms: med((r) => r.phases.compile_ms), first_run_ms: med((r) => r.phases.first_run_ms),
                             pipelines: rows[0].phases.pipelines, pipelines_compiled: med((r) => r.phases.pipelines_compiled) },
                   trace: traceDir ? { dawn_cache_hits: med((r) => r.trace.dawn_cache_hits), tint_spirv_ms: med((r) => r.trace.tint_spirv_ms),
                                       pipeline_create_ms: med((r) => r.trace.pipeline_create_ms) } : undefined });
  }
}
const rows = [...results, ...summary].map((r) => cols.map(([, get]) => String(get(r) ?? '')));
for (const r of summary.keys()) rows[results.length + r][1] = summary[r].kind; // no round for a median
const widths = cols.map(([h], c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
const line = (cells) => cells.map((s, c) => (c < 2 ? s.padEnd(widths[c]) : s.padStart(widths[c]))).join('  ');
const table = [line(cols.map(([h]) => h)), line(widths.map((w) => '-'.repeat(w))),
               ...rows.slice(0, results.length).map(line), line(widths.map((w) => '-'.repeat(w))),
               ...rows.slice(results.length).map(line)];
const identical = {};
for (const m of entries) identical[m.label] = new Set(results.filter((r) => r.model === m.label).map((r) => r.outputs_sha256)).size === 1;
console.log('\n' + table.join('\n'));
console.log(`\noutputs identical across all loads: ${entries.map((m) => `${m.label} ${identical[m.label] ? 'yes' : 'NO'}`).join(', ')}`);
console.log(`first result: page script start to the first outputs (performance.now() in the page); import+core: ` +
            `webconv.mjs, webconv-core.mjs and webconv.wasm; fetch: the model; create: InferenceSession.create; ` +
            `compile, pipelines (compiled/used), first run: session.profile.phases; run: the first session.run; ` +
            `cached files: responses from the HTTP cache (of ${results[0]?.resources.length} requests)` +
            (traceDir ? '; dawn cache hits, tint ms (WGSL to SPIR-V), pipeline create ms: the Chrome trace of the ' +
                        'GPU process, durations summed over its threads' : ''));
if (jsonOut) {
  fs.writeFileSync(jsonOut, JSON.stringify({
    chromium: chromiumVersion, webgpu: 'SwiftShader', cores: os.cpus().length, http_cache: kCacheControl[httpCache],
    chromium_args: [...kChromiumArgs, ...extraArgs],    loads_per_profile: loads, rounds, seed, command: `node bench/page_load.mjs ${args.join(' ')}`.trim(),
    models: entries.map((m) => ({ label: m.label, file: m.file })), loads: results, summary, outputs_identical: identical,
  }, null, 1) + '\n');
}
process.exit(Object.values(identical).every(Boolean) ? 0 : 1);
