# The functools module, written in minipy's Python: reduce, partial, wraps, lru_cache,
# cache and total_ordering.

_initial_missing = object()


def reduce(function, sequence, initial=_initial_missing):
    it = iter(sequence)
    if initial is _initial_missing:
        try:
            value = next(it)
        except StopIteration:
            raise TypeError('reduce() of empty sequence with no initial value') from None
    else:
        value = initial
    for element in it:
        value = function(value, element)
    return value


class partial:
    """A function with some arguments already given."""

    def __init__(self, func, *args, **keywords):
        if not callable(func):
            raise TypeError('the first argument must be callable')
        self.func = func
        self.args = args
        self.keywords = keywords

    def __call__(self, *args, **keywords):
        merged = dict(self.keywords)
        merged.update(keywords)
        return self.func(*self.args, *args, **merged)

    def __repr__(self):
        parts = [repr(self.func)]
        parts.extend(repr(a) for a in self.args)
        parts.extend('%s=%r' % kv for kv in self.keywords.items())
        return 'functools.partial(%s)' % ', '.join(parts)


WRAPPER_ASSIGNMENTS = ('__module__', '__name__', '__qualname__', '__doc__')


def update_wrapper(wrapper, wrapped, assigned=WRAPPER_ASSIGNMENTS, updated=()):
    for attr in assigned:
        try:
            value = getattr(wrapped, attr)
        except AttributeError:
            pass
        else:
            setattr(wrapper, attr, value)
    wrapper.__wrapped__ = wrapped
    return wrapper


def wraps(wrapped, assigned=WRAPPER_ASSIGNMENTS, updated=()):
    def decorator(wrapper):
        return update_wrapper(wrapper, wrapped, assigned)
    return decorator


class _CacheInfo(tuple):
    def __new__(cls, hits, misses, maxsize, currsize):
        return tuple.__new__(cls, (hits, misses, maxsize, currsize))

    def __repr__(self):
        return 'CacheInfo(hits=%r, misses=%r, maxsize=%r, currsize=%r)' % tuple(self)


def lru_cache(maxsize=128, typed=False):
    """Memoizes a function's results by its arguments (least recently used go first)."""
    if callable(maxsize) and not isinstance(maxsize, int):
        return lru_cache(128, typed)(maxsize)

    def decorating(func):
        cache = {}
        stats = [0, 0]

        def wrapper(*args, **kwargs):
            key = args
            if kwargs:
                key = args + (_kwd_mark,) + tuple(sorted(kwargs.items()))
            if key in cache:
                stats[0] += 1
                value = cache.pop(key)
                cache[key] = value
                return value
            stats[1] += 1
            value = func(*args, **kwargs)
            cache[key] = value
            if maxsize is not None and len(cache) > maxsize:
                del cache[next(iter(cache))]
            return value

        def cache_info():
            return _CacheInfo(stats[0], stats[1], maxsize, len(cache))

        def cache_clear():
            cache.clear()
            stats[0] = stats[1] = 0

        wrapper.cache_info = cache_info
        wrapper.cache_clear = cache_clear
        return update_wrapper(wrapper, func)

    return decorating


_kwd_mark = object()


def cache(user_function):
    return lru_cache(maxsize=None)(user_function)


def total_ordering(cls):
    """Fills in the comparisons a class lacks from __lt__ (or __le__, __gt__, __ge__)."""
    roots = [op for op in ('__lt__', '__le__', '__gt__', '__ge__') if op in cls.__dict__]
    if not roots:
        raise ValueError('must define at least one ordering operation: < > <= >=')
    root = roots[0]
    derived = {
        '__lt__': {
            '__gt__': lambda self, other: not (self < other) and self != other,
            '__le__': lambda self, other: self < other or self == other,
            '__ge__': lambda self, other: not (self < other),
        },
        '__le__': {
            '__ge__': lambda self, other: not (self <= other) or self == other,
            '__lt__': lambda self, other: self <= other and not self == other,
            '__gt__': lambda self, other: not (self <= other),
        },
        '__gt__': {
            '__lt__': lambda self, other: not (self > other) and self != other,
            '__ge__': lambda self, other: self > other or self == other,
            '__le__': lambda self, other: not (self > other),
        },
        '__ge__': {
            '__le__': lambda self, other: not (self >= other) or self == other,
            '__gt__': lambda self, other: self >= other and not self == other,
            '__lt__': lambda self, other: not (self >= other),
        },
    }[root]
    for name, method in derived.items():
        if name not in roots:
            setattr(cls, name, method)
    return cls
