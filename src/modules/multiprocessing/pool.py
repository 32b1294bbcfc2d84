# multiprocessing.pool: Pool, a group of worker processes fed tasks through a queue, and
# the results it gives back (ApplyResult, MapResult, the imap iterators). Tasks and
# results cross the process boundary pickled; an exception in a worker comes back with
# its traceback as text (RemoteTraceback, the re-raised exception's __cause__). A thread
# of the parent takes the results off the result queue and hands them to their results.
import collections
import itertools
import os
import threading
import traceback
from multiprocessing import context
from multiprocessing import util
from multiprocessing.context import TimeoutError

__all__ = ['Pool', 'ThreadPool']

RUN = 0
CLOSE = 1
TERMINATE = 2

job_counter = itertools.count()


def mapstar(args):
    return list(map(*args))


def starmapstar(args):
    return list(itertools.starmap(args[0], args[1]))


class RemoteTraceback(Exception):
    def __init__(self, tb):
        self.tb = tb

    def __str__(self):
        return self.tb


class ExceptionWithTraceback:
    def __init__(self, exc, tb):
        tb = traceback.format_exception(type(exc), exc, tb)
        tb = ''.join(tb)
        self.exc = exc
        self.tb = '\n"""\n%s"""' % tb

    def __reduce__(self):
        return rebuild_exc, (self.exc, self.tb)


def rebuild_exc(exc, tb):
    exc.__cause__ = RemoteTraceback(tb)
    return exc


class MaybeEncodingError(Exception):
    """The result of a task could not be pickled to be sent back."""

    def __init__(self, exc, value):
        self.exc = repr(exc)
        self.value = repr(value)
        super(MaybeEncodingError, self).__init__(self.exc, self.value)

    def __str__(self):
        return "Error sending result: '%s'. Reason: '%s'" % (self.value, self.exc)

    def __repr__(self):
        return "<%s: %s>" % (self.__class__.__name__, self)


def worker(inqueue, outqueue, initializer=None, initargs=(), maxtasks=None,
           wrap_exception=False):
    if (maxtasks is not None) and not (isinstance(maxtasks, int) and maxtasks >= 1):
        raise AssertionError("Maxtasks {!r} is not valid".format(maxtasks))
    if initializer is not None:
        initializer(*initargs)
    completed = 0
    while maxtasks is None or (maxtasks and completed < maxtasks):
        try:
            task = inqueue.get()
        except (EOFError, OSError):
            break
        if task is None:
            break
        job, i, func, args, kwds = task
        try:
            result = (True, func(*args, **kwds))
        except Exception as e:
            if wrap_exception:
                e = ExceptionWithTraceback(e, e.__traceback__)
            result = (False, e)
        try:
            outqueue.put((job, i, result))
        except Exception as e:
            wrapped = MaybeEncodingError(e, result[1])
            outqueue.put((job, i, (False, wrapped)))
        task = job = result = func = args = kwds = None
        completed += 1


class Pool:
    """A pool of worker processes to which tasks can be submitted."""
    _wrap_exception = True

    def Process(self, *args, **kwds):
        return self._ctx.Process(*args, **kwds)

    def __init__(self, processes=None, initializer=None, initargs=(),
                 maxtasksperchild=None, context=None):
        self._ctx = context or _default_context()
        self._setup_queues()
        self._cache = {}
        self._state = RUN
        self._maxtasksperchild = maxtasksperchild
        self._initializer = initializer
        self._initargs = initargs
        if processes is None:
            processes = os.cpu_count() or 1
        if processes < 1:
            raise ValueError("Number of processes must be at least 1")
        if initializer is not None and not callable(initializer):
            raise TypeError('initializer must be a callable')
        self._processes = processes
        self._pool = []
        self._repopulate_pool()
        self._result_handler = threading.Thread(
            target=Pool._handle_results, args=(self._outqueue, self._cache))
        self._result_handler.daemon = True
        self._result_handler.start()

    def _setup_queues(self):
        self._inqueue = self._ctx.SimpleQueue()
        self._outqueue = self._ctx.SimpleQueue()

    def _repopulate_pool(self):
        for i in range(self._processes - len(self._pool)):
            w = self.Process(target=worker,
                             args=(self._inqueue, self._outqueue, self._initializer,
                                   self._initargs, self._maxtasksperchild,
                                   self._wrap_exception))
            self._pool.append(w)
            w.name = w.name.replace('Process', 'PoolWorker')
            w.daemon = True
            w.start()

    @staticmethod
    def _handle_results(outqueue, cache):
        while True:
            try:
                task = outqueue.get()
            except (OSError, EOFError):
                return
            if task is None:
                return
            job, i, obj = task
            try:
                cache[job]._set(i, obj)
            except KeyError:
                pass
            task = job = obj = None

    def __reduce__(self):
        raise NotImplementedError(
            'pool objects cannot be passed between processes or pickled')

    def _check_running(self):
        if self._state != RUN:
            raise ValueError("Pool not running")

    def _submit(self, tasks, result, set_length=None):
        # Puts each task on the queue the workers read; one that cannot be pickled
        # fails its result (as CPython's task handler does), not the caller.
        i = -1
        for i, task in enumerate(tasks):
            try:
                self._inqueue.put(task)
            except Exception as e:
                job, idx = task[:2]
                try:
                    self._cache[job]._set(idx, (False, e))
                except KeyError:
                    pass
        if set_length is not None:
            set_length(i + 1)

    def apply(self, func, args=(), kwds={}):
        """Calls func(*args, **kwds) in a worker and returns its result."""
        return self.apply_async(func, args, kwds).get()

    def map(self, func, iterable, chunksize=None):
        """The list of func(x) for every x, computed by the workers in chunks."""
        return self._map_async(func, iterable, mapstar, chunksize).get()

    def starmap(self, func, iterable, chunksize=None):
        """map() with each item unpacked as the arguments: func(*item)."""
        return self._map_async(func, iterable, starmapstar, chunksize).get()

    def starmap_async(self, func, iterable, chunksize=None, callback=None,
                      error_callback=None):
        return self._map_async(func, iterable, starmapstar, chunksize, callback,
                               error_callback)

    def imap(self, func, iterable, chunksize=1):
        """An iterator over func(x) for every x, in order, as the results come in."""
        self._check_running()
        if chunksize == 1:
            result = IMapIterator(self._cache)
            self._submit(((result._job, i, func, (x,), {})
                          for i, x in enumerate(iterable)), result, result._set_length)
            return result
        if chunksize < 1:
            raise ValueError("Chunksize must be 1+, not {0:n}".format(chunksize))
        task_batches = Pool._get_tasks(func, iterable, chunksize)
        result = IMapIterator(self._cache)
        self._submit(((result._job, i, mapstar, (x,), {})
                      for i, x in enumerate(task_batches)), result, result._set_length)
        return (item for chunk in result for item in chunk)

    def imap_unordered(self, func, iterable, chunksize=1):
        """imap(), the results in the order they come in."""
        self._check_running()
        if chunksize == 1:
            result = IMapUnorderedIterator(self._cache)
            self._submit(((result._job, i, func, (x,), {})
                          for i, x in enumerate(iterable)), result, result._set_length)
            return result
        if chunksize < 1:
            raise ValueError("Chunksize must be 1+, not {0!r}".format(chunksize))
        task_batches = Pool._get_tasks(func, iterable, chunksize)
        result = IMapUnorderedIterator(self._cache)
        self._submit(((result._job, i, mapstar, (x,), {})
                      for i, x in enumerate(task_batches)), result, result._set_length)
        return (item for chunk in result for item in chunk)

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
        """Calls func(*args, **kwds) in a worker; returns an ApplyResult at once."""
        self._check_running()
        result = ApplyResult(self._cache, callback, error_callback)
        self._submit([(result._job, 0, func, args, kwds)], result)
        return result

    def map_async(self, func, iterable, chunksize=None, callback=None,
                  error_callback=None):
        """map(), returning a MapResult at once."""
        return self._map_async(func, iterable, mapstar, chunksize, callback,
                               error_callback)

    def _map_async(self, func, iterable, mapper, chunksize=None, callback=None,
                   error_callback=None):
        self._check_running()
        if not hasattr(iterable, '__len__'):
            iterable = list(iterable)
        if chunksize is None:
            chunksize, extra = divmod(len(iterable), len(self._pool) * 4)
            if extra:
                chunksize += 1
        if len(iterable) == 0:
            chunksize = 0
        task_batches = Pool._get_tasks(func, iterable, chunksize)
        result = MapResult(self._cache, chunksize, len(iterable), callback,
                           error_callback=error_callback)
        self._submit([(result._job, i, mapper, (x,), {})
                      for i, x in enumerate(task_batches)], result)
        return result

    @staticmethod
    def _get_tasks(func, it, size):
        it = iter(it)
        while 1:
            x = tuple(itertools.islice(it, size))
            if not x:
                return
            yield (func, x)

    def close(self):
        """No more tasks: the workers end once the queued ones are done."""
        if self._state == RUN:
            self._state = CLOSE
            for _ in self._pool:
                self._inqueue.put(None)

    def terminate(self):
        """Stops the workers now; unfinished results stay unfinished."""
        if self._state == TERMINATE:
            return
        self._state = TERMINATE
        for p in self._pool:
            if p.exitcode is None:
                p.terminate()
        for p in self._pool:
            p.join()
        self._outqueue.put(None)

    def join(self):
        """Waits for the workers (after close() or terminate())."""
        if self._state == RUN:
            raise ValueError("Pool is still running")
        elif self._state not in (CLOSE, TERMINATE):
            raise ValueError("In unknown state")
        for p in self._pool:
            p.join()
        if self._result_handler.is_alive():
            self._outqueue.put(None)
            self._result_handler.join()

    def __enter__(self):
        self._check_running()
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.terminate()


class ApplyResult:
    def __init__(self, cache, callback, error_callback):
        self._event = threading.Event()
        self._job = next(job_counter)
        self._cache = cache
        self._callback = callback
        self._error_callback = error_callback
        cache[self._job] = self

    def ready(self):
        return self._event.is_set()

    def successful(self):
        if not self.ready():
            raise ValueError("{0!r} not ready".format(self))
        return self._success

    def wait(self, timeout=None):
        self._event.wait(timeout)

    def get(self, timeout=None):
        self.wait(timeout)
        if not self.ready():
            raise TimeoutError
        if self._success:
            return self._value
        raise self._value

    def _set(self, i, obj):
        self._success, self._value = obj
        if self._callback and self._success:
            self._callback(self._value)
        if self._error_callback and not self._success:
            self._error_callback(self._value)
        self._event.set()
        del self._cache[self._job]


AsyncResult = ApplyResult


class MapResult(ApplyResult):
    def __init__(self, cache, chunksize, length, callback, error_callback):
        ApplyResult.__init__(self, cache, callback, error_callback=error_callback)
        self._success = True
        self._value = [None] * length
        self._chunksize = chunksize
        if chunksize <= 0:
            self._number_left = 0
            self._event.set()
            del self._cache[self._job]
        else:
            self._number_left = length // chunksize + bool(length % chunksize)

    def _set(self, i, success_result):
        self._number_left -= 1
        success, result = success_result
        if success and self._success:
            self._value[i * self._chunksize:(i + 1) * self._chunksize] = result
            if self._number_left == 0:
                if self._callback:
                    self._callback(self._value)
                del self._cache[self._job]
                self._event.set()
        else:
            if not success and self._success:
                # Only the first exception is kept.
                self._success = False
                self._value = result
            if self._number_left == 0:
                if self._error_callback:
                    self._error_callback(self._value)
                del self._cache[self._job]
                self._event.set()


class IMapIterator:
    def __init__(self, cache):
        self._cond = threading.Condition(threading.Lock())
        self._job = next(job_counter)
        self._cache = cache
        self._items = collections.deque()
        self._index = 0
        self._length = None
        self._unsorted = {}
        cache[self._job] = self

    def __iter__(self):
        return self

    def next(self, timeout=None):
        with self._cond:
            try:
                item = self._items.popleft()
            except IndexError:
                if self._index == self._length:
                    raise StopIteration from None
                self._cond.wait(timeout)
                try:
                    item = self._items.popleft()
                except IndexError:
                    if self._index == self._length:
                        raise StopIteration from None
                    raise TimeoutError from None
        success, value = item
        if success:
            return value
        raise value

    __next__ = next

    def _set(self, i, obj):
        with self._cond:
            if self._index == i:
                self._items.append(obj)
                self._index += 1
                while self._index in self._unsorted:
                    obj = self._unsorted.pop(self._index)
                    self._items.append(obj)
                    self._index += 1
                self._cond.notify()
            else:
                self._unsorted[i] = obj
            if self._index == self._length:
                del self._cache[self._job]

    def _set_length(self, length):
        with self._cond:
            self._length = length
            if self._index == self._length:
                self._cond.notify()
                del self._cache[self._job]


class IMapUnorderedIterator(IMapIterator):
    def _set(self, i, obj):
        with self._cond:
            self._items.append(obj)
            self._index += 1
            self._cond.notify()
            if self._index == self._length:
                del self._cache[self._job]


def _default_context():
    return context._default_context.get_context()


class ThreadPool(Pool):
    _wrap_exception = False

    def __init__(self, processes=None, initializer=None, initargs=()):
        raise NotImplementedError('minipy has no multiprocessing.dummy')
