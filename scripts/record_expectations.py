#!/usr/bin/env python3
"""Record CPython's behaviour for every program in tests/programs/.

For each tests/programs/NAME.mpy this runs

    python3 NAME.mpy            (cwd = tests/programs, PYTHONHASHSEED=0, timeout 60 s)

and writes tests/programs/NAME.expected:

    # exit: <exit status>
    # exception: <last non-empty stderr line, or nothing>
    <stdout verbatim>

Programs listed in scripts/expect37_overrides.txt are skipped: their
.expected files are written by hand with CPython 3.7's output (minipy follows
3.7 where 3.7 and later versions differ).

Usage:
    python3 scripts/record_expectations.py                # record all programs
    python3 scripts/record_expectations.py NAME ...       # record only these
    python3 scripts/record_expectations.py --check [NAME ...]
        # record nothing; exit 1 if any .expected would change

Standard library only. Deterministic and idempotent.
"""

import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAMS = os.path.join(ROOT, "tests", "programs")
OVERRIDES = os.path.join(ROOT, "scripts", "expect37_overrides.txt")
TIMEOUT = 60
SUFFIX = ".mpy"


def load_overrides():
    names = set()
    if not os.path.exists(OVERRIDES):
        return names
    with open(OVERRIDES, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.add(normalize(line))
    return names


def normalize(name):
    """Accept 'foo', 'foo.mpy', 'foo.expected' or a path; return 'foo'."""
    name = os.path.basename(name.strip())
    for ext in (SUFFIX, ".expected"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return name


def all_programs():
    return sorted(
        f[: -len(SUFFIX)] for f in os.listdir(PROGRAMS) if f.endswith(SUFFIX)
    )


def python_exe():
    exe = shutil.which("python3")
    if exe is None:
        sys.exit("record_expectations: python3 not found on PATH")
    return exe


def run_program(exe, name):
    """Return the .expected content (bytes) for one program."""
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for var in ("PYTHONSTARTUP", "PYTHONWARNINGS", "PYTHONINSPECT", "PYTHONPATH"):
        env.pop(var, None)
    proc = subprocess.run(
        [exe, name + SUFFIX],
        cwd=PROGRAMS,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=TIMEOUT,
    )
    last = ""
    for line in proc.stderr.decode("utf-8", "replace").splitlines():
        if line.strip():
            last = line.rstrip()
    header = "# exit: %d\n# exception: %s\n" % (proc.returncode, last)
    return header.encode("utf-8") + proc.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if any .expected would change")
    ap.add_argument("names", nargs="*", help="program names (default: all)")
    args = ap.parse_args()

    overrides = load_overrides()
    programs = all_programs()
    if args.names:
        wanted = [normalize(n) for n in args.names]
        missing = [n for n in wanted if n not in programs]
        if missing:
            sys.exit("record_expectations: no such program(s): " + ", ".join(missing))
        programs = sorted(set(wanted))

    exe = python_exe()
    changed, unchanged, skipped, errors = [], [], [], []
    for name in programs:
        path = os.path.join(PROGRAMS, name + ".expected")
        if name in overrides:
            skipped.append(name)
            if not os.path.exists(path):
                errors.append("%s: listed in expect37_overrides.txt but has no .expected" % name)
            continue
        try:
            new = run_program(exe, name)
        except subprocess.TimeoutExpired:
            errors.append("%s: timed out after %d s" % (name, TIMEOUT))
            continue
        old = None
        if os.path.exists(path):
            with open(path, "rb") as f:
                old = f.read()
        if old == new:
            unchanged.append(name)
            continue
        changed.append(name)
        if args.check:
            print("would change: %s.expected" % name)
        else:
            with open(path, "wb") as f:
                f.write(new)

    orphans = []
    if not args.names:
        known = set(all_programs())
        orphans = sorted(
            f for f in os.listdir(PROGRAMS)
            if f.endswith(".expected") and normalize(f) not in known
        )
        for f in orphans:
            print("warning: %s has no matching %s program" % (f, SUFFIX))
    for e in errors:
        print("error: " + e)

    verb = "would change" if args.check else "written"
    print("record_expectations: %d programs, %d %s, %d unchanged, "
          "%d 3.7 overrides skipped, %d errors%s"
          % (len(programs), len(changed), verb, len(unchanged), len(skipped),
             len(errors), (", %d orphan .expected" % len(orphans)) if orphans else ""))
    if errors or (args.check and changed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
