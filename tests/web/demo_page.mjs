// The demo page (web/dist/index.html) in Chromium: runs the built-in TransNetV2 demo, then checks that the
// probability plot has one point per frame, the per-op timing chart has bars, and a screenshot of the page
// (saved as demo.png in --work) is not blank: pixel statistics of the whole page and of the chart alone.
// A second page without navigator.gpu must say so clearly and select the CPU backend.
//
// A model picked through the file input (small_mlp) must list its inputs and run with a typed batch size.
//
//   node demo_page.mjs --dist web/dist --small-mlp models/small_mlp.onnx --work DIR
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { launch, newPage } from './lib/browser.mjs';
import { serve } from './lib/server.mjs';
import { fail, parseFlags, requireDist } from './lib/util.mjs';

const flags = parseFlags(process.argv.slice(2));
for (const f of ['dist', 'work', 'small-mlp']) if (!flags[f]) fail(`--${f} is required`);
requireDist(flags.dist);
if (!fs.existsSync(path.join(flags.dist, 'index.html'))) fail(`${flags.dist}/index.html is missing`);
fs.mkdirSync(flags.work, { recursive: true });

const server = await serve({ '/': flags.dist });
const browser = await launch();
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) ++failures;
};
try {
  const page = await newPage(browser, { viewport: { width: 1200, height: 900 } });
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(() => window.webconvDemo?.ready === true);
  check(await page.evaluate(() => window.webconvDemo.webgpu === true), 'the page found a WebGPU adapter');
  const t0 = performance.now();
  await page.click('#run-builtin');
  await page.waitForFunction(() => ['done', 'error'].includes(window.webconvDemo.builtin), null, { timeout: 300_000 });
  const st = await page.evaluate(() => ({ ...window.webconvDemo }));
  console.log(`built-in demo: ${st.builtin} in ${((performance.now() - t0) / 1000).toFixed(1)} s` +
              (st.error ? `: ${st.error}` : ''));
  if (st.builtin !== 'done') fail(`the built-in demo did not finish: ${st.error}`);
  console.log(`timing: ${await page.textContent('#timing-summary')}`);
  const frames = st.probabilities.length;
  const points = await page.locator('#probability-plot circle.point').count();
  const bars = await page.locator('#timing-chart rect.bar').count();
  const dispatches = st.lastProfile?.dispatches?.length ?? 0;
  check(frames >= 8 && points === frames, `probability plot: ${points} points for ${frames} frames`);
  check(st.probabilities.every((p) => p >= 0 && p <= 1), 'probabilities lie in [0, 1]');
  check(dispatches > 0 && bars > 0, `per-op chart: ${bars} bars from ${dispatches} timed dispatches`);
  check(await page.locator('#probability-plot .truth').count() >= 2, 'ground truth drawn on the plot');
  const cp = st.compileProgress;
  check(cp && cp.total > 0 && cp.done === cp.total && await page.locator('#builtin-progress').isHidden(),
        `the progress bar counted the compiled pipelines (${cp ? `${cp.done} of ${cp.total}` : 'never shown'}) ` +
        'and was hidden when the run ended');

  const shot = path.join(flags.work, 'demo.png');
  const png = await page.screenshot({ path: shot, fullPage: true });
  const chartPng = await page.locator('#probability-plot svg').screenshot();
  const framesPng = await page.locator('#frames').screenshot();
  console.log(`screenshot: ${shot} (${png.length} bytes)`);
  const whole = await page.evaluate(pixelStats, png.toString('base64'));
  const chart = await page.evaluate(pixelStats, chartPng.toString('base64'));
  const strip = await page.evaluate(pixelStats, framesPng.toString('base64'));
  const fmt = (s) => `${s.width}x${s.height}, ${(100 * s.nonWhite).toFixed(1)}% non-white, ${s.colors} colours, ` +
                     `luminance sd ${s.sd.toFixed(1)}`;
  console.log(`page: ${fmt(whole)}\nchart: ${fmt(chart)}\nframes: ${fmt(strip)}`);
  check(whole.sd > 10 && whole.colors > 32, 'the page screenshot is not blank');
  check(chart.nonWhite > 0.01 && chart.colors >= 4, 'the plot has drawn content');
  check(strip.nonWhite > 0.5 && strip.colors > 64, 'the frame strip shows the clip');

  // A model of the user's: small_mlp through the file picker, its symbolic batch dim set to 3.
  await page.setInputFiles('#model-file', flags['small-mlp']);
  await page.waitForFunction(() => window.webconvDemo.custom !== 'idle');
  const ioText = await page.textContent('#model-info');
  check(/features/.test(ioText) && /batch/.test(ioText) && /float32/.test(ioText),
        'the picked model\'s inputs are listed with dtype and symbolic dim');
  check(await page.inputValue('input[data-key="features:0"]') === '1', 'the symbolic batch dim defaults to 1');
  await page.fill('input[data-key="features:0"]', '3');
  await page.click('#run-custom');
  await page.waitForFunction(() => ['done', 'error'].includes(window.webconvDemo.custom));
  const outText = await page.textContent('#custom-outputs');
  console.log(`picked model: ${await page.textContent('#custom-status')} ${outText}`);
  check(/probabilities: float32\[3, 32\]/.test(outText), 'the picked model ran with batch 3');
  check(await page.locator('#timing-chart rect.bar').count() > 0, 'its per-op chart has bars');

  // A bad file after a good one: nothing of the good model stays on screen, Run is off, the message says
  // in plain words that the file is not a model.
  const textFile = path.join(os.tmpdir(), `webconv-not-a-model-${process.pid}.onnx`);
  fs.writeFileSync(textFile, 'this is a text file, not a model\n');
  await page.setInputFiles('#model-file', textFile);
  await page.waitForFunction(() => window.webconvDemo.custom === 'error');
  fs.rmSync(textFile, { force: true });
  const badStatus = await page.textContent('#custom-status');
  console.log(`bad file after a good one: "${badStatus}"`);
  check((await page.textContent('#model-info')).trim() === '' && await page.isDisabled('#run-custom') &&
        /not an ONNX model file/.test(badStatus),
        'a bad file clears the previous model\'s inputs, leaves Run disabled and says it is not a model');

  // Without WebGPU: the page must say so and offer the CPU backend.
  const noGpu = await newPage(browser);
  await noGpu.addInitScript(() => delete Object.getPrototypeOf(navigator).gpu);
  await noGpu.goto(`${server.url}/index.html`);
  await noGpu.waitForFunction(() => window.webconvDemo?.ready === true);
  const message = await noGpu.textContent('#gpu-status');
  const selected = await noGpu.inputValue('#backend');
  console.log(`without navigator.gpu: "${message}" (backend: ${selected})`);
  check(/WebGPU is not available/.test(message) && /navigator\.gpu/.test(message) && selected === 'cpu',
        'a page without navigator.gpu says so and selects the CPU backend');
} finally {
  await browser.close();
  await server.close();
}
if (failures) fail(`${failures} check(s) failed`);
console.log('demo page checks passed');

// In the page: decodes a PNG (base64) through an <img> and a canvas; returns pixel statistics.
async function pixelStats(b64) {
  const img = new Image();
  img.src = `data:image/png;base64,${b64}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(0, 0, img.width, img.height);
  const n = data.length / 4;
  let sum = 0, sum2 = 0, nonWhite = 0;
  const colors = new Set();
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    sum += y;
    sum2 += y * y;
    if (r < 240 || g < 240 || b < 240) ++nonWhite;
    colors.add(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3));
  }
  const mean = sum / n;
  return { width: img.width, height: img.height, nonWhite: nonWhite / n, colors: colors.size,
           sd: Math.sqrt(Math.max(0, sum2 / n - mean * mean)) };
}
