// The quick tier in the page (the session option firstRun): a small Conv model's first run on the quick
// kernels gives the tuned session's outputs within `webconv check`'s tolerance; later runs switch to the
// tuned kernels by themselves once their background compile has settled (no settle() call), and then give
// the tuned session's outputs exactly; settle() switches at once; 'quick-only' never switches; a bad value
// is a TypeError that names the option. kernelTuning: a forced strip height reaches the direct Conv
// kernel, a malformed tile is refused naming the field.
//   node first_run_tiers.mjs --dist web/dist --work DIR
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { launch, newPage } from './lib/browser.mjs';
import { serve } from './lib/server.mjs';
import { compareArrays, fail, parseFlags, requireDist, seededFloats } from './lib/util.mjs';

const flags = parseFlags(process.argv.slice(2));
for (const f of ['dist', 'work']) if (!flags[f]) fail(`--${f} is required`);
requireDist(flags.dist);
const here = path.dirname(fileURLToPath(import.meta.url));
fs.mkdirSync(flags.work, { recursive: true });
const model = path.join(flags.work, 'small_conv.onnx');
execFileSync('/usr/bin/python3', [path.join(here, '..', 'web_core', 'make_conv_model.py'), model]);
const seed = Number(process.env.WEBCONV_SEED ?? Date.now() % 1000000);
console.log(`seed ${seed} (WEBCONV_SEED=${seed} replays)`);

const server = await serve({ '/': flags.dist }, { '/test.html': '<!doctype html><title>webconv first run</title>' });
const browser = await launch();
let r;
try {
  const page = await newPage(browser);
  await page.goto(`${server.url}/test.html`);
  r = await page.evaluate(runInPage, { modelBytes: Array.from(fs.readFileSync(model)),
                                       x: Array.from(seededFloats(3 * 12 * 12, seed)) });
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
const tolerance = { atol: 1e-4, rtol: 1e-3 };  // `webconv check`'s default
const exact = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
check(r.tuned.tier === 'tuned' && !r.tuned.quick, `firstRun 'tuned' plans the tuned tier (${r.tuned.tier})`);
check(r.quick.tier === 'quick' && r.quick.quick && r.quick.tunedPipelines > 0,
      `firstRun 'quick': the first run is quick, ${r.quick.tunedPipelines} tuned pipelines to compile later`);
const c = compareArrays(r.quick.first, r.tuned.first, tolerance);
check(c.ok, `the quick first run gives the tuned outputs within atol ${tolerance.atol} rtol ${tolerance.rtol} ` +
            `(max abs ${c.maxAbs?.toExponential(2)}${c.ok ? '' : ': ' + c.message})`);
check(r.quick.switchedAt > 1, `the background compile took over without settle() at run ${r.quick.switchedAt} ` +
                              `(${r.quick.switchMs?.toFixed(0)} ms after the first run)`);
check(exact(r.quick.afterSwitch, r.tuned.first), 'after the switch the outputs are the tuned session\'s, bit for bit');
check(r.settled.firstQuick && !r.settled.secondQuick, 'settle() after a quick first run: the next run is tuned');
check(exact(r.settled.second, r.tuned.first), 'the settled run gives the tuned outputs, bit for bit');
check(r.only.allQuick, `'quick-only' stays quick through settle() and ${r.only.runs} runs`);
check(/firstRun/.test(r.badValue ?? ''), `a bad firstRun is refused, naming the option: ${r.badValue}`);
check(r.tiled.some((k) => k.includes('direct_h2')), `kernelTuning.convStripRows reaches the direct kernel: ${r.tiled.join(' ')}`);
check(/kernelTuning\.convTile 't32x16k16_r6x4'/.test(r.badTile ?? ''), `a bad convTile is refused, naming it: ${r.badTile}`);
if (failures) fail(`${failures} first-run check(s) failed`);
console.log('first-run tier checks passed');

async function runInPage({ modelBytes, x }) {
  try {
    const wc = await import('/webconv.mjs');
    const bytes = new Uint8Array(modelBytes);
    const feeds = () => ({ x: new wc.Tensor('float32', Float32Array.from(x), [1, 3, 12, 12]) });
    const open = (firstRun) => wc.InferenceSession.create(bytes, { executionProviders: ['webgpu'], firstRun });
    const once = async (s) => Array.from((await s.run(feeds())).y.data);
    const out = {};

    // First, on a device that has compiled nothing yet (the tuned session after it would put the tuned
    // pipelines in the device's cache). Runs until the plan switches by itself; bounded so that a switch
    // that never comes fails, not hangs. Run 1 starts the background compile, so the switch comes at 2 or later.
    const quick = await open('quick');
    out.quick = { first: await once(quick), tier: quick.profile.phases?.firstRunTier, quick: quick.profile.quick,
                  tunedPipelines: quick.profile.phases?.tunedPipelines ?? 0, switchedAt: -1 };
    const t0 = performance.now();
    for (let run = 1; run < 400 && performance.now() - t0 < 120_000; ++run) {
      const y = await once(quick);
      if (!quick.profile.quick) {
        out.quick.switchedAt = run;
        out.quick.switchMs = performance.now() - t0;
        out.quick.afterSwitch = y;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await quick.release();

    const tuned = await open('tuned');
    out.tuned = { first: await once(tuned), tier: tuned.profile.phases?.firstRunTier, quick: tuned.profile.quick };
    await tuned.release();

    const settled = await open('quick');
    await once(settled);
    out.settled = { firstQuick: settled.profile.quick };
    await settled.settle();
    out.settled.second = await once(settled);
    out.settled.secondQuick = settled.profile.quick;
    await settled.release();

    const only = await open('quick-only');
    let allQuick = true, runs = 0;
    for (; runs < 4; ++runs) {
      await once(only);
      allQuick &&= only.profile.quick;
      if (runs === 1) await only.settle();
    }
    out.only = { allQuick, runs };
    await only.release();

    try {
      await open('fastest');
    } catch (e) {
      out.badValue = `${e.name}: ${e.message}`;
    }
    // kernelTuning: a forced strip height reaches the direct kernel (its profiled name), a malformed tile
    // is refused.
    const tiled = await wc.InferenceSession.create(bytes, { executionProviders: ['webgpu'], firstRun: 'tuned',
                                                            enableProfiling: true,
                                                            kernelTuning: { convStripRows: 2 } });
    await once(tiled);
    out.tiled = tiled.profile.dispatches.map((d) => d.kernel);
    await tiled.release();
    try {
      await wc.InferenceSession.create(bytes, { executionProviders: ['webgpu'], kernelTuning: { convTile: 't32x16k16_r6x4' } });
    } catch (e) {
      out.badTile = e.message;
    }
    return out;
  } catch (e) {
    return { error: String(e.stack ?? e.message ?? e) };
  }
}
