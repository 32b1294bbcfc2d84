# concurrent.futures, written in minipy's Python over threading and queue as CPython 3.7's
# is: Future, ThreadPoolExecutor, wait and as_completed; and ProcessPoolExecutor over
# multiprocessing (its names also as concurrent.futures.process).
import sys
import threading
import queue
import time
from collections import namedtuple

FIRST_COMPLETED = 'FIRST_COMPLETED'
FIRST_EXCEPTION = 'FIRST_EXCEPTION'
ALL_COMPLETED = 'ALL_COMPLETED'
_AS_COMPLETED = '_AS_COMPLETED'

PENDING = 'PENDING'
RUNNING = 'RUNNING'
CANCELLED = 'CANCELLED'
CANCELLED_AND_NOTIFIED = 'CANCELLED_AND_NOTIFIED'
FINISHED = 'FINISHED'

_STATE_TO_DESCRIPTION_MAP = {
    PENDING: 'pending',
    RUNNING: 'running',
    CANCELLED: 'cancelled',
    CANCELLED_AND_NOTIFIED: 'cancelled',
    FINISHED: 'finished',
}


# As CPython 3.7's, which defines them in concurrent.futures._base (reports name them so).
class Error(Exception):
    __module__ = "concurrent.futures._base"


class CancelledError(Error):
    __module__ = "concurrent.futures._base"


class TimeoutError(Error):
    __module__ = "concurrent.futures._base"


class _Waiter:
    """What wait() and as_completed() hear from the futures they watch."""

    def __init__(self):
        self.event = threading.Event()
        self.finished_futures = []

    def add_result(self, future):
        self.finished_futures.append(future)

    def add_exception(self, future):
        self.finished_futures.append(future)

    def add_cancelled(self, future):
        self.finished_futures.append(future)


class _AsCompletedWaiter(_Waiter):
    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()

    def add_result(self, future):
        with self.lock:
            super().add_result(future)
            self.event.set()

    def add_exception(self, future):
        with self.lock:
            super().add_exception(future)
            self.event.set()

    def add_cancelled(self, future):
        with self.lock:
            super().add_cancelled(future)
            self.event.set()


class _FirstCompletedWaiter(_Waiter):
    def add_result(self, future):
        super().add_result(future)
        self.event.set()

    def add_exception(self, future):
        super().add_exception(future)
        self.event.set()

    def add_cancelled(self, future):
        super().add_cancelled(future)
        self.event.set()


class _AllCompletedWaiter(_Waiter):
    def __init__(self, num_pending_calls, stop_on_exception):
        self.num_pending_calls = num_pending_calls
        self.stop_on_exception = stop_on_exception
        self.lock = threading.Lock()
        super().__init__()

    def _decrement_pending_calls(self):
        with self.lock:
            self.num_pending_calls -= 1
            if not self.num_pending_calls:
                self.event.set()

    def add_result(self, future):
        super().add_result(future)
        self._decrement_pending_calls()

    def add_exception(self, future):
        super().add_exception(future)
        if self.stop_on_exception:
            self.event.set()
        else:
            self._decrement_pending_calls()

    def add_cancelled(self, future):
        super().add_cancelled(future)
        self._decrement_pending_calls()


class _AcquireFutures:
    """Holds every future's condition, taken in one order (by id) so two never deadlock."""

    def __init__(self, futures):
        self.futures = sorted(futures, key=id)

    def __enter__(self):
        for future in self.futures:
            future._condition.acquire()

    def __exit__(self, *args):
        for future in self.futures:
            future._condition.release()


def _create_and_install_waiters(fs, return_when):
    if return_when == _AS_COMPLETED:
        waiter = _AsCompletedWaiter()
    elif return_when == FIRST_COMPLETED:
        waiter = _FirstCompletedWaiter()
    else:
        pending_count = sum(
            f._state not in [CANCELLED_AND_NOTIFIED, FINISHED] for f in fs)
        if return_when == FIRST_EXCEPTION:
            waiter = _AllCompletedWaiter(pending_count, stop_on_exception=True)
        elif return_when == ALL_COMPLETED:
            waiter = _AllCompletedWaiter(pending_count, stop_on_exception=False)
        else:
            raise ValueError('Invalid return condition: %r' % return_when)
    for f in fs:
        f._waiters.append(waiter)
    return waiter


def _yield_finished_futures(fs, waiter, ref_collect):
    while fs:
        f = fs[-1]
        for futures_set in ref_collect:
            futures_set.remove(f)
        with f._condition:
            f._waiters.remove(waiter)
        del f
        yield fs.pop()


def as_completed(fs, timeout=None):
    """Yields the futures in fs as they finish (those already finished first)."""
    if timeout is not None:
        end_time = timeout + time.monotonic()
    fs = set(fs)
    total_futures = len(fs)
    with _AcquireFutures(fs):
        finished = set(f for f in fs if f._state in [CANCELLED_AND_NOTIFIED, FINISHED])
        pending = fs - finished
        waiter = _create_and_install_waiters(fs, _AS_COMPLETED)
    finished = list(finished)
    try:
        yield from _yield_finished_futures(finished, waiter, ref_collect=(fs,))
        while pending:
            if timeout is None:
                wait_timeout = None
            else:
                wait_timeout = end_time - time.monotonic()
                if wait_timeout < 0:
                    raise TimeoutError('%d (of %d) futures unfinished' % (
                        len(pending), total_futures))
            waiter.event.wait(wait_timeout)
            with waiter.lock:
                finished = waiter.finished_futures
                waiter.finished_futures = []
                waiter.event.clear()
            # Yielded from the end: the first to finish comes first.
            finished.reverse()
            yield from _yield_finished_futures(finished, waiter, ref_collect=(fs, pending))
    finally:
        for f in fs:
            with f._condition:
                f._waiters.remove(waiter)


DoneAndNotDoneFutures = namedtuple('DoneAndNotDoneFutures', 'done not_done')


def wait(fs, timeout=None, return_when=ALL_COMPLETED):
    """Waits for the futures in fs: (done, not_done) sets."""
    with _AcquireFutures(fs):
        done = set(f for f in fs if f._state in [CANCELLED_AND_NOTIFIED, FINISHED])
        not_done = set(fs) - done
        if (return_when == FIRST_COMPLETED) and done:
            return DoneAndNotDoneFutures(done, not_done)
        elif (return_when == FIRST_EXCEPTION) and done:
            if any(f for f in done if not f.cancelled() and f.exception() is not None):
                return DoneAndNotDoneFutures(done, not_done)
        if len(done) == len(fs):
            return DoneAndNotDoneFutures(done, not_done)
        waiter = _create_and_install_waiters(fs, return_when)
    waiter.event.wait(timeout)
    for f in fs:
        with f._condition:
            f._waiters.remove(waiter)
    done.update(waiter.finished_futures)
    return DoneAndNotDoneFutures(done, set(fs) - done)


class Future:
    """The result of a call that runs elsewhere, once it is there."""

    def __init__(self):
        self._condition = threading.Condition()
        self._state = PENDING
        self._result = None
        self._exception = None
        self._waiters = []
        self._done_callbacks = []

    def _invoke_callbacks(self):
        for callback in self._done_callbacks:
            try:
                callback(self)
            except Exception:
                # CPython logs this through the logging module.
                import traceback
                print('exception calling callback for %r' % (self,), file=sys.stderr)
                traceback.print_exc()

    def __repr__(self):
        with self._condition:
            state = _STATE_TO_DESCRIPTION_MAP[self._state]
            if self._state == FINISHED:
                if self._exception:
                    return '<%s at %#x state=%s raised %s>' % (
                        type(self).__name__, id(self), state,
                        type(self._exception).__name__)
                return '<%s at %#x state=%s returned %s>' % (
                    type(self).__name__, id(self), state, type(self._result).__name__)
            return '<%s at %#x state=%s>' % (type(self).__name__, id(self), state)

    def cancel(self):
        with self._condition:
            if self._state in [RUNNING, FINISHED]:
                return False
            if self._state in [CANCELLED, CANCELLED_AND_NOTIFIED]:
                return True
            self._state = CANCELLED
            self._condition.notify_all()
        self._invoke_callbacks()
        return True

    def cancelled(self):
        with self._condition:
            return self._state in [CANCELLED, CANCELLED_AND_NOTIFIED]

    def running(self):
        with self._condition:
            return self._state == RUNNING

    def done(self):
        with self._condition:
            return self._state in [CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED]

    def _get_result(self):
        if self._exception:
            raise self._exception
        return self._result

    def add_done_callback(self, fn):
        with self._condition:
            if self._state not in [CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED]:
                self._done_callbacks.append(fn)
                return
        fn(self)

    def _wait_finished(self, timeout):
        # Under the condition: returns once the future has finished, waiting at most
        # timeout; CancelledError or TimeoutError otherwise.
        if self._state not in [CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED]:
            self._condition.wait(timeout)
        if self._state in [CANCELLED, CANCELLED_AND_NOTIFIED]:
            raise CancelledError()
        if self._state != FINISHED:
            raise TimeoutError()

    def result(self, timeout=None):
        with self._condition:
            self._wait_finished(timeout)
            return self._get_result()

    def exception(self, timeout=None):
        with self._condition:
            self._wait_finished(timeout)
            return self._exception

    def set_running_or_notify_cancel(self):
        with self._condition:
            if self._state == CANCELLED:
                self._state = CANCELLED_AND_NOTIFIED
                for waiter in self._waiters:
                    waiter.add_cancelled(self)
                return False
            elif self._state == PENDING:
                self._state = RUNNING
                return True
            raise RuntimeError('Future in unexpected state')

    def set_result(self, result):
        self._finish(result, None)

    def set_exception(self, exception):
        self._finish(None, exception)

    def _finish(self, result, exception):
        # The future is done: its waiters hear of it, then its callbacks run.
        with self._condition:
            self._result = result
            self._exception = exception
            self._state = FINISHED
            for waiter in self._waiters:
                if exception is None:
                    waiter.add_result(self)
                else:
                    waiter.add_exception(self)
            self._condition.notify_all()
        self._invoke_callbacks()


class Executor:
    """What ThreadPoolExecutor builds on: submit, map, shutdown, `with`."""

    def submit(self, fn, *args, **kwargs):
        raise NotImplementedError()

    def map(self, fn, *iterables, timeout=None, chunksize=1):
        if timeout is not None:
            end_time = timeout + time.monotonic()
        fs = [self.submit(fn, *args) for args in zip(*iterables)]

        def result_iterator():
            try:
                fs.reverse()
                while fs:
                    if timeout is None:
                        yield fs.pop().result()
                    else:
                        yield fs.pop().result(end_time - time.monotonic())
            finally:
                for future in fs:
                    future.cancel()
        return result_iterator()

    def shutdown(self, wait=True):
        pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.shutdown(wait=True)
        return False


class _WorkItem:
    def __init__(self, future, fn, args, kwargs):
        self.future = future
        self.fn = fn
        self.args = args
        self.kwargs = kwargs

    def run(self):
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            result = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:
            self.future.set_exception(exc)
        else:
            self.future.set_result(result)


def _worker(executor, work_queue, initializer, initargs):
    if initializer is not None:
        try:
            initializer(*initargs)
        except BaseException:
            import traceback
            print('Exception in initializer:', file=sys.stderr)
            traceback.print_exc()
            return
    while True:
        try:
            # CPython's workers are daemons joined by an exit hook once the main thread
            # ends; minipy's are not daemons and look for the end of the main thread
            # themselves, so work submitted before it ended is still done.
            work_item = work_queue.get(timeout=0.05)
        except queue.Empty:
            if executor._shutdown or not threading.main_thread().is_alive():
                return
            continue
        if work_item is not None:
            work_item.run()
            del work_item
            continue
        if executor._shutdown:
            # Wakes the next worker, which ends too.
            work_queue.put(None)
            return


_counter = 0


class ThreadPoolExecutor(Executor):
    """Runs the calls it is given on up to max_workers threads, made as they are needed."""

    def __init__(self, max_workers=None, thread_name_prefix='', initializer=None,
                 initargs=()):
        global _counter
        if max_workers is None:
            # CPython: (os.cpu_count() or 1) * 5. minipy counts one CPU, so that output
            # (thread names) does not depend on the machine.
            max_workers = 5
        if max_workers <= 0:
            raise ValueError('max_workers must be greater than 0')
        if initializer is not None and not callable(initializer):
            raise TypeError('initializer must be a callable')
        self._max_workers = max_workers
        self._work_queue = queue.SimpleQueue()
        self._threads = set()
        self._broken = False
        self._shutdown = False
        self._shutdown_lock = threading.Lock()
        if not thread_name_prefix:
            thread_name_prefix = 'ThreadPoolExecutor-%d' % _counter
            _counter += 1
        self._thread_name_prefix = thread_name_prefix
        self._initializer = initializer
        self._initargs = initargs

    def submit(self, fn, *args, **kwargs):
        with self._shutdown_lock:
            if self._shutdown:
                raise RuntimeError('cannot schedule new futures after shutdown')
            f = Future()
            w = _WorkItem(f, fn, args, kwargs)
            self._work_queue.put(w)
            self._adjust_thread_count()
            return f

    def _adjust_thread_count(self):
        # As 3.7: a new thread for each submit until there are max_workers.
        num_threads = len(self._threads)
        if num_threads < self._max_workers:
            thread_name = '%s_%d' % (self._thread_name_prefix, num_threads)
            t = threading.Thread(name=thread_name, target=_worker,
                                 args=(self, self._work_queue, self._initializer,
                                       self._initargs))
            t.start()
            self._threads.add(t)

    def shutdown(self, wait=True):
        with self._shutdown_lock:
            self._shutdown = True
            self._work_queue.put(None)
        if wait:
            for t in list(self._threads):
                t.join()


class BrokenExecutor(RuntimeError):
    """An executor that cannot be used any more (a worker died, say)."""
    __module__ = "concurrent.futures._base"


class BrokenProcessPool(BrokenExecutor):
    """A worker process of a ProcessPoolExecutor ended abruptly."""
    __module__ = "concurrent.futures.process"


class _RemoteTraceback(Exception):
    __module__ = "concurrent.futures.process"

    def __init__(self, tb):
        self.tb = tb

    def __str__(self):
        return self.tb


class _ExceptionWithTraceback:
    """An exception in a worker, pickled with its traceback as text: in the parent it is
    the exception again, its __cause__ a _RemoteTraceback holding that text."""

    def __init__(self, exc, tb):
        import traceback
        tb = ''.join(traceback.format_exception(type(exc), exc, tb))
        self.exc = exc
        self.tb = '\n"""\n%s"""' % tb

    def __reduce__(self):
        return _rebuild_exc, (self.exc, self.tb)


def _rebuild_exc(exc, tb):
    exc.__cause__ = _RemoteTraceback(tb)
    return exc


def _process_chunk(fn, chunk):
    return [fn(*args) for args in chunk]


def _get_chunks(*iterables, chunksize):
    it = zip(*iterables)
    while True:
        chunk = []
        for _ in range(chunksize):
            try:
                chunk.append(next(it))
            except StopIteration:
                break
        if not chunk:
            return
        yield tuple(chunk)


def _process_worker(call_queue, result_queue, initializer, initargs):
    # A worker process: calls until it gets None. Results and exceptions go back pickled.
    if initializer is not None:
        try:
            initializer(*initargs)
        except BaseException:
            import traceback
            traceback.print_exc()
            return
    while True:
        item = call_queue.get(block=True)
        if item is None:
            return
        work_id, fn, args, kwargs = item
        try:
            r = fn(*args, **kwargs)
        except BaseException as e:
            result_queue.put((work_id, _ExceptionWithTraceback(e, e.__traceback__), None))
        else:
            try:
                result_queue.put((work_id, None, r))
            except BaseException as e:
                result_queue.put((work_id, _ExceptionWithTraceback(e, e.__traceback__),
                                  None))


class ProcessPoolExecutor(Executor):
    """Runs the calls it is given in max_workers processes (os.cpu_count() by default):
    calls and results cross between them pickled."""

    def __init__(self, max_workers=None, mp_context=None, initializer=None, initargs=()):
        import multiprocessing
        import os
        if max_workers is None:
            max_workers = os.cpu_count() or 1
        elif max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        self._max_workers = max_workers
        self._mp_context = mp_context or multiprocessing.get_context()
        self._initializer = initializer
        self._initargs = initargs
        self._processes = []
        self._pending = {}
        self._next_id = 0
        self._call_queue = None
        self._result_queue = None
        self._manager = None
        self._shutdown_thread = False
        self._broken = False
        self._shutdown_lock = threading.Lock()

    def _start(self):
        # As 3.7: every worker starts at the first submit, with a thread of this process
        # that hands their results to the futures.
        ctx = self._mp_context
        self._call_queue = ctx.Queue()
        # The parent's end only: a call that cannot be pickled fails its future, as
        # CPython's _SafeQueue does, instead of leaving it pending forever.
        self._call_queue._on_queue_feeder_error = self._on_call_error
        self._result_queue = ctx.Queue()
        for _ in range(self._max_workers):
            p = ctx.Process(target=_process_worker,
                            args=(self._call_queue, self._result_queue,
                                  self._initializer, self._initargs))
            p.start()
            self._processes.append(p)
        self._manager = threading.Thread(target=self._manage)
        self._manager.daemon = True
        self._manager.start()

    def _on_call_error(self, e, item):
        if not isinstance(item, tuple):
            import traceback
            traceback.print_exc()
            return
        import traceback
        tb = ''.join(traceback.format_exception(type(e), e, e.__traceback__))
        e.__cause__ = _RemoteTraceback('\n"""\n%s"""' % tb)
        with self._shutdown_lock:
            f = self._pending.pop(item[0], None)
        if f is not None:
            f.set_exception(e)

    def _manage(self):
        while True:
            try:
                work_id, exc, result = self._result_queue.get(timeout=0.01)
            except queue.Empty:
                if self._check_workers():
                    return
                continue
            with self._shutdown_lock:
                f = self._pending.pop(work_id, None)
            if f is not None:
                if exc is not None:
                    f.set_exception(exc)
                else:
                    f.set_result(result)

    def _check_workers(self):
        # True when the thread's work is over: every worker ended (after shutdown, or
        # abruptly, which breaks the pool and fails every pending future).
        codes = [p.exitcode for p in self._processes]
        abrupt = any(c is not None and (c != 0 or not self._shutdown_thread)
                     for c in codes)
        if abrupt:
            with self._shutdown_lock:
                self._broken = ('A child process terminated abruptly, the process pool '
                                'is not usable anymore')
                pending, self._pending = self._pending, {}
            for f in pending.values():
                f.set_exception(BrokenProcessPool(
                    'A process in the process pool was terminated abruptly while the '
                    'future was running or pending.'))
            for p in self._processes:
                if p.exitcode is None:
                    p.terminate()
            return True
        return self._shutdown_thread and all(c is not None for c in codes) \
            and not self._pending

    def submit(self, fn, *args, **kwargs):
        with self._shutdown_lock:
            if self._broken:
                raise BrokenProcessPool(self._broken)
            if self._shutdown_thread:
                raise RuntimeError('cannot schedule new futures after shutdown')
            if self._manager is None:
                self._start()
            f = Future()
            work_id = self._next_id
            self._next_id += 1
            self._pending[work_id] = f
            f.set_running_or_notify_cancel()
        self._call_queue.put((work_id, fn, args, kwargs))
        return f

    def map(self, fn, *iterables, timeout=None, chunksize=1):
        if chunksize < 1:
            raise ValueError("chunksize must be >= 1.")
        import functools
        import itertools
        results = super().map(functools.partial(_process_chunk, fn),
                              _get_chunks(*iterables, chunksize=chunksize),
                              timeout=timeout)
        return itertools.chain.from_iterable(results)

    def shutdown(self, wait=True):
        with self._shutdown_lock:
            already = self._shutdown_thread
            self._shutdown_thread = True
        if already or self._manager is None:
            return
        if not self._broken:
            for _ in self._processes:
                self._call_queue.put(None)
        if wait:
            self._manager.join()
            for p in self._processes:
                p.join()


def _process_module():
    # concurrent.futures.process, as a module of its own (CPython's defines these).
    import types
    m = types.ModuleType('concurrent.futures.process')
    for name in ('ProcessPoolExecutor', 'BrokenProcessPool', '_RemoteTraceback',
                 '_ExceptionWithTraceback'):
        setattr(m, name, globals()[name])
    sys.modules[m.__name__] = m
    return m


process = _process_module()
