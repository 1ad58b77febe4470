// Tensor.fromImage / toImageData / toDataURL in the page, as onnxruntime-web defines them: every element of
// a small ImageData checked against the formula ((pixel + bias) / mean, channel order and layout), a round
// trip back to the same pixels, an ImageBitmap resized, a URL fetched, and a clear error for a bad format.
//   node images.mjs --dist web/dist
import { launch, newPage } from './lib/browser.mjs';
import { serve } from './lib/server.mjs';
import { fail, parseFlags, requireDist } from './lib/util.mjs';

const flags = parseFlags(process.argv.slice(2));
if (!flags.dist) fail('--dist is required');
requireDist(flags.dist);

const server = await serve({ '/': flags.dist }, { '/test.html': '<!doctype html><title>webconv images</title>' });
const browser = await launch();
let r;
try {
  const page = await newPage(browser);
  await page.goto(`${server.url}/test.html`);
  r = await page.evaluate(runInPage);
} finally {
  await browser.close();
  await server.close();
}
if (r.error) fail(`the page failed: ${r.error}`);
let failures = 0;
for (const [what, ok] of r.checks) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) ++failures;
}
if (failures) fail(`${failures} image check(s) failed`);
console.log('image checks passed');

async function runInPage() {
  try {
    const { Tensor } = await import('/webconv.mjs');
    const checks = [];
    const W = 4, H = 3, n = W * H;
    const pixels = new Uint8ClampedArray(n * 4);
    for (let i = 0; i < pixels.length; ++i) pixels[i] = (i * 37 + 11) % 256;
    const image = new ImageData(pixels, W, H);
    const px = (p, color) => pixels[p * 4 + color];
    const near = (a, b) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

    // Defaults: RGB, NCHW, float32, pixel / 255.
    const t = await Tensor.fromImage(image);
    let ok = t.dims.join() === `1,3,${H},${W}` && t.type === 'float32';
    for (let c = 0; c < 3; ++c) for (let p = 0; p < n; ++p) ok = ok && near(t.data[c * n + p], px(p, c) / 255);
    checks.push(['fromImage defaults: [1,3,H,W], RGB planes, pixel / 255', ok]);

    // BGR, NHWC, per-color norm: (pixel + bias[color]) / mean[color].
    const mean = [58.4, 57.1, 57.4, 1], bias = [-123.7, -116.3, -103.5, 0];
    const b = await Tensor.fromImage(image, { tensorFormat: 'BGR', tensorLayout: 'NHWC', norm: { mean, bias } });
    ok = b.dims.join() === `1,${H},${W},3`;
    const bgr = [2, 1, 0];
    for (let p = 0; p < n; ++p)
      for (let c = 0; c < 3; ++c) ok = ok && near(b.data[p * 3 + c], (px(p, bgr[c]) + bias[bgr[c]]) / mean[bgr[c]]);
    checks.push(['fromImage BGR, NHWC, per-color norm', ok]);

    // RGBA as uint8: the bytes themselves.
    const u = await Tensor.fromImage(image, { tensorFormat: 'RGBA', dataType: 'uint8' });
    ok = u.type === 'uint8' && u.dims.join() === `1,4,${H},${W}`;
    for (let c = 0; c < 4; ++c) for (let p = 0; p < n; ++p) ok = ok && u.data[c * n + p] === px(p, c);
    checks.push(['fromImage RGBA uint8: the bytes, planar', ok]);

    // Back to pixels: the round trip gives the same RGB and an opaque alpha.
    const back = t.toImageData();
    ok = back.width === W && back.height === H;
    for (let p = 0; p < n; ++p) for (let c = 0; c < 4; ++c) ok = ok && back.data[p * 4 + c] === (c === 3 ? 255 : px(p, c));
    checks.push(['toImageData(fromImage(x)) gives x back (alpha 255)', ok]);
    const url = t.toDataURL();
    checks.push([`toDataURL is a PNG data URL (${url.slice(0, 22)})`, url.startsWith('data:image/png;base64,')]);

    // An ImageBitmap resized, and the data URL fetched as a URL source.
    const bitmap = await createImageBitmap(image);
    const small = await Tensor.fromImage(bitmap, { resizedWidth: 2, resizedHeight: 2 });
    checks.push([`an ImageBitmap resized to 2x2 gives [1,3,2,2] (${small.dims})`, small.dims.join() === '1,3,2,2']);
    const fetched = await Tensor.fromImage(url);
    ok = fetched.dims.join() === t.dims.join() && fetched.data.every((v, i) => near(v, t.data[i]));
    checks.push(['a URL (the PNG data URL) gives the tensor it was made from', ok]);

    let message = '';
    try {
      await Tensor.fromImage(image, { tensorFormat: 'CMYK' });
    } catch (e) {
      message = e.message;
    }
    checks.push([`a bad tensorFormat is refused: "${message}"`, /tensorFormat 'CMYK' is not one of/.test(message)]);
    return { checks };
  } catch (e) {
    return { error: String(e.message ?? e) };
  }
}
