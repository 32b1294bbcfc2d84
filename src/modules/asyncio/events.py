"""asyncio.events: callback handles (Handle, TimerHandle), the event loop policy, and
which loop is current or running in each thread (get_event_loop, set_event_loop,
new_event_loop, get_running_loop)."""

import _asyncio
import contextvars
import threading
from asyncio import format_helpers

__all__ = ('AbstractEventLoopPolicy', 'AbstractEventLoop', 'Handle', 'TimerHandle',
           'get_event_loop_policy', 'set_event_loop_policy', 'get_event_loop',
           'set_event_loop', 'new_event_loop', 'get_running_loop', '_get_running_loop')


class Handle:
    """A callback scheduled on a loop (call_soon): cancelable, run once in its context."""


    # __init__(callback, args, loop, context=None) and _run() are _asyncio's (Rust). A
    # handle runs in its context: a Context (a task's), or a context's mapping to run in
    # a copy of; with none given, the running one's mapping, shared (it is never changed
    # in place). _run calls the callback there; what it raises goes to
    # _callback_failed.
    __init__ = _asyncio.handle_init

    def _repr_info(self):
        info = [self.__class__.__name__]
        if self._cancelled:
            info.append('cancelled')
        if self._callback is not None:
            info.append(format_helpers._format_callback_source(self._callback, self._args))
        return info

    def __repr__(self):
        return '<{}>'.format(' '.join(self._repr_info()))

    def cancel(self):
        if not self._cancelled:
            self._cancelled = True
            self._callback = None
            self._args = None

    def cancelled(self):
        return self._cancelled

    _run = _asyncio.handle_run


def _callback_failed(handle, exc):
    """A callback raised `exc`: the loop's exception handler hears of it."""
    cb = format_helpers._format_callback_source(handle._callback, handle._args)
    msg = 'Exception in callback {}'.format(cb)
    context = {'message': msg, 'exception': exc, 'handle': handle}
    handle._loop.call_exception_handler(context)


_asyncio._callback_failed = _callback_failed


class TimerHandle(Handle):
    """A callback scheduled for a loop time (call_later, call_at); ordered by that time."""


    # __init__(when, callback, args, loop, context=None), in Rust as Handle's.
    __init__ = _asyncio.timer_handle_init

    def _repr_info(self):
        info = super()._repr_info()
        pos = 2 if self._cancelled else 1
        info.insert(pos, 'when={}'.format(self._when))
        return info

    def __hash__(self):
        return hash(self._when)

    def __lt__(self, other):
        return self._when < other._when

    def __le__(self, other):
        if self._when < other._when:
            return True
        return self.__eq__(other)

    def __gt__(self, other):
        return self._when > other._when

    def __ge__(self, other):
        if self._when > other._when:
            return True
        return self.__eq__(other)

    def __eq__(self, other):
        if isinstance(other, TimerHandle):
            return (self._when == other._when and
                    self._callback == other._callback and
                    self._args == other._args and
                    self._cancelled == other._cancelled)
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return NotImplemented if equal is NotImplemented else not equal

    def cancel(self):
        if not self._cancelled:
            self._loop._timer_handle_cancelled(self)
        super().cancel()

    def when(self):
        return self._when


# The classes call_soon and call_at (Rust) make handles of.
_asyncio.Handle = Handle
_asyncio.TimerHandle = TimerHandle


class AbstractEventLoop:
    """The interface of event loops (see base_events.BaseEventLoop)."""


class AbstractEventLoopPolicy:
    """How loops are made and found per thread."""


class _Local(threading.local):
    _loop = None
    _set_called = False


class BaseDefaultEventLoopPolicy(AbstractEventLoopPolicy):
    """The default policy: one loop per thread, made on demand in the main thread only."""

    _loop_factory = None

    def __init__(self):
        self._local = _Local()

    def get_event_loop(self):
        if (self._local._loop is None and
                not self._local._set_called and
                isinstance(threading.current_thread(), threading._MainThread)):
            self.set_event_loop(self.new_event_loop())
        if self._local._loop is None:
            raise RuntimeError('There is no current event loop in thread %r.'
                               % threading.current_thread().name)
        return self._local._loop

    def set_event_loop(self, loop):
        self._local._set_called = True
        assert loop is None or isinstance(loop, AbstractEventLoop)
        self._local._loop = loop

    def new_event_loop(self):
        return self._loop_factory()


_event_loop_policy = None
_lock = threading.Lock()


class _RunningLoop(threading.local):
    loop = None


_running_loop = _RunningLoop()


def get_running_loop():
    """The loop running in this thread; RuntimeError if none is."""
    loop = _running_loop.loop
    if loop is None:
        raise RuntimeError('no running event loop')
    return loop


def _get_running_loop():
    return _running_loop.loop


def _set_running_loop(loop):
    _running_loop.loop = loop


def _init_event_loop_policy():
    global _event_loop_policy
    with _lock:
        if _event_loop_policy is None:
            from asyncio import DefaultEventLoopPolicy
            _event_loop_policy = DefaultEventLoopPolicy()


def get_event_loop_policy():
    if _event_loop_policy is None:
        _init_event_loop_policy()
    return _event_loop_policy


def set_event_loop_policy(policy):
    global _event_loop_policy
    assert policy is None or isinstance(policy, AbstractEventLoopPolicy)
    _event_loop_policy = policy


def get_event_loop():
    """The running loop, else this thread's current one (made in the main thread)."""
    current_loop = _running_loop.loop
    if current_loop is not None:
        return current_loop
    return get_event_loop_policy().get_event_loop()


def set_event_loop(loop):
    get_event_loop_policy().set_event_loop(loop)


def new_event_loop():
    return get_event_loop_policy().new_event_loop()
