#!/usr/bin/env python3
"""Record CPython's compile-error output for every program in tests/errors/.

Each tests/errors/NAME.mpy holds one compile-time error. This runs `python3.7 NAME.mpy` and
`python3.11 NAME.mpy` (cwd tests/errors) and writes NAME.stderr37 and NAME.stderr311:

    # exit: <exit status>
    <stderr verbatim>

3.9+ prints the script path absolutely; this checkout's directory is stripped so the files do
not depend on where the repository lives (3.7 prints the bare name, so .stderr37 is exact).
minipy must reproduce .stderr37 (tests/errors.rs); .stderr311 only shows which messages changed
later. Under 3.7 the program must fail with empty stdout, or it is reported as an error.

    python3 scripts/record_errors37.py [--check] [--only 37|311] [NAME ...]

Interpreters are found as $PYTHON37 / $PYTHON311, a pyenv 3.X.*, or python3.X on PATH.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recording  # noqa: E402

PROG = "record_errors37"
ERR_DIR = os.path.join(recording.ROOT, "tests", "errors")
# version tag -> (major.minor, output suffix)
VERSIONS = {"37": ("3.7", ".stderr37"), "311": ("3.11", ".stderr311")}


def main():
    args = recording.arguments(__doc__, lambda ap: ap.add_argument(
        "--only", choices=sorted(VERSIONS), help="record only this version's files"))
    suffixes = [v[1] for v in VERSIONS.values()]
    programs = recording.select_programs(PROG, ERR_DIR, args.names, suffixes)
    tags = [args.only] if args.only else ["37", "311"]
    exes = {tag: recording.find_python(PROG, VERSIONS[tag][0], "PYTHON" + tag) for tag in tags}

    def stderr_of(tag, name):
        proc = recording.run([exes[tag], name + recording.SUFFIX], ERR_DIR)
        if tag == "37" and (proc.returncode == 0 or proc.stdout):
            raise recording.RecordError(
                "%s: python3.7 did not fail at compile time (exit %d, %d bytes of stdout)"
                % (name, proc.returncode, len(proc.stdout)))
        stderr = proc.stderr
        for d in sorted({ERR_DIR, os.path.realpath(ERR_DIR)}, key=len, reverse=True):
            stderr = stderr.replace(('File "%s%s' % (d, os.sep)).encode("utf-8"), b'File "')
        return ("# exit: %d\n" % proc.returncode).encode("ascii") + stderr

    jobs = [(name + VERSIONS[tag][1], lambda tag=tag, name=name: stderr_of(tag, name))
            for name in programs for tag in tags]
    return recording.sync(PROG, ERR_DIR, jobs, args.check, suffixes, not args.names)


if __name__ == "__main__":
    sys.exit(main())
