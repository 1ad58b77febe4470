// Runtime indices in the page, on WebGPU: the index models of the hostile corpus (Gather, GatherElements,
// GatherND, ScatterND, ScatterElements; fuzz/hostile/extra_cases.py) with an in-range and an out-of-range
// index file each. In range, the page's output must equal the native CLI's float64 reference exactly (the
// ops only move values); out of range, session.run must reject with the reference's message, naming the
// node, as the native CLI's does.
//   node index_bounds.mjs --dist web/dist --webconv build/webconv --work DIR
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launch, newPage } from './lib/browser.mjs';
import { serve } from './lib/server.mjs';
import { fail, parseFlags, readNpy, requireDist } from './lib/util.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const flags = parseFlags(process.argv.slice(2));
for (const f of ['dist', 'webconv', 'work']) if (!flags[f]) fail(`--${f} is required`);
requireDist(flags.dist);
fs.rmSync(flags.work, { recursive: true, force: true });
fs.mkdirSync(flags.work, { recursive: true });

// The corpus writes the index models with their index files (a fixed seed: the same files every run).
const corpus = path.join(flags.work, 'corpus');
execFileSync('/usr/bin/python3', [path.join(here, '..', '..', 'fuzz', 'hostile', 'make_corrupt_models.py'), corpus,
                                  '--seed', '1', '--count', '0']);
const models = fs.readdirSync(corpus).filter((f) => /^index\d+_.*\.onnx$/.test(f)).sort();
if (models.length < 5) fail(`expected the corpus's index models in ${corpus}, found ${models.length}`);

// The native reference: output bytes in range, the error line out of range (without the model's path).
const cases = [];
for (const m of models) {
  const file = path.join(corpus, m);
  const ok = path.join(flags.work, `${m}.ref`);
  execFileSync(flags.webconv, ['run', file, '--backend', 'ref', '--input', `idx=${file}.inrange.npy`, '--output-dir', ok],
               { stdio: 'pipe' });
  const bad = spawnSync(flags.webconv, ['run', file, '--backend', 'ref', '--input', `idx=${file}.outofrange.npy`,
                                        '--output-dir', path.join(flags.work, `${m}.bad`)], { encoding: 'utf8' });
  if (bad.status !== 3) fail(`${m}: the native reference exited ${bad.status} on out-of-range indices`);
  const message = bad.stderr.trim().replace(/^error: /, '').replace(`${file}: `, '');
  cases.push({ model: m, want: Array.from(readNpy(path.join(ok, 'y.npy')).data), message });
}

const server = await serve({ '/': flags.dist, '/corpus/': corpus },
                           { '/test.html': '<!doctype html><title>webconv index bounds</title>' });
const browser = await launch();
let failures = 0;
try {
  const page = await newPage(browser);
  await page.goto(`${server.url}/test.html`);
  for (const c of cases) {
    const r = await page.evaluate(runInPage, { model: c.model });
    const sameOutput = r.output && r.output.length === c.want.length && r.output.every((v, i) => v === c.want[i]);
    // Both name the model first, each by its own path or URL.
    const sameError = r.error === `/corpus/${c.model}: ${c.message}`;
    if (!sameOutput) console.log(`FAIL ${c.model} in range: ${r.fatal ?? JSON.stringify(r.output)} != ${JSON.stringify(c.want)}`);
    if (!sameError) console.log(`FAIL ${c.model} out of range: page said ${JSON.stringify(r.error)}, native ${JSON.stringify(c.message)}`);
    if (sameOutput && sameError) console.log(`ok   ${c.model}: in range equal, out of range "${c.message}"`);
    failures += !sameOutput + !sameError;
  }
} finally {
  await browser.close();
  await server.close();
}
if (failures) fail(`${failures} index-bounds check(s) failed`);
console.log(`all ${cases.length} index models agree with the native reference`);

// In the page: one session per model on WebGPU, an in-range run, then an out-of-range run.
async function runInPage({ model }) {
  try {
    const wc = await import('/webconv.mjs');
    const load = async (f) => wc.tensorFromNpy(new Uint8Array(await (await fetch(f)).arrayBuffer()));
    const session = await wc.InferenceSession.create(`/corpus/${model}`, { executionProviders: ['webgpu'] });
    const good = await session.run({ idx: await load(`/corpus/${model}.inrange.npy`) });
    const output = Array.from(good.y.data);
    let error = null;
    try {
      await session.run({ idx: await load(`/corpus/${model}.outofrange.npy`) });
    } catch (e) {
      error = String(e.message ?? e);
    }
    await session.release();
    return { output, error };
  } catch (e) {
    return { fatal: String(e.message ?? e) };
  }
}
