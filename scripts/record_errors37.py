#!/usr/bin/env python3
"""Record CPython's compile-error output for every program in tests/errors/.

Each tests/errors/NAME.mpy holds exactly one compile-time error. For each one
this runs

    python3.7  NAME.mpy     (cwd = tests/errors, PYTHONHASHSEED=0, timeout 60 s)
    python3.11 NAME.mpy     (same, for comparison only)

and writes tests/errors/NAME.stderr37 (and NAME.stderr311):

    # exit: <exit status>
    <stderr verbatim>

(except that `File "/abs/path/to/tests/errors/NAME.mpy"`, which 3.9+ prints
because it makes the script path absolute, is shortened to `File "NAME.mpy"`;
3.7 prints the bare name anyway, so .stderr37 files are byte-exact.)

minipy must reproduce the .stderr37 files exactly; the .stderr311 files only
show which messages changed in later versions. For 3.7 the run must fail with
empty stdout (otherwise the program did not stop at compile time and is
reported as an error); 3.11 may accept a program (e.g. `continue` in
`finally`), and then records its exit status and (empty) stderr as they are.

Usage (any Python >= 3.6; it shells out to CPython 3.7 and 3.11):
    python3 scripts/record_errors37.py                  # record all programs
    python3 scripts/record_errors37.py NAME ...         # record only these
    python3 scripts/record_errors37.py --check [NAME ...]
        # write nothing; exit 1 if any file would change (or is missing)
    python3 scripts/record_errors37.py --only 37        # skip the 3.11 files
                                      (--only 311 skips the 3.7 files)

Interpreters are looked up as: $PYTHON37 / $PYTHON311, then
/root/.pyenv/versions/3.X.*/bin/python3.X, ~/.pyenv/versions/3.X.*/bin/python3.X,
then python3.X on PATH; a candidate must report the right version. The
recorded files are committed, so only re-recording needs these interpreters.

Standard library only. Deterministic and idempotent.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ERR_DIR = os.path.join(ROOT, "tests", "errors")
TIMEOUT = 60
SUFFIX = ".mpy"
PROG = "record_errors37"
# version tag -> (major.minor, output suffix)
VERSIONS = {"37": ("3.7", ".stderr37"), "311": ("3.11", ".stderr311")}


def normalize(name):
    """Accept 'foo', 'foo.mpy', 'foo.stderr37', 'foo.stderr311' or a path."""
    name = os.path.basename(name.strip())
    for ext in (SUFFIX,) + tuple(v[1] for v in VERSIONS.values()):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return name


def all_programs():
    return sorted(
        f[: -len(SUFFIX)] for f in os.listdir(ERR_DIR) if f.endswith(SUFFIX)
    )


def clean_env():
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for var in ("PYTHONSTARTUP", "PYTHONWARNINGS", "PYTHONINSPECT", "PYTHONPATH",
                "PYTHONHOME", "PYTHONOPTIMIZE", "PYTHONDEBUG", "PYTHONDEVMODE",
                "PYTHONFAULTHANDLER", "PYTHONTRACEMALLOC", "PYTHONUTF8",
                "PYTHONCOERCECLOCALE", "PYTHONNODEBUGRANGES"):
        env.pop(var, None)
    return env


def has_version(exe, want):
    try:
        proc = subprocess.run(
            [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=clean_env(), timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0 and proc.stdout.strip() == want.encode()


def find_python(tag):
    want = VERSIONS[tag][0]
    var = "PYTHON" + tag
    candidates = []
    if os.environ.get(var):
        candidates.append(os.environ[var])
    for pattern in ("/root/.pyenv/versions/%s.*/bin/python%s" % (want, want),
                    os.path.expanduser("~/.pyenv/versions/%s.*/bin/python%s" % (want, want))):
        candidates.extend(sorted(glob.glob(pattern), reverse=True))
    on_path = shutil.which("python" + want)
    if on_path:
        candidates.append(on_path)
    seen = set()
    for exe in candidates:
        if exe in seen:
            continue
        seen.add(exe)
        if has_version(exe, want):
            return exe
    sys.exit(
        "%s: CPython %s not found (tried: %s).\n"
        "Set %s=/path/to/python%s, or pass --only to skip this version. The committed "
        "%s files do not need it; only re-recording does."
        % (PROG, want, ", ".join(candidates) or "nothing", var, want, VERSIONS[tag][1]))


def record(exe, tag, name):
    """Return (content bytes, error string or None) for one program."""
    proc = subprocess.run(
        [exe, name + SUFFIX], cwd=ERR_DIR, env=clean_env(),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        timeout=TIMEOUT)
    if tag == "37" and (proc.returncode == 0 or proc.stdout):
        return None, ("%s: python3.7 did not fail at compile time (exit %d, %d bytes "
                      "of stdout)" % (name, proc.returncode, len(proc.stdout)))
    stderr = proc.stderr
    # 3.9+ makes the script path absolute in tracebacks; strip this checkout's
    # directory so the recorded files do not depend on where the repo lives.
    for d in sorted({ERR_DIR, os.path.realpath(ERR_DIR)}, key=len, reverse=True):
        stderr = stderr.replace(('File "%s%s' % (d, os.sep)).encode("utf-8"), b'File "')
    return ("# exit: %d\n" % proc.returncode).encode("ascii") + stderr, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if any recorded file would change")
    ap.add_argument("--only", choices=sorted(VERSIONS),
                    help="record only this version's files (37 or 311)")
    ap.add_argument("names", nargs="*", help="program names (default: all)")
    args = ap.parse_args()

    programs = all_programs()
    if args.names:
        wanted = [normalize(n) for n in args.names]
        missing = [n for n in wanted if n not in programs]
        if missing:
            sys.exit("%s: no such program(s) in tests/errors: %s" % (PROG, ", ".join(missing)))
        programs = sorted(set(wanted))

    tags = [args.only] if args.only else ["37", "311"]
    exes = {tag: find_python(tag) for tag in tags}
    changed, unchanged, errors = [], [], []
    for name in programs:
        for tag in tags:
            out = name + VERSIONS[tag][1]
            path = os.path.join(ERR_DIR, out)
            try:
                new, err = record(exes[tag], tag, name)
            except subprocess.TimeoutExpired:
                new, err = None, "%s: python%s timed out after %d s" % (
                    name, VERSIONS[tag][0], TIMEOUT)
            if err:
                errors.append(err)
                continue
            old = None
            if os.path.exists(path):
                with open(path, "rb") as f:
                    old = f.read()
            if old == new:
                unchanged.append(out)
                continue
            changed.append(out)
            if args.check:
                print("would change: " + out)
            else:
                with open(path, "wb") as f:
                    f.write(new)

    orphans = []
    if not args.names:
        known = set(all_programs())
        suffixes = tuple(v[1] for v in VERSIONS.values())
        orphans = sorted(f for f in os.listdir(ERR_DIR)
                         if f.endswith(suffixes) and normalize(f) not in known)
        for f in orphans:
            print("warning: %s has no matching %s program" % (f, SUFFIX))
    for e in errors:
        print("error: " + e)

    verb = "would change" if args.check else "written"
    print("%s: %d programs, %d files %s, %d unchanged, %d errors%s"
          % (PROG, len(programs), len(changed), verb, len(unchanged), len(errors),
             (", %d orphan files" % len(orphans)) if orphans else ""))
    if errors or (args.check and changed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
