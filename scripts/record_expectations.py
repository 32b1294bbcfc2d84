#!/usr/bin/env python3
"""Record CPython's behaviour for every program in tests/programs/.

For each tests/programs/NAME.mpy this runs `python3 NAME.mpy` (cwd tests/programs) and writes
tests/programs/NAME.expected:

    # exit: <exit status>
    # exception: <last non-empty stderr line, or nothing>
    <stdout verbatim>

Programs listed in scripts/expect37_overrides.txt are skipped: their .expected files are
written by hand with CPython 3.7's output (minipy follows 3.7 where 3.7 and later differ).

    python3 scripts/record_expectations.py [--check] [NAME ...]
"""

import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recording  # noqa: E402

PROG = "record_expectations"
PROGRAMS = os.path.join(recording.ROOT, "tests", "programs")
OVERRIDES = os.path.join(recording.ROOT, "scripts", "expect37_overrides.txt")
OUT = ".expected"


def load_overrides():
    if not os.path.exists(OVERRIDES):
        return set()
    with open(OVERRIDES, encoding="utf-8") as f:
        lines = (line.split("#", 1)[0].strip() for line in f)
        return {recording.program_name(line, [OUT]) for line in lines if line}


def main():
    args = recording.arguments(__doc__)
    programs = recording.select_programs(PROG, PROGRAMS, args.names, [OUT])
    exe = shutil.which("python3") or sys.exit(PROG + ": python3 not found on PATH")
    overrides = load_overrides()
    notes = ["%s: listed in expect37_overrides.txt but has no %s" % (n, OUT)
             for n in sorted(overrides & set(programs))
             if not os.path.exists(os.path.join(PROGRAMS, n + OUT))]

    def expected(name):
        proc = recording.run([exe, name + recording.SUFFIX], PROGRAMS)
        lines = [l.rstrip() for l in proc.stderr.decode("utf-8", "replace").splitlines() if l.strip()]
        header = "# exit: %d\n# exception: %s\n" % (proc.returncode, lines[-1] if lines else "")
        return header.encode("utf-8") + proc.stdout

    jobs = [(name + OUT, lambda name=name: expected(name))
            for name in programs if name not in overrides]
    return recording.sync(PROG, PROGRAMS, jobs, args.check, [OUT], not args.names, notes)


if __name__ == "__main__":
    sys.exit(main())
