"""asyncio.tasks: Task, which drives a coroutine on the loop one step per callback (a step
runs the coroutine until it awaits a future, which wakes the task when done), and the
functions that combine awaitables: sleep, gather, wait, wait_for, as_completed, shield,
ensure_future, run_coroutine_threadsafe, current_task and all_tasks."""

import concurrent.futures
import contextvars
import functools
import _types
import _asyncio
import weakref
from asyncio import base_futures
from asyncio import coroutines
from asyncio import events
from asyncio import futures

__all__ = ('Task', 'create_task', 'FIRST_COMPLETED', 'FIRST_EXCEPTION', 'ALL_COMPLETED',
           'wait', 'wait_for', 'as_completed', 'sleep', 'gather', 'shield',
           'ensure_future', 'run_coroutine_threadsafe', 'current_task', 'all_tasks')

FIRST_COMPLETED = concurrent.futures.FIRST_COMPLETED
FIRST_EXCEPTION = concurrent.futures.FIRST_EXCEPTION
ALL_COMPLETED = concurrent.futures.ALL_COMPLETED

# Every task, weakly (a task nothing refers to is freed, and reported if pending).
_all_tasks = weakref.WeakSet()
# The task running in each loop.
_current_tasks = {}
_asyncio._current_tasks = _current_tasks
_asyncio.iscoroutine = coroutines.iscoroutine


def current_task(loop=None):
    if loop is None:
        loop = events.get_running_loop()
    return _current_tasks.get(loop)


def all_tasks(loop=None):
    """The tasks of `loop` (the running one by default) that are not done."""
    if loop is None:
        loop = events.get_running_loop()
    return {t for t in list(_all_tasks) if futures._get_loop(t) is loop and not t.done()}


def _all_tasks_compat(loop=None):
    if loop is None:
        loop = events.get_event_loop()
    return {t for t in list(_all_tasks) if futures._get_loop(t) is loop and not t.done()}


def _register_task(task):
    _all_tasks.add(task)


_asyncio.register_task = _register_task


def _unregister_task(task):
    _all_tasks.discard(task)


def _enter_task(loop, task):
    current = _current_tasks.get(loop)
    if current is not None:
        raise RuntimeError("Cannot enter into task {!r} while another "
                           "task {!r} is being executed.".format(task, current))
    _current_tasks[loop] = task
    # For run --timeline (a row per task); the same instructions run whether it records
    # or not, so recording moves no GIL check.
    _asyncio.task_step(task, True)


def _leave_task(loop, task):
    current = _current_tasks.get(loop)
    if current is not task:
        raise RuntimeError("Leaving task {!r} does not match "
                           "the current task {!r}.".format(task, current))
    del _current_tasks[loop]
    _asyncio.task_step(task, False)


class Task(futures.Future):
    """A coroutine scheduled on the loop: its first step runs at the next iteration."""

    _log_destroy_pending = True

    @classmethod
    def current_task(cls, loop=None):
        import warnings
        warnings.warn("Task.current_task() is deprecated, "
                      "use asyncio.current_task() instead",
                      PendingDeprecationWarning, stacklevel=2)
        if loop is None:
            loop = events.get_event_loop()
        return current_task(loop)

    @classmethod
    def all_tasks(cls, loop=None):
        import warnings
        warnings.warn("Task.all_tasks() is deprecated, "
                      "use asyncio.all_tasks() instead",
                      PendingDeprecationWarning, stacklevel=2)
        return _all_tasks_compat(loop)

    # __init__(coro, *, loop=None) is _asyncio's (Rust): Future's, then TypeError unless
    # `coro` is a coroutine; then _must_cancel, _fut_waiter, _coro and _context (a copy
    # of the running context) are set, the first step is scheduled with call_soon in that
    # context, and the task is registered (all_tasks).
    __init__ = _asyncio.task_init

    def _repr_info(self):
        info = base_futures._future_repr_info(self)
        if self._must_cancel:
            info[0] = 'cancelling'
        coro = self._coro
        name = getattr(coro, '__qualname__', None) or getattr(coro, '__name__', None)
        frame = getattr(coro, 'cr_frame', None) or getattr(coro, 'gi_frame', None)
        code = getattr(coro, 'cr_code', None) or getattr(coro, 'gi_code', None)
        if frame is not None:
            coro_repr = '{}() running at {}:{}'.format(name, code.co_filename, frame.f_lineno)
        elif code is not None:
            coro_repr = '{}() done, defined at {}:{}'.format(
                name, code.co_filename, code.co_firstlineno)
        else:
            coro_repr = repr(coro)
        info.insert(1, 'coro=<{}>'.format(coro_repr))
        if self._fut_waiter is not None:
            info.insert(2, 'wait_for={!r}'.format(self._fut_waiter))
        return info

    # __del__ (Rust): a task freed while pending is reported ("Task was destroyed but it
    # is pending!", _report_pending), then as a future.
    __del__ = _asyncio.task_del

    def set_result(self, result):
        raise RuntimeError('Task does not support set_result operation')

    def set_exception(self, exception):
        raise RuntimeError('Task does not support set_exception operation')

    def get_stack(self, *, limit=None):
        return []

    def cancel(self):
        """Asks the task to stop: CancelledError is thrown into its coroutine at its next
        step (the awaited future is cancelled first). True if it was not done."""
        self._log_traceback = False
        if self.done():
            return False
        if self._fut_waiter is not None:
            if self._fut_waiter.cancel():
                # The waiter's callback (__wakeup) then throws CancelledError in.
                return True
        self._must_cancel = True
        return True

    # __step(exc=None) runs the coroutine to its next await: send (or throw `exc`) into
    # it, then its result or exception is the task's if it returned or raised; a future it
    # yielded gets __wakeup as its done callback; a bare yield gives up one iteration.
    # __wakeup(future) steps the task once the future is done, throwing its exception in.
    # Both are _asyncio's (Rust), as CPython's C Task; they are named as the mangled
    # names these methods would have.
    _Task__step = _asyncio.task__step
    _Task__wakeup = _asyncio.task__wakeup


_PyTask = Task


def _report_pending(task):
    context = {
        'task': task,
        'message': 'Task was destroyed but it is pending!',
    }
    task._loop.call_exception_handler(context)


_asyncio.report_pending = _report_pending


def create_task(coro):
    """Schedules a coroutine on the running loop; its Task."""
    loop = events.get_running_loop()
    return loop.create_task(coro)


def ensure_future(coro_or_future, *, loop=None):
    """A future for a coroutine (wrapped in a Task), a future, or an awaitable."""
    if coroutines.iscoroutine(coro_or_future):
        if loop is None:
            loop = events.get_event_loop()
        task = loop.create_task(coro_or_future)
        return task
    elif futures.isfuture(coro_or_future):
        if loop is not None and loop is not futures._get_loop(coro_or_future):
            raise ValueError('loop argument must agree with Future')
        return coro_or_future
    elif hasattr(coro_or_future, '__await__'):
        return ensure_future(_wrap_awaitable(coro_or_future), loop=loop)
    else:
        raise TypeError('An asyncio.Future, a coroutine or an awaitable is '
                        'required')


def _wrap_awaitable(awaitable):
    return (yield from awaitable.__await__())


_wrap_awaitable = _types.coroutine(_wrap_awaitable)


def __sleep0():
    """Gives up one loop iteration (a bare yield to the task)."""
    yield


__sleep0 = _types.coroutine(__sleep0)


async def sleep(delay, result=None, *, loop=None):
    """A coroutine that completes after `delay` seconds, with `result`."""
    if delay <= 0:
        await __sleep0()
        return result
    if loop is None:
        loop = events.get_event_loop()
    future = loop.create_future()
    h = loop.call_later(delay, futures._set_result_unless_cancelled, future, result)
    try:
        return await future
    finally:
        h.cancel()


def _release_waiter(waiter, *args):
    if not waiter.done():
        waiter.set_result(None)


async def wait(fs, *, loop=None, timeout=None, return_when=ALL_COMPLETED):
    """Waits for the futures and coroutines in `fs`: (done, pending) sets of futures."""
    if futures.isfuture(fs) or coroutines.iscoroutine(fs):
        raise TypeError('expect a list of futures, not {}'.format(type(fs).__name__))
    if not fs:
        raise ValueError('Set of coroutines/Futures is empty.')
    if return_when not in (FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED):
        raise ValueError('Invalid return_when value: {}'.format(return_when))
    if loop is None:
        loop = events.get_event_loop()
    fs = {ensure_future(f, loop=loop) for f in set(fs)}
    return await _wait(fs, timeout, return_when, loop)


async def _wait(fs, timeout, return_when, loop):
    assert fs, 'Set of Futures is empty.'
    waiter = loop.create_future()
    timeout_handle = None
    if timeout is not None:
        timeout_handle = loop.call_later(timeout, _release_waiter, waiter)
    counter = len(fs)

    def _on_completion(f):
        nonlocal counter
        counter -= 1
        if (counter <= 0 or
                return_when == FIRST_COMPLETED or
                return_when == FIRST_EXCEPTION and (not f.cancelled() and
                                                    f.exception() is not None)):
            if timeout_handle is not None:
                timeout_handle.cancel()
            if not waiter.done():
                waiter.set_result(None)

    for f in fs:
        f.add_done_callback(_on_completion)
    try:
        await waiter
    finally:
        if timeout_handle is not None:
            timeout_handle.cancel()
    done, pending = set(), set()
    for f in fs:
        f.remove_done_callback(_on_completion)
        if f.done():
            done.add(f)
        else:
            pending.add(f)
    return done, pending


async def _cancel_and_wait(fut, loop):
    waiter = loop.create_future()
    cb = functools.partial(_release_waiter, waiter)
    fut.add_done_callback(cb)
    try:
        fut.cancel()
        await waiter
    finally:
        fut.remove_done_callback(cb)


async def wait_for(fut, timeout, *, loop=None):
    """Waits for one awaitable; after `timeout` seconds it is cancelled and TimeoutError
    raised."""
    if loop is None:
        loop = events.get_event_loop()
    if timeout is None:
        return await fut
    if timeout <= 0:
        fut = ensure_future(fut, loop=loop)
        if fut.done():
            return fut.result()
        fut.cancel()
        raise futures.TimeoutError()
    waiter = loop.create_future()
    timeout_handle = loop.call_later(timeout, _release_waiter, waiter)
    cb = functools.partial(_release_waiter, waiter)
    fut = ensure_future(fut, loop=loop)
    fut.add_done_callback(cb)
    try:
        try:
            await waiter
        except futures.CancelledError:
            fut.remove_done_callback(cb)
            fut.cancel()
            raise
        if fut.done():
            return fut.result()
        else:
            fut.remove_done_callback(cb)
            await _cancel_and_wait(fut, loop=loop)
            raise futures.TimeoutError()
    finally:
        timeout_handle.cancel()


def as_completed(fs, *, loop=None, timeout=None):
    """An iterator of coroutines; awaiting each gives the next result to arrive."""
    if futures.isfuture(fs) or coroutines.iscoroutine(fs):
        raise TypeError('expect a list of futures, not {}'.format(type(fs).__name__))
    from asyncio.queues import Queue
    done = Queue(loop=loop)
    if loop is None:
        loop = events.get_event_loop()
    todo = {ensure_future(f, loop=loop) for f in set(fs)}
    timeout_handle = None

    def _on_timeout():
        for f in todo:
            f.remove_done_callback(_on_completion)
            done.put_nowait(None)
        todo.clear()

    def _on_completion(f):
        if not todo:
            return
        todo.remove(f)
        done.put_nowait(f)
        if not todo and timeout_handle is not None:
            timeout_handle.cancel()

    async def _wait_for_one():
        f = await done.get()
        if f is None:
            raise futures.TimeoutError
        return f.result()

    for f in todo:
        f.add_done_callback(_on_completion)
    if todo and timeout is not None:
        timeout_handle = loop.call_later(timeout, _on_timeout)
    for _ in range(len(todo)):
        yield _wait_for_one()


class _GatheringFuture(futures.Future):
    """gather()'s future: cancelling it cancels its children."""

    def __init__(self, children, *, loop=None):
        super().__init__(loop=loop)
        self._children = children
        self._cancel_requested = False

    def cancel(self):
        if self.done():
            return False
        ret = False
        for child in self._children:
            if child.cancel():
                ret = True
        if ret:
            self._cancel_requested = True
        return ret


def gather(*coros_or_futures, loop=None, return_exceptions=False):
    """A future of the results of every awaitable, in argument order. The first exception
    is raised unless return_exceptions, which puts exceptions among the results."""
    if not coros_or_futures:
        if loop is None:
            loop = events.get_event_loop()
        outer = loop.create_future()
        outer.set_result([])
        return outer

    def _done_callback(fut):
        nonlocal nfinished
        nfinished += 1
        if outer.done():
            if not fut.cancelled():
                # The exception is retrieved, so nothing reports it later.
                fut.exception()
            return
        if not return_exceptions:
            if fut.cancelled():
                exc = futures.CancelledError()
                outer.set_exception(exc)
                return
            else:
                exc = fut.exception()
                if exc is not None:
                    outer.set_exception(exc)
                    return
        if nfinished == nfuts:
            results = []
            for fut in children:
                if fut.cancelled():
                    res = futures.CancelledError()
                else:
                    res = fut.exception()
                    if res is None:
                        res = fut.result()
                results.append(res)
            if outer._cancel_requested:
                outer.set_exception(futures.CancelledError())
            else:
                outer.set_result(results)

    arg_to_fut = {}
    children = []
    nfuts = 0
    nfinished = 0
    for arg in coros_or_futures:
        if arg not in arg_to_fut:
            fut = ensure_future(arg, loop=loop)
            if loop is None:
                loop = futures._get_loop(fut)
            if fut is not arg:
                # A Task made here: its exception is gather's to report.
                fut._log_destroy_pending = False
            nfuts += 1
            arg_to_fut[arg] = fut
            fut.add_done_callback(_done_callback)
        else:
            fut = arg_to_fut[arg]
        children.append(fut)
    outer = _GatheringFuture(children, loop=loop)
    return outer


def shield(arg, *, loop=None):
    """Awaits `arg` so that cancelling the awaiter does not cancel it."""
    inner = ensure_future(arg, loop=loop)
    if inner.done():
        return inner
    loop = futures._get_loop(inner)
    outer = loop.create_future()

    def _inner_done_callback(inner):
        if outer.cancelled():
            if not inner.cancelled():
                inner.exception()
            return
        if inner.cancelled():
            outer.cancel()
        else:
            exc = inner.exception()
            if exc is not None:
                outer.set_exception(exc)
            else:
                outer.set_result(inner.result())

    inner.add_done_callback(_inner_done_callback)
    return outer


def run_coroutine_threadsafe(coro, loop):
    """Submits a coroutine to a loop running in another thread; a concurrent.futures
    Future of its result."""
    if not coroutines.iscoroutine(coro):
        raise TypeError('A coroutine object is required')
    future = concurrent.futures.Future()

    def callback():
        try:
            futures._chain_future(ensure_future(coro, loop=loop), future)
        except Exception as exc:
            if future.set_running_or_notify_cancel():
                future.set_exception(exc)
            raise

    loop.call_soon_threadsafe(callback)
    return future
