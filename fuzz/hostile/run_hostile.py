#!/usr/bin/python3
"""Runs every model of a hostile corpus (make_corrupt_models.py) through the webconv CLI.

    /usr/bin/python3 fuzz/hostile/run_hostile.py WEBCONV CORPUS_DIR [--timeout S] [--jobs N]

Each case runs `webconv inspect` and `webconv run --backend cpu` (and `--backend webgpu` for the cases
MANIFEST marks). Every command must end with exit 0, or with exit 2, 3 or 4 and an "error:" message on
stderr; never a signal, a timeout, another exit code, or a sanitizer report. All failures are listed,
then the script exits 1 if there were any. Prints '<N> passed, <M> failed' as its last line.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "ERROR: UndefinedBehaviorSanitizer", "AddressSanitizer:DEADLYSIGNAL")


def check(cmd, timeout, env):
    """Runs one command; returns None when it behaved, else a one-line reason."""
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return f"no exit within {timeout} s (hang?)"
    err = p.stderr.decode("utf-8", "replace")
    for mark in SANITIZER_MARKS:
        if mark in err:
            first = next((line for line in err.splitlines() if mark in line), mark)
            return f"sanitizer report: {first.strip()}\n{err[-4000:]}"
    if p.returncode < 0:
        return f"killed by signal {-p.returncode}\n{err[-2000:]}"
    if p.returncode == 0:
        return None
    if p.returncode not in (2, 3, 4):
        return f"exit {p.returncode} (expected 0, 2, 3 or 4)\n{err[-2000:]}"
    lines = [line for line in err.splitlines() if line.strip()]
    if not any(line.startswith("error: ") and len(line) > len("error: ") for line in lines):
        return f"exit {p.returncode} without an 'error: ...' line on stderr: {err[-500:]!r}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("webconv")
    ap.add_argument("corpus")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    cases = []
    with open(os.path.join(args.corpus, "MANIFEST")) as f:
        for line in f:
            if line.startswith("#"):
                print(line.strip())
                continue
            name, backends, what = line.rstrip("\n").split("\t", 2)
            cases.append((name, backends, what))
    env = dict(os.environ)
    # Sanitizer reports go to stderr, where they are caught; the exit code of a report is distinct.
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=86")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    # Dawn and the Vulkan driver keep process-lifetime allocations that LeakSanitizer would report; leaks
    # are checked on the CPU paths, which never load them.
    gpu_env = dict(env)
    gpu_env["ASAN_OPTIONS"] = env["ASAN_OPTIONS"].replace("detect_leaks=1", "detect_leaks=0")
    out_dir = tempfile.mkdtemp(prefix="hostile_out_")
    jobs = []
    for name, backends, what in cases:
        model = os.path.join(args.corpus, name)
        jobs.append((name, what, "inspect", [args.webconv, "inspect", model], env))
        jobs.append((name, what, "run cpu",
                     [args.webconv, "run", model, "--backend", "cpu", "--output-dir", out_dir], env))
        if "webgpu" in backends:
            jobs.append((name, what, "run webgpu",
                         [args.webconv, "run", model, "--backend", "webgpu", "--output-dir", out_dir], gpu_env))
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(check, cmd, args.timeout, e): (name, what, label, cmd)
                   for name, what, label, cmd, e in jobs}
        for fut in concurrent.futures.as_completed(futures):
            name, what, label, cmd = futures[fut]
            reason = fut.result()
            if reason:
                failures.append(f"FAIL {name} [{what}] {label}: {reason}")
    for f in sorted(failures):
        print(f)
    print(f"{len(jobs) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
