"""asyncio.futures: Future, the awaitable result of an operation that has not finished,
with CPython 3.7's states, callbacks (scheduled on the loop in registration order),
errors and repr; and wrap_future, which ties a concurrent.futures.Future to one."""

import _asyncio
import concurrent.futures
import contextvars
from asyncio import base_futures
from asyncio import events
from asyncio import format_helpers

__all__ = ('CancelledError', 'TimeoutError', 'InvalidStateError',
           'Future', 'wrap_future', 'isfuture')

CancelledError = base_futures.CancelledError
InvalidStateError = base_futures.InvalidStateError
TimeoutError = base_futures.TimeoutError
isfuture = base_futures.isfuture

# What the Rust methods raise and read.
_asyncio.CancelledError = CancelledError
_asyncio.InvalidStateError = InvalidStateError
_asyncio.get_event_loop = events.get_event_loop
_asyncio.contextvars = contextvars

_PENDING = base_futures._PENDING
_CANCELLED = base_futures._CANCELLED
_FINISHED = base_futures._FINISHED


class Future:
    """A result that will exist later. Awaiting it suspends the awaiting task until it is
    set; its done callbacks are scheduled with call_soon, never called at once."""

    _state = _PENDING
    _result = None
    _exception = None
    _loop = None
    _source_traceback = None
    # True while a task that awaits this future is suspended on it (Task.__step checks
    # it to tell a `yield` from an `await`); None marks plain generators apart.
    _asyncio_future_blocking = False
    _log_traceback = False

    # The methods a task's every step calls are _asyncio's (Rust), as CPython's C Future;
    # they keep the state in the attributes above. __init__(*, loop=None) takes the
    # current loop when none is given.
    __init__ = _asyncio.future_init

    def __repr__(self):
        return '<{} {}>'.format(self.__class__.__name__, ' '.join(self._repr_info()))

    def _repr_info(self):
        return base_futures._future_repr_info(self)

    get_loop = _asyncio.future_get_loop
    # Cancels the future and schedules its callbacks; False if it was already done.
    cancel = _asyncio.future_cancel
    # Hands every callback to the loop's call_soon, in the order they were added.
    _schedule_callbacks = _asyncio.future_schedule_callbacks
    cancelled = _asyncio.future_cancelled
    done = _asyncio.future_done
    # The result; raises the exception that was set, CancelledError, or InvalidStateError
    # while pending.
    result = _asyncio.future_result
    exception = _asyncio.future_exception
    # add_done_callback(fn, *, context=None): scheduled at once if the future is done,
    # else when it is, in the running context (or the one given).
    add_done_callback = _asyncio.future_add_done_callback

    def remove_done_callback(self, fn):
        """Removes every registration of `fn`; returns how many there were."""
        filtered = [(f, ctx) for (f, ctx) in self._callbacks if f != fn]
        removed_count = len(self._callbacks) - len(filtered)
        if removed_count:
            self._callbacks[:] = filtered
        return removed_count

    set_result = _asyncio.future_set_result
    set_exception = _asyncio.future_set_exception

    def __await__(self):
        if not self.done():
            self._asyncio_future_blocking = True
            yield self
        if not self.done():
            raise RuntimeError("await wasn't used with future")
        return self.result()

    __iter__ = __await__

    # __del__ is _asyncio's (Rust): when the future holds an exception nobody retrieved
    # (`_log_traceback`), _report_unretrieved tells the loop's exception handler; most
    # futures have nothing to say, and are let go without running Python code.
    __del__ = _asyncio.future_del


def _report_unretrieved(fut):
    context = {
        'message': '%s exception was never retrieved' % fut.__class__.__name__,
        'exception': fut._exception,
        'future': fut,
    }
    fut._loop.call_exception_handler(context)


_asyncio.report_unretrieved = _report_unretrieved


def _get_loop(fut):
    try:
        get_loop = fut.get_loop
    except AttributeError:
        return fut._loop
    return get_loop()


def _set_result_unless_cancelled(fut, result):
    if fut.cancelled():
        return
    fut.set_result(result)


def _set_concurrent_future_state(concurrent, source):
    assert source.done()
    if source.cancelled():
        concurrent.cancel()
    if not concurrent.set_running_or_notify_cancel():
        return
    exception = source.exception()
    if exception is not None:
        concurrent.set_exception(exception)
    else:
        result = source.result()
        concurrent.set_result(result)


def _copy_future_state(source, dest):
    assert source.done()
    if dest.cancelled():
        return
    assert not dest.done()
    if source.cancelled():
        dest.cancel()
    else:
        exception = source.exception()
        if exception is not None:
            dest.set_exception(exception)
        else:
            dest.set_result(source.result())


def _chain_future(source, destination):
    """Copies the state of one future (asyncio or concurrent.futures) to another when it
    finishes, across loops and threads with call_soon_threadsafe."""
    if not isfuture(source) and not isinstance(source, concurrent.futures.Future):
        raise TypeError('A future is required for source argument')
    if not isfuture(destination) and not isinstance(destination, concurrent.futures.Future):
        raise TypeError('A future is required for destination argument')
    source_loop = _get_loop(source) if isfuture(source) else None
    dest_loop = _get_loop(destination) if isfuture(destination) else None

    def _set_state(future, other):
        if isfuture(future):
            _copy_future_state(other, future)
        else:
            _set_concurrent_future_state(future, other)

    def _call_check_cancel(destination):
        if destination.cancelled():
            if source_loop is None or source_loop is dest_loop:
                source.cancel()
            else:
                source_loop.call_soon_threadsafe(source.cancel)

    def _call_set_state(source):
        if destination.cancelled() and dest_loop is not None and dest_loop.is_closed():
            return
        if dest_loop is None or dest_loop is source_loop:
            _set_state(destination, source)
        else:
            dest_loop.call_soon_threadsafe(_set_state, destination, source)

    destination.add_done_callback(_call_check_cancel)
    source.add_done_callback(_call_set_state)


def wrap_future(future, *, loop=None):
    """An asyncio Future that follows a concurrent.futures.Future."""
    if isfuture(future):
        return future
    assert isinstance(future, concurrent.futures.Future), \
        'concurrent.futures.Future is expected, got {!r}'.format(future)
    if loop is None:
        loop = events.get_event_loop()
    new_future = loop.create_future()
    _chain_future(future, new_future)
    return new_future
