#!/usr/bin/env python3
"""Record CPython 3.7's output for every program of one corpus folder under tests/.

For each tests/DIR/NAME.mpy this runs `python3.7 NAME.mpy` (cwd tests/DIR) and writes
tests/DIR/NAME.expected in the format of tests/programs (see tests/programs/README.md):

    # exit: <exit status>
    # exception: <last non-empty stderr line, or nothing>
    <stdout verbatim>

Used for the corpora whose reference is 3.7 itself (asyncio, multiprocessing, pickle, the
learner programs), where 3.11 differs too often for the 3.11-plus-overrides scheme of
record_expectations.py.

    python3 scripts/record_corpus37.py DIR [--check] [NAME ...]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recording  # noqa: E402

PROG = "record_corpus37"
OUT = ".expected"


def main():
    args = recording.arguments(__doc__)
    if not args.names:
        sys.exit("%s: name the corpus folder under tests/, e.g. asyncio" % PROG)
    folder, args.names = args.names[0], args.names[1:]
    directory = os.path.join(recording.ROOT, "tests", os.path.basename(folder.rstrip("/")))
    if not os.path.isdir(directory):
        sys.exit("%s: no folder %s" % (PROG, directory))
    programs = recording.select_programs(PROG, directory, args.names, [OUT])
    exe = recording.find_python(PROG, "3.7", "PYTHON37")

    def expected(name):
        proc = recording.run([exe, name + recording.SUFFIX], directory)
        lines = [l.rstrip() for l in proc.stderr.decode("utf-8", "replace").splitlines() if l.strip()]
        header = "# exit: %d\n# exception: %s\n" % (proc.returncode, lines[-1] if lines else "")
        return header.encode("utf-8") + proc.stdout

    jobs = [(name + OUT, lambda name=name: expected(name)) for name in programs]
    return recording.sync(PROG, directory, jobs, args.check, [OUT], not args.names)


if __name__ == "__main__":
    sys.exit(main())
