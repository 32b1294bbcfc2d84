"""Shared machinery of the scripts that record CPython's behaviour into tests/.

Each recorder turns every `tests/DIR/NAME.mpy` into one or more expectation files by running
a CPython on it. This module owns what they have in common: a clean environment, finding a
CPython of a given version, choosing the programs, and writing (or, with --check, comparing)
the files with one summary line. Standard library only.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT = 60
SUFFIX = ".mpy"


class RecordError(Exception):
    """A program could not be recorded; the message names it."""


def clean_env():
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for var in ("PYTHONSTARTUP", "PYTHONWARNINGS", "PYTHONINSPECT",
                "PYTHONPATH", "PYTHONHOME", "PYTHONOPTIMIZE", "PYTHONDEBUG"):
        env.pop(var, None)
    return env


def run(args, cwd):
    """Runs a command with the clean environment and no stdin; raises RecordError on timeout."""
    try:
        return subprocess.run(args, cwd=cwd, env=clean_env(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RecordError("%s: timed out after %d s" % (" ".join(args[1:]), TIMEOUT))


def _has_version(exe, want):
    try:
        proc = subprocess.run(
            [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=clean_env(), timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0 and proc.stdout.strip() == want.encode()


def find_python(prog, want, env_var):
    """A CPython reporting version `want` ("3.7"): $env_var, then pyenv installs, then PATH."""
    candidates = [os.environ[env_var]] if os.environ.get(env_var) else []
    for pattern in ("/root/.pyenv/versions/%s.*/bin/python%s" % (want, want),
                    os.path.expanduser("~/.pyenv/versions/%s.*/bin/python%s" % (want, want))):
        candidates.extend(sorted(glob.glob(pattern), reverse=True))
    candidates.extend(p for p in [shutil.which("python" + want)] if p)
    for exe in dict.fromkeys(candidates):
        if _has_version(exe, want):
            return exe
    sys.exit("%s: CPython %s not found (tried: %s).\nSet %s=/path/to/python%s. The committed "
             "expectations do not need it; only re-recording does."
             % (prog, want, ", ".join(candidates) or "nothing", env_var, want))


def arguments(description, add_extra=None):
    """--check and the optional program names, plus whatever `add_extra(parser)` adds."""
    ap = argparse.ArgumentParser(description=description.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if any recorded file would change")
    ap.add_argument("names", nargs="*", help="program names (default: all)")
    if add_extra:
        add_extra(ap)
    return ap.parse_args()


def program_name(name, out_suffixes):
    """Accepts 'foo', 'foo.mpy', 'foo<out suffix>' or a path; returns 'foo'."""
    name = os.path.basename(name.strip())
    for ext in (SUFFIX,) + tuple(out_suffixes):
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


def select_programs(prog, directory, names, out_suffixes):
    programs = sorted(f[: -len(SUFFIX)] for f in os.listdir(directory) if f.endswith(SUFFIX))
    if not names:
        return programs
    wanted = sorted({program_name(n, out_suffixes) for n in names})
    missing = [n for n in wanted if n not in programs]
    if missing:
        sys.exit("%s: no such program(s) in %s: %s" % (prog, directory, ", ".join(missing)))
    return wanted


def sync(prog, directory, jobs, check, out_suffixes, all_selected, notes=()):
    """Writes (or with `check`, compares) every (file name, produce) job, prints the summary
    and returns the exit status. `produce()` returns the file's bytes or raises RecordError."""
    changed, unchanged, errors = [], [], list(notes)
    for out, produce in jobs:
        try:
            new = produce()
        except RecordError as e:
            errors.append(str(e))
            continue
        path = os.path.join(directory, out)
        old = open(path, "rb").read() if os.path.exists(path) else None
        if old == new:
            unchanged.append(out)
            continue
        changed.append(out)
        if check:
            print("would change: " + out)
        else:
            with open(path, "wb") as f:
                f.write(new)
    if all_selected:
        known = {f[: -len(SUFFIX)] for f in os.listdir(directory) if f.endswith(SUFFIX)}
        for f in sorted(os.listdir(directory)):
            if f.endswith(tuple(out_suffixes)) and program_name(f, out_suffixes) not in known:
                print("warning: %s has no matching %s program" % (f, SUFFIX))
    for e in errors:
        print("error: " + e)
    print("%s: %d files %s, %d unchanged, %d errors"
          % (prog, len(changed), "would change" if check else "written", len(unchanged), len(errors)))
    return 1 if errors or (check and changed) else 0
