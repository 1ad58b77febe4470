#!/usr/bin/python3
"""Runs every case of a hostile corpus (make_corrupt_models.py) through the webconv CLI.

    /usr/bin/python3 fuzz/hostile/run_hostile.py WEBCONV CORPUS_DIR [--timeout S] [--jobs N]

MANIFEST gives each case a mode:
  cpu, webgpu  `webconv inspect` and `webconv run --backend cpu` (and `--backend webgpu`);
  amplify      the same, and the peak memory of each command must stay within a bound of the file size;
  index        both backends on an in-range and an out-of-range index file: in range they write the same
               bytes, out of range both fail with exit 3 and the same message;
  outdir:TRAP  a run into an output folder holding a trap (extra_cases.py): the run must refuse it or write
               whole files, and nothing the user had may change.
Every command must end with exit 0, or with exit 2, 3 or 4 and an "error:" message on stderr; never a
signal, a timeout, another exit code, or a sanitizer report. All failures are listed, then a table per
category (commands, exit 0, clear errors, crashes, hangs, peak memory, data loss), then
'<N> passed, <M> failed' as the last line; the exit code is 1 if anything failed.
"""
import argparse
import collections
import concurrent.futures
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "ERROR: UndefinedBehaviorSanitizer", "AddressSanitizer:DEADLYSIGNAL")
# Peak memory of a command on an `amplify` case: a fixed allowance for the process (sanitizer runtime,
# the WebGPU library) plus a small multiple of the file.
AMPLIFY_BASE_BYTES = 384 << 20
AMPLIFY_PER_FILE_BYTE = 8


class Outcome:
    """One command: exit code (negative for a signal), stdout, stderr, peak RSS, and whether it hung."""

    def __init__(self, code, out, err, peak_kb, hung):
        self.code, self.out, self.err, self.peak_kb, self.hung = code, out, err, peak_kb, hung

    def error_line(self):
        return next((line for line in self.err.splitlines() if line.startswith("error: ")), "")


def execute(cmd, timeout, env, file_limit=None):
    """Runs `cmd` and measures its peak RSS (wait4), killing it past `timeout` seconds."""
    def limits():
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                             preexec_fn=limits if file_limit is not None else None)
        deadline, hung, status, usage = time.monotonic() + timeout, False, 0, None
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                hung = True
                _, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.01)
        p.returncode = 0  # reaped here; keeps Popen from waiting again
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        out.seek(0)
        err.seek(0)
        return Outcome(code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                       usage.ru_maxrss, hung)


def misbehaviour(o, timeout):
    """None when the command ended as the CLI contract says, else a one-line reason."""
    if o.hung:
        return f"no exit within {timeout} s (hang?)"
    for mark in SANITIZER_MARKS:
        if mark in o.err:
            first = next((line for line in o.err.splitlines() if mark in line), mark)
            return f"sanitizer report: {first.strip()}\n{o.err[-4000:]}"
    if o.code < 0:
        return f"killed by signal {-o.code}\n{o.err[-2000:]}"
    if o.code == 0:
        return None
    if o.code not in (2, 3, 4):
        return f"exit {o.code} (expected 0, 2, 3 or 4)\n{o.err[-2000:]}"
    if not o.error_line() or len(o.error_line()) <= len("error: "):
        return f"exit {o.code} without an 'error: ...' line on stderr: {o.err[-500:]!r}"
    return None


class Tally:
    """Per-category counts for the summary table."""

    def __init__(self):
        self.rows = collections.defaultdict(lambda: collections.Counter())
        self.peak = collections.defaultdict(int)

    def add(self, category, o):
        r = self.rows[category]
        r["commands"] += 1
        r["exit 0"] += o.code == 0 and not o.hung
        r["clear error"] += o.code in (2, 3, 4) and bool(o.error_line())
        r["crash"] += o.code < 0 and not o.hung or any(m in o.err for m in SANITIZER_MARKS)
        r["hang"] += o.hung
        self.peak[category] = max(self.peak[category], o.peak_kb)

    def data_loss(self, category):
        self.rows[category]["data loss"] += 1

    def print(self):
        cols = ["commands", "exit 0", "clear error", "crash", "hang", "data loss"]
        print("| category | " + " | ".join(cols) + " | peak RSS (MB) |")
        print("|---" * (len(cols) + 2) + "|")
        total = collections.Counter()
        for cat in sorted(self.rows):
            total.update(self.rows[cat])
            print(f"| {cat} | " + " | ".join(str(self.rows[cat][c]) for c in cols) +
                  f" | {self.peak[cat] / 1024:.0f} |")
        print("| all | " + " | ".join(str(total[c]) for c in cols) +
              f" | {max(self.peak.values(), default=0) / 1024:.0f} |")


def plain_case(args, name, mode, env, gpu_env, out_dir):
    """inspect, run cpu (and run webgpu); for `amplify`, each within the memory bound."""
    model = os.path.join(args.corpus, name)
    cmds = [("inspect", [args.webconv, "inspect", model], env),
            ("run cpu", [args.webconv, "run", model, "--backend", "cpu", "--output-dir", out_dir], env)]
    if mode == "webgpu":
        cmds.append(("run webgpu", [args.webconv, "run", model, "--backend", "webgpu", "--output-dir", out_dir],
                     gpu_env))
    results, problems = [], []
    bound = AMPLIFY_BASE_BYTES + AMPLIFY_PER_FILE_BYTE * os.path.getsize(model)
    for label, cmd, e in cmds:
        o = execute(cmd, args.timeout, e)
        results.append(o)
        reason = misbehaviour(o, args.timeout)
        if not reason and mode == "amplify" and o.peak_kb * 1024 > bound:
            reason = f"peak memory {o.peak_kb // 1024} MB, over the bound of {bound >> 20} MB"
        if reason:
            problems.append(f"{label}: {reason}")
    return results, problems, 0


def index_case(args, name, env, gpu_env, work):
    """Both backends on in-range and out-of-range indices: the same bytes, or the same error."""
    model = os.path.join(args.corpus, name)
    results, problems, got = [], [], {}
    for which in ("inrange", "outofrange"):
        for backend, e in (("cpu", env), ("webgpu", gpu_env)):
            out = os.path.join(work, f"{which}_{backend}")
            o = execute([args.webconv, "run", model, "--backend", backend, "--input",
                         f"idx={model}.{which}.npy", "--output-dir", out], args.timeout, e)
            results.append(o)
            reason = misbehaviour(o, args.timeout)
            if reason:
                problems.append(f"run {backend} ({which}): {reason}")
            y = os.path.join(out, "y.npy")
            got[which, backend] = (o.code, o.error_line(), open(y, "rb").read() if os.path.exists(y) else None)
    if got["inrange", "cpu"][0] != 0 or got["inrange", "cpu"] != got["inrange", "webgpu"]:
        problems.append(f"in range: cpu {got['inrange', 'cpu'][:2]} and webgpu {got['inrange', 'webgpu'][:2]} "
                        "differ (or failed, or wrote different bytes)")
    bad_cpu, bad_gpu = got["outofrange", "cpu"], got["outofrange", "webgpu"]
    if bad_cpu[0] != 3 or bad_gpu[0] != 3 or bad_cpu[1] != bad_gpu[1]:
        problems.append(f"out of range: cpu said {bad_cpu[:2]}, webgpu said {bad_gpu[:2]}; both must fail alike")
    return results, problems, 0


def outdir_case(args, name, trap, env, work):
    """A first run learns the output files; then one of them becomes `trap` and the run is repeated."""
    model = os.path.join(work, "model.onnx")
    shutil.copy(os.path.join(args.corpus, name), model)
    out = os.path.join(work, "out")
    run = [args.webconv, "run", model, "--backend", "cpu", "--output-dir", out]
    first = execute(run, args.timeout, env)
    reason = misbehaviour(first, args.timeout)
    if reason or first.code != 0:
        return [first], [f"first run: {reason or first.error_line()}"], 0
    files = sorted(f for f in os.listdir(out) if f.endswith(".npy"))
    target = os.path.join(out, files[0])
    victim = os.path.join(work, "victim.txt")
    victim_bytes = b"the user's data\n"
    with open(victim, "wb") as f:
        f.write(victim_bytes)
    if trap == "symlink":
        os.remove(target)
        os.symlink(victim, target)
    elif trap == "hardlink_model":
        os.remove(target)
        os.link(model, target)
    elif trap == "fifo":
        os.remove(target)
        os.mkfifo(target)
    elif trap == "folder":
        os.remove(target)
        os.mkdir(target)
    elif trap == "not_npy":
        shutil.copy(victim, target)
    before = {f: open(os.path.join(out, f), "rb").read() for f in files if os.path.isfile(os.path.join(out, f))
              and not os.path.islink(os.path.join(out, f))}
    model_bytes = open(model, "rb").read()
    file_limit = 64 if trap == "full_disk" else None
    second = execute(run + (["--seed", "2"] if trap in ("npy_replaced", "full_disk") else []), args.timeout, env,
                     file_limit)
    problems, losses = [], 0
    reason = misbehaviour(second, args.timeout)
    if reason:
        problems.append(f"run into a {trap} trap: {reason}")
    expect_ok = trap == "npy_replaced"
    if expect_ok != (second.code == 0):
        problems.append(f"run into a {trap} trap: exit {second.code} ({second.error_line() or 'no error'})")
    lost = []
    if open(victim, "rb").read() != victim_bytes:
        lost.append("the victim file changed")
    if open(model, "rb").read() != model_bytes:
        lost.append("the model changed")
    if not expect_ok:
        lost += [f"{f} changed" for f, b in before.items() if open(os.path.join(out, f), "rb").read() != b]
    lost += [f"temporary file {f} left" for f in os.listdir(out) if ".tmp-" in f]
    if expect_ok and "replaced " not in second.out:
        problems.append("replacing earlier outputs was not said")
    if lost:
        losses = 1
        problems.append("data loss: " + "; ".join(lost))
    return [first, second], problems, losses


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
            name, mode, what = line.rstrip("\n").split("\t", 2)
            cases.append((name, mode, what))
    env = dict(os.environ)
    # Sanitizer reports go to stderr, where they are caught; the exit code of a report is distinct.
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=86")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    # Dawn and the Vulkan driver keep process-lifetime allocations that LeakSanitizer would report; leaks
    # are checked on the CPU paths, which never load them.
    gpu_env = dict(env)
    gpu_env["ASAN_OPTIONS"] = env["ASAN_OPTIONS"].replace("detect_leaks=1", "detect_leaks=0")
    scratch = tempfile.mkdtemp(prefix="hostile_")

    def one(index, name, mode, what):
        work = os.path.join(scratch, f"case{index}")
        os.makedirs(work)
        if mode == "index":
            return index_case(args, name, env, gpu_env, work)
        if mode.startswith("outdir:"):
            return outdir_case(args, name, mode.split(":", 1)[1], env, work)
        return plain_case(args, name, mode, env, gpu_env, os.path.join(work, "out"))

    tally, failures = Tally(), []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(one, i, *case): case for i, case in enumerate(cases)}
        for fut in concurrent.futures.as_completed(futures):
            name, mode, what = futures[fut]
            category = what.split(":")[0].split(" ")[0]
            results, problems, losses = fut.result()
            for o in results:
                tally.add(category, o)
            for _ in range(losses):
                tally.data_loss(category)
            failures += [f"FAIL {name} [{what}] {p}" for p in problems]
    shutil.rmtree(scratch, ignore_errors=True)
    for f in sorted(failures):
        print(f)
    tally.print()
    print(f"{len(cases) - len({f.split(' ')[1] for f in failures})} passed, "
          f"{len({f.split(' ')[1] for f in failures})} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
