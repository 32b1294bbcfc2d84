# The io module, written in minipy's Python: StringIO and BytesIO (in-memory files with
# CPython's positions, errors and messages), a TextIOWrapper over a binary buffer, the
# IOBase classes for isinstance, and the SEEK_* constants. No open(): minipy has no files.

__all__ = ['IOBase', 'RawIOBase', 'BufferedIOBase', 'TextIOBase', 'StringIO', 'BytesIO',
           'TextIOWrapper', 'UnsupportedOperation', 'SEEK_SET', 'SEEK_CUR', 'SEEK_END',
           'DEFAULT_BUFFER_SIZE']

SEEK_SET = 0
SEEK_CUR = 1
SEEK_END = 2
DEFAULT_BUFFER_SIZE = 8192


class UnsupportedOperation(OSError, ValueError):
    pass


class IOBase:
    """The base of the stream classes: closing, context management, iteration by line."""

    _closed_message = 'I/O operation on closed file'

    def __init__(self):
        self._closed = False

    @property
    def closed(self):
        return self._closed

    def close(self):
        self._closed = True

    def _check_closed(self):
        if self._closed:
            raise ValueError(self._closed_message)

    def __enter__(self):
        self._check_closed()
        return self

    def __exit__(self, *args):
        self.close()

    def __iter__(self):
        self._check_closed()
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def flush(self):
        self._check_closed()

    def isatty(self):
        self._check_closed()
        return False

    def readable(self):
        return False

    def writable(self):
        return False

    def seekable(self):
        return False

    def fileno(self):
        raise UnsupportedOperation('fileno')

    def readlines(self, hint=-1):
        if hint is None or hint <= 0:
            return list(self)
        lines = []
        total = 0
        for line in self:
            lines.append(line)
            total += len(line)
            if total >= hint:
                break
        return lines

    def writelines(self, lines):
        self._check_closed()
        for line in lines:
            self.write(line)


class RawIOBase(IOBase):
    pass


class BufferedIOBase(IOBase):
    pass


class TextIOBase(IOBase):
    encoding = None
    errors = None
    newlines = None


class _MemoryFile:
    """What StringIO and BytesIO share: a value, a position, and the reads and writes."""

    def _setup(self, initial, empty):
        self._value = initial
        self._empty = empty
        self._pos = 0

    def getvalue(self):
        self._check_closed()
        return self._value

    def tell(self):
        self._check_closed()
        return self._pos

    def readable(self):
        self._check_closed()
        return True

    def writable(self):
        self._check_closed()
        return True

    def seekable(self):
        self._check_closed()
        return True

    def _write(self, data):
        n = len(data)
        if not n:
            return 0
        value = self._value
        pos = self._pos
        if pos > len(value):
            value = value + self._empty.join([self._zero] * (pos - len(value)))
        self._value = value[:pos] + data + value[pos + n:]
        self._pos = pos + n
        return n

    def read(self, size=-1):
        self._check_closed()
        size = self._size(size)
        value = self._value
        start = min(self._pos, len(value))
        end = len(value) if size < 0 else min(start + size, len(value))
        self._pos = max(self._pos, end)
        return value[start:end]

    def readline(self, size=-1):
        self._check_closed()
        size = self._size(size)
        value = self._value
        start = min(self._pos, len(value))
        end = value.find(self._newline, start)
        end = len(value) if end < 0 else end + 1
        if size >= 0:
            end = min(end, start + size)
        self._pos = max(self._pos, end)
        return value[start:end]

    def _size(self, size):
        if size is None:
            return -1
        if not isinstance(size, int):
            raise TypeError('integer argument expected, got %r' % type(size).__name__)
        return size

    def truncate(self, size=None):
        self._check_closed()
        if size is None:
            size = self._pos
        elif size < 0:
            raise ValueError('Negative size value %d' % size)
        self._value = self._value[:size]
        return size


class StringIO(_MemoryFile, TextIOBase):
    """A text file in memory."""

    _newline = '\n'
    _zero = '\0'

    def __init__(self, initial_value='', newline='\n'):
        TextIOBase.__init__(self)
        if newline is not None and not isinstance(newline, str):
            raise TypeError('newline must be str or None, not %s' % type(newline).__name__)
        if newline not in (None, '', '\n', '\r', '\r\n'):
            raise ValueError('illegal newline value: %r' % (newline,))
        if initial_value is None:
            initial_value = ''
        if not isinstance(initial_value, str):
            raise TypeError('initial_value must be str or None, not %s'
                            % type(initial_value).__name__)
        self._translate = newline
        self._setup(self._translated(initial_value), '')
        self.line_buffering = False

    def _translated(self, s):
        if self._translate is None:
            return s.replace('\r\n', '\n').replace('\r', '\n')
        if self._translate in ('\r', '\r\n'):
            return s.replace('\n', self._translate)
        return s

    def write(self, s):
        self._check_closed()
        if not isinstance(s, str):
            raise TypeError('string argument expected, got %r' % type(s).__name__)
        return self._write(self._translated(s)) if s else 0

    def seek(self, pos, whence=0):
        self._check_closed()
        if whence not in (0, 1, 2):
            raise ValueError('Invalid whence (%d, should be 0, 1 or 2)' % whence)
        if whence == 0 and pos < 0:
            raise ValueError('Negative seek position %d' % pos)
        if whence != 0 and pos != 0:
            raise OSError("Can't do nonzero cur-relative seeks")
        if whence == 1:
            pos = self._pos
        elif whence == 2:
            pos = len(self._value)
        self._pos = pos
        return pos

    def detach(self):
        raise UnsupportedOperation('detach')

    def __repr__(self):
        return '<_io.StringIO object at %#x>' % id(self)


class BytesIO(_MemoryFile, BufferedIOBase):
    """A binary file in memory."""

    _newline = b'\n'
    _zero = b'\0'
    _closed_message = 'I/O operation on closed file.'

    def __init__(self, initial_bytes=b''):
        BufferedIOBase.__init__(self)
        if initial_bytes is None:
            initial_bytes = b''
        self._setup(bytes(_bytes_like(initial_bytes)), b'')

    def write(self, b):
        self._check_closed()
        return self._write(bytes(_bytes_like(b)))

    def seek(self, pos, whence=0):
        self._check_closed()
        if whence == 0:
            if pos < 0:
                raise ValueError('negative seek value %d' % pos)
        elif whence == 1:
            pos = max(0, self._pos + pos)
        elif whence == 2:
            pos = max(0, len(self._value) + pos)
        else:
            raise ValueError('invalid whence (%d, should be 0, 1 or 2)' % whence)
        self._pos = pos
        return pos

    def read1(self, size=-1):
        return self.read(size)

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def getbuffer(self):
        # minipy has no memoryview: a copy of the bytes stands in for it.
        self._check_closed()
        return self._value

    def __repr__(self):
        return '<_io.BytesIO object at %#x>' % id(self)


def _buffer_types():
    # The types with the buffer protocol minipy has (bytearray and memoryview are not
    # built in yet).
    found = [bytes]
    for name in ('bytearray', 'memoryview'):
        try:
            found.append(__builtins__[name])
        except (KeyError, TypeError):
            pass
    return tuple(found)


_BUFFER_TYPES = _buffer_types()


def _bytes_like(b):
    if not isinstance(b, _BUFFER_TYPES):
        raise TypeError("a bytes-like object is required, not '%s'" % type(b).__name__)
    return b


class TextIOWrapper(TextIOBase):
    """Text over a binary stream: decodes what it reads, encodes what it writes."""

    def __init__(self, buffer, encoding=None, errors=None, newline=None,
                 line_buffering=False, write_through=False):
        TextIOBase.__init__(self)
        self.buffer = buffer
        self.encoding = encoding or 'utf-8'
        self.errors = errors or 'strict'
        self._newline = newline
        self.line_buffering = line_buffering
        self._pending = ''

    def _decoded(self, data):
        text = data.decode(self.encoding, self.errors)
        if self._newline is None:
            text = text.replace('\r\n', '\n').replace('\r', '\n')
        return text

    def read(self, size=-1):
        self._check_closed()
        text = self._pending + self._decoded(self.buffer.read())
        if size is None or size < 0:
            self._pending = ''
            return text
        self._pending = text[size:]
        return text[:size]

    def readline(self, size=-1):
        self._check_closed()
        text = self._pending + self._decoded(self.buffer.read())
        end = text.find('\n')
        end = len(text) if end < 0 else end + 1
        if size is not None and size >= 0:
            end = min(end, size)
        self._pending = text[end:]
        return text[:end]

    def write(self, s):
        self._check_closed()
        if not isinstance(s, str):
            raise TypeError('write() argument must be str, not %s' % type(s).__name__)
        text = s
        if self._newline not in (None, '', '\n'):
            text = text.replace('\n', self._newline)
        self.buffer.write(text.encode(self.encoding, self.errors))
        return len(s)

    def readable(self):
        return self.buffer.readable()

    def writable(self):
        return self.buffer.writable()

    def seekable(self):
        return self.buffer.seekable()

    def flush(self):
        self.buffer.flush()

    def close(self):
        if not self._closed:
            self.buffer.close()
            self._closed = True

    @property
    def closed(self):
        return self._closed

    def detach(self):
        buffer = self.buffer
        self.buffer = None
        return buffer
