#!/usr/bin/python3
"""`webconv run` never loses data while writing its outputs.

    /usr/bin/python3 tests/cli/output_files_test.py WEBCONV WORK_DIR

Each case sets up an output folder the way a careless or hostile user might, runs the CLI and checks the
exit code, the message and every file afterwards: a failed write leaves the old file as it was and no
temporary file behind; colliding names write nothing; links, non-regular files, the model and --input
files are never written through. Prints one line per case and exits 1 if any failed.
"""
import os
import resource
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def relu_model(path, outputs, n=4):
    nodes = [helper.make_node("Relu", ["x"], [o], name=f"relu_{k}") for k, o in enumerate(outputs)]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n])],
                              [helper.make_tensor_value_info(o, TensorProto.FLOAT, [n]) for o in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)


class Case:
    def __init__(self, webconv, work):
        self.webconv, self.work, self.failures = webconv, work, []

    def run(self, args, limit_bytes=None):
        def limit():  # a file size limit: the same failed write() a full disk gives (EFBIG for ENOSPC)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
        return subprocess.run([self.webconv, "run", *args, "--backend", "cpu"], capture_output=True, text=True,
                              cwd=self.work, preexec_fn=limit if limit_bytes is not None else None)

    def expect(self, name, cond, detail=""):
        print(("ok   " if cond else "FAIL ") + name + ("" if cond else f": {detail}"))
        if not cond:
            self.failures.append(name)

    def folder(self, name):
        path = os.path.join(self.work, name)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        return path


def no_temporaries(folder):
    return [f for f in os.listdir(folder) if ".tmp-" in f] == []


def main():
    webconv, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    c = Case(webconv, work)
    relu_model(os.path.join(work, "simple.onnx"), ["y"])
    relu_model(os.path.join(work, "big.onnx"), ["y"], n=1 << 16)
    relu_model(os.path.join(work, "collide.onnx"), ["a/b", "a:b", "a_b"])
    relu_model(os.path.join(work, "case.onnx"), ["Y", "y"])
    x = np.array([1, -2, 3, -4], np.float32)
    np.save(os.path.join(work, "in.npy"), x)
    previous = np.array([7, 7, 7, 7], np.float32)

    # 1. A write that fails part-way (full disk or size limit) exits non-zero and keeps the old file.
    for model, label in (("simple.onnx", "small output"), ("big.onnx", "large output")):  # 144 B, 256 KiB
        o = c.folder("full")
        np.save(os.path.join(o, "y.npy"), previous)
        p = c.run([model, "--output-dir", "full"], limit_bytes=100)
        c.expect(f"failed write of a {label}: non-zero exit, message", p.returncode == 2 and
                 "failed writing" in p.stderr and "unchanged" in p.stderr, p.stderr)
        c.expect(f"failed write of a {label}: old file intact, no 'wrote'",
                 np.array_equal(np.load(os.path.join(o, "y.npy")), previous) and "wrote" not in p.stdout, p.stdout)
        c.expect(f"failed write of a {label}: no temporary file left", no_temporaries(o), os.listdir(o))
    o = c.folder("full_new")
    p = c.run(["simple.onnx", "--output-dir", "full_new"], limit_bytes=100)
    c.expect("failed write of a new file leaves no file", p.returncode == 2 and os.listdir(o) == [], os.listdir(o))

    # 2. Names that map to one file are refused before anything is written (also when only case differs).
    for model, folder in (("collide.onnx", "collide"), ("case.onnx", "case")):
        p = c.run([model, "--output-dir", folder])
        c.expect(f"colliding output names ({model}) refused", p.returncode == 2 and "would both be written" in p.stderr
                 and not os.path.exists(os.path.join(work, folder)), p.stderr)

    # 3. A symbolic link at the target is never followed.
    o = c.folder("link")
    victim = os.path.join(work, "victim.txt")
    with open(victim, "w") as f:
        f.write("keep me\n")
    os.symlink("../victim.txt", os.path.join(o, "y.npy"))
    p = c.run(["simple.onnx", "--output-dir", "link"])
    c.expect("symlink target refused", p.returncode == 2 and "symbolic link" in p.stderr, p.stderr)
    c.expect("symlink's file untouched", open(victim).read() == "keep me\n" and os.path.islink(os.path.join(o, "y.npy")))

    # 4. A hard link to an --input file (or to the model) is the same file: refused.
    o = c.folder("hard")
    os.link(os.path.join(work, "in.npy"), os.path.join(o, "y.npy"))
    p = c.run(["simple.onnx", "--input", "x=in.npy", "--output-dir", "hard"])
    c.expect("hard link to an input refused", p.returncode == 2 and "same file as input file" in p.stderr, p.stderr)
    c.expect("the input is unchanged", np.array_equal(np.load(os.path.join(work, "in.npy")), x))
    o = c.folder("model_link")
    os.link(os.path.join(work, "simple.onnx"), os.path.join(o, "y.npy"))
    before = open(os.path.join(work, "simple.onnx"), "rb").read()
    p = c.run(["simple.onnx", "--output-dir", "model_link", "--overwrite"])
    c.expect("hard link to the model refused, even with --overwrite", p.returncode == 2 and "the model" in p.stderr
             and open(os.path.join(work, "simple.onnx"), "rb").read() == before, p.stderr)

    # 5. A fifo (or any non-regular file) at the target is refused without opening it.
    o = c.folder("fifo")
    os.mkfifo(os.path.join(o, "y.npy"))
    p = c.run(["simple.onnx", "--output-dir", "fifo"])
    c.expect("fifo target refused", p.returncode == 2 and "not a regular file" in p.stderr, p.stderr)

    # 6. Replacing: an earlier .npy output is replaced and the run says so; a file that is not a .npy needs
    #    --overwrite; all targets are checked before the first is written.
    o = c.folder("replace")
    np.save(os.path.join(o, "y.npy"), previous)
    p = c.run(["simple.onnx", "--input", "x=in.npy", "--output-dir", "replace"])
    c.expect("an existing .npy is replaced, and said", p.returncode == 0 and "replaced " in p.stdout and
             np.array_equal(np.load(os.path.join(o, "y.npy")), np.maximum(x, 0)), p.stdout + p.stderr)
    with open(os.path.join(o, "y.npy"), "w") as f:
        f.write("my notes\n")
    p = c.run(["simple.onnx", "--output-dir", "replace"])
    c.expect("a non-.npy file is kept without --overwrite", p.returncode == 2 and "--overwrite" in p.stderr and
             open(os.path.join(o, "y.npy")).read() == "my notes\n", p.stderr)
    p = c.run(["simple.onnx", "--input", "x=in.npy", "--output-dir", "replace", "--overwrite"])
    c.expect("--overwrite replaces it", p.returncode == 0 and
             np.array_equal(np.load(os.path.join(o, "y.npy")), np.maximum(x, 0)), p.stderr)
    c.expect("replaced file has ordinary permissions", (os.stat(os.path.join(o, "y.npy")).st_mode & 0o777) == 0o644)
    o = c.folder("fresh")
    p = c.run(["simple.onnx", "--output-dir", "fresh"])
    c.expect("a new file says 'wrote'", p.returncode == 0 and "wrote " in p.stdout and no_temporaries(o), p.stdout)

    print(f"{len(c.failures)} failed" if c.failures else "all output-file cases passed")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
