#!/usr/bin/env python3
"""Record CPython 3.7's stdout and stderr as ONE stream for every program in tests/merged/.

For each tests/merged/NAME.mpy this runs `python3.7 -u NAME.mpy 2>&1` (cwd tests/merged) and
writes NAME.merged37: the merged output, then `# exit: N`. tests/runtime.rs requires minipy,
run the same way, to print exactly this, so the ORDER of a traceback and the output around it
is checked (the other recordings keep the two streams apart).

    python3 scripts/record_merged37.py [--check] [NAME ...]
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recording  # noqa: E402

PROG = "record_merged37"
DIR = os.path.join(recording.ROOT, "tests", "merged")
OUT = ".merged37"


def main():
    args = recording.arguments(__doc__)
    programs = recording.select_programs(PROG, DIR, args.names, [OUT])
    exe = recording.find_python(PROG, "3.7", "PYTHON37")

    def report(name):
        try:
            proc = subprocess.run([exe, "-u", name + recording.SUFFIX], cwd=DIR,
                                  env=recording.clean_env(), stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=recording.TIMEOUT)
        except subprocess.TimeoutExpired:
            raise recording.RecordError("%s: timed out" % name)
        return proc.stdout + b"# exit: %d\n" % proc.returncode

    jobs = [(name + OUT, lambda name=name: report(name)) for name in programs]
    return recording.sync(PROG, DIR, jobs, args.check, [OUT], not args.names)


if __name__ == "__main__":
    sys.exit(main())
