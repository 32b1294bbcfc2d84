# ctypes, the little of it multiprocessing's shared values use: the simple C types
# (c_int, c_double, c_char ...) with .value, arrays of them (c_int * 5), sizeof. A value
# lives in a buffer: a bytearray of its own, or another's (multiprocessing puts shared
# ones in memory all processes reach). Sizes are this machine's (struct's native sizes).
import struct as _struct

__all__ = ['c_bool', 'c_char', 'c_wchar', 'c_byte', 'c_ubyte', 'c_short', 'c_ushort',
           'c_int', 'c_uint', 'c_long', 'c_ulong', 'c_longlong', 'c_ulonglong',
           'c_float', 'c_double', 'c_size_t', 'c_ssize_t', 'sizeof', 'Array']


class _Local:
    """A value's own memory."""

    def __init__(self, size):
        self.data = bytearray(size)

    def read(self, offset, size):
        return bytes(self.data[offset:offset + size])

    def write(self, offset, data):
        self.data[offset:offset + len(data)] = data


class _CData:
    def _place(self, mem, offset):
        self._mem = mem
        self._off = offset

    def _placed(self):
        try:
            self._mem
            return True
        except AttributeError:
            return False

    @classmethod
    def _at(cls, mem, offset=0):
        obj = cls.__new__(cls)
        obj._place(mem, offset)
        return obj

    def __reduce__(self):
        reduce = getattr(self._mem, 'reduce_cdata', None)
        if reduce is not None:
            return reduce(self)
        return (_rebuild_local, (_type_key(type(self)), self._mem.read(self._off, sizeof(self))))


def _type_key(cls):
    if issubclass(cls, Array):
        return (cls._type_, cls._length_)
    return cls


def _type_from_key(key):
    if isinstance(key, tuple):
        return key[0] * key[1]
    return key


def _rebuild_local(key, raw):
    cls = _type_from_key(key)
    mem = _Local(len(raw))
    mem.write(0, raw)
    return cls._at(mem, 0)


class _SimpleMeta(type):
    def __mul__(cls, length):
        return _array_type(cls, length)

    __rmul__ = __mul__


def _int_checker(code, bits, signed):
    mask = (1 << bits) - 1

    def check(value):
        if isinstance(value, float):
            raise TypeError('int expected instead of float')
        if not isinstance(value, int):
            try:
                value = value.__index__()
            except AttributeError:
                raise TypeError('an integer is required (got type %s)'
                                % type(value).__name__) from None
        value &= mask
        if signed and value >> (bits - 1):
            value -= 1 << bits
        return _struct.pack(code, value)
    return check


def _float_checker(code):
    def check(value):
        if not isinstance(value, (int, float)):
            raise TypeError('must be real number, not %s' % type(value).__name__)
        return _struct.pack(code, float(value))
    return check


class _SimpleCData(_CData, metaclass=_SimpleMeta):
    _type_ = 'i'

    def __init__(self, value=None):
        if not self._placed():
            self._place(_Local(self._size_), 0)
        if value is not None:
            self.value = value

    def _get(self):
        return _struct.unpack(self._type_, self._mem.read(self._off, self._size_))[0]

    def _set(self, value):
        self._mem.write(self._off, self._pack(value))

    value = property(lambda self: self._get(), lambda self, v: self._set(v))

    def __repr__(self):
        return '%s(%r)' % (type(self).__name__, self.value)

    def __bool__(self):
        return bool(self.value)


def _simple(name, code, pack=None):
    size = _struct.calcsize(code)
    if pack is None:
        bits = size * 8
        pack = _int_checker(code, bits, code.islower())
    cls = _SimpleMeta(name, (_SimpleCData,), {'_type_': code, '_size_': size,
                                             '_pack': staticmethod(pack)})
    cls.__module__ = 'ctypes'
    return cls


c_byte = _simple('c_byte', 'b')
c_ubyte = _simple('c_ubyte', 'B')
c_short = _simple('c_short', 'h')
c_ushort = _simple('c_ushort', 'H')
c_int = _simple('c_int', 'i')
c_uint = _simple('c_uint', 'I')
c_long = _simple('c_long', 'l')
c_ulong = _simple('c_ulong', 'L')
c_longlong = _simple('c_longlong', 'q')
c_ulonglong = _simple('c_ulonglong', 'Q')
c_size_t = c_ulong
c_ssize_t = c_long
c_float = _simple('c_float', 'f', _float_checker('f'))
c_double = _simple('c_double', 'd', _float_checker('d'))


def _pack_bool(value):
    return _struct.pack('?', bool(value))


c_bool = _simple('c_bool', '?', _pack_bool)


def _pack_char(value):
    if isinstance(value, (bytes, bytearray)) and len(value) == 1:
        return bytes(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 256:
        return bytes([value])
    raise TypeError('one character bytes, bytearray or integer expected')


class c_char(_SimpleCData, metaclass=_SimpleMeta):
    _type_ = 'c'
    _size_ = 1
    _pack = staticmethod(_pack_char)

    def _get(self):
        return self._mem.read(self._off, 1)


def _pack_wchar(value):
    if not isinstance(value, str):
        raise TypeError('unicode string expected instead of %s instance'
                        % type(value).__name__)
    if len(value) != 1:
        raise TypeError('one character unicode string expected')
    return _struct.pack('I', ord(value))


class c_wchar(_SimpleCData, metaclass=_SimpleMeta):
    _type_ = 'u'
    _size_ = 4
    _pack = staticmethod(_pack_wchar)

    def _get(self):
        return chr(_struct.unpack('I', self._mem.read(self._off, 4))[0])


def sizeof(obj_or_type):
    cls = obj_or_type if isinstance(obj_or_type, type) else type(obj_or_type)
    try:
        return cls._size_
    except AttributeError:
        raise TypeError('this type has no size') from None


class Array(_CData):
    """An array of a simple C type: `c_int * 5` is the type, `(c_int * 5)(1, 2)` one."""

    def __init__(self, *args):
        if not self._placed():
            self._place(_Local(self._size_), 0)
        if len(args) > self._length_:
            raise IndexError('invalid index')
        for i, value in enumerate(args):
            self[i] = value

    def __len__(self):
        return self._length_

    def _index(self, index):
        if not isinstance(index, int):
            try:
                index = index.__index__()
            except AttributeError:
                raise TypeError('indices must be integers') from None
        if index < 0:
            index += self._length_
        if not 0 <= index < self._length_:
            raise IndexError('invalid index')
        return index

    def _all(self):
        t = self._type_
        raw = self._mem.read(self._off, self._size_)
        if t is c_char:
            return [raw[i:i + 1] for i in range(len(raw))]
        if t is c_wchar:
            return [chr(c) for c in _struct.unpack('%dI' % self._length_, raw)]
        return list(_struct.unpack('%d%s' % (self._length_, t._type_), raw))

    def __getitem__(self, index):
        t = self._type_
        if isinstance(index, slice):
            items = self._all()[index]
            if t is c_char:
                return b''.join(items)
            if t is c_wchar:
                return ''.join(items)
            return items
        index = self._index(index)
        return t._at(self._mem, self._off + index * t._size_).value

    def __setitem__(self, index, value):
        t = self._type_
        if isinstance(index, slice):
            positions = range(*index.indices(self._length_))
            values = list(value)
            if len(values) != len(positions):
                raise ValueError('Can only assign sequence of same size')
            for i, v in zip(positions, values):
                self[i] = v
            return
        index = self._index(index)
        t._at(self._mem, self._off + index * t._size_).value = value

    def __iter__(self):
        return iter(self[:])

    def __repr__(self):
        return '<%s.%s object at %s>' % (type(self).__module__, type(self).__name__,
                                         hex(id(self)))

    @property
    def value(self):
        raw = self[:]
        if self._type_ is c_char:
            end = raw.find(b'\x00')
        elif self._type_ is c_wchar:
            end = raw.find('\x00')
        else:
            raise AttributeError("'%s' object has no attribute 'value'" % type(self).__name__)
        return raw if end < 0 else raw[:end]

    @value.setter
    def value(self, value):
        if self._type_ is c_char:
            if not isinstance(value, bytes):
                raise TypeError('bytes expected instead of %s instance' % type(value).__name__)
            if len(value) > self._length_:
                raise ValueError('byte string too long')
            if len(value) < self._length_:
                value = value + b'\x00'
            self._mem.write(self._off, value)
        elif self._type_ is c_wchar:
            if len(value) > self._length_:
                raise ValueError('string too long')
            if len(value) < self._length_:
                value = value + '\x00'
            for i, ch in enumerate(value):
                self[i] = ch
        else:
            raise AttributeError("'%s' object has no attribute 'value'" % type(self).__name__)

    @property
    def raw(self):
        if self._type_ is not c_char:
            raise AttributeError("'%s' object has no attribute 'raw'" % type(self).__name__)
        return self._mem.read(self._off, self._size_)

    @raw.setter
    def raw(self, value):
        if len(value) > self._length_:
            raise ValueError('byte string too long')
        self._mem.write(self._off, bytes(value))


_array_types = {}


def _array_type(elem, length):
    key = (elem, length)
    cls = _array_types.get(key)
    if cls is None:
        cls = type('%s_Array_%d' % (elem.__name__, length), (Array,),
                   {'_type_': elem, '_length_': length, '_size_': elem._size_ * length})
        cls.__module__ = 'ctypes'
        _array_types[key] = cls
    return cls
