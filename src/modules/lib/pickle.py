# The pickle module: CPython 3.7's API (dumps, loads, dump, load, Pickler, Unpickler, the
# constants and exceptions) over the native _pickle (src/modules/pickle/), which writes
# and reads the bytes exactly as CPython's C pickler does. A Pickler keeps its memo across
# dump() calls, as an Unpickler does across load() calls; subclasses may define
# persistent_id / persistent_load, set dispatch_table, or override find_class.

import _pickle
from _pickle import PickleError, PicklingError, UnpicklingError

__all__ = ["PickleError", "PicklingError", "UnpicklingError", "Pickler",
           "Unpickler", "dump", "dumps", "load", "loads"]

format_version = "4.0"
compatible_formats = ["1.0", "1.1", "1.2", "1.3", "2.0", "3.0", "4.0"]

HIGHEST_PROTOCOL = 4
DEFAULT_PROTOCOL = 3


class Pickler:
    """Writes pickles of objects to a binary file (anything with a write method)."""

    def __init__(self, file, protocol=None, fix_imports=True):
        self._proto = _pickle.check_protocol(protocol)
        try:
            self._file_write = file.write
        except AttributeError:
            raise TypeError("file must have a 'write' attribute") from None
        self._fix_imports = fix_imports
        self._memo = []
        self.bin = self._proto >= 1
        self.fast = 0

    def dump(self, obj):
        """Writes a pickled representation of obj to the file."""
        if not hasattr(self, '_memo'):
            raise PicklingError("Pickler.__init__() was not called by %s.__init__()"
                                % type(self).__name__)
        self._file_write(_pickle.pickler_dump(self, obj))

    def clear_memo(self):
        """Forgets the objects pickled so far."""
        self._memo = []


class Unpickler:
    """Reads pickles from a binary file (anything with read and readline methods)."""

    def __init__(self, file, *, fix_imports=True, encoding="ASCII", errors="strict"):
        try:
            self._read = file.read
            self._readline = file.readline
        except AttributeError:
            raise TypeError("file must have 'read' and 'readline' attributes") from None
        self._fix_imports = fix_imports
        self._encoding = encoding
        self._errors = errors
        self._memo = {}
        self._proto = 0

    def load(self):
        """Reads one pickle from the file and returns the object it holds."""
        return _pickle.unpickler_load(self)

    def find_class(self, module_name, global_name):
        """The object named global_name in module module_name (imported as needed)."""
        return _pickle.find_class(self, module_name, global_name)


def dump(obj, file, protocol=None, *, fix_imports=True):
    """Writes a pickle of obj to file."""
    Pickler(file, protocol, fix_imports=fix_imports).dump(obj)


def dumps(obj, protocol=None, *, fix_imports=True):
    """The pickled representation of obj, as bytes."""
    return _pickle.dumps(obj, protocol, fix_imports)


def load(file, *, fix_imports=True, encoding="ASCII", errors="strict"):
    """Reads one pickle from file and returns the object it holds."""
    return Unpickler(file, fix_imports=fix_imports, encoding=encoding,
                     errors=errors).load()


def loads(data, *, fix_imports=True, encoding="ASCII", errors="strict"):
    """The object a pickle (bytes) holds."""
    return _pickle.loads(data, fix_imports, encoding, errors)


# The names pickle.py gives its pure-Python classes: here they are the same ones.
_Pickler = Pickler
_Unpickler = Unpickler
_dump = dump
_dumps = dumps
_load = load
_loads = loads
