// The demo page's "Shots in a video" panel in Chromium against the native `webconv shots` on the same file.
// A generated WebM (tools/video/make_video.py --contrast: shots alternate dark and bright, cuts known) runs
// through a shot probe (tools/models/make_shot_probe.py: outputs a known function of the frames) in the page
// (the browser's player decodes, a canvas scales to 48x27, webconv/shots.mjs runs the windows on WebGPU) and
// in the native CLI (ffmpeg decodes and scales). The two decoders and scalers differ slightly, so the
// probabilities are compared loosely (0.05); the frame count, the scenes, the truth's cuts, the plot, the
// thumbnails and the JSON export must agree exactly. The player must not have skipped a frame.
//
//   node shots_page.mjs --dist web/dist --webconv build/webconv --root . --work DIR
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { launch, newPage } from './lib/browser.mjs';
import { serve } from './lib/server.mjs';
import { fail, parseFlags, requireDist } from './lib/util.mjs';

const flags = parseFlags(process.argv.slice(2));
for (const f of ['dist', 'work', 'webconv', 'root']) if (!flags[f]) fail(`--${f} is required`);
requireDist(flags.dist);
fs.mkdirSync(flags.work, { recursive: true });
const py = '/usr/bin/python3';
const video = path.join(flags.work, 'cuts.webm');
const model = path.join(flags.work, 'probe_t8.onnx');
execFileSync(py, [path.join(flags.root, 'tools/video/make_video.py'), video, '--frames', '150', '--shots', '5',
                  '--fades', '0', '--codec', 'libvpx-vp9', '--contrast', '--seed', '11']);
execFileSync(py, [path.join(flags.root, 'tools/models/make_shot_probe.py'), model, '--frames', '8']);
const truth = JSON.parse(fs.readFileSync(video + '.truth.json', 'utf8'));
const native = JSON.parse(execFileSync(flags.webconv, ['shots', video, '--model', model, '--json', '--backend', 'cpu'],
                                       { encoding: 'utf8' }));

let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) ++failures;
};
const cuts = truth.transitions.map((t) => t.frame);
// The probe marks the first frame of each new shot; predictions_to_scenes ends a scene on it.
check(JSON.stringify(native.scenes.slice(0, -1).map((s) => s[1])) === JSON.stringify(cuts),
      `native: the scenes end on the truth's cuts ${cuts}`);

const server = await serve({ '/': flags.dist });
const browser = await launch();
try {
  const page = await newPage(browser, { viewport: { width: 1200, height: 900 } });
  await page.goto(`${server.url}/index.html`);
  await page.waitForFunction(() => window.webconvDemo?.ready === true);
  await page.setInputFiles('#shots-model-file', model);
  await page.setInputFiles('#shots-video-file', video);
  // Half speed: frames are drawn as the video plays, and on a loaded machine a callback at full speed
  // has drawn the next frame now and then (probabilities 0.27 off, in one run in five).
  await page.selectOption('#shots-rate', '0.5');
  const t0 = performance.now();
  await page.click('#shots-run');
  await page.waitForFunction(() => ['done', 'error'].includes(window.webconvDemo.shots), null, { timeout: 300_000 });
  const st = await page.evaluate(() => ({ shots: window.webconvDemo.shots, error: window.webconvDemo.error,
                                          result: window.webconvDemo.shotsResult }));
  console.log(`page: ${st.shots} in ${((performance.now() - t0) / 1000).toFixed(1)} s` + (st.error ? `: ${st.error}` : ''));
  if (st.shots !== 'done') fail(`the page did not finish: ${st.error}`);
  const r = st.result;
  console.log(`page status: ${await page.textContent('#shots-status')}`);
  check(r.frames === native.frames, `frames: page ${r.frames}, native ${native.frames}`);
  check(r.dropped_frames === 0, `the player skipped ${r.dropped_frames} frames`);
  check(Math.abs(r.fps - truth.fps) < 0.5, `fps estimated from the media times: ${r.fps}`);
  check(r.window === native.window, `window: page ${r.window}, native ${native.window}`);
  check(JSON.stringify(r.scenes) === JSON.stringify(native.scenes),
        `scenes: page ${JSON.stringify(r.scenes)}, native ${JSON.stringify(native.scenes)}`);
  let err = 0;
  for (let i = 0; i < Math.min(r.frames, native.frames); ++i) {
    err = Math.max(err, Math.abs(r.single_frame[i] - native.single_frame[i]), Math.abs(r.all_frames[i] - native.all_frames[i]));
  }
  check(err < 0.05, `probabilities: page against native, max difference ${err.toFixed(4)} (different decoders and scalers)`);
  const cutLines = await page.locator('#shots-plot line.cut').count();
  const curves = await page.locator('#shots-plot polyline').count();
  check(cutLines === r.scenes.length - 1 && curves === 2, `plot: ${cutLines} cut lines, ${curves} curves`);
  const thumbs = await page.locator('#shots-scenes canvas.thumb').count();
  const items = await page.locator('#shots-scenes li').count();
  check(items === r.scenes.length && thumbs === r.scenes.length, `scene list: ${items} items, ${thumbs} thumbnails`);
  const href = await page.getAttribute('#shots-export', 'href');
  const exported = await page.evaluate(async (u) => (await fetch(u)).text(), href);
  check(JSON.stringify(JSON.parse(exported).scenes) === JSON.stringify(r.scenes), 'the JSON export holds the scenes');
  fs.writeFileSync(path.join(flags.work, "page_result.json"), JSON.stringify(r));
  await page.screenshot({ path: path.join(flags.work, 'shots.png'), fullPage: true });
} finally {
  await browser.close();
  server.close();
}
console.log(failures ? `${failures} failed` : 'all passed');
process.exit(failures ? 1 : 0);
