# multiprocessing.synchronize: locks, semaphores, conditions, events and barriers that
# work across processes. Semaphores and locks live in the kernel (_multiprocessing);
# Condition, Event and Barrier are built from them (and shared memory), as CPython builds
# them from its named semaphores.
import sys
import threading
import _multiprocessing as _mp
from _thread import allocate_lock as _allocate_lock
from time import monotonic as _monotonic
from multiprocessing import context
from multiprocessing import process

__all__ = ['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition', 'Event']

SEMAPHORE, RECURSIVE_MUTEX = 0, 1
SEM_VALUE_MAX = 2147483647


def _wait(objects, timeout):
    return _mp.wait(objects, timeout, _allocate_lock())


class SemLock:
    """A semaphore in the kernel; acquire waits for it without holding the GIL."""

    def __init__(self, kind, value, maxvalue, *, ctx):
        self._kind = kind
        self._maxvalue = maxvalue
        self._id = _mp.sem_new(kind, value, maxvalue)

    def acquire(self, block=True, timeout=None):
        ok, version = _mp.sem_acquire(self._id)
        if ok or not block:
            return ok
        deadline = None if timeout is None else _monotonic() + timeout
        while True:
            remaining = None
            if deadline is not None:
                remaining = deadline - _monotonic()
                if remaining <= 0:
                    return False
            _wait([(self._id, version)], remaining)
            ok, version = _mp.sem_acquire(self._id)
            if ok:
                return True

    def release(self):
        _mp.sem_release(self._id)

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *args):
        return self.release()

    def _info(self):
        # (value, held by this thread, how many times this process holds it)
        return _mp.sem_info(self._id)

    def get_value(self):
        return self._info()[0]

    def __getstate__(self):
        context.assert_spawning(self)
        return (self._id, self._kind, self._maxvalue)

    def __setstate__(self, state):
        self._id, self._kind, self._maxvalue = state


def _owner_name():
    name = process.current_process().name
    if threading.current_thread().name != 'MainThread':
        name += '|' + threading.current_thread().name
    return name


class Semaphore(SemLock):
    def __init__(self, value=1, *, ctx):
        SemLock.__init__(self, SEMAPHORE, value, SEM_VALUE_MAX, ctx=ctx)

    def __repr__(self):
        try:
            value = self.get_value()
        except Exception:
            value = 'unknown'
        return '<%s(value=%s)>' % (self.__class__.__name__, value)


class BoundedSemaphore(Semaphore):
    def __init__(self, value=1, *, ctx):
        SemLock.__init__(self, SEMAPHORE, value, value, ctx=ctx)

    def __repr__(self):
        try:
            value = self.get_value()
        except Exception:
            value = 'unknown'
        return '<%s(value=%s, maxvalue=%s)>' % (self.__class__.__name__, value,
                                               self._maxvalue)


class Lock(SemLock):
    def __init__(self, *, ctx):
        SemLock.__init__(self, SEMAPHORE, 1, 1, ctx=ctx)

    def __repr__(self):
        try:
            value, mine, count = self._info()
            if mine:
                name = _owner_name()
            elif value == 1:
                name = 'None'
            elif count > 0:
                name = 'SomeOtherThread'
            else:
                name = 'SomeOtherProcess'
        except Exception:
            name = 'unknown'
        return '<%s(owner=%s)>' % (self.__class__.__name__, name)


class RLock(SemLock):
    def __init__(self, *, ctx):
        SemLock.__init__(self, RECURSIVE_MUTEX, 1, 1, ctx=ctx)

    def __repr__(self):
        try:
            value, mine, count = self._info()
            if mine:
                name = _owner_name()
            elif value == 1:
                name, count = 'None', 0
            elif count > 0:
                name, count = 'SomeOtherThread', 'nonzero'
            else:
                name, count = 'SomeOtherProcess', 'nonzero'
        except Exception:
            name, count = 'unknown', 'unknown'
        return '<%s(%s, %s)>' % (self.__class__.__name__, name, count)


class Condition:
    """A condition variable across processes: waiters count themselves in a semaphore,
    sleep on another, and notify() wakes as many as it should, then waits for them to
    have woken (so a later notify cannot wake them twice)."""

    def __init__(self, lock=None, *, ctx):
        self._lock = lock or ctx.RLock()
        self._sleeping_count = ctx.Semaphore(0)
        self._woken_count = ctx.Semaphore(0)
        self._wait_semaphore = ctx.Semaphore(0)
        self._make_methods()

    def __getstate__(self):
        context.assert_spawning(self)
        return (self._lock, self._sleeping_count, self._woken_count, self._wait_semaphore)

    def __setstate__(self, state):
        (self._lock, self._sleeping_count, self._woken_count, self._wait_semaphore) = state
        self._make_methods()

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *args):
        return self._lock.__exit__(*args)

    def _make_methods(self):
        self.acquire = self._lock.acquire
        self.release = self._lock.release

    def __repr__(self):
        try:
            num_waiters = (self._sleeping_count.get_value() - self._woken_count.get_value())
        except Exception:
            num_waiters = 'unknown'
        return '<%s(%s, %s)>' % (self.__class__.__name__, self._lock, num_waiters)

    def _is_mine(self):
        return self._lock._info()[1]

    def wait(self, timeout=None):
        assert self._is_mine(), 'must acquire() condition before using wait()'
        self._sleeping_count.release()
        # The lock is released as many times as this thread holds it, then taken back.
        count = self._lock._info()[2]
        for i in range(count):
            self._lock.release()
        try:
            return self._wait_semaphore.acquire(True, timeout)
        finally:
            self._woken_count.release()
            for i in range(count):
                self._lock.acquire()

    def notify(self, n=1):
        assert self._is_mine(), 'lock is not owned'
        assert not self._wait_semaphore.acquire(False)
        # Waiters that timed out since the last notify are no longer sleeping.
        while self._woken_count.acquire(False):
            res = self._sleeping_count.acquire(False)
            assert res, 'notify: Bug in sleeping_count.acquire - res should not be False'
        sleepers = 0
        while sleepers < n and self._sleeping_count.acquire(False):
            self._wait_semaphore.release()
            sleepers += 1
        if sleepers:
            for i in range(sleepers):
                self._woken_count.acquire()
            while self._wait_semaphore.acquire(False):
                pass

    def notify_all(self):
        self.notify(n=sys.maxsize)

    def wait_for(self, predicate, timeout=None):
        result = predicate()
        if result:
            return result
        endtime = None if timeout is None else _monotonic() + timeout
        waittime = None
        while not result:
            if endtime is not None:
                waittime = endtime - _monotonic()
                if waittime <= 0:
                    break
            self.wait(waittime)
            result = predicate()
        return result


class Event:
    """A flag across processes: a semaphore holding 0 or 1, and a condition to wait on."""

    def __init__(self, *, ctx):
        self._cond = ctx.Condition(ctx.Lock())
        self._flag = ctx.Semaphore(0)

    def is_set(self):
        with self._cond:
            if self._flag.acquire(False):
                self._flag.release()
                return True
            return False

    def set(self):
        with self._cond:
            self._flag.acquire(False)
            self._flag.release()
            self._cond.notify_all()

    def clear(self):
        with self._cond:
            self._flag.acquire(False)

    def wait(self, timeout=None):
        with self._cond:
            if self._flag.acquire(False):
                self._flag.release()
            else:
                self._cond.wait(timeout)
            if self._flag.acquire(False):
                self._flag.release()
                return True
            return False


class Barrier(threading.Barrier):
    """threading's barrier with its state and count in shared memory and a condition
    across processes."""

    def __init__(self, parties, action=None, timeout=None, *, ctx):
        from multiprocessing.sharedctypes import RawArray
        wrapper = RawArray('i', 2)
        self.__setstate__((parties, action, timeout, ctx.Condition(), wrapper))
        self._state = 0
        self._count = 0

    def __setstate__(self, state):
        (self._parties, self._action, self._timeout, self._cond, self._wrapper) = state
        self._array = self._wrapper

    def __getstate__(self):
        return (self._parties, self._action, self._timeout, self._cond, self._wrapper)

    @property
    def _state(self):
        return self._array[0]

    @_state.setter
    def _state(self, value):
        self._array[0] = value

    @property
    def _count(self):
        return self._array[1]

    @_count.setter
    def _count(self, value):
        self._array[1] = value
