# The threading module, written in minipy's Python: Thread objects over the VM's native
# thread primitives (_start, _join, _alive, _ident, _current), and Lock/RLock from the VM.
from _thread import _start, _join, _alive, _current_ident, _main_ident, allocate_lock, allocate_rlock
from _thread import _local_register
from time import monotonic as _time
from sys import maxsize as _maxsize

# 3.7's list; `from threading import *` gives these names only.
__all__ = ['get_ident', 'active_count', 'Condition', 'current_thread',
           'enumerate', 'main_thread', 'TIMEOUT_MAX',
           'Event', 'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Thread',
           'Barrier', 'BrokenBarrierError', 'Timer', 'ThreadError',
           'setprofile', 'settrace', 'local', 'stack_size']

Lock = allocate_lock


def RLock(*args, **kwargs):
    # A factory function, as 3.7's threading.RLock is.
    return allocate_rlock(*args, **kwargs)


ThreadError = RuntimeError
TIMEOUT_MAX = 9223372036.0
_threads = {}
_counter = 0
_profile_hook = None
_trace_hook = None
_stack_size = 0


def setprofile(func):
    # Stored as 3.7 does; minipy has no sys.setprofile, so a new thread never installs it.
    global _profile_hook
    _profile_hook = func


def settrace(func):
    # Stored as 3.7 does; minipy has no sys.settrace, so a new thread never installs it.
    global _trace_hook
    _trace_hook = func


def stack_size(*args, **kwargs):
    """3.7's _thread.stack_size: returns the previous size and sets the new one (0, the
    default, or at least 32 KiB). minipy threads do not use it."""
    global _stack_size
    if kwargs:
        raise TypeError('stack_size() takes no keyword arguments')
    if len(args) > 1:
        raise TypeError('stack_size() takes at most 1 argument (%d given)' % len(args))
    size = args[0] if args else 0
    if isinstance(size, float):
        raise TypeError('integer argument expected, got float')
    if not isinstance(size, int):
        raise TypeError("'%s' object cannot be interpreted as an integer" % type(size).__name__)
    if size > _maxsize:
        raise OverflowError('Python int too large to convert to C ssize_t')
    if size < 0:
        raise ValueError('size must be 0 or a positive value')
    if size != 0 and size < 32768:
        raise ValueError('size not valid: %d bytes' % size)
    old = _stack_size
    _stack_size = int(size)
    return old


def _newname(template='Thread-%d'):
    global _counter
    _counter += 1
    return template % _counter


class Thread:
    # False until Thread.__init__ runs: a subclass that never calls it gets 3.7's errors.
    _initialized = False

    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        assert group is None, 'group argument must be None for now'
        self._target = target
        self._args = args
        self._kwargs = kwargs if kwargs is not None else {}
        # Only a thread without a name takes a number (as 3.7: no "(target)" suffix).
        self._name = str(name or _newname())
        if daemon is None:
            daemon = current_thread().daemon
        self._daemon = daemon
        self._started = False
        self._ident = None
        self._initialized = True

    def start(self):
        if not self._initialized:
            raise RuntimeError('thread.__init__() not called')
        if self._started:
            raise RuntimeError('threads can only be started once')
        self._started = True
        self._ident = _start(self, self._name, self._daemon)
        _threads[self._ident] = self

    def _bootstrap_inner(self):
        # The new thread's first act: register itself, so current_thread() (and a
        # Thread() made inside it) works before the starting thread gets the GIL back.
        _threads[_current_ident()] = self
        self.run()

    def run(self):
        try:
            if self._target is not None:
                self._target(*self._args, **self._kwargs)
        finally:
            # As CPython: a Thread does not keep its target alive (or run it twice).
            del self._target, self._args, self._kwargs

    def join(self, timeout=None):
        if not self._initialized:
            raise RuntimeError('Thread.__init__() not called')
        if not self._started:
            raise RuntimeError('cannot join thread before it is started')
        if self._ident == _current_ident():
            raise RuntimeError('cannot join current thread')
        if timeout is not None:
            # As 3.7: a negative timeout acts as 0, and a timeout that is not a number
            # raises TypeError here rather than waiting.
            timeout = max(timeout, 0)
        _join(self._ident, timeout)

    def is_alive(self):
        assert self._initialized, 'Thread.__init__() not called'
        return self._started and _alive(self._ident)

    @property
    def name(self):
        assert self._initialized, 'Thread.__init__() not called'
        return self._name

    @name.setter
    def name(self, value):
        assert self._initialized, 'Thread.__init__() not called'
        self._name = str(value)

    @property
    def ident(self):
        assert self._initialized, 'Thread.__init__() not called'
        return self._ident

    # The camelCase names of Python 2's threading, still in 3.7.
    def getName(self):
        return self.name

    def setName(self, name):
        self.name = name

    def isDaemon(self):
        return self.daemon

    def setDaemon(self, daemonic):
        self.daemon = daemonic

    isAlive = is_alive

    @property
    def daemon(self):
        assert self._initialized, 'Thread.__init__() not called'
        return self._daemon

    @daemon.setter
    def daemon(self, value):
        if not self._initialized:
            raise RuntimeError('Thread.__init__() not called')
        if self._started:
            raise RuntimeError('cannot set daemon status of active thread')
        self._daemon = value

    def __repr__(self):
        assert self._initialized, 'Thread.__init__() was not called'
        status = 'initial'
        if self._started:
            status = 'started' if self.is_alive() else 'stopped'
        if self._daemon:
            status += ' daemon'
        if self._ident is not None and self._started:
            status += ' %d' % self._ident
        return '<%s(%s, %s)>' % (type(self).__name__, self._name, status)


class _MainThread(Thread):
    def __init__(self):
        Thread.__init__(self, name='MainThread', daemon=False)
        self._started = True
        self._ident = _main_ident()


_main = _MainThread()
_threads[_main._ident] = _main


def current_thread():
    try:
        return _threads[_current_ident()]
    except KeyError:
        # A thread _thread.start_new_thread started: it gets a dummy Thread, as in 3.7.
        return _DummyThread()


class _DummyThread(Thread):
    """A Thread object for a thread threading did not start; daemonic, never joined."""

    def __init__(self):
        Thread.__init__(self, name=_newname('Dummy-%d'), daemon=True)
        self._started = True
        self._ident = _current_ident()
        _threads[self._ident] = self

    def join(self, timeout=None):
        assert False, 'cannot join a dummy thread'


def _shutdown():
    # What CPython runs at exit: wait for every non-daemon thread (minipy's VM does this
    # itself after the main module ends).
    me = current_thread()
    for t in list(_threads.values()):
        if t is not me and not t.daemon and t.is_alive():
            t.join()


def main_thread():
    return _main


def get_ident():
    return _current_ident()


def enumerate():
    return [t for t in _threads.values() if t.is_alive()]


def active_count():
    return len(enumerate())


currentThread = current_thread
activeCount = active_count


class Condition:
    def __init__(self, lock=None):
        if lock is None:
            lock = RLock()
        self._lock = lock
        self.acquire = lock.acquire
        self.release = lock.release
        # As 3.7: a lock's own _release_save, _acquire_restore and _is_owned (an RLock's)
        # replace the plain acquire/release versions below; a Lock has none.
        try:
            self._release_save = lock._release_save
        except AttributeError:
            pass
        try:
            self._acquire_restore = lock._acquire_restore
        except AttributeError:
            pass
        try:
            self._is_owned = lock._is_owned
        except AttributeError:
            pass
        self._waiters = []

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *args):
        return self._lock.__exit__(*args)

    def __repr__(self):
        return '<Condition(%s, %d)>' % (self._lock, len(self._waiters))

    def _release_save(self):
        self._lock.release()  # no state to save

    def _acquire_restore(self, x):
        self._lock.acquire()  # ignores the saved state

    def _is_owned(self):
        # Used only when the lock has no _is_owned: held by someone, as 3.7 guesses.
        if self._lock.acquire(0):
            self._lock.release()
            return False
        else:
            return True

    def wait(self, timeout=None):
        if not self._is_owned():
            raise RuntimeError('cannot wait on un-acquired lock')
        waiter = allocate_lock()
        waiter.acquire()
        self._waiters.append(waiter)
        saved = self._release_save()
        gotit = False
        try:
            if timeout is None:
                waiter.acquire()
                gotit = True
            elif timeout > 0:
                gotit = waiter.acquire(True, timeout)
            else:
                gotit = waiter.acquire(False)
            return gotit
        finally:
            self._acquire_restore(saved)
            if not gotit:
                try:
                    self._waiters.remove(waiter)
                except ValueError:
                    pass

    def wait_for(self, predicate, timeout=None):
        # Waits again after a wakeup that left the predicate false, until the deadline.
        endtime = None
        waittime = timeout
        result = predicate()
        while not result:
            if waittime is not None:
                if endtime is None:
                    endtime = _time() + waittime
                else:
                    waittime = endtime - _time()
                    if waittime <= 0:
                        break
            self.wait(waittime)
            result = predicate()
        return result

    def notify(self, n=1):
        if not self._is_owned():
            raise RuntimeError('cannot notify on un-acquired lock')
        all_waiters = self._waiters
        for waiter in all_waiters[:_islice_stop(n)]:
            waiter.release()
            try:
                all_waiters.remove(waiter)
            except ValueError:
                pass

    def notify_all(self):
        self.notify(len(self._waiters))

    notifyAll = notify_all


def _islice_stop(n):
    # 3.7's notify takes islice(waiters, n), which accepts only None or an int
    # 0 <= n <= sys.maxsize, with these messages.
    if n is None:
        return None
    if not isinstance(n, int) or n == -1 or n > _maxsize:
        raise ValueError('Stop argument for islice() must be None or an integer: '
                         '0 <= x <= sys.maxsize.')
    if n < 0:
        raise ValueError('Indices for islice() must be None or an integer: '
                         '0 <= x <= sys.maxsize.')
    return n


class Semaphore:
    def __init__(self, value=1):
        if value < 0:
            raise ValueError('semaphore initial value must be >= 0')
        self._cond = Condition(Lock())
        self._value = value

    def acquire(self, blocking=True, timeout=None):
        if not blocking and timeout is not None:
            raise ValueError("can't specify timeout for non-blocking acquire")
        rc = False
        endtime = None
        with self._cond:
            # A wakeup that finds the count taken again waits on, to the first deadline.
            while self._value == 0:
                if not blocking:
                    break
                if timeout is not None:
                    if endtime is None:
                        endtime = _time() + timeout
                    else:
                        timeout = endtime - _time()
                        if timeout <= 0:
                            break
                self._cond.wait(timeout)
            else:
                self._value -= 1
                rc = True
        return rc

    __enter__ = acquire

    def release(self):
        with self._cond:
            self._value += 1
            self._cond.notify()

    def __exit__(self, t, v, tb):
        self.release()


class BoundedSemaphore(Semaphore):
    def __init__(self, value=1):
        Semaphore.__init__(self, value)
        self._initial_value = value

    def release(self):
        with self._cond:
            if self._value >= self._initial_value:
                raise ValueError('Semaphore released too many times')
            self._value += 1
            self._cond.notify()


class Event:
    def __init__(self):
        self._cond = Condition(Lock())
        self._flag = False

    def is_set(self):
        return self._flag

    isSet = is_set

    def set(self):
        with self._cond:
            self._flag = True
            self._cond.notify_all()

    def clear(self):
        with self._cond:
            self._flag = False

    def wait(self, timeout=None):
        with self._cond:
            signaled = self._flag
            if not signaled:
                signaled = self._cond.wait(timeout)
            return signaled


class BrokenBarrierError(RuntimeError):
    pass


class Barrier:
    """CPython's barrier: parties threads meet at wait(); a timeout, abort() or reset()
    while threads wait breaks it for all of them."""

    def __init__(self, parties, action=None, timeout=None):
        self._cond = Condition(Lock())
        self._action = action
        self._timeout = timeout
        self._parties = parties
        self._state = 0  # 0 filling, 1 draining, -1 resetting, -2 broken
        self._count = 0

    def wait(self, timeout=None):
        if timeout is None:
            timeout = self._timeout
        with self._cond:
            self._enter()
            index = self._count
            self._count += 1
            try:
                if index + 1 == self._parties:
                    self._release()
                else:
                    self._wait(timeout)
                return index
            finally:
                self._count -= 1
                self._exit()

    def _enter(self):
        while self._state in (-1, 1):
            self._cond.wait()
        if self._state < 0:
            raise BrokenBarrierError
        assert self._state == 0

    def _release(self):
        try:
            if self._action:
                self._action()
            self._state = 1
            self._cond.notify_all()
        except:
            self._break()
            raise

    def _wait(self, timeout):
        if not self._cond.wait_for(lambda: self._state != 0, timeout):
            self._break()
            raise BrokenBarrierError
        if self._state < 0:
            raise BrokenBarrierError
        assert self._state == 1

    def _exit(self):
        if self._count == 0:
            if self._state in (-1, 1):
                self._state = 0
                self._cond.notify_all()

    def reset(self):
        with self._cond:
            if self._count > 0:
                if self._state == 0:
                    self._state = -1
                elif self._state == -2:
                    self._state = -1
            else:
                self._state = 0
            self._cond.notify_all()

    def abort(self):
        with self._cond:
            self._break()

    def _break(self):
        self._state = -2
        self._cond.notify_all()

    @property
    def parties(self):
        return self._parties

    @property
    def n_waiting(self):
        if self._state == 0:
            return self._count
        return 0

    @property
    def broken(self):
        return self._state == -2


class Timer(Thread):
    def __init__(self, interval, function, args=None, kwargs=None):
        Thread.__init__(self)
        self.interval = interval
        self.function = function
        self.args = args if args is not None else []
        self.kwargs = kwargs if kwargs is not None else {}
        self.finished = Event()

    def cancel(self):
        self.finished.set()

    def run(self):
        self.finished.wait(self.interval)
        if not self.finished.is_set():
            self.function(*self.args, **self.kwargs)
        self.finished.set()


class _local:
    """Attributes seen only by the thread that set them. The VM keeps one __dict__ per thread
    and shows each thread its own (_local_register); a subclass's __init__ runs again, with
    the same arguments, when another thread first uses the instance."""

    __module__ = '_thread'

    def __new__(cls, *args, **kw):
        if (args or kw) and cls.__init__ is object.__init__:
            raise TypeError('Initialization arguments are not supported')
        self = object.__new__(cls)
        _local_register(self, args, kw)
        return self


local = _local
