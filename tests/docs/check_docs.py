#!/usr/bin/python3
"""Checks that the generated documentation matches the program that generates it.

  check_docs.py generated --webconv WEBCONV --doc docs/ops.md -- inspect --ops --markdown
      fails when the file differs from `webconv inspect --ops --markdown`, printing the first
      difference and the command that regenerates the file.
  check_docs.py env --source-dir SRC --doc docs/cli.md
      fails when a "WEBCONV_*" name that src/ reads is missing from the CLI reference.
  check_docs.py help --webconv WEBCONV
      every command the usage lists answers `webconv COMMAND --help` and `webconv help COMMAND` with
      exit 0 and the same text, which names each of its options.
"""
import argparse
import difflib
import os
import re
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check_generated(a):
    rc, out, err = run([a.webconv] + a.args)
    if rc != 0:
        print(f"FAIL: webconv {' '.join(a.args)} exited {rc}: {err.strip()}")
        return 1
    with open(a.doc, encoding="utf-8") as f:
        have = f.read()
    if have == out:
        print(f"ok: {a.doc} matches `webconv {' '.join(a.args)}` ({len(out.splitlines())} lines)")
        return 0
    diff = list(difflib.unified_diff(have.splitlines(), out.splitlines(), a.doc, "generated", lineterm="", n=1))
    print(f"FAIL: {a.doc} is stale: it differs from `webconv {' '.join(a.args)}`. First differences:")
    print("\n".join(diff[:40]))
    rel = os.path.relpath(a.doc, a.source_dir) if a.source_dir else a.doc
    print(f"\nRegenerate it from the repository root with:\n  build/webconv {' '.join(a.args)} > {rel}")
    return 1


def check_env(a):
    names = set()
    for root, _, files in os.walk(os.path.join(a.source_dir, "src")):
        for fn in files:
            if fn.endswith((".cc", ".h")) and not fn.endswith("_test.cc"):
                with open(os.path.join(root, fn), encoding="utf-8", errors="replace") as f:
                    names.update(re.findall(r'getenv\("([A-Z0-9_]+)"\)', f.read()))
    with open(a.doc, encoding="utf-8") as f:
        doc = f.read()
    missing = sorted(n for n in names if f"`{n}`" not in doc and f"{n}," not in doc)
    print(f"environment variables read through getenv in src/: {', '.join(sorted(names))}")
    if not names:
        print("FAIL: found no getenv(\"...\") call in src/: the scan is broken")
        return 1
    if missing:
        print(f"FAIL: not documented in {a.doc}: {', '.join(missing)} (add them to kEnvVars in "
              "src/cli/cli_reference.cc and regenerate)")
        return 1
    print(f"ok: every one is in {a.doc}")
    return 0


def check_help(a):
    rc, usage, err = run([a.webconv, "help"])
    if rc != 0:
        print(f"FAIL: webconv help exited {rc}: {err.strip()}")
        return 1
    commands = re.findall(r"^  ([a-z][a-z-]*) ", usage, re.M)
    if len(commands) < 5:
        print(f"FAIL: expected the usage to list at least 5 commands, found {commands}:\n{usage}")
        return 1
    bad = 0
    for c in commands:
        rc1, h1, e1 = run([a.webconv, c, "--help"])
        rc2, h2, e2 = run([a.webconv, "help", c])
        options = re.findall(r"^  --([a-z-]+)", h1, re.M)
        synopsis = re.search(r"^usage: webconv " + re.escape(c) + r"\b.*$", h1, re.M)
        ok = rc1 == 0 and rc2 == 0 and h1 == h2 and synopsis is not None
        ok = ok and all(f"[--{o}" in synopsis.group(0) for o in options)
        print(f"{'ok' if ok else 'FAIL'}: {c}: --help rc {rc1}, help rc {rc2}, options {options}")
        if not ok:
            print(h1 + e1 + h2 + e2)
            bad += 1
        # An option the table does not list is still refused (exit 2).
        rc3, _, e3 = run([a.webconv, c, "--no-such-option", "x"])
        if rc3 != 2 or "unknown option --no-such-option" not in e3:
            print(f"FAIL: {c} --no-such-option: exit {rc3}, stderr {e3.strip()!r}")
            bad += 1
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["generated", "env", "help"])
    p.add_argument("--webconv")
    p.add_argument("--doc")
    p.add_argument("--source-dir")
    argv = sys.argv[1:]
    rest = []
    if "--" in argv:  # the webconv arguments follow "--"
        rest = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    a = p.parse_args(argv)
    a.args = rest
    return {"generated": check_generated, "env": check_env, "help": check_help}[a.mode](a)


if __name__ == "__main__":
    sys.exit(main())
