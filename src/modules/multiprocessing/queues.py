# multiprocessing.queues: Queue, JoinableQueue and SimpleQueue across processes. Items
# wait in the kernel until a process gets them. An unbounded Queue's put() hands the item
# to a feeder thread of the putting process, which pickles it later, as CPython's does:
# an item changed right after put() may arrive changed, an item that cannot be pickled is
# reported on stderr (Queue._on_queue_feeder_error) and dropped, and empty() may be True
# just after put(). A bounded Queue pickles in put() (its put must see the kernel's room),
# and so does SimpleQueue, as CPython's does.
import sys
import _multiprocessing as _mp
from _thread import allocate_lock as _allocate_lock
from time import monotonic as _monotonic
from queue import Empty, Full
from multiprocessing import context
from multiprocessing import util
from multiprocessing.reduction import ForkingPickler as _ForkingPickler
from multiprocessing.synchronize import SEM_VALUE_MAX

__all__ = ['Queue', 'SimpleQueue', 'JoinableQueue']

_sentinel = object()


def _wait(objects, timeout):
    return _mp.wait(objects, timeout, _allocate_lock())


def _put(qid, data, block, timeout):
    ok, version = _mp.queue_put(qid, data)
    if ok:
        return
    if not block:
        raise Full
    deadline = None if timeout is None else _monotonic() + timeout
    while True:
        remaining = None
        if deadline is not None:
            remaining = deadline - _monotonic()
            if remaining <= 0:
                raise Full
        _wait([(qid, version)], remaining)
        ok, version = _mp.queue_put(qid, data)
        if ok:
            return


def _get(qid, block, timeout):
    data, version = _mp.queue_get(qid)
    if data is not None:
        return _ForkingPickler.loads(data)
    if not block:
        raise Empty
    deadline = None if timeout is None else _monotonic() + timeout
    while True:
        remaining = None
        if deadline is not None:
            remaining = deadline - _monotonic()
            if remaining <= 0:
                raise Empty
        _wait([(qid, version)], remaining)
        data, version = _mp.queue_get(qid)
        if data is not None:
            return _ForkingPickler.loads(data)


class Queue:
    def __init__(self, maxsize=0, *, ctx):
        if maxsize <= 0:
            maxsize = SEM_VALUE_MAX
        self._maxsize = maxsize
        self._id = _mp.queue_new(maxsize, self._joinable)
        self._after_fork()
        util.register_after_fork(self, Queue._after_fork)

    _joinable = False

    def __getstate__(self):
        context.assert_spawning(self)
        return (self._maxsize, self._id)

    def __setstate__(self, state):
        (self._maxsize, self._id) = state
        self._after_fork()
        util.register_after_fork(self, Queue._after_fork)

    def _after_fork(self):
        # Also what a forked child runs: its copy of the buffer and feeder are the
        # parent's, which sends what is buffered.
        self._closed = False
        self._ignore_epipe = False
        self._buffer = []
        self._notempty = None
        self._thread = None
        self._joincancelled = False

    def put(self, obj, block=True, timeout=None):
        assert not self._closed, "Queue {0!r} has been closed".format(self)
        if self._maxsize != SEM_VALUE_MAX:
            try:
                data = _ForkingPickler.dumps(obj)
            except Exception as e:
                self._on_queue_feeder_error(e, obj)
                return
            _put(self._id, data, block, timeout)
            return
        if self._thread is None:
            self._start_thread()
        with self._notempty:
            # Reserved at once, as CPython's put() takes its semaphore: qsize() and a
            # JoinableQueue's unfinished tasks count the item, in every process.
            _mp.queue_reserve(self._id, 1)
            self._buffer.append(obj)
            self._notempty.notify()

    def _start_thread(self):
        import threading
        self._notempty = threading.Condition(threading.Lock())
        self._thread = threading.Thread(target=self._feed, name='QueueFeederThread')
        self._thread.daemon = True
        self._thread.start()
        util._feeding_queues.append(self)

    def _feed(self):
        # The feeder thread: pickles and sends what put() buffered, until close().
        while True:
            with self._notempty:
                while not self._buffer:
                    self._notempty.wait()
                items, self._buffer = self._buffer, []
            for obj in items:
                if obj is _sentinel:
                    return
                try:
                    data = _ForkingPickler.dumps(obj)
                except Exception as e:
                    _mp.queue_reserve(self._id, -1)
                    self._on_queue_feeder_error(e, obj)
                    continue
                _mp.queue_send(self._id, data)

    def _finalize_close(self):
        # At close() or the process's end: the feeder sends what is buffered, then ends.
        if self._thread is not None and self._notempty is not None:
            with self._notempty:
                self._buffer.append(_sentinel)
                self._notempty.notify()

    def _finalize_join(self):
        if self._thread is not None and not self._joincancelled:
            self._thread.join()

    @staticmethod
    def _on_queue_feeder_error(e, obj):
        import traceback
        traceback.print_exc()

    def get(self, block=True, timeout=None):
        if self._closed:
            # close() closed this process's reading end.
            raise OSError("handle is closed")
        if timeout is not None and timeout < 0:
            timeout = 0
        return _get(self._id, block, timeout)

    def qsize(self):
        # What is in the queue and what feeder threads hold (empty() sees only the
        # former, as CPython's polls its pipe).
        info = _mp.queue_info(self._id)
        return info[0] + info[3]

    def empty(self):
        return not self.qsize()

    def full(self):
        return self.qsize() >= self._maxsize

    def get_nowait(self):
        return self.get(False)

    def put_nowait(self, obj):
        return self.put(obj, False)

    def close(self):
        self._closed = True
        self._finalize_close()

    def join_thread(self):
        assert self._closed, "Queue {0!r} not closed".format(self)
        self._finalize_join()

    def cancel_join_thread(self):
        self._joincancelled = True


class JoinableQueue(Queue):
    _joinable = True

    def task_done(self):
        _mp.task_done(self._id)

    def join(self):
        while True:
            size, unfinished, version, pending = _mp.queue_info(self._id)
            if unfinished == 0:
                return
            _wait([(self._id, version)], None)


class SimpleQueue:
    def __init__(self, *, ctx):
        self._id = _mp.queue_new(0, False)

    def empty(self):
        return not _mp.queue_info(self._id)[0]

    def __getstate__(self):
        context.assert_spawning(self)
        return self._id

    def __setstate__(self, state):
        self._id = state

    def get(self):
        return _get(self._id, True, None)

    def put(self, obj):
        _put(self._id, _ForkingPickler.dumps(obj), True, None)
