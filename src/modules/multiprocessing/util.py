# multiprocessing.util: what runs when a process ends (terminate the daemonic children,
# join the others), hooks run in a new child, and the logging calls (no-ops: minipy keeps
# no multiprocessing logger).
import sys

SUBDEBUG = 5
SUBWARNING = 25
DEBUG = 10
INFO = 20

_exiting = False
_afterfork_registry = []
# Queues of this process whose feeder thread has started (queues.Queue._start_thread).
_feeding_queues = []


def sub_debug(msg, *args):
    pass


def debug(msg, *args):
    pass


def info(msg, *args):
    pass


def sub_warning(msg, *args):
    pass


def get_logger():
    raise NotImplementedError('minipy has no logging module')


def log_to_stderr(level=None):
    raise NotImplementedError('minipy has no logging module')


def is_exiting():
    return _exiting


def register_after_fork(obj, func):
    _afterfork_registry.append((obj, func))


def _run_after_forkers():
    # As CPython's random module does after fork: a child must not repeat its parent's
    # numbers.
    random = sys.modules.get('random')
    if random is not None:
        import _multiprocessing
        random.seed(_multiprocessing.child_seed())
    # The parent's feeders are not this process's.
    del _feeding_queues[:]
    for obj, func in list(_afterfork_registry):
        try:
            func(obj)
        except Exception:
            pass


def _flush_std_streams():
    try:
        sys.stdout.flush()
    except (AttributeError, ValueError):
        pass
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError):
        pass


def _exit_function():
    # What CPython registers with atexit: daemonic children are terminated, the others
    # joined, when a process ends.
    global _exiting
    if _exiting:
        return
    _exiting = True
    from multiprocessing import process
    # As CPython's finalizers: queues' feeders are told to finish first, and joined
    # after the children (what they still send may be what a child waits for).
    global _feeding_queues
    feeding, _feeding_queues = _feeding_queues, []
    for q in feeding:
        q._finalize_close()
    for p in process.active_children():
        if p.daemon:
            p._popen.terminate()
    for p in process.active_children():
        p.join()
    for q in feeding:
        q._finalize_join()
