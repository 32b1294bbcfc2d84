# The copy module, written in minipy's Python: copy() and deepcopy() as CPython's, for
# the built-in containers, for instances (by their class's __copy__/__deepcopy__, else
# __getstate__/__setstate__, else their __dict__), and for subclasses of list, dict, set
# and tuple. deepcopy's memo (id -> copy) keeps cycles and shared parts as they were.

__all__ = ['Error', 'copy', 'deepcopy']


class Error(Exception):
    pass


error = Error


def _function():
    pass


from _collections import deque as _deque


def _slotnames(cls):
    # The names a class's __slots__ (and its bases') declare, private ones mangled.
    names = []
    for c in cls.__mro__:
        slots = c.__dict__.get('__slots__', ())
        for name in ((slots,) if isinstance(slots, str) else slots):
            if name in ('__dict__', '__weakref__'):
                continue
            if name.startswith('__') and not name.endswith('__'):
                stripped = c.__name__.lstrip('_')
                if stripped:
                    name = '_%s%s' % (stripped, name)
            names.append(name)
    return names

# Values that are their own copy, shallow or deep.
_ATOMIC = (type(None), int, float, bool, str, bytes, type, range, type(_function),
           type(len), type(Ellipsis), type(NotImplemented), property)


def _is_atomic(x):
    return isinstance(x, _ATOMIC) and type(x) in _ATOMIC


def copy(x):
    """A shallow copy of x."""
    cls = type(x)
    if _is_atomic(x) or cls is tuple or cls is frozenset:
        return x
    if cls is list:
        return x[:]
    if cls is dict:
        return dict(x)
    if cls is set:
        return set(x)
    if cls is _deque:
        return x.copy()
    if cls is bytearray_type:
        return x[:]
    if isinstance(x, type):
        return x
    method = getattr(cls, '__copy__', None)
    if method is not None:
        return method(x)
    return _reconstruct(x, None)


try:
    bytearray_type = bytearray
except NameError:
    bytearray_type = None


def deepcopy(x, memo=None, _nil=[]):
    """A deep copy of x: its parts copied too, each once (memo maps id -> copy)."""
    if memo is None:
        memo = {}
    d = id(x)
    y = memo.get(d, _nil)
    if y is not _nil:
        return y
    cls = type(x)
    if _is_atomic(x) or isinstance(x, type):
        y = x
    elif cls is list:
        y = []
        memo[d] = y
        for item in x:
            y.append(deepcopy(item, memo))
    elif cls is tuple:
        items = [deepcopy(item, memo) for item in x]
        # A tuple holding itself through a list: the copy may already be made.
        if d in memo:
            return memo[d]
        y = x
        for a, b in zip(x, items):
            if a is not b:
                y = tuple(items)
                break
    elif cls is dict:
        y = {}
        memo[d] = y
        for key, value in x.items():
            y[deepcopy(key, memo)] = deepcopy(value, memo)
    elif cls is set:
        y = set(deepcopy(item, memo) for item in x)
    elif cls is _deque:
        y = _deque((), x.maxlen)
        memo[d] = y
        y.extend(deepcopy(item, memo) for item in x)
    elif cls is frozenset:
        y = frozenset(deepcopy(item, memo) for item in x)
    elif cls is bytearray_type:
        y = x[:]
    else:
        method = getattr(cls, '__deepcopy__', None)
        if method is not None:
            y = method(x, memo)
        else:
            y = _reconstruct(x, memo)
    # y is x for values that are their own copy: they need no memo entry.
    if y is not x:
        memo[d] = y
        _keep_alive(x, memo)
    return y


def _keep_alive(x, memo):
    # The originals live as long as the memo, so no id in it is reused meanwhile.
    try:
        memo[id(memo)].append(x)
    except KeyError:
        memo[id(memo)] = [x]


def _reconstruct(x, memo):
    """A new instance of x's class with x's state: deep when memo is a dict."""
    deep = memo is not None
    cls = type(x)
    if isinstance(x, BaseException):
        # As CPython's copy through BaseException.__reduce__: cls(*args), then the dict.
        func, args = x.__reduce__()[:2]
        if deep:
            args = deepcopy(args, memo)
        y = func(*args)
        if deep:
            memo[id(x)] = y
        state = x.__dict__
        if state:
            y.__dict__.update(deepcopy(state, memo) if deep else state)
        return y
    getnewargs = getattr(cls, '__getnewargs__', None)
    if getnewargs is not None:
        args = getnewargs(x)
        if deep:
            args = deepcopy(args, memo)
        y = cls.__new__(cls, *args)
    elif isinstance(x, tuple):
        items = tuple(x)
        if deep:
            items = deepcopy(items, memo)
        y = cls.__new__(cls, items)
    else:
        y = cls.__new__(cls)
    if deep:
        memo[id(x)] = y
    getstate = getattr(cls, '__getstate__', None)
    slotstate = None
    if getstate is not None:
        state = getstate(x)
    else:
        state = getattr(x, '__dict__', None) or None
        # The values of __slots__ (which no __dict__ holds), as copyreg names them.
        slotstate = {}
        for name in _slotnames(cls):
            try:
                slotstate[name] = getattr(x, name)
            except AttributeError:
                pass
        if state is not None:
            state = {k: v for k, v in state.items() if k not in slotstate}
    if state is not None:
        if deep:
            state = deepcopy(state, memo)
        setstate = getattr(cls, '__setstate__', None)
        if setstate is not None:
            setstate(y, state)
        else:
            y.__dict__.update(state)
    if slotstate:
        if deep:
            slotstate = deepcopy(slotstate, memo)
        for name, value in slotstate.items():
            setattr(y, name, value)
    if isinstance(x, list):
        for item in x:
            y.append(deepcopy(item, memo) if deep else item)
    elif isinstance(x, dict):
        for key, value in x.items():
            if deep:
                key = deepcopy(key, memo)
                value = deepcopy(value, memo)
            y[key] = value
    elif isinstance(x, set):
        for item in x:
            y.add(deepcopy(item, memo) if deep else item)
    return y
