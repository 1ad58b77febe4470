"""The suite's plot, written as plain SVG (no plotting library on the machines that run it): achieved
TFLOP/s per layer row (webconv on GPU time as bars; ONNX Runtime and cuDNN as markers where measured)
against the FP32 ceiling and its 50% target. Depthwise rows (judged on bandwidth) have their own color.
"""
from xml.sax.saxutils import escape

WIDTH_PER_ROW, LEFT, TOP, PLOT_H, BOTTOM = 16, 70, 40, 360, 260
COLORS = {"conv": "#3b6fb6", "depthwise": "#d08a2e", "ort": "#c0392b", "cudnn": "#2e8b57"}


def _tflops(flops, ms):
    return flops / (ms * 1e9) if flops and ms and ms > 0 else None


def write(path, rows, fp32_peak, title):
    rows = [r for r in rows if r.get("group", "").startswith("layer:") and r.get("flops")]
    n = max(len(rows), 1)
    width = max(LEFT + n * WIDTH_PER_ROW + 40, 820)
    height = TOP + PLOT_H + BOTTOM
    ymax = fp32_peak * 1.1
    y = lambda v: TOP + PLOT_H - PLOT_H * min(v, ymax) / ymax  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
           f'font-size="11">', f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{LEFT}" y="20" font-size="14">{escape(title)}</text>']
    for k in range(6):  # y grid and labels
        v = ymax * k / 5
        out.append(f'<line x1="{LEFT}" x2="{width - 30}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.0f}</text>')
    out.append(f'<text x="16" y="{TOP + PLOT_H / 2}" transform="rotate(-90 16 {TOP + PLOT_H / 2})" '
               f'text-anchor="middle">TFLOP/s (FP32)</text>')
    for v, label, dash in ((fp32_peak, f"FP32 ceiling {fp32_peak:g} TFLOP/s", ""),
                           (fp32_peak / 2, "50% target", ' stroke-dasharray="6 4"')):
        out.append(f'<line x1="{LEFT}" x2="{width - 30}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="black"{dash}/>')
        out.append(f'<text x="{width - 32}" y="{y(v) - 4:.1f}" text-anchor="end">{label}</text>')
    for i, r in enumerate(rows):
        x0 = LEFT + i * WIDTH_PER_ROW + 2
        cx = x0 + (WIDTH_PER_ROW - 4) / 2
        t = _tflops(r["flops"], r.get("webconv_gpu_ms") or r.get("webconv_wall_ms"))
        if t is not None:
            out.append(f'<rect x="{x0}" y="{y(t):.1f}" width="{WIDTH_PER_ROW - 4}" height="{TOP + PLOT_H - y(t):.1f}" '
                       f'fill="{COLORS[r["kind"] if r["kind"] in COLORS else "conv"]}">'
                       f'<title>{escape(r["name"])}: {t:.2f} TFLOP/s</title></rect>')
        for key, color, shape in (("ort_ms", COLORS["ort"], "circle"), ("cudnn_ms", COLORS["cudnn"], "diamond")):
            v = _tflops(r["flops"], r.get(key))
            if v is None:
                continue
            if shape == "circle":
                out.append(f'<circle cx="{cx:.1f}" cy="{y(v):.1f}" r="3" fill="{color}"/>')
            else:
                yy = y(v)
                out.append(f'<path d="M{cx:.1f} {yy - 4:.1f} L{cx + 4:.1f} {yy:.1f} L{cx:.1f} {yy + 4:.1f} '
                           f'L{cx - 4:.1f} {yy:.1f} Z" fill="{color}"/>')
        ty = TOP + PLOT_H + 8
        out.append(f'<text x="{cx:.1f}" y="{ty}" transform="rotate(60 {cx:.1f} {ty})" font-size="9">'
                   f'{escape(r["name"])}</text>')
    ly = height - 18
    for k, (label, color) in enumerate((("webconv (GPU time)", COLORS["conv"]), ("webconv depthwise", COLORS["depthwise"]),
                                        ("ONNX Runtime WebGPU (wall)", COLORS["ort"]), ("cuDNN FP32", COLORS["cudnn"]))):
        lx = LEFT + k * 190
        out.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{lx + 14}" y="{ly}">{escape(label)}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
