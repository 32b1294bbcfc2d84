# sys.version_info, written in minipy's Python: a tuple-like record of the CPython version
# minipy follows (3.7.16), indexable, iterable, comparable with tuples, with named fields;
# and the other records of sys: float_info, int_info, hash_info, implementation.
class version_info:
    _fields = ('major', 'minor', 'micro', 'releaselevel', 'serial')

    def __init__(self, *values):
        self._values = values
        for name, value in zip(self._fields, values):
            setattr(self, name, value)

    def __getitem__(self, i):
        return self._values[i]

    def __len__(self):
        return len(self._values)

    def __iter__(self):
        return iter(self._values)

    def __hash__(self):
        return hash(self._values)

    def _other(self, other):
        if isinstance(other, type(self)):
            return other._values
        if isinstance(other, tuple):
            return other
        return None

    def __eq__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else self._values == o

    def __ne__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else self._values != o

    def __lt__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else self._values < o

    def __le__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else self._values <= o

    def __gt__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else self._values > o

    def __ge__(self, other):
        o = self._other(other)
        return NotImplemented if o is None else self._values >= o

    def __repr__(self):
        fields = ', '.join('%s=%r' % (n, v) for n, v in zip(self._fields, self._values))
        return 'sys.version_info(%s)' % fields


version_info = version_info(3, 7, 16, 'final', 0)


class _record(tuple):
    """A struct sequence (sys.float_info, sys.int_info): a tuple with named fields."""
    _fields = ()
    _name = ''

    def __new__(cls, *values):
        return tuple.__new__(cls, values)

    def __getattr__(self, name):
        if name in self._fields:
            return self[self._fields.index(name)]
        raise AttributeError("'%s' object has no attribute '%s'" % (self._name, name))

    def __repr__(self):
        fields = ', '.join('%s=%r' % (n, v) for n, v in zip(self._fields, self))
        return '%s(%s)' % (self._name, fields)


class float_info(_record):
    _name = 'sys.float_info'
    _fields = ('max', 'max_exp', 'max_10_exp', 'min', 'min_exp', 'min_10_exp', 'dig',
               'mant_dig', 'epsilon', 'radix', 'rounds')


class int_info(_record):
    _name = 'sys.int_info'
    _fields = ('bits_per_digit', 'sizeof_digit')


class hash_info(_record):
    _name = 'sys.hash_info'
    _fields = ('width', 'modulus', 'inf', 'nan', 'imag', 'algorithm', 'hash_bits',
               'seed_bits', 'cutoff')


class _implementation:
    """sys.implementation: what runs the program (minipy, following CPython 3.7)."""

    def __init__(self):
        self.name = 'minipy'
        self.cache_tag = None
        self.version = version_info
        self.hexversion = 0x030710f0

    def __repr__(self):
        return ("namespace(cache_tag=None, hexversion=%d, name='minipy', version=%r)"
                % (self.hexversion, self.version))


float_info = float_info(1.7976931348623157e+308, 1024, 308, 2.2250738585072014e-308,
                        -1021, -307, 15, 53, 2.220446049250313e-16, 2, 1)
int_info = int_info(30, 4)
hash_info = hash_info(64, 2305843009213693951, 314159, 0, 1000003, 'siphash24', 64, 128, 0)
implementation = _implementation()
