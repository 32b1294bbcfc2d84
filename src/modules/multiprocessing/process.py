# multiprocessing.process: Process objects (BaseProcess), the current process, and the
# children of this one. A started process is watched through a _Popen, which asks the
# kernel (_multiprocessing) for its exit code and waits for it.
import itertools
import os
import signal
import sys
import _multiprocessing as _mp
from _thread import allocate_lock as _allocate_lock
from time import monotonic as _monotonic

__all__ = ['BaseProcess', 'current_process', 'active_children']


def current_process():
    """The Process object of the process running this."""
    return _current_process


def active_children():
    """The children of this process that are still alive (finished ones are reaped)."""
    _cleanup()
    return list(_children)


def _cleanup():
    for p in list(_children):
        if p._popen.poll() is not None:
            _children.discard(p)


def _wait(objects, timeout):
    # Blocks until one of the kernel objects (id, version) moves on, or the timeout.
    return _mp.wait(objects, timeout, _allocate_lock())


class _Popen:
    """A started child as its parent sees it: its pid, and its exit code once it ended."""

    def __init__(self, process_obj, method):
        self.returncode = None
        self.method = method
        self.key, self.pid = _mp.start(process_obj, method)
        self.sentinel = self.key

    def poll(self, flag=None):
        if self.returncode is None:
            self.returncode = _mp.process_status(self.key)[0]
        return self.returncode

    def wait(self, timeout=None):
        deadline = None if timeout is None else _monotonic() + timeout
        while True:
            code, version, record = _mp.process_status(self.key)
            if code is not None:
                self.returncode = code
                return code
            remaining = None
            if deadline is not None:
                remaining = deadline - _monotonic()
                if remaining <= 0:
                    return None
            _wait([(record, version)], remaining)

    def _send_signal(self, sig):
        if self.returncode is None:
            _mp.kill(self.key, self.pid, sig)

    def terminate(self):
        self._send_signal(signal.SIGTERM)

    def kill(self):
        self._send_signal(signal.SIGKILL)

    def close(self):
        pass


class BaseProcess:
    """A process object: run() runs in the child once start() has made it."""

    def _Popen(self):
        raise NotImplementedError

    def __init__(self, group=None, target=None, name=None, args=(), kwargs={},
                 *, daemon=None):
        assert group is None, 'group argument must be None for now'
        count = next(_process_counter)
        self._identity = _current_process._identity + (count,)
        self._config = _current_process._config.copy()
        self._parent_pid = os.getpid()
        self._popen = None
        self._closed = False
        self._target = target
        self._args = tuple(args)
        self._kwargs = dict(kwargs)
        self._name = name or type(self).__name__ + '-' + \
            ':'.join(str(i) for i in self._identity)
        if daemon is not None:
            self.daemon = daemon

    def _check_closed(self):
        if self._closed:
            raise ValueError("process object is closed")

    def run(self):
        if self._target:
            self._target(*self._args, **self._kwargs)

    def start(self):
        self._check_closed()
        assert self._popen is None, 'cannot start a process twice'
        assert self._parent_pid == os.getpid(), \
            'can only start a process object created by current process'
        assert not _current_process._config.get('daemon'), \
            'daemonic processes are not allowed to have children'
        _cleanup()
        self._popen = self._Popen(self)
        self._sentinel = self._popen.sentinel
        # As 3.7: no reference cycle through the target (bpo-30775).
        del self._target, self._args, self._kwargs
        _children.add(self)

    def terminate(self):
        self._check_closed()
        self._popen.terminate()

    def kill(self):
        self._check_closed()
        self._popen.kill()

    def join(self, timeout=None):
        self._check_closed()
        assert self._parent_pid == os.getpid(), 'can only join a child process'
        assert self._popen is not None, 'can only join a started process'
        res = self._popen.wait(timeout)
        if res is not None:
            _children.discard(self)

    def is_alive(self):
        self._check_closed()
        if self is _current_process:
            return True
        assert self._parent_pid == os.getpid(), 'can only test a child process'
        if self._popen is None:
            return False
        returncode = self._popen.poll()
        if returncode is None:
            return True
        _children.discard(self)
        return False

    def close(self):
        if self._popen is not None:
            if self._popen.poll() is None:
                raise ValueError("Cannot close a process while it is still running. "
                                 "You should first call join() or terminate().")
            self._popen.close()
            self._popen = None
            del self._sentinel
            _children.discard(self)
        self._closed = True

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, name):
        assert isinstance(name, str), 'name must be a string'
        self._name = name

    @property
    def daemon(self):
        return self._config.get('daemon', False)

    @daemon.setter
    def daemon(self, daemonic):
        assert self._popen is None, 'process has already started'
        self._config['daemon'] = daemonic

    @property
    def authkey(self):
        return self._config['authkey']

    @authkey.setter
    def authkey(self, authkey):
        self._config['authkey'] = bytes(authkey)

    @property
    def exitcode(self):
        self._check_closed()
        if self._popen is None:
            return self._popen
        return self._popen.poll()

    @property
    def ident(self):
        self._check_closed()
        if self is _current_process:
            return os.getpid()
        return self._popen and self._popen.pid

    pid = ident

    @property
    def sentinel(self):
        self._check_closed()
        try:
            return self._sentinel
        except AttributeError:
            raise ValueError("process not started") from None

    def __repr__(self):
        exitcode = None
        if self is _current_process:
            status = 'started'
        elif self._closed:
            status = 'closed'
        elif self._parent_pid != os.getpid():
            status = 'unknown'
        elif self._popen is None:
            status = 'initial'
        else:
            exitcode = self._popen.poll()
            status = 'started' if exitcode is None else 'stopped'
        if type(exitcode) is int:
            if exitcode == 0:
                status = 'stopped'
            else:
                status = 'stopped[%s]' % _exitcode_to_name.get(exitcode, exitcode)
        return '<%s(%s, %s%s)>' % (type(self).__name__, self._name, status,
                                   self.daemon and ' daemon' or '')

    def _bootstrap(self):
        # The child's life: run() and the exit code CPython's child gives.
        from multiprocessing import util, context
        global _current_process, _process_counter, _children
        try:
            if self._start_method is not None:
                context._force_start_method(self._start_method)
            _process_counter = itertools.count(1)
            _children = set()
            _current_process = self
            util._exiting = False
            util._run_after_forkers()
            try:
                self.run()
                exitcode = 0
            finally:
                util._exit_function()
        except SystemExit as e:
            if not e.args:
                exitcode = 1
            elif isinstance(e.args[0], int):
                exitcode = e.args[0]
            else:
                sys.stderr.write(str(e.args[0]) + '\n')
                exitcode = 1
        except:
            exitcode = 1
            import traceback
            sys.stderr.write('Process %s:\n' % self.name)
            traceback.print_exc()
        finally:
            import threading
            threading._shutdown()
            util._flush_std_streams()
        return exitcode


class AuthenticationString(bytes):
    def __reduce__(self):
        from multiprocessing.context import get_spawning_popen
        if get_spawning_popen() is None:
            raise TypeError('Pickling an AuthenticationString object is disallowed for '
                            'security reasons')
        return AuthenticationString, (bytes(self),)


class _MainProcess(BaseProcess):
    _start_method = None

    def __init__(self):
        self._identity = ()
        self._name = 'MainProcess'
        self._parent_pid = None
        self._popen = None
        self._closed = False
        self._config = {'authkey': AuthenticationString(b'minipy-authkey-0123456789abcdef'),
                        'semprefix': '/mp'}


_current_process = _MainProcess()
_process_counter = itertools.count(1)
_children = set()
del _MainProcess

_exitcode_to_name = {}
for _name in dir(signal):
    _signum = getattr(signal, _name)
    if _name[:3] == 'SIG' and '_' not in _name and isinstance(_signum, int):
        _exitcode_to_name[-_signum] = _name
del _name, _signum
