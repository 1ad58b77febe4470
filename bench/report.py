"""Derived figures and the text table of the benchmark suite.

Per row: achieved TFLOP/s and share of the FP32 ceiling, bytes moved (input + weights + output once)
over time and share of the copy bandwidth, ONNX Runtime's wall time over webconv's wall time, webconv's
GPU time over cuDNN's, and the row's target: depthwise rows must reach 50% of the bandwidth ceiling,
the others 50% of the FP32 ceiling. Kernel efficiency uses webconv's GPU time (timestamps) when there
is one, else its wall time (`time_basis` says which).
"""

TARGET_SHARE = 0.5


def _ratio(a, b):
    return a / b if a and b and b > 0 else None


def derive(r, fp32_peak, bw_peak):
    flops = r.get("flops") or (r["webconv_gflop"] * 1e9 if r.get("webconv_gflop") else None)
    if flops:
        r["flops"] = flops
    t = r.get("webconv_gpu_ms") or r.get("webconv_wall_ms")
    r["time_basis"] = "gpu" if r.get("webconv_gpu_ms") else "wall"
    r["tflops"] = flops / (t * 1e9) if flops and t else None
    r["fp32_share"] = r["tflops"] / fp32_peak if r["tflops"] else None
    r["gbps"] = r["bytes"] / (t * 1e6) if r.get("bytes") and t else None
    r["bw_share"] = r["gbps"] / bw_peak if r["gbps"] else None
    r["ort_over_webconv"] = _ratio(r.get("ort_ms"), r.get("webconv_wall_ms"))
    r["ort_tflops"] = flops / (r["ort_ms"] * 1e9) if flops and r.get("ort_ms") else None
    r["webconv_over_cudnn"] = _ratio(t, r.get("cudnn_ms"))
    r["target"] = "bandwidth" if r["kind"] == "depthwise" else "flops"
    share = r["bw_share"] if r["target"] == "bandwidth" else r["fp32_share"]
    r["meets_target"] = share is not None and share >= TARGET_SHARE


def _f(v, fmt):
    """v formatted, or "-" padded to the same width when there is no value."""
    if isinstance(v, (int, float)):
        return format(v, fmt)
    return "-".rjust(int(fmt.split(".")[0] or 0))


def table(rows, meta):
    head = (f"{'row':<46} {'GFLOP':>7} {'wc GPU ms':>10} {'wc wall':>9} {'ORT ms':>9} {'ORT/wc':>7} "
            f"{'TFLOP/s':>8} {'%FP32':>6} {'GB/s':>7} {'%BW':>5} {'cuDNN ms':>9} {'wc/cuDNN':>8}  target")
    lines = [f"adapter: {meta['adapter']}; {meta['runs']} runs after {meta['warmup']} warm-up; ceilings "
             f"{meta['fp32_peak_tflops']:g} TFLOP/s FP32, {meta['bw_peak_gbps']:g} GB/s; ORT: "
             f"{meta['ort_ep'] or 'not run'}; cuDNN: {meta['torch_device'] or 'not run'}",
             "wc GPU ms: sum of dispatch timestamps; wc wall / ORT ms: host time around a whole run "
             "(upload, run, readback); ORT/wc: wall over wall (>1: webconv faster); %FP32, %BW: on GPU time",
             head, "-" * len(head)]
    for r in rows:
        errs = "; ".join(f"{k}: {v}" for k, v in r.items() if k.endswith("_error"))
        share = r.get("bw_share") if r.get("target") == "bandwidth" else r.get("fp32_share")
        tgt = ("BW" if r.get("target") == "bandwidth" else "FP32") + (">=50%: " + ("yes" if r.get("meets_target")
                                                                                  else "no"))
        if share is None:
            tgt = "-"
        lines.append(
            f"{r['name'][:46]:<46} {_f((r.get('flops') or 0) / 1e9, '7.3f'):>7} {_f(r.get('webconv_gpu_ms'), '10.3f')} "
            f"{_f(r.get('webconv_wall_ms'), '9.3f')} {_f(r.get('ort_ms'), '9.3f')} {_f(r.get('ort_over_webconv'), '7.2f')} "
            f"{_f(r.get('tflops'), '8.3f')} {_f((r.get('fp32_share') or 0) * 100, '6.1f')} {_f(r.get('gbps'), '7.1f')} "
            f"{_f((r.get('bw_share') or 0) * 100, '5.1f')} {_f(r.get('cudnn_ms'), '9.3f')} "
            f"{_f(r.get('webconv_over_cudnn'), '8.2f')}  {tgt}" + (f"  [{errs}]" if errs else ""))
    met = [r for r in rows if r.get("meets_target")]
    judged = [r for r in rows if r.get("tflops") is not None]
    lines.append(f"{len(met)} of {len(judged)} timed rows meet their 50% target")
    for n in meta.get("notes", []):
        lines.append("note: " + n)
    return "\n".join(lines)
