#!/usr/bin/env python3
"""Record CPython 3.7's `dis` listing for every program in tests/dis/.

For each tests/dis/NAME.mpy this runs `python3.7 -m dis NAME.mpy` (cwd tests/dis) and writes
tests/dis/NAME.dis37 with its stdout, code object addresses normalised to `at 0x...` (they are
not reproducible; tests/dis.rs rewrites minipy's output the same way before comparing).

    python3 scripts/record_dis37.py [--check] [NAME ...]

CPython 3.7 is found as $PYTHON37, a pyenv 3.7.*, or python3.7 on PATH. The .dis37 files are
committed, so only re-recording needs 3.7.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recording  # noqa: E402

PROG = "record_dis37"
DIS_DIR = os.path.join(recording.ROOT, "tests", "dis")
OUT = ".dis37"
ADDR_RE = re.compile(rb"at 0x[0-9a-f]+")


def main():
    args = recording.arguments(__doc__)
    programs = recording.select_programs(PROG, DIS_DIR, args.names, [OUT])
    exe = recording.find_python(PROG, "3.7", "PYTHON37")

    def listing(name):
        proc = recording.run([exe, "-m", "dis", name + recording.SUFFIX], DIS_DIR)
        if proc.returncode != 0 or proc.stderr:
            last = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise recording.RecordError("%s: python3.7 -m dis exited %d: %s" % (
                name, proc.returncode, last[-1] if last else "(no stderr)"))
        return ADDR_RE.sub(b"at 0x...", proc.stdout)

    jobs = [(name + OUT, lambda name=name: listing(name)) for name in programs]
    return recording.sync(PROG, DIS_DIR, jobs, args.check, [OUT], not args.names)


if __name__ == "__main__":
    sys.exit(main())
