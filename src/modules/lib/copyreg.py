# The copyreg module, written in minipy's Python: the registry pickle and copy consult
# (dispatch_table: a type's reduction function; the extension registry behind the EXT
# opcodes) and the helpers pickles name: _reconstructor (what protocols 0 and 1 rebuild
# an instance with), __newobj__ and __newobj_ex__ (the markers protocol 2 turns into
# NEWOBJ), _slotnames. object.__reduce_ex__ itself is native (src/objects/reduce.rs).

__all__ = ["pickle", "constructor",
           "add_extension", "remove_extension", "clear_extension_cache"]

dispatch_table = {}


def pickle(ob_type, pickle_function, constructor_ob=None):
    """Registers pickle_function(obj) as the reduction of ob_type's instances."""
    if not callable(pickle_function):
        raise TypeError("reduction functions must be callable")
    dispatch_table[ob_type] = pickle_function
    if constructor_ob is not None:
        constructor(constructor_ob)


def constructor(object):
    if not callable(object):
        raise TypeError("constructors must be callable")


def _reconstructor(cls, base, state):
    """Rebuilds an instance pickled at protocol 0 or 1: base.__new__ with the state of the
    built-in type the class extends."""
    if base is object:
        obj = object.__new__(cls)
    else:
        obj = base.__new__(cls, state)
        if base.__init__ != object.__init__:
            base.__init__(obj, state)
    return obj


_HEAPTYPE = 1 << 9


def _reduce_ex(self, proto):
    """object.__reduce_ex__ for protocols 0 and 1."""
    assert proto < 2
    return object.__reduce_ex__(self, proto)


def __newobj__(cls, *args):
    return cls.__new__(cls, *args)


def __newobj_ex__(cls, args, kwargs):
    """Used by protocol 4 (NEWOBJ_EX) for classes whose __new__ takes keyword arguments."""
    return cls.__new__(cls, *args, **kwargs)


def _slotnames(cls):
    """The slot names of cls and its bases (private ones mangled), cached on the class as
    __slotnames__."""
    names = cls.__dict__.get("__slotnames__")
    if names is not None:
        return names
    names = []
    if hasattr(cls, "__slots__"):
        for c in cls.__mro__:
            if "__slots__" in c.__dict__:
                slots = c.__dict__['__slots__']
                if isinstance(slots, str):
                    slots = (slots,)
                for name in slots:
                    if name in ("__dict__", "__weakref__"):
                        continue
                    elif name.startswith('__') and not name.endswith('__'):
                        stripped = c.__name__.lstrip('_')
                        if stripped:
                            names.append('_%s%s' % (stripped, name))
                        else:
                            names.append(name)
                    else:
                        names.append(name)
    try:
        cls.__slotnames__ = names
    except:
        pass
    return names


# The extension registry: (module, name) <-> code, for the EXT1/EXT2/EXT4 opcodes. Codes
# 1-127 are reserved for Python's standard library, 128-191 for Zope, 192-239 for third
# parties, 240-255 for private use; pickle accepts 1 to 0x7fffffff.
_extension_registry = {}
_inverted_registry = {}
_extension_cache = {}


def add_extension(module, name, code):
    """Registers an extension code."""
    code = int(code)
    if not 1 <= code <= 0x7fffffff:
        raise ValueError("code out of range")
    key = (module, name)
    if (_extension_registry.get(key) == code and
            _inverted_registry.get(code) == key):
        return
    if key in _extension_registry:
        raise ValueError("key %s is already registered with code %s" %
                         (key, _extension_registry[key]))
    if code in _inverted_registry:
        raise ValueError("code %s is already in use for key %s" %
                         (code, _inverted_registry[code]))
    _extension_registry[key] = code
    _inverted_registry[code] = key


def remove_extension(module, name, code):
    """Unregisters an extension code. For testing only."""
    key = (module, name)
    if (_extension_registry.get(key) != code or
            _inverted_registry.get(code) != key):
        raise ValueError("key %s is not registered with code %s" %
                         (key, code))
    del _extension_registry[key]
    del _inverted_registry[code]
    if code in _extension_cache:
        del _extension_cache[code]


def clear_extension_cache():
    _extension_cache.clear()
