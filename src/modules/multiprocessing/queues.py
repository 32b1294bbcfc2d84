# multiprocessing.queues: Queue, JoinableQueue and SimpleQueue across processes. Items
# are pickled when put (a Queue that cannot pickle one reports it on stderr and drops it,
# as CPython's feeder thread does) and wait in the kernel until a process gets them.
import sys
import _multiprocessing as _mp
from _thread import allocate_lock as _allocate_lock
from time import monotonic as _monotonic
from queue import Empty, Full
from multiprocessing import context
from multiprocessing.reduction import ForkingPickler as _ForkingPickler
from multiprocessing.synchronize import SEM_VALUE_MAX

__all__ = ['Queue', 'SimpleQueue', 'JoinableQueue']


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

    _joinable = False

    def __getstate__(self):
        context.assert_spawning(self)
        return (self._maxsize, self._id)

    def __setstate__(self, state):
        (self._maxsize, self._id) = state
        self._after_fork()

    def _after_fork(self):
        self._closed = False
        self._ignore_epipe = False

    def put(self, obj, block=True, timeout=None):
        assert not self._closed, "Queue {0!r} has been closed".format(self)
        try:
            data = _ForkingPickler.dumps(obj)
        except Exception as e:
            # CPython pickles in a feeder thread, which hands the error to this hook
            # (it prints it; concurrent.futures fails the call's future) and drops the
            # item; put() itself returns.
            self._on_queue_feeder_error(e, obj)
            return
        _put(self._id, data, block, timeout)

    @staticmethod
    def _on_queue_feeder_error(e, obj):
        import traceback
        traceback.print_exc()

    def get(self, block=True, timeout=None):
        if timeout is not None and timeout < 0:
            timeout = 0
        return _get(self._id, block, timeout)

    def qsize(self):
        return _mp.queue_info(self._id)[0]

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

    def join_thread(self):
        assert self._closed, "Queue {0!r} not closed".format(self)

    def cancel_join_thread(self):
        pass


class JoinableQueue(Queue):
    _joinable = True

    def task_done(self):
        _mp.task_done(self._id)

    def join(self):
        while True:
            size, unfinished, version = _mp.queue_info(self._id)
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
