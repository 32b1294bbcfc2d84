#!/usr/bin/env python3
"""Record CPython 3.7's report of an uncaught exception for every program in tests/tracebacks/.

For each tests/tracebacks/NAME.mpy this runs `python3.7 NAME.mpy` (cwd tests/tracebacks) and
writes NAME.out37: `# exit: N`, then stdout, then `# stderr`, then stderr verbatim.
tests/runtime.rs requires minipy to print exactly this.

    python3 scripts/record_tracebacks37.py [--check] [NAME ...]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recording  # noqa: E402

PROG = "record_tracebacks37"
DIR = os.path.join(recording.ROOT, "tests", "tracebacks")
OUT = ".out37"


def main():
    args = recording.arguments(__doc__)
    programs = recording.select_programs(PROG, DIR, args.names, [OUT])
    exe = recording.find_python(PROG, "3.7", "PYTHON37")

    def report(name):
        proc = recording.run([exe, name + recording.SUFFIX], DIR)
        return b"# exit: %d\n" % proc.returncode + proc.stdout + b"# stderr\n" + proc.stderr

    jobs = [(name + OUT, lambda name=name: report(name)) for name in programs]
    return recording.sync(PROG, DIR, jobs, args.check, [OUT], not args.names)


if __name__ == "__main__":
    sys.exit(main())
