"""multiprocessing: processes with their own memory, and the queues, pipes, locks and
shared values between them, as CPython 3.7's. Under --sched det the processes are
simulated (same output every run, pids included); under --sched os they are real."""

import sys
from multiprocessing import context

__all__ = [x for x in dir(context._default_context) if not x.startswith('_')]

globals().update((name, getattr(context._default_context, name)) for name in __all__)

SUBDEBUG = 5
SUBWARNING = 25

# Functions pickled in a spawned child name the module they were defined in as
# __main__, which the child runs as __mp_main__.
if '__main__' in sys.modules:
    sys.modules['__mp_main__'] = sys.modules['__main__']
