"""asyncio.base_events: the event loop. A FIFO ready queue of handles and a heap of timer
handles ordered by loop time; each iteration (_run_once) waits until the earliest timer
or a thread-safe wake-up when nothing is ready, moves the timers that are due to the ready
queue, and runs the handles that were ready when it began, in order. The wait blocks
this VM thread (releasing the GIL), so executor threads run meanwhile; under the
deterministic scheduler time is virtual and a wait with nothing else to run moves the
clock straight to the next timer."""

import collections
import concurrent.futures
import sys
import threading
import time
import traceback
import _thread
import _asyncio
from asyncio import coroutines
from asyncio import events
from asyncio import futures
from asyncio import tasks

__all__ = ('BaseEventLoop',)

# A heap of cancelled timers is compacted once it holds more than this many timers, more
# than half of them cancelled.
_MIN_SCHEDULED_TIMER_HANDLES = 100
_MIN_CANCELLED_TIMER_HANDLES_FRACTION = 0.5
# The longest a loop waits at once (CPython's, one day).
MAXIMUM_SELECT_TIMEOUT = 24 * 3600
# time.get_clock_info('monotonic').resolution on Linux.
_CLOCK_RESOLUTION = 1e-09


def _run_until_complete_cb(fut):
    if not fut.cancelled():
        exc = fut.exception()
        if isinstance(exc, BaseException) and not isinstance(exc, Exception):
            # SystemExit and KeyboardInterrupt end the loop as they are.
            return
    fut._loop.stop()


class _Waker:
    """What the loop sleeps on between iterations: a lock held while nobody woke it.
    wake() releases it (from any thread); wait() takes it back, for at most `timeout`."""

    def __init__(self):
        self._lock = _thread.allocate_lock()
        self._lock.acquire()

    def wait(self, timeout):
        if timeout is None:
            self._lock.acquire()
        elif timeout > 0:
            self._lock.acquire(True, timeout)
        else:
            self._lock.acquire(False)

    def wake(self):
        try:
            self._lock.release()
        except RuntimeError:
            pass


class BaseEventLoop(events.AbstractEventLoop):

    def __init__(self):
        self._timer_cancelled_count = 0
        self._closed = False
        self._stopping = False
        self._ready = collections.deque()
        # Whether `minipy explore` chooses which ready callback runs next (see _run_once).
        self._explored = _asyncio.explored()
        self._scheduled = []
        self._default_executor = None
        self._internal_fds = 0
        self._thread_id = None
        self._clock_resolution = _CLOCK_RESOLUTION
        self._exception_handler = None
        self._debug = False
        self.slow_callback_duration = 0.1
        self._current_handle = None
        self._task_factory = None
        self._coroutine_origin_tracking_enabled = False
        self._asyncgens = set()
        self._asyncgens_shutdown_called = False
        self._waker = _Waker()

    def __repr__(self):
        return '<{} running={} closed={} debug={}>'.format(
            self.__class__.__name__, self.is_running(), self.is_closed(), self.get_debug())

    # ------------------------------------------------------------ futures and tasks

    def create_future(self):
        return futures.Future(loop=self)

    def create_task(self, coro):
        self._check_closed()
        if self._task_factory is None:
            task = tasks.Task(coro, loop=self)
        else:
            task = self._task_factory(self, coro)
        return task

    def set_task_factory(self, factory):
        if factory is not None and not callable(factory):
            raise TypeError('task factory must be a callable or None')
        self._task_factory = factory

    def get_task_factory(self):
        return self._task_factory

    # ------------------------------------------------------------ running

    def _check_closed(self):
        if self._closed:
            raise RuntimeError('Event loop is closed')

    def _asyncgen_finalizer_hook(self, agen):
        self._asyncgens.discard(agen)
        if not self.is_closed():
            self.call_soon_threadsafe(self.create_task, agen.aclose())

    def _asyncgen_firstiter_hook(self, agen):
        if self._asyncgens_shutdown_called:
            import warnings
            warnings.warn(
                "asynchronous generator {!r} was scheduled after "
                "loop.shutdown_asyncgens() call".format(agen),
                ResourceWarning, source=self)
        self._asyncgens.add(agen)

    async def shutdown_asyncgens(self):
        """Closes every async generator this loop has seen that is not finished."""
        self._asyncgens_shutdown_called = True
        if not len(self._asyncgens):
            return
        closing_agens = list(self._asyncgens)
        self._asyncgens.clear()
        results = await tasks.gather(
            *[ag.aclose() for ag in closing_agens],
            return_exceptions=True,
            loop=self)
        for result, agen in zip(results, closing_agens):
            if isinstance(result, Exception):
                self.call_exception_handler({
                    'message': 'an error occurred during closing of '
                               'asynchronous generator {!r}'.format(agen),
                    'exception': result,
                    'asyncgen': agen
                })

    def _check_running(self):
        if self.is_running():
            raise RuntimeError('This event loop is already running')
        if events._get_running_loop() is not None:
            raise RuntimeError(
                'Cannot run the event loop while another loop is running')

    def run_forever(self):
        """Runs iterations until stop() is called."""
        self._check_closed()
        self._check_running()
        self._thread_id = threading.get_ident()
        old_agen_hooks = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter_hook,
                               finalizer=self._asyncgen_finalizer_hook)
        try:
            events._set_running_loop(self)
            while True:
                self._run_once()
                if self._stopping:
                    break
        finally:
            self._stopping = False
            self._thread_id = None
            events._set_running_loop(None)
            sys.set_asyncgen_hooks(*old_agen_hooks)

    def run_until_complete(self, future):
        """Runs until `future` (a coroutine is wrapped in a Task) is done; its result."""
        self._check_closed()
        self._check_running()
        new_task = not futures.isfuture(future)
        future = tasks.ensure_future(future, loop=self)
        if new_task:
            # An exception in the task ends the program here: nothing to log later.
            future._log_destroy_pending = False
        future.add_done_callback(_run_until_complete_cb)
        try:
            self.run_forever()
        except BaseException:
            if new_task and future.done() and not future.cancelled():
                # The exception is raised now: it must not be logged as unretrieved.
                future.exception()
            raise
        finally:
            future.remove_done_callback(_run_until_complete_cb)
        if not future.done():
            raise RuntimeError('Event loop stopped before Future completed.')
        return future.result()

    def stop(self):
        """Stops after the iteration in progress (or the next one)."""
        self._stopping = True

    def close(self):
        """Closes a loop that is not running; drops what is scheduled."""
        if self.is_running():
            raise RuntimeError("Cannot close a running event loop")
        if self._closed:
            return
        self._closed = True
        self._ready.clear()
        self._scheduled.clear()
        executor = self._default_executor
        if executor is not None:
            self._default_executor = None
            executor.shutdown(wait=False)

    def is_closed(self):
        return self._closed

    def is_running(self):
        return (self._thread_id is not None)

    def time(self):
        """The loop's clock: time.monotonic() (virtual under the deterministic scheduler)."""
        return time.monotonic()

    # ------------------------------------------------------------ scheduling callbacks

    # call_later(delay, callback, *args, context=None), call_at(when, ...) and
    # call_soon(callback, *args, context=None) are _asyncio's (Rust): a TimerHandle on the
    # timer heap (`_scheduled`), or a Handle at the end of `_ready`; RuntimeError once
    # the loop is closed.
    call_later = _asyncio.loop_call_later
    call_at = _asyncio.loop_call_at
    call_soon = _asyncio.loop_call_soon

    def _call_soon(self, callback, args, context):
        handle = events.Handle(callback, args, self, context)
        self._ready.append(handle)
        return handle

    def call_soon_threadsafe(self, callback, *args, context=None):
        """call_soon from any thread: the loop is woken if it waits."""
        self._check_closed()
        handle = self._call_soon(callback, args, context)
        self._waker.wake()
        return handle

    def _write_to_self(self):
        self._waker.wake()

    def run_in_executor(self, executor, func, *args):
        """Runs func(*args) on a thread of `executor` (a default ThreadPoolExecutor if
        None); an asyncio Future of its result."""
        self._check_closed()
        if executor is None:
            executor = self._default_executor
            if executor is None:
                executor = concurrent.futures.ThreadPoolExecutor()
                self._default_executor = executor
        return futures.wrap_future(executor.submit(func, *args), loop=self)

    def set_default_executor(self, executor):
        self._default_executor = executor

    def _timer_handle_cancelled(self, handle):
        if handle._scheduled:
            self._timer_cancelled_count += 1

    def _run_once(self):
        """One iteration: wait for the earliest timer (or a wake-up) when nothing is
        ready, then run what is ready."""
        sched_count = len(self._scheduled)
        if (sched_count > _MIN_SCHEDULED_TIMER_HANDLES and
                self._timer_cancelled_count / sched_count >
                _MIN_CANCELLED_TIMER_HANDLES_FRACTION):
            new_scheduled = []
            for handle in self._scheduled:
                if handle._cancelled:
                    handle._scheduled = False
                else:
                    new_scheduled.append(handle)
            _asyncio.timer_heapify(new_scheduled)
            self._scheduled = new_scheduled
            self._timer_cancelled_count = 0
        else:
            while self._scheduled and self._scheduled[0]._cancelled:
                self._timer_cancelled_count -= 1
                handle = _asyncio.timer_pop(self._scheduled)
                handle._scheduled = False

        timeout = None
        if self._ready or self._stopping:
            timeout = 0
        elif self._scheduled:
            when = self._scheduled[0]._when
            timeout = min(max(0, when - self.time()), MAXIMUM_SELECT_TIMEOUT)

        self._waker.wait(timeout)

        end_time = self.time() + self._clock_resolution
        while self._scheduled:
            handle = self._scheduled[0]
            if handle._when >= end_time:
                break
            handle = _asyncio.timer_pop(self._scheduled)
            handle._scheduled = False
            self._ready.append(handle)

        ntodo = len(self._ready)
        # Under `minipy explore` which ready callback runs next is a choice, among all that
        # are ready, also those made ready by this round (as if each await's wake-up could
        # come at any time, as I/O completions do); else FIFO, as CPython.
        explored = self._explored
        for i in range(ntodo):
            waiting = len(self._ready)
            k = _asyncio.pick_ready(waiting) if explored and waiting > 1 else 0
            if k:
                self._ready.rotate(-k)
                handle = self._ready.popleft()
                self._ready.rotate(k)
            else:
                handle = self._ready.popleft()
            if handle._cancelled:
                continue
            handle._run()
        handle = None

    # ------------------------------------------------------------ debug and errors

    def get_debug(self):
        return self._debug

    def set_debug(self, enabled):
        self._debug = enabled

    def get_exception_handler(self):
        return self._exception_handler

    def set_exception_handler(self, handler):
        if handler is not None and not callable(handler):
            raise TypeError('A callable object or None is expected, '
                            'got {!r}'.format(handler))
        self._exception_handler = handler

    def default_exception_handler(self, context):
        """Prints the context's message, its other keys, and the exception's traceback
        on stderr (CPython logs the same through the 'asyncio' logger)."""
        message = context.get('message')
        if not message:
            message = 'Unhandled exception in event loop'
        exception = context.get('exception')
        log_lines = [message]
        for key in sorted(context):
            if key in {'message', 'exception'}:
                continue
            value = context[key]
            value = repr(value)
            log_lines.append('{}: {}'.format(key, value))
        text = '\n'.join(log_lines) + '\n'
        if exception is not None:
            text += ''.join(traceback.format_exception(
                type(exception), exception, exception.__traceback__))
        sys.stderr.write(text)

    def call_exception_handler(self, context):
        if self._exception_handler is None:
            try:
                self.default_exception_handler(context)
            except Exception:
                sys.stderr.write('Exception in default exception handler\n')
        else:
            try:
                self._exception_handler(self, context)
            except Exception as exc:
                try:
                    self.default_exception_handler({
                        'message': 'Unhandled error in exception handler',
                        'exception': exc,
                        'context': context,
                    })
                except Exception:
                    sys.stderr.write('Exception in default exception handler\n')
