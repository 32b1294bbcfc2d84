#!/usr/bin/env python3
"""The explorer's benchmark: `minipy explore` against frontrun 0.7 in the same run.

Two threads each add 1 to `c.value` N times (frontrun's README example; tests/explore/
counterN.mpy); both tools explore every interleaving with DPOR and no preemption bound.
frontrun is installed from PyPI into a throwaway virtualenv (deleted afterwards); if that
fails (no network, say), its columns are skipped with a message. Times are wall times of
whole processes (startup included for both), the median of --runs. Also: schedules per
second of `--strategy random` on N = 1. This is a benchmark, not a test.

    scripts/bench_explore.py [--runs N] [--binary PATH]

scripts/bench runs it too (`scripts/bench explore`).
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COUNTER = os.path.join(ROOT, "tests", "explore", "counter{}.mpy")

FRONTRUN_PROGRAM = """
import sys
import frontrun

N = int(sys.argv[1])

class Counter:
    def __init__(self):
        self.value = 0

    def increment(self):
        for _ in range(N):
            self.value += 1

result = frontrun.explore(setup=Counter, workers=Counter.increment, count=2,
                          invariant=lambda c: True, preemption_bound=None,
                          stop_on_first=False)
print(result.num_explored)
"""


def timed(cmd, **kw):
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    return time.perf_counter() - start, proc


def install_frontrun(where):
    """A virtualenv with frontrun 0.7 in `where`; None (with a message) if it cannot be made."""
    try:
        subprocess.run([sys.executable, "-m", "venv", where], check=True, capture_output=True)
        pip = os.path.join(where, "bin", "pip")
        subprocess.run([pip, "install", "-q", "frontrun==0.7.0"], check=True,
                       capture_output=True, timeout=300)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
        print("frontrun: could not install it into a virtualenv (%s); its columns are skipped"
              % e.__class__.__name__)
        return None
    return os.path.join(where, "bin")


def run(minipy, runs):
    venv = tempfile.mkdtemp(prefix="minipy-bench-frontrun-")
    try:
        bin_dir = install_frontrun(venv)
        program = os.path.join(venv, "counter.py")
        with open(program, "w") as f:
            f.write(FRONTRUN_PROGRAM)
        print("%-34s %10s %9s %14s %10s %8s" % (
            "explore: 2 threads x N c.value += 1", "minipy (s)", "schedules",
            "frontrun (s)", "schedules", "ratio"))
        for n in (1, 2, 3):
            ours, counted = [], "?"
            for _ in range(runs):
                t, p = timed([minipy, "explore", COUNTER.format(n)])
                ours.append(t)
                m = re.search(r"^(\d+) schedules", p.stdout, re.M)
                counted = m.group(1) if m else "?"
            a = statistics.median(ours)
            if bin_dir is None:
                print("%-34s %10.3f %9s" % ("N = %d" % n, a, counted))
                continue
            theirs, explored = [], "?"
            # frontrun takes seconds at N = 3: fewer runs there.
            for _ in range(runs if n < 3 else max(1, runs // 2)):
                t, p = timed([os.path.join(bin_dir, "frontrun"),
                              os.path.join(bin_dir, "python"), program, str(n)], cwd=venv)
                theirs.append(t)
                explored = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else "failed"
            b = statistics.median(theirs)
            print("%-34s %10.3f %9s %14.3f %10s %7.0fx" % (
                "N = %d" % n, a, counted, b, explored, b / a))
        rates = []
        for _ in range(runs):
            _, p = timed([minipy, "explore", "--strategy", "random", "--max-schedules",
                          "100000", COUNTER.format(1)])
            m = re.search(r"([\d.]+) schedules/s", p.stderr)
            if m:
                rates.append(float(m.group(1)))
        if rates:
            print("%-34s %10.0f schedules/s (median of %d, %d cores)" % (
                "random, N = 1", statistics.median(rates), len(rates), os.cpu_count()))
    finally:
        shutil.rmtree(venv, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--binary", help="a minipy binary (default: build target/release/minipy)")
    args = ap.parse_args()
    minipy = args.binary
    if not minipy:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        minipy = os.path.join(ROOT, "target", "release", "minipy")
    run(os.path.abspath(minipy), args.runs)


if __name__ == "__main__":
    main()
