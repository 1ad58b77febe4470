// The demo page's charts, drawn as SVG by hand (no charting library: the page loads nothing from outside):
// a horizontal bar chart of per-op GPU time, and a per-frame probability plot with the ground truth.

const kSvg = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, parent = null) {
  const e = document.createElementNS(kSvg, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

function text(parent, x, y, s, attrs = {}) {
  const t = el('text', { x, y, ...attrs }, parent);
  t.textContent = s;
  return t;
}

// A "nice" axis step (1, 2 or 5 times a power of ten) giving about `ticks` intervals up to `max`.
function niceStep(max, ticks) {
  const raw = max / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
}

/**
 * Horizontal bars, one per item ({label, value, title}), longest first as given. Returns the SVG.
 * The bars carry class "bar" (the browser test counts them).
 */
export function barChart(container, items, { unit = 'ms', width = 1000 } = {}) {
  container.replaceChildren();
  const rowH = 18, labelW = 260, valueW = 80, top = 24;
  const height = top + rowH * items.length + 8;
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
                          'aria-label': 'per-op time bar chart' }, container);
  const max = Math.max(...items.map((i) => i.value), 1e-9);
  const plotW = width - labelW - valueW;
  const step = niceStep(max, 5);
  for (let v = 0; v <= max + 1e-12; v += step) {
    const x = labelW + (v / max) * plotW;
    el('line', { x1: x, x2: x, y1: top - 4, y2: height - 8, stroke: '#e4e8ec' }, svg);
    text(svg, x, top - 8, `${+v.toPrecision(3)}`, { 'text-anchor': 'middle' });
  }
  text(svg, labelW - 6, top - 8, unit, { 'text-anchor': 'end' });
  items.forEach((item, k) => {
    const y = top + k * rowH;
    const label = item.label.length > 40 ? item.label.slice(0, 39) + '…' : item.label;
    text(svg, labelW - 6, y + 13, label, { 'text-anchor': 'end' });
    const bar = el('rect', { class: 'bar', x: labelW, y: y + 3, height: rowH - 6,
                             width: Math.max(1, (item.value / max) * plotW), fill: '#2f6fc6' }, svg);
    const tip = el('title', {}, bar);
    tip.textContent = item.title ?? `${item.label}: ${item.value.toFixed(3)} ${unit}`;
    text(svg, labelW + (item.value / max) * plotW + 4, y + 13, item.value.toFixed(3));
  });
  return svg;
}

/**
 * Probabilities per frame (a line with one circle.point per frame) over the ground truth: hard cuts as
 * red lines at the first frame of the new scene, fades as shaded spans.
 * truth: {cuts: [frame], fades: [[first, last]]}.
 */
export function probabilityPlot(container, probs, truth, { width = 1000, height = 240 } = {}) {
  container.replaceChildren();
  const left = 44, right = 16, top = 16, bottom = 34;
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
                          'aria-label': 'per-frame probability plot' }, container);
  const n = probs.length;
  const x = (f) => left + (n > 1 ? (f / (n - 1)) : 0.5) * (width - left - right);
  const y = (p) => top + (1 - p) * (height - top - bottom);
  const half = n > 1 ? (x(1) - x(0)) / 2 : 10;
  for (const [a, b] of truth.fades)
    el('rect', { class: 'truth', x: x(a) - half, y: top, width: x(b) - x(a) + 2 * half, height: y(0) - top,
                 fill: '#f6d9a8', opacity: 0.7 }, svg);
  for (const f of truth.cuts)
    el('line', { class: 'truth', x1: x(f), x2: x(f), y1: top, y2: y(0), stroke: '#c62828', 'stroke-width': 2,
                 'stroke-dasharray': '5 3' }, svg);
  for (const p of [0, 0.25, 0.5, 0.75, 1]) {
    el('line', { x1: left, x2: width - right, y1: y(p), y2: y(p), stroke: '#e4e8ec' }, svg);
    text(svg, left - 6, y(p) + 4, p.toFixed(2), { 'text-anchor': 'end' });
  }
  for (let f = 0; f < n; ++f) text(svg, x(f), height - bottom + 16, String(f), { 'text-anchor': 'middle' });
  text(svg, (left + width - right) / 2, height - 4, 'frame', { 'text-anchor': 'middle' });
  el('polyline', { points: probs.map((p, f) => `${x(f)},${y(p)}`).join(' '), fill: 'none', stroke: '#2f6fc6',
                   'stroke-width': 2 }, svg);
  probs.forEach((p, f) => {
    const c = el('circle', { class: 'point', cx: x(f), cy: y(p), r: 4, fill: '#2f6fc6' }, svg);
    el('title', {}, c).textContent = `frame ${f}: ${p.toFixed(4)}`;
  });
  const legend = el('g', { transform: `translate(${width - right - 300}, ${top + 2})` }, svg);
  el('rect', { x: 0, y: 0, width: 296, height: 18, fill: '#fff', opacity: 0.85 }, legend);
  el('circle', { cx: 8, cy: 9, r: 4, fill: '#2f6fc6' }, legend);
  text(legend, 16, 13, 'probability');
  el('line', { x1: 92, x2: 108, y1: 9, y2: 9, stroke: '#c62828', 'stroke-width': 2, 'stroke-dasharray': '5 3' }, legend);
  text(legend, 112, 13, 'hard cut');
  el('rect', { x: 172, y: 3, width: 14, height: 12, fill: '#f6d9a8' }, legend);
  text(legend, 190, 13, 'fade (truth)');
  return svg;
}

/**
 * Shot detection over a whole video: both heads' probabilities per frame (the highest in each pixel column
 * for long videos), the threshold, and a line.cut where each scene after the first starts.
 */
export function shotPlot(container, single, all, scenes, threshold, { width = 1000, height = 220 } = {}) {
  container.replaceChildren();
  const left = 40, right = 10, top = 14, bottom = 26;
  const n = single.length;
  const plotW = width - left - right, plotH = height - top - bottom;
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
                          'aria-label': 'shot probabilities per frame' }, container);
  const x = (f) => left + (f / Math.max(1, n)) * plotW;
  const y = (p) => top + (1 - p) * plotH;
  for (const p of [0, 0.5, 1]) {
    el('line', { x1: left, x2: width - right, y1: y(p), y2: y(p), stroke: '#e4e8ec' }, svg);
    text(svg, left - 6, y(p) + 4, String(p), { 'text-anchor': 'end' });
  }
  el('line', { x1: left, x2: width - right, y1: y(threshold), y2: y(threshold), stroke: '#888',
               'stroke-dasharray': '4 4' }, svg);
  for (const [a] of scenes.slice(1)) el('line', { class: 'cut', x1: x(a), x2: x(a), y1: top, y2: top + plotH, stroke: '#d62728' }, svg);
  const columns = Math.min(n, plotW);
  const line = (values, color) => {
    if (!values) return;
    const peak = new Float32Array(columns);
    for (let f = 0; f < n; ++f) { const c = Math.floor((f * columns) / n); peak[c] = Math.max(peak[c], values[f]); }
    const pts = Array.from(peak, (v, c) => `${(left + ((c + 0.5) * plotW) / columns).toFixed(1)},${y(v).toFixed(1)}`);
    el('polyline', { points: pts.join(' '), fill: 'none', stroke: color, 'stroke-width': 1.2 }, svg);
  };
  line(all, '#ff7f0e');
  line(single, '#1f77b4');
  const step = niceStep(Math.max(1, n), 8);
  for (let f = 0; f <= n; f += step) text(svg, x(f), height - 8, String(f), { 'text-anchor': 'middle' });
  return svg;
}
