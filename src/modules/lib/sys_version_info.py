# sys.version_info, written in minipy's Python: a tuple-like record of the CPython version
# minipy follows (3.7.16), indexable, iterable, comparable with tuples, with named fields.
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
