#!/usr/bin/python3
"""Runs a command and asserts its exit code and output.

    expect.py --code N [--stdout REGEX]... [--stderr REGEX]... [--stderr-lines N] -- CMD ARGS...
Each REGEX must match somewhere in the stream (re.search, multiline). Fails on a signal.
"""
import argparse
import re
import subprocess
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--code", type=int, required=True)
    p.add_argument("--stdout", action="append", default=[])
    p.add_argument("--stderr", action="append", default=[])
    p.add_argument("--stderr-lines", type=int)
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    failures = []
    if r.returncode < 0:
        failures.append(f"killed by signal {-r.returncode}")
    if r.returncode != a.code:
        failures.append(f"exit code {r.returncode}, expected {a.code}")
    for rx in a.stdout:
        if not re.search(rx, r.stdout, re.M):
            failures.append(f"stdout does not match /{rx}/")
    for rx in a.stderr:
        if not re.search(rx, r.stderr, re.M):
            failures.append(f"stderr does not match /{rx}/")
    if a.stderr_lines is not None and len(r.stderr.strip().splitlines()) != a.stderr_lines:
        failures.append(f"stderr has {len(r.stderr.strip().splitlines())} lines, expected {a.stderr_lines}")
    for f in failures:
        print("EXPECT FAILED:", f, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
