#!/usr/bin/env python3
"""Record CPython 3.7's interactive sessions for tests/repl.

Each tests/repl/NAME.mpy holds the lines a user types at the prompt. This runs
`python3.7 -q -i < NAME.mpy` (cwd tests/repl: prompts on stderr, results on stdout) and
writes tests/repl/NAME.expected:

    # exit: <exit status>
    ---- stdout ----
    <stdout>
    ---- stderr ----
    <stderr: the prompts, tracebacks and syntax errors>

with object addresses (` at 0x7f...`) written as ` at 0x...`, since they differ on every
run. tests/repl.rs runs `minipy -q -i < NAME.mpy` and requires the same text.

    python3 scripts/record_repl37.py [--check] [NAME ...]
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recording  # noqa: E402

PROG = "record_repl37"
OUT = ".expected"
DIRECTORY = os.path.join(recording.ROOT, "tests", "repl")


def masked(text):
    return re.sub(r" at 0x[0-9a-f]+", " at 0x...", text)


def main():
    args = recording.arguments(__doc__)
    sessions = recording.select_programs(PROG, DIRECTORY, args.names, [OUT])
    exe = recording.find_python(PROG, "3.7", "PYTHON37")

    def expected(name):
        with open(os.path.join(DIRECTORY, name + recording.SUFFIX), "rb") as typed:
            try:
                proc = subprocess.run([exe, "-q", "-i"], cwd=DIRECTORY, env=recording.clean_env(),
                                      stdin=typed, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      timeout=recording.TIMEOUT)
            except subprocess.TimeoutExpired:
                raise recording.RecordError("%s: timed out" % name)
        text = "# exit: %d\n---- stdout ----\n%s---- stderr ----\n%s" % (
            proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))
        return masked(text).encode("utf-8")

    jobs = [(name + OUT, lambda name=name: expected(name)) for name in sessions]
    return recording.sync(PROG, DIRECTORY, jobs, args.check, [OUT], not args.names)


if __name__ == "__main__":
    sys.exit(main())
