"""contextvars (PEP 567): context variables, and the contexts asyncio runs callbacks and
task steps in. A Context maps variables to values; the running one is swapped by
Context.run, and copy_context() snapshots it. A context's mapping (`_data`) is never
changed in place: ContextVar.set gives the context a new dict, so a snapshot is the dict
itself, shared at no cost (CPython shares an immutable mapping the same way)."""

__all__ = ('Context', 'ContextVar', 'Token', 'copy_context')

_MISSING = object()


class Context:
    def __init__(self):
        self._data = {}
        self._entered = False

    def run(self, callable, *args, **kwargs):
        global _current
        if self._entered:
            raise RuntimeError('cannot enter context: {} is already entered'.format(self))
        saved = _current
        self._entered = True
        _current = self
        try:
            return callable(*args, **kwargs)
        finally:
            _current = saved
            self._entered = False

    def copy(self):
        new = Context()
        new._data = self._data
        return new

    def __getitem__(self, var):
        if not isinstance(var, ContextVar):
            raise TypeError('a ContextVar key was expected, got {!r}'.format(var))
        return self._data[var]

    def get(self, var, default=None):
        if not isinstance(var, ContextVar):
            raise TypeError('a ContextVar key was expected, got {!r}'.format(var))
        return self._data.get(var, default)

    def __contains__(self, var):
        if not isinstance(var, ContextVar):
            raise TypeError('a ContextVar key was expected, got {!r}'.format(var))
        return var in self._data

    def __len__(self):
        return len(self._data)

    def __iter__(self):
        return iter(self._data)

    def keys(self):
        return self._data.keys()

    def values(self):
        return self._data.values()

    def items(self):
        return self._data.items()


_current = Context()


def copy_context():
    return _current.copy()


def _snapshot():
    """The running context's mapping, for a callback to run in a copy of it later."""
    return _current._data


def _run_in_snapshot(data, callable, *args):
    """Runs callable(*args) in a copy of a context whose mapping was `data` (what
    Context(data).run would do, without making the Context)."""
    saved = _current._data
    _current._data = data
    try:
        return callable(*args)
    finally:
        _current._data = saved


class Token:
    MISSING = _MISSING

    def __init__(self, context, var, old_value):
        self._context = context
        self._var = var
        self._old_value = old_value
        self._used = False

    @property
    def var(self):
        return self._var

    @property
    def old_value(self):
        return self._old_value

    def __repr__(self):
        used = ' used' if self._used else ''
        return '<Token{} var={!r} at 0x{:x}>'.format(used, self._var, id(self))


class ContextVar:
    def __init__(self, name, *, default=_MISSING):
        if not isinstance(name, str):
            raise TypeError('context variable name must be a str')
        self._name = name
        self._default = default

    @property
    def name(self):
        return self._name

    def get(self, *args):
        data = _current._data
        if self in data:
            return data[self]
        if args:
            return args[0]
        if self._default is not _MISSING:
            return self._default
        raise LookupError(self)

    def set(self, value):
        data = _current._data
        old = data.get(self, _MISSING)
        data = dict(data)
        data[self] = value
        _current._data = data
        return Token(_current, self, old)

    def reset(self, token):
        if not isinstance(token, Token):
            raise TypeError('an instance of Token was expected, got {!r}'.format(token))
        if token._used:
            raise RuntimeError('{!r} has already been used once'.format(token))
        if token._var is not self:
            raise ValueError('{!r} was created by a different ContextVar'.format(token))
        if token._context is not _current:
            raise ValueError('{!r} was created in a different Context'.format(token))
        token._used = True
        data = dict(_current._data)
        if token._old_value is _MISSING:
            data.pop(self, None)
        else:
            data[self] = token._old_value
        _current._data = data

    def __hash__(self):
        return id(self)

    def __repr__(self):
        default = ''
        if self._default is not _MISSING:
            default = ' default={!r}'.format(self._default)
        return '<ContextVar name={!r}{} at 0x{:x}>'.format(self._name, default, id(self))
