// The ONNX backend-test cases of the conv family (tests/onnx_backend/cases/{conv,conv_transpose,pool,pad,
// batchnorm}.txt) run in Chromium through webconv's JS API, on WebGPU (or --backend cpu): the .pb inputs and
// expected outputs are parsed by the core (tensorFromProto) and compared with `webconv test-onnx`'s
// tolerance (atol 1e-7, rtol 1e-3, src/runtime/compare.h); tests/onnx_backend/manifest.txt is honoured as
// test-onnx honours it.
// Prints one line per case and `N passed, M failed[, K skipped]`; exits 1 on any failure.
//
//   node conformance.mjs --dist web/dist --data /usr/share/libonnx-testdata/data --manifest FILE --cases LIST...
//                        [--backend webgpu|cpu]   (default webgpu)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launch, newPage } from './lib/browser.mjs';
import { serve } from './lib/server.mjs';
import { fail, parseFlags, requireDist } from './lib/util.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const flags = parseFlags(process.argv.slice(2), ['cases']);
for (const f of ['dist', 'data', 'manifest', 'cases']) if (!flags[f]) fail(`--${f} is required`);
requireDist(flags.dist);
const backend = flags.backend ?? 'webgpu';

// CASE[@BACKEND] skip|xfail REASON, as src/cli/cmd_test_onnx.cc reads it.
function readManifest(file) {
  const m = new Map();
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, kind, ...reason] = line.split(/\s+/);
    if (!['skip', 'xfail'].includes(kind) || !reason.length) fail(`${file}: bad line '${raw}'`);
    const [bare, only] = name.split('@');
    if (only && only !== backend) continue;
    m.set(bare, { kind, reason: reason.join(' ') });
  }
  return m;
}

// Files named PREFIX<number>... in numeric order (input_10 after input_9), as test-onnx sorts them.
function numbered(dir, prefix) {
  const num = (f) => { const m = /^(\d+)/.exec(f.slice(prefix.length)); return m ? Number(m[1]) : -1; };
  return fs.readdirSync(dir).filter((f) => f.startsWith(prefix)).sort((a, b) => num(a) - num(b) || (a < b ? -1 : 1));
}

const manifest = readManifest(flags.manifest);
const cases = [];
for (const list of flags.cases)
  for (const raw of fs.readFileSync(list, 'utf8').split('\n')) {
    const rel = raw.trim();
    if (!rel || rel.startsWith('#')) continue;
    const dir = path.join(flags.data, rel);
    if (!fs.existsSync(path.join(dir, 'model.onnx'))) fail(`${dir} holds no model.onnx`);
    const sets = numbered(dir, 'test_data_set_').map((s) => ({
      inputs: numbered(path.join(dir, s), 'input_').map((f) => `/data/${rel}/${s}/${f}`),
      outputs: numbered(path.join(dir, s), 'output_').map((f) => `/data/${rel}/${s}/${f}`),
    }));
    cases.push({ name: path.basename(rel), model: `/data/${rel}/model.onnx`, sets });
  }

const server = await serve({ '/': flags.dist, '/data/': flags.data, '/lib/': path.join(here, 'lib') },
                           { '/test.html': '<!doctype html><title>webconv conformance</title>' });
const browser = await launch();
let passed = 0, failed = 0, skipped = 0;
const t0 = performance.now();
try {
  const page = await newPage(browser);
  await page.goto(`${server.url}/test.html`);
  for (const c of cases) {
    const entry = manifest.get(c.name);
    if (entry?.kind === 'skip') {
      console.log(`SKIP  ${c.name} [${backend}]: ${entry.reason}`);
      ++skipped;
      continue;
    }
    const r = await page.evaluate(runCase, { c, backend });
    if (r.ok && !entry) {
      console.log(`PASS  ${c.name} [${backend}] ${r.detail}`);
      ++passed;
    } else if (r.ok) {
      console.log(`XPASS ${c.name} [${backend}]: passes but the manifest expects a failure (${entry.reason})`);
      ++failed;
    } else if (entry) {
      console.log(`XFAIL ${c.name} [${backend}]: ${entry.reason} (${r.message})`);
      ++skipped;
    } else {
      console.log(`FAIL  ${c.name} [${backend}]: ${r.message}`);
      ++failed;
    }
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`(${cases.length} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s in Chromium)`);
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed || passed === 0 ? 1 : 0);

// Runs in the page: one case folder through the JS API. Returns {ok, detail} or {ok: false, message}.
async function runCase({ c, backend }) {
  const wc = await import('/webconv.mjs');
  const { compareTensors } = await import('/lib/compare.mjs');
  const bytes = async (url) => {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  };
  let session = null;
  try {
    session = await wc.InferenceSession.create(await bytes(c.model), { executionProviders: [backend] });
    const feedable = session.inputNames;
    if (!c.sets.length) return { ok: false, message: 'no test_data_set_* folders' };
    for (const [s, set] of c.sets.entries()) {
      const feeds = {};
      for (const [k, url] of set.inputs.entries()) {
        let { name, tensor } = await wc.tensorFromProto(await bytes(url));
        if (!feedable.includes(name)) {
          if (k >= feedable.length) return { ok: false, message: `${url} has no matching model input` };
          name = feedable[k];
        }
        feeds[name] = tensor;
      }
      const got = await session.run(feeds);
      const names = session.outputNames;
      if (set.outputs.length !== names.length)
        return { ok: false, message: `test_data_set_${s} has ${set.outputs.length} expected outputs, the model ${names.length}` };
      for (const [k, url] of set.outputs.entries()) {
        const { tensor: want } = await wc.tensorFromProto(await bytes(url));
        const cmp = compareTensors(got[names[k]], want, { atol: 1e-7, rtol: 1e-3 });
        if (!cmp.ok) return { ok: false, message: `test_data_set_${s} output '${names[k]}': ${cmp.message}` };
      }
    }
    return { ok: true, detail: `${c.sets.length} data set${c.sets.length > 1 ? 's' : ''}` };
  } catch (e) {
    return { ok: false, message: String(e.message ?? e) };
  } finally {
    if (session) await session.release();
  }
}
