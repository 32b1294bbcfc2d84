#!/usr/bin/env python3
"""Record CPython 3.7's `dis` listing for every program in tests/dis/.

For each tests/dis/NAME.mpy this runs

    python3.7 -m dis NAME.mpy     (cwd = tests/dis, PYTHONHASHSEED=0, timeout 60 s)

and writes tests/dis/NAME.dis37 with the exact stdout, except that code
object addresses are normalised: every `at 0x<hex>` becomes `at 0x...`
(addresses are not reproducible; the Rust test applies the same rewrite to
minipy's output before comparing). Code-object reprs say `file "NAME.mpy"`
because the bare file name is passed.

Usage (any Python >= 3.6; it shells out to CPython 3.7):
    python3 scripts/record_dis37.py                  # record all programs
    python3 scripts/record_dis37.py NAME ...         # record only these
    python3 scripts/record_dis37.py --check [NAME ...]
        # write nothing; exit 1 if any .dis37 would change (or is missing)

CPython 3.7 is looked up as: $PYTHON37, then
/root/.pyenv/versions/3.7.*/bin/python3.7, ~/.pyenv/versions/3.7.*/bin/python3.7,
then python3.7 on PATH; the candidate must report version 3.7. The .dis37 files
are committed, so only re-recording needs 3.7 (CI does not).

Standard library only. Deterministic and idempotent.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIS_DIR = os.path.join(ROOT, "tests", "dis")
TIMEOUT = 60
SUFFIX = ".mpy"
OUT_SUFFIX = ".dis37"
PROG = "record_dis37"
ADDR_RE = re.compile(rb"at 0x[0-9a-f]+")


def normalize(name):
    """Accept 'foo', 'foo.mpy', 'foo.dis37' or a path; return 'foo'."""
    name = os.path.basename(name.strip())
    for ext in (SUFFIX, OUT_SUFFIX):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return name


def all_programs():
    return sorted(
        f[: -len(SUFFIX)] for f in os.listdir(DIS_DIR) if f.endswith(SUFFIX)
    )


def clean_env():
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for var in ("PYTHONSTARTUP", "PYTHONWARNINGS", "PYTHONINSPECT",
                "PYTHONPATH", "PYTHONHOME", "PYTHONOPTIMIZE", "PYTHONDEBUG"):
        env.pop(var, None)
    return env


def is_python37(exe):
    try:
        proc = subprocess.run(
            [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=clean_env(), timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0 and proc.stdout.strip() == b"3.7"


def find_python37():
    candidates = []
    if os.environ.get("PYTHON37"):
        candidates.append(os.environ["PYTHON37"])
    for pattern in ("/root/.pyenv/versions/3.7.*/bin/python3.7",
                    os.path.expanduser("~/.pyenv/versions/3.7.*/bin/python3.7")):
        candidates.extend(sorted(glob.glob(pattern), reverse=True))
    on_path = shutil.which("python3.7")
    if on_path:
        candidates.append(on_path)
    seen = set()
    for exe in candidates:
        if exe in seen:
            continue
        seen.add(exe)
        if is_python37(exe):
            return exe
    sys.exit(
        "%s: CPython 3.7 not found (tried: %s).\n"
        "Set PYTHON37=/path/to/python3.7. The committed %s files do not need "
        "3.7; only re-recording does." % (PROG, ", ".join(candidates) or "nothing", OUT_SUFFIX))


def record(exe, name):
    """Return (content bytes, error string or None) for one program."""
    proc = subprocess.run(
        [exe, "-m", "dis", name + SUFFIX],
        cwd=DIS_DIR, env=clean_env(), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    if proc.returncode != 0 or proc.stderr:
        last = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, "%s: python3.7 -m dis exited %d: %s" % (
            name, proc.returncode, last[-1] if last else "(no stderr)")
    return ADDR_RE.sub(b"at 0x...", proc.stdout), None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if any %s would change" % OUT_SUFFIX)
    ap.add_argument("names", nargs="*", help="program names (default: all)")
    args = ap.parse_args()

    programs = all_programs()
    if args.names:
        wanted = [normalize(n) for n in args.names]
        missing = [n for n in wanted if n not in programs]
        if missing:
            sys.exit("%s: no such program(s) in tests/dis: %s" % (PROG, ", ".join(missing)))
        programs = sorted(set(wanted))

    exe = find_python37()
    changed, unchanged, errors = [], [], []
    for name in programs:
        path = os.path.join(DIS_DIR, name + OUT_SUFFIX)
        try:
            new, err = record(exe, name)
        except subprocess.TimeoutExpired:
            new, err = None, "%s: timed out after %d s" % (name, TIMEOUT)
        if err:
            errors.append(err)
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
            print("would change: %s%s" % (name, OUT_SUFFIX))
        else:
            with open(path, "wb") as f:
                f.write(new)

    orphans = []
    if not args.names:
        known = set(all_programs())
        orphans = sorted(f for f in os.listdir(DIS_DIR)
                         if f.endswith(OUT_SUFFIX) and normalize(f) not in known)
        for f in orphans:
            print("warning: %s has no matching %s program" % (f, SUFFIX))
    for e in errors:
        print("error: " + e)

    verb = "would change" if args.check else "written"
    print("%s: %d programs, %d %s, %d unchanged, %d errors%s"
          % (PROG, len(programs), len(changed), verb, len(unchanged), len(errors),
             (", %d orphan %s" % (len(orphans), OUT_SUFFIX)) if orphans else ""))
    if errors or (args.check and changed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
