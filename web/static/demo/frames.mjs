// Draws a clip tensor [1, 3, T, H, W] (RGB in [0, 1], planar) as a strip of T frames on a canvas, each
// frame scaled up by whole pixels so 48x27 frames are visible, with its index underneath.

export function drawFrames(canvas, clip, { scale = 3, gap = 6, label = 14 } = {}) {
  const [n, c, t, h, w] = clip.dims;
  if (clip.dims.length !== 5 || n !== 1 || c !== 3) throw new Error(`expected a [1,3,T,H,W] clip, got [${clip.dims}]`);
  canvas.width = t * (w * scale + gap) - gap;
  canvas.height = h * scale + label;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = false;
  const frame = document.createElement('canvas');
  frame.width = w;
  frame.height = h;
  const fctx = frame.getContext('2d');
  const image = fctx.createImageData(w, h);
  const plane = t * h * w;
  const to8 = (v) => Math.max(0, Math.min(255, Math.round(v * 255)));
  for (let f = 0; f < t; ++f) {
    for (let p = 0; p < h * w; ++p) {
      const i = f * h * w + p;
      image.data[4 * p] = to8(clip.data[i]);
      image.data[4 * p + 1] = to8(clip.data[plane + i]);
      image.data[4 * p + 2] = to8(clip.data[2 * plane + i]);
      image.data[4 * p + 3] = 255;
    }
    fctx.putImageData(image, 0, 0);
    const x = f * (w * scale + gap);
    ctx.drawImage(frame, x, 0, w * scale, h * scale);
    ctx.fillStyle = '#33404c';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText(String(f), x + (w * scale) / 2, h * scale + label - 3);
  }
}
