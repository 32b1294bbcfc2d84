# The collections module, written in minipy's Python: deque, defaultdict, Counter,
# OrderedDict and namedtuple, with CPython's reprs, for the programs that use them;
# collections.abc is lib/collections_abc.py, made with it (a package's modules are its
# attributes in minipy).

import _collections_abc as abc


from _collections import deque
from _collections_user import ChainMap, UserDict, UserList, UserString


abc.MutableSequence.register(deque)


class defaultdict(dict):
    """A dict that makes missing values with default_factory()."""

    def __init__(self, default_factory=None, *args, **kwargs):
        if default_factory is not None and not callable(default_factory):
            raise TypeError('first argument must be callable or None')
        super().__init__(*args, **kwargs)
        self.default_factory = default_factory

    def __missing__(self, key):
        if self.default_factory is None:
            raise KeyError(key)
        value = self.default_factory()
        self[key] = value
        return value

    def __repr__(self):
        factory = self.default_factory
        shown = 'None' if factory is None else repr(factory)
        return 'defaultdict(%s, %s)' % (shown, dict.__repr__(self))

    def __reduce__(self):
        # As CPython's: rebuilt from the factory, the items set one by one.
        args = () if self.default_factory is None else (self.default_factory,)
        return type(self), args, None, None, iter(self.items())


class Counter(dict):
    """A dict of counts: missing keys count 0."""

    def __init__(self, iterable=None, **kwds):
        super().__init__()
        self.update(iterable, **kwds)

    def __missing__(self, key):
        return 0

    def update(self, iterable=None, **kwds):
        if iterable is not None:
            if isinstance(iterable, dict):
                for elem, count in iterable.items():
                    self[elem] = self[elem] + count
            else:
                for elem in iterable:
                    self[elem] = self[elem] + 1
        if kwds:
            self.update(kwds)

    def subtract(self, iterable=None, **kwds):
        if iterable is not None:
            if isinstance(iterable, dict):
                for elem, count in iterable.items():
                    self[elem] = self[elem] - count
            else:
                for elem in iterable:
                    self[elem] = self[elem] - 1
        if kwds:
            self.subtract(kwds)

    def most_common(self, n=None):
        items = sorted(self.items(), key=lambda kv: kv[1], reverse=True)
        return items if n is None else items[:n]

    def elements(self):
        out = []
        for elem, count in self.items():
            for _ in range(count):
                out.append(elem)
        return iter(out)

    def total(self):
        return sum(self.values())

    def __repr__(self):
        if not self:
            return 'Counter()'
        return 'Counter({%s})' % ', '.join('%r: %r' % kv for kv in self.most_common())

    def __reduce__(self):
        return self.__class__, (dict(self),)

    # Multiset arithmetic, as CPython's: results keep only positive counts.
    def _combine(self, other, pick, keep_others):
        if not isinstance(other, Counter):
            return NotImplemented
        result = Counter()
        for elem, count in self.items():
            newcount = pick(count, other[elem])
            if newcount > 0:
                result[elem] = newcount
        if keep_others is not None:
            for elem, count in other.items():
                if elem not in self:
                    newcount = keep_others(count)
                    if newcount > 0:
                        result[elem] = newcount
        return result

    def __add__(self, other):
        return self._combine(other, lambda a, b: a + b, lambda b: b)

    def __sub__(self, other):
        return self._combine(other, lambda a, b: a - b, lambda b: -b)

    def __or__(self, other):
        return self._combine(other, lambda a, b: b if a < b else a, lambda b: b)

    def __and__(self, other):
        return self._combine(other, lambda a, b: a if a < b else b, None)

    def __pos__(self):
        return Counter({elem: count for elem, count in self.items() if count > 0})

    def __neg__(self):
        return Counter({elem: -count for elem, count in self.items() if count < 0})

    def _keep_positive(self):
        for elem in [elem for elem, count in self.items() if not count > 0]:
            del self[elem]
        return self

    def __iadd__(self, other):
        for elem, count in other.items():
            self[elem] += count
        return self._keep_positive()

    def __isub__(self, other):
        for elem, count in other.items():
            self[elem] -= count
        return self._keep_positive()

    def __ior__(self, other):
        for elem, other_count in other.items():
            if other_count > self[elem]:
                self[elem] = other_count
        return self._keep_positive()

    def __iand__(self, other):
        for elem, count in self.items():
            other_count = other[elem]
            if other_count < count:
                self[elem] = other_count
        return self._keep_positive()


class OrderedDict(dict):
    """A dict (dicts keep insertion order) with move_to_end and popitem(last)."""

    def __eq__(self, other):
        # Two OrderedDicts are equal only in the same order; with a plain dict, as dicts.
        if isinstance(other, OrderedDict):
            return dict.__eq__(self, other) and all(a == b for a, b in zip(self, other))
        return dict.__eq__(self, other)

    __hash__ = None

    def move_to_end(self, key, last=True):
        value = self.pop(key)
        if last:
            self[key] = value
        else:
            rest = list(self.items())
            self.clear()
            self[key] = value
            for k, v in rest:
                self[k] = v

    def popitem(self, last=True):
        if not self:
            raise KeyError('dictionary is empty')
        key = list(self.keys())[-1 if last else 0]
        return key, self.pop(key)

    def __reversed__(self):
        return reversed(list(self))

    def __repr__(self):
        if not self:
            return 'OrderedDict()'
        return 'OrderedDict(%r)' % (list(self.items()),)

    def __reduce__(self):
        # As CPython's: OrderedDict() with the instance's attributes, the items set one
        # by one.
        state = dict(vars(self)) or None
        return self.__class__, (), state, None, iter(self.items())


_KEYWORDS = frozenset([
    'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class',
    'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global',
    'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
    'return', 'try', 'while', 'with', 'yield'])


def namedtuple(typename, field_names, *, rename=False, defaults=None, module=None):
    """A tuple subclass with named fields. (CPython takes the module from the caller's
    frame; minipy cannot, so it is '__main__' unless given.)"""
    if isinstance(field_names, str):
        field_names = field_names.replace(',', ' ').split()
    field_names = list(map(str, field_names))
    typename = str(typename)
    if rename:
        seen = set()
        for index, name in enumerate(field_names):
            if (not name.isidentifier() or name in _KEYWORDS or name.startswith('_')
                    or name in seen):
                field_names[index] = '_%d' % index
            seen.add(name)
    for name in [typename] + field_names:
        if type(name) is not str:
            raise TypeError('Type names and field names must be strings')
        if not name.isidentifier():
            raise ValueError('Type names and field names must be valid identifiers: %r'
                             % name)
        if name in _KEYWORDS:
            raise ValueError('Type names and field names cannot be a keyword: %r' % name)
    seen = set()
    for name in field_names:
        if name.startswith('_') and not rename:
            raise ValueError('Field names cannot start with an underscore: %r' % name)
        if name in seen:
            raise ValueError('Encountered duplicate field name: %r' % name)
        seen.add(name)
    fields = tuple(field_names)
    if defaults is not None:
        defaults = tuple(defaults)
        if len(defaults) > len(fields):
            raise TypeError('Got more default values than field names')
    else:
        defaults = ()
    field_defaults = dict(zip(fields[len(fields) - len(defaults):], defaults))

    def __new__(cls, *args, **kwargs):
        values = list(args)
        for name in fields[len(args):]:
            if name in kwargs:
                values.append(kwargs.pop(name))
            else:
                index = fields.index(name) - (len(fields) - len(defaults))
                if index < 0:
                    raise TypeError("__new__() missing 1 required positional argument: '%s'" % name)
                values.append(defaults[index])
        if kwargs:
            raise TypeError("__new__() got an unexpected keyword argument '%s'" % list(kwargs)[0])
        if len(values) > len(fields):
            raise TypeError('__new__() takes %d positional arguments but %d were given'
                            % (len(fields) + 1, len(values) + 1))
        return tuple.__new__(cls, values)

    def _make(cls, iterable):
        result = tuple.__new__(cls, iterable)
        if len(result) != len(fields):
            raise TypeError('Expected %d arguments, got %d' % (len(fields), len(result)))
        return result

    def __repr__(self):
        return '%s(%s)' % (typename, ', '.join('%s=%r' % (n, v) for n, v in zip(fields, self)))

    def _asdict(self):
        return dict(zip(fields, self))

    def _replace(self, **changes):
        result = self._make([changes.pop(n, v) for n, v in zip(fields, self)])
        if changes:
            raise ValueError('Got unexpected field names: %r' % list(changes))
        return result

    def __getnewargs__(self):
        return tuple(self)

    namespace = {
        '__doc__': '%s(%s)' % (typename, ', '.join(fields)),
        '__slots__': (),
        '__new__': __new__,
        '_make': classmethod(_make),
        '__repr__': __repr__,
        '_asdict': _asdict,
        '_replace': _replace,
        '__getnewargs__': __getnewargs__,
        '_fields': fields,
        '_field_defaults': field_defaults,
        '__module__': '__main__' if module is None else module,
    }
    for index, name in enumerate(fields):
        namespace[name] = property(lambda self, i=index: self[i],
                                   doc='Alias for field number %d' % index)
    return type(typename, (tuple,), namespace)
