#!/usr/bin/python3
"""Installs the current build into a temporary prefix and uses it the way an embedder would.

1. `cmake --install BUILD --prefix WORK/prefix --strip`; the libraries and the CLI carry no debug sections,
   and the installed headers include only each other and the standard library.
2. examples/ is configured and built out of tree with find_package(webconv) against that prefix.
3. The example runs models/small_mlp.onnx on a fixed input written here; the installed `webconv run`
   runs the same input; the outputs the example prints must equal the CLI's .npy values exactly (the same
   library, adapter and input), and both report the same version.
4. The installed CLI, pointed at a missing WebGPU library, fails with --backend webgpu with exit code 4
   and a message naming the path and both ways to set it; without --backend it runs on the CPU backend
   and says why.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

import numpy as np


def run(cmd, env=None, check=True):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if check and r.returncode != 0:
        sys.exit(f"FAILED ({r.returncode}): {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
    return r


def main():
    ap = argparse.ArgumentParser()
    for a in ("--cmake", "--build-dir", "--source-dir", "--cxx", "--work-dir"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    work = args.work_dir
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    prefix = os.path.join(work, "prefix")

    # --strip, as docs/api-cpp.md tells embedders: the CLI and the static libraries lose their debug sections.
    run([args.cmake, "--install", args.build_dir, "--prefix", prefix, "--strip"])
    libdir = os.path.join(prefix, "lib")
    archives = sorted(f for f in os.listdir(libdir) if f.startswith("libwebconv_") and f.endswith(".a"))
    if len(archives) != 8:
        sys.exit(f"FAILED: expected the 8 static libraries in {libdir}, found {archives}")
    for name in archives + [os.path.join("..", "bin", "webconv")]:
        sections = run(["readelf", "-S", "-W", os.path.join(libdir, name)]).stdout
        if ".debug_info" in sections:
            sys.exit(f"FAILED: {name} still has debug sections after `cmake --install --strip`")
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(prefix) for f in fs)
    print(f"installed with --strip: {total / 1e6:.1f} MB, no debug sections in {len(archives)} libraries or the CLI")
    headers = os.path.join(prefix, "include", "webconv")
    for name in sorted(os.listdir(headers)):
        text = open(os.path.join(headers, name)).read()
        for inc in re.findall(r'#include\s+([<"][^>"]+[>"])', text):
            if inc.startswith('"') and not inc.startswith('"webconv/'):
                sys.exit(f"FAILED: installed header {name} includes {inc}, which is not installed")
        for internal in ("runtime::", "ir::", "gpu::", "onnx::", "WGPU", "HostTensor"):
            if internal in text:
                sys.exit(f"FAILED: installed header {name} mentions the internal {internal}")
    print("installed headers:", ", ".join(sorted(os.listdir(headers))))

    ex = os.path.join(work, "examples")
    run([args.cmake, "-S", os.path.join(args.source_dir, "examples"), "-B", ex, f"-DCMAKE_PREFIX_PATH={prefix}",
         f"-DCMAKE_CXX_COMPILER={args.cxx}", "-DCMAKE_BUILD_TYPE=Release"])
    run([args.cmake, "--build", ex, "-j2"])

    model = os.path.join(args.source_dir, "models", "small_mlp.onnx")
    features = (np.arange(2 * 64, dtype=np.float32).reshape(2, 64) / 64.0 - 1.0).astype(np.float32)
    features_npy = os.path.join(work, "features.npy")
    np.save(features_npy, features)

    example = run([os.path.join(ex, "run_model"), model, f"features={features_npy}"]).stdout
    print(example.strip()[:400])
    m = re.search(r"^output probabilities float32\[2,32\]:((?: \S+)+)$", example, re.M)
    if not m:
        sys.exit("FAILED: the example printed no 'output probabilities float32[2,32]: ...' line")
    printed = np.array([float(v) for v in m.group(1).split()], dtype=np.float32).reshape(2, 32)

    cli = os.path.join(prefix, "bin", "webconv")
    out_dir = os.path.join(work, "cli_out")
    # The example's default backend is WebGPU; the CLI's default would be the CPU backend without a GPU.
    run([cli, "run", model, "--input", f"features={features_npy}", "--output-dir", out_dir, "--backend", "webgpu"])
    expected = np.load(os.path.join(out_dir, "probabilities.npy"))
    if expected.dtype != np.float32 or expected.shape != (2, 32):
        sys.exit(f"FAILED: webconv run wrote {expected.dtype}{list(expected.shape)}, expected float32[2,32]")
    if not np.array_equal(printed, expected):
        diff = np.abs(printed.astype(np.float64) - expected)
        sys.exit(f"FAILED: example and `webconv run` differ: max abs diff {diff.max()} at {np.unravel_index(diff.argmax(), diff.shape)}")
    print(f"example == webconv run on all {expected.size} values (range {expected.min():.6f}..{expected.max():.6f})")

    version = run([cli, "--version"]).stdout.splitlines()[0]
    if not example.startswith(version + " on "):
        sys.exit(f"FAILED: the CLI says '{version}', the example '{example.splitlines()[0]}'")
    print(f"version: {version}")

    missing = os.path.join(work, "no-such-dir", "libwebgpu_missing.so")
    env = dict(os.environ, WEBCONV_DAWN_LIB=missing)
    r = run([cli, "run", model, "--input", f"features={features_npy}", "--output-dir", out_dir, "--backend", "webgpu"],
            env=env, check=False)
    if r.returncode != 4 or f"cannot load the WebGPU library '{missing}'" not in r.stderr or \
            "the environment variable WEBCONV_DAWN_LIB at run time, or the CMake variable WEBCONV_DAWN_LIB at configure time" not in r.stderr:
        sys.exit(f"FAILED: missing WebGPU library: exit {r.returncode}, stderr: {r.stderr}")
    print(f"missing WebGPU library: exit 4, {r.stderr.strip()}")
    # Without --backend the same run goes to the CPU backend and says why.
    r = run([cli, "run", model, "--input", f"features={features_npy}", "--output-dir", out_dir], env=env, check=False)
    if r.returncode != 0 or not re.search(r"^backend: cpu \(float32", r.stdout, re.M) or \
            f"why: no WebGPU adapter (cannot load the WebGPU library '{missing}'" not in r.stdout:
        sys.exit(f"FAILED: missing WebGPU library without --backend: exit {r.returncode}, stdout: {r.stdout}")
    print("missing WebGPU library without --backend: the CPU backend, with the reason")
    print("PASSED")


if __name__ == "__main__":
    main()
