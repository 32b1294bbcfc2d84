"""importlib: import_module over minipy's import machinery (the import statement's own
__import__), with importlib's relative names and errors."""

import sys


def _resolve_name(name, package, level):
    bits = package.rsplit('.', level - 1)
    if len(bits) < level:
        raise ValueError('attempted relative import beyond top-level package')
    base = bits[0]
    return '{}.{}'.format(base, name) if name else base


def import_module(name, package=None):
    """Import a module; a relative name ('.mod') is taken from `package`."""
    level = 0
    if name.startswith('.'):
        if not package:
            msg = ("the 'package' argument is required to perform a relative "
                   "import for {!r}")
            raise TypeError(msg.format(name))
        for character in name:
            if character != '.':
                break
            level += 1
        name = _resolve_name(name[level:], package, level)
    __import__(name, None, None, ['*'])
    return sys.modules[name]


def invalidate_caches():
    """Nothing to forget: minipy looks for source files afresh at each first import."""
