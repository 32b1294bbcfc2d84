# The bisect module, written in minipy's Python: binary search in sorted sequences and
# insertion that keeps them sorted, with CPython's arguments (lo, hi) and errors.


def _bounds(a, lo, hi):
    if lo < 0:
        raise ValueError('lo must be non-negative')
    if hi is None or hi == -1:
        hi = len(a)
    return lo, hi


def bisect_right(a, x, lo=0, hi=None):
    """The index where x goes in sorted a, after any items equal to it."""
    lo, hi = _bounds(a, lo, hi)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < a[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


def bisect_left(a, x, lo=0, hi=None):
    """The index where x goes in sorted a, before any items equal to it."""
    lo, hi = _bounds(a, lo, hi)
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def insort_right(a, x, lo=0, hi=None):
    """Insert x in sorted a, after any items equal to it."""
    i = bisect_right(a, x, lo, hi)
    a.insert(i, x)


def insort_left(a, x, lo=0, hi=None):
    """Insert x in sorted a, before any items equal to it."""
    i = bisect_left(a, x, lo, hi)
    a.insert(i, x)


bisect = bisect_right
insort = insort_right
