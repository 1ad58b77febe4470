#!/usr/bin/python3
"""Runs the commands of a documentation page and checks the output it quotes.

    check_examples.py --doc docs/differences-from-ort-web.md --webconv BIN --workdir DIR [--node NODE]

The page's ```sh blocks are read as: command lines, each followed by the lines of its output that the
page quotes ('#   TEXT'). Every quoted line must occur in the command's output (stdout and stderr),
where '...' stands for any text and a number like 2.384e-07 for any number in that notation (error
magnitudes may move when kernels change; the page's claims may not). Assignments (NAME=VALUE, export)
carry over to every later command of the page. A block after '<!-- docs-test: skip ... -->' is not run.
Paths: build/webconv is BIN; /tmp/dm and /tmp/cli are folders under DIR; node is NODE.
Commands run from the repository root, at most 60 s each. Exit 1 when any quoted line is missing.
"""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCI = r"[-+]?\d\.\d+e[-+]\d+"


def blocks(text):
    """Yields (line number, [lines]) for each ```sh block not marked skip."""
    lines = text.split("\n")
    i, skip = 0, False
    while i < len(lines):
        s = lines[i].strip()
        if s.startswith("<!-- docs-test: skip"):
            skip = True
        elif s == "```sh":
            start, body = i + 1, []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i].strip())
                i += 1
            if not skip:
                yield start + 1, body
            skip = False
        i += 1


def pattern(expected):
    parts = []
    for piece in re.split(r"(\.\.\.|" + SCI + ")", " ".join(expected.split())):
        if piece == "...":
            parts.append(".*?")
        elif re.fullmatch(SCI, piece or "x"):
            parts.append(SCI)
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--doc", required=True)
    p.add_argument("--webconv", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--node", default="node")
    a = p.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    subst = [("build/webconv", os.path.abspath(a.webconv)), ("/tmp/dm", os.path.join(a.workdir, "dm")),
             ("/tmp/cli", os.path.join(a.workdir, "cli")), ("node ", a.node + " ")]
    with open(a.doc, encoding="utf-8") as f:
        text = f.read()
    failures = commands = 0
    t_all = time.monotonic()
    prefix = []
    for lineno, body in blocks(text):
        steps = []  # (command, [expected lines])
        for line in body:
            if line.startswith("#"):
                if steps and line.startswith("#   "):
                    quoted = line[4:].strip()
                    for old, new in subst[:3]:
                        quoted = quoted.replace(old, new)
                    steps[-1][1].append(quoted)
                continue
            if not line:
                continue
            for old, new in subst:
                line = line.replace(old, new)
            if re.match(r"^(export )?[A-Z_]+=\S+$", line):
                prefix.append(line if line.startswith("export ") else "export " + line)
                continue
            steps.append((line, []))
        for cmd, expected in steps:
            commands += 1
            t0 = time.monotonic()
            try:
                r = subprocess.run(["bash", "-c", "\n".join(prefix + [cmd])], cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, timeout=60)
                out = r.stdout
            except subprocess.TimeoutExpired as e:
                out = (e.stdout or b"").decode(errors="replace") + "\n[timed out after 60 s]"
            flat = " ".join(out.split())
            missing = [e for e in expected if not pattern(e).search(flat)]
            print(f"[{time.monotonic() - t0:5.1f} s] {'FAIL' if missing else 'ok  '} {a.doc}:{lineno}: {cmd}")
            if missing:
                failures += 1
                for e in missing:
                    print(f"    quoted but not in the output: {e}")
                print("    output:\n      " + "\n      ".join(out.strip().split("\n")[-15:]))
    print(f"{commands} commands, {failures} with missing output, {time.monotonic() - t_all:.1f} s")
    if commands == 0:
        print("FAIL: no ```sh command found")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
