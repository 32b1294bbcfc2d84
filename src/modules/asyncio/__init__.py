"""asyncio: an event loop over coroutine frames, and the futures, tasks, locks and queues
programs use with it, as CPython 3.7's (written in minipy's Python). The loop's clock is
the VM's: virtual under the deterministic scheduler, real under the OS one."""

from asyncio.base_futures import InvalidStateError
from asyncio.coroutines import coroutine, iscoroutinefunction, iscoroutine
from asyncio.events import (AbstractEventLoopPolicy, AbstractEventLoop, Handle,
                            TimerHandle, get_event_loop_policy, set_event_loop_policy,
                            get_event_loop, set_event_loop, new_event_loop,
                            get_running_loop, _get_running_loop)
from asyncio.futures import CancelledError, TimeoutError, Future, wrap_future, isfuture
from asyncio.locks import Lock, Event, Condition, Semaphore, BoundedSemaphore
from asyncio.queues import Queue, PriorityQueue, LifoQueue, QueueFull, QueueEmpty
from asyncio.runners import run
from asyncio.tasks import (Task, create_task, FIRST_COMPLETED, FIRST_EXCEPTION,
                           ALL_COMPLETED, wait, wait_for, as_completed, sleep, gather,
                           shield, ensure_future, run_coroutine_threadsafe,
                           current_task, all_tasks)
from asyncio.base_events import BaseEventLoop
from asyncio import events as _events


class SelectorEventLoop(BaseEventLoop):
    """The default loop (CPython's on Unix): minipy's waits on timers and wake-ups."""


class DefaultEventLoopPolicy(_events.BaseDefaultEventLoopPolicy):
    _loop_factory = SelectorEventLoop

