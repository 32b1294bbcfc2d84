# The itertools module of CPython 3.7, written in minipy's Python: each iterator is a class
# (type(count()) is itertools.count, count and repeat have CPython's reprs), lazy as
# CPython's (tee buffers only what one copy is ahead, the combinatoric iterators take
# CPython's algorithms), and with its argument errors in the same words.

import operator as _operator

__all__ = ['count', 'cycle', 'repeat', 'accumulate', 'chain', 'compress', 'dropwhile',
           'takewhile', 'filterfalse', 'groupby', 'islice', 'starmap', 'tee', 'zip_longest',
           'product', 'permutations', 'combinations', 'combinations_with_replacement']

_MAXSIZE = 9223372036854775807


class _Iterator:
    """What every itertools iterator shares: it is its own iterator."""

    def __iter__(self):
        return self


class _Stepped(_Iterator):
    """An iterator whose items a generator method (`_run`) makes."""

    def __next__(self):
        return next(self._steps)


class count(_Iterator):
    def __init__(self, start=0, step=1):
        for n in (start, step):
            if not isinstance(n, (int, float, complex)) and not any(
                    hasattr(n, m) for m in ('__index__', '__int__', '__float__')):
                raise TypeError('a number is required')
        self._n = start
        self._step = step

    def __next__(self):
        n = self._n
        self._n = n + self._step
        return n

    def __repr__(self):
        if type(self._step) is int and self._step == 1:
            return 'count(%r)' % (self._n,)
        return 'count(%r, %r)' % (self._n, self._step)


class cycle(_Stepped):
    def __init__(self, iterable):
        self._steps = self._run(iter(iterable))

    @staticmethod
    def _run(it):
        saved = []
        for element in it:
            yield element
            saved.append(element)
        while saved:
            for element in saved:
                yield element


class repeat(_Iterator):
    def __init__(self, object, times=None):
        self._object = object
        if times is not None:
            times = max(_operator.index(times), 0)
        self._times = times

    def __next__(self):
        if self._times is None:
            return self._object
        if self._times <= 0:
            raise StopIteration
        self._times -= 1
        return self._object

    def __length_hint__(self):
        if self._times is None:
            raise TypeError('len() of unsized object')
        return self._times

    def __repr__(self):
        if self._times is None:
            return 'repeat(%r)' % (self._object,)
        return 'repeat(%r, %d)' % (self._object, self._times)


class accumulate(_Stepped):
    def __init__(self, iterable, func=None):
        self._steps = self._run(iter(iterable), func)

    @staticmethod
    def _run(it, func):
        try:
            total = next(it)
        except StopIteration:
            return
        yield total
        for element in it:
            total = func(total, element) if func is not None else total + element
            yield total


class chain(_Stepped):
    def __init__(self, *iterables):
        self._steps = self._run(iter(iterables))

    @classmethod
    def from_iterable(cls, iterable):
        made = cls.__new__(cls)
        made._steps = cls._run(iter(iterable))
        return made

    @staticmethod
    def _run(iterables):
        for it in iterables:
            for element in it:
                yield element


class compress(_Iterator):
    def __init__(self, data, selectors):
        self._data = iter(data)
        self._selectors = iter(selectors)

    def __next__(self):
        while True:
            d = next(self._data)
            if next(self._selectors):
                return d


class dropwhile(_Iterator):
    def __init__(self, predicate, iterable):
        self._predicate = predicate
        self._it = iter(iterable)
        self._dropping = True

    def __next__(self):
        while True:
            x = next(self._it)
            if not self._dropping or not self._predicate(x):
                self._dropping = False
                return x


class takewhile(_Iterator):
    def __init__(self, predicate, iterable):
        self._predicate = predicate
        self._it = iter(iterable)
        self._stopped = False

    def __next__(self):
        if self._stopped:
            raise StopIteration
        x = next(self._it)
        if self._predicate(x):
            return x
        self._stopped = True
        raise StopIteration


class filterfalse(_Iterator):
    def __init__(self, function, iterable):
        self._function = bool if function is None else function
        self._it = iter(iterable)

    def __next__(self):
        while True:
            x = next(self._it)
            if not self._function(x):
                return x


def _ssize(value):
    """PyNumber_AsSsize_t with its error cleared, as islice reads its arguments: -1 for
    anything that is not an index or does not fit."""
    try:
        n = _operator.index(value)
    except TypeError:
        return -1
    return n if -_MAXSIZE - 1 <= n <= _MAXSIZE else -1


class islice(_Iterator):
    def __init__(self, iterable, *args):
        if not args:
            raise TypeError('islice expected at least 2 arguments, got 1')
        if len(args) > 3:
            raise TypeError('islice expected at most 4 arguments, got %d' % (len(args) + 1))
        start, stop, step = 0, -1, 1
        stop_arg = args[0] if len(args) == 1 else args[1]
        if len(args) > 1 and args[0] is not None:
            start = _ssize(args[0])
        if stop_arg is not None:
            stop = _ssize(stop_arg)
            if stop == -1:
                raise ValueError('Stop argument for islice() must be None or an integer: '
                                 '0 <= x <= sys.maxsize.')
        if start < 0 or stop < -1:
            raise ValueError('Indices for islice() must be None or an integer: '
                             '0 <= x <= sys.maxsize.')
        if len(args) == 3 and args[2] is not None:
            step = _ssize(args[2])
        if step < 1:
            raise ValueError('Step for islice() must be a positive integer or None.')
        self._it = iter(iterable)
        self._next = start
        self._stop = None if stop == -1 else stop
        self._step = step
        self._i = 0

    def __next__(self):
        # The stop is checked before an item is taken: a shared iterator keeps it.
        while self._stop is None or self._i < self._stop:
            element = next(self._it)
            i = self._i
            self._i += 1
            if i == self._next:
                self._next += self._step
                return element
        raise StopIteration


class starmap(_Iterator):
    def __init__(self, function, iterable):
        self._function = function
        self._it = iter(iterable)

    def __next__(self):
        return self._function(*next(self._it))


class _tee_link:
    """One item of a tee's shared buffer: filled (with the link after it) by the first copy
    to read this far."""

    def __init__(self):
        self.value = self.next = None


class _tee(_Iterator):
    def __init__(self, it, link):
        self._it = it
        self._link = link

    def __next__(self):
        link = self._link
        if link.next is None:
            link.value = next(self._it)
            link.next = _tee_link()
        self._link = link.next
        return link.value

    def __copy__(self):
        return _tee(self._it, self._link)


def tee(iterable, n=2):
    n = _operator.index(n)
    if n < 0:
        raise ValueError('n must be >= 0')
    it = iter(iterable)
    if isinstance(it, _tee):
        first = it.__copy__()
    else:
        first = _tee(it, _tee_link())
    copies = [first]
    for _ in range(1, n):
        copies.append(first.__copy__())
    return tuple(copies[:n])


class zip_longest(_Stepped):
    def __init__(self, *iterables, fillvalue=None):
        self._steps = self._run([iter(it) for it in iterables], fillvalue)

    @staticmethod
    def _run(iterators, fillvalue):
        active = len(iterators)
        if not active:
            return
        while True:
            values = []
            for i, it in enumerate(iterators):
                try:
                    value = next(it)
                except StopIteration:
                    active -= 1
                    if not active:
                        return
                    iterators[i] = repeat(fillvalue)
                    value = fillvalue
                values.append(value)
            yield tuple(values)


class groupby(_Iterator):
    def __init__(self, iterable, key=None):
        self._keyfunc = (lambda x: x) if key is None else key
        self._it = iter(iterable)
        self._target = self._key = self._value = object()
        self._group = None

    def __next__(self):
        # What is left of the group handed out last is skipped: it is good until then.
        self._group = object()
        while self._key == self._target:
            self._value = next(self._it)
            self._key = self._keyfunc(self._value)
        self._target = self._key
        return self._key, self._grouper(self._target, self._group)

    def _grouper(self, target, group):
        while self._group is group and self._key == target:
            yield self._value
            try:
                self._value = next(self._it)
            except StopIteration:
                return
            self._key = self._keyfunc(self._value)


class product(_Stepped):
    def __init__(self, *iterables, repeat=1):
        pools = [tuple(pool) for pool in iterables] * repeat
        self._steps = self._run(pools)

    @staticmethod
    def _run(pools):
        n = len(pools)
        if any(not pool for pool in pools):
            return
        indices = [0] * n
        yield tuple(pool[0] for pool in pools)
        while True:
            for i in reversed(range(n)):
                indices[i] += 1
                if indices[i] < len(pools[i]):
                    break
                indices[i] = 0
            else:
                return
            yield tuple(pools[i][indices[i]] for i in range(n))


def _length(r):
    r = _operator.index(r)
    if r < 0:
        raise ValueError('r must be non-negative')
    return r


class permutations(_Stepped):
    def __init__(self, iterable, r=None):
        pool = tuple(iterable)
        r = len(pool) if r is None else _length(r)
        self._steps = self._run(pool, r)

    @staticmethod
    def _run(pool, r):
        n = len(pool)
        if r > n:
            return
        indices = list(range(n))
        cycles = list(range(n, n - r, -1))
        yield tuple(pool[i] for i in indices[:r])
        while n:
            for i in reversed(range(r)):
                cycles[i] -= 1
                if cycles[i] == 0:
                    indices[i:] = indices[i + 1:] + indices[i:i + 1]
                    cycles[i] = n - i
                else:
                    j = cycles[i]
                    indices[i], indices[-j] = indices[-j], indices[i]
                    yield tuple(pool[i] for i in indices[:r])
                    break
            else:
                return


class combinations(_Stepped):
    def __init__(self, iterable, r):
        pool = tuple(iterable)
        self._steps = self._run(pool, _length(r))

    @staticmethod
    def _run(pool, r):
        n = len(pool)
        if r > n:
            return
        indices = list(range(r))
        yield tuple(pool[i] for i in indices)
        while True:
            for i in reversed(range(r)):
                if indices[i] != i + n - r:
                    break
            else:
                return
            indices[i] += 1
            for j in range(i + 1, r):
                indices[j] = indices[j - 1] + 1
            yield tuple(pool[i] for i in indices)


class combinations_with_replacement(_Stepped):
    def __init__(self, iterable, r):
        pool = tuple(iterable)
        self._steps = self._run(pool, _length(r))

    @staticmethod
    def _run(pool, r):
        n = len(pool)
        if not n and r:
            return
        indices = [0] * r
        yield tuple(pool[i] for i in indices)
        while True:
            for i in reversed(range(r)):
                if indices[i] != n - 1:
                    break
            else:
                return
            indices[i:] = [indices[i] + 1] * (r - i)
            yield tuple(pool[i] for i in indices)
