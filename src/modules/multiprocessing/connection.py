# multiprocessing.connection: Pipe() and its Connection objects. Each end is a kernel
# object; a message sent on one is received on the other. An end stays open while some
# process holds it (a forked child holds its parent's), so a reader sees EOF only when
# every copy of the other end is closed.
import _multiprocessing as _mp
from _thread import allocate_lock as _allocate_lock
from time import monotonic as _monotonic
from multiprocessing import context
from multiprocessing.context import BufferTooShort
from multiprocessing.reduction import ForkingPickler as _ForkingPickler

__all__ = ['Connection', 'Pipe', 'wait']


def _wait(objects, timeout):
    return _mp.wait(objects, timeout, _allocate_lock())


class _ConnectionBase:
    def __init__(self, end, readable=True, writable=True):
        if not readable and not writable:
            raise ValueError("at least one of `readable` and `writable` must be True")
        self._handle = end
        self._readable = readable
        self._writable = writable

    def _check_closed(self):
        if self._handle is None:
            raise OSError("handle is closed")

    def _check_readable(self):
        if not self._readable:
            raise OSError("connection is write-only")

    def _check_writable(self):
        if not self._writable:
            raise OSError("connection is read-only")

    @property
    def closed(self):
        return self._handle is None

    @property
    def readable(self):
        return self._readable

    @property
    def writable(self):
        return self._writable

    def fileno(self):
        self._check_closed()
        return self._handle

    def close(self):
        if self._handle is not None:
            try:
                _mp.pipe_close(self._handle)
            finally:
                self._handle = None

    def send_bytes(self, buf, offset=0, size=None):
        self._check_closed()
        self._check_writable()
        m = memoryview(buf)
        data = m.tobytes()
        n = len(data)
        if offset < 0:
            raise ValueError("offset is negative")
        if n < offset:
            raise ValueError("buffer length < offset")
        if size is None:
            size = n - offset
        elif size < 0:
            raise ValueError("size is negative")
        elif offset + size > n:
            raise ValueError("buffer length < offset + size")
        _mp.pipe_send(self._handle, data[offset:offset + size])

    def send(self, obj):
        self._check_closed()
        self._check_writable()
        _mp.pipe_send(self._handle, _ForkingPickler.dumps(obj))

    def recv_bytes(self, maxlength=None):
        self._check_closed()
        self._check_readable()
        if maxlength is not None and maxlength < 0:
            raise ValueError("negative maxlength")
        buf = self._recv()
        if maxlength is not None and len(buf) > maxlength:
            self.close()
            raise OSError("bad message length")
        return buf

    def recv_bytes_into(self, buf, offset=0):
        self._check_closed()
        self._check_readable()
        m = memoryview(buf)
        itemsize = m.itemsize
        bytesize = itemsize * len(m)
        if offset < 0:
            raise ValueError("negative offset")
        elif offset > bytesize:
            raise ValueError("offset too large")
        result = self._recv()
        size = len(result)
        if bytesize < offset + size:
            raise BufferTooShort(result)
        m[offset:offset + size] = result
        return size // itemsize

    def recv(self):
        self._check_closed()
        self._check_readable()
        return _ForkingPickler.loads(self._recv())

    def _recv(self):
        while True:
            data, version = _mp.pipe_recv(self._handle)
            if data is not None:
                return data
            _wait([(self._handle, version)], None)

    def poll(self, timeout=0.0):
        self._check_closed()
        self._check_readable()
        ready, version = _mp.pipe_poll(self._handle)
        if ready:
            return True
        if timeout is not None and timeout <= 0:
            return False
        deadline = None if timeout is None else _monotonic() + timeout
        while True:
            remaining = None
            if deadline is not None:
                remaining = deadline - _monotonic()
                if remaining <= 0:
                    return False
            _wait([(self._handle, version)], remaining)
            ready, version = _mp.pipe_poll(self._handle)
            if ready:
                return True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, exc_tb):
        self.close()

    def __getstate__(self):
        context.assert_spawning(self)
        key = _mp.spawning_key()
        if key is not None and self._handle is not None:
            _mp.pipe_hold(self._handle, key)
        return (self._handle, self._readable, self._writable)

    def __setstate__(self, state):
        (self._handle, self._readable, self._writable) = state


class Connection(_ConnectionBase):
    """A connection (one end of a Pipe)."""


def Pipe(duplex=True):
    """Returns a pair of connected Connection objects; with duplex=False the first can
    only receive and the second only send."""
    a, b = _mp.pipe_new()
    if duplex:
        return Connection(a), Connection(b)
    return Connection(a, writable=False), Connection(b, readable=False)


def wait(object_list, timeout=None):
    """The connections (or processes' sentinels) in object_list that are ready."""
    deadline = None if timeout is None else _monotonic() + timeout
    while True:
        ready = []
        waits = []
        for o in object_list:
            if isinstance(o, _ConnectionBase):
                r, version = _mp.pipe_poll(o._handle)
                if r:
                    ready.append(o)
                waits.append((o._handle, version))
            else:
                code, version, record = _mp.process_status(o)
                if code is not None:
                    ready.append(o)
                waits.append((record, version))
        if ready:
            return ready
        remaining = None
        if deadline is not None:
            remaining = deadline - _monotonic()
            if remaining <= 0:
                return []
        _wait(waits, remaining)
