"""asyncio.base_futures: what futures and tasks share: the states, InvalidStateError,
isfuture, and the pieces of their reprs."""

import concurrent.futures

__all__ = ()

Error = concurrent.futures.Error
CancelledError = concurrent.futures.CancelledError
TimeoutError = concurrent.futures.TimeoutError


class InvalidStateError(Error):
    """The operation is not allowed in this state."""


_PENDING = 'PENDING'
_CANCELLED = 'CANCELLED'
_FINISHED = 'FINISHED'


def isfuture(obj):
    """An asyncio Future, or an object compatible with one (duck-typed as CPython does)."""
    return (hasattr(obj.__class__, '_asyncio_future_blocking') and
            obj._asyncio_future_blocking is not None)


def _format_callbacks(cb):
    size = len(cb)
    if not size:
        cb = ''

    def format_cb(callback):
        from asyncio import format_helpers
        return format_helpers._format_callback_source(callback, ())

    if size == 1:
        cb = format_cb(cb[0][0])
    elif size == 2:
        cb = '{}, {}'.format(format_cb(cb[0][0]), format_cb(cb[1][0]))
    elif size > 2:
        cb = '{}, <{} more>, {}'.format(format_cb(cb[0][0]), size - 2, format_cb(cb[-1][0]))
    return 'cb=[%s]' % cb


def _future_repr_info(future):
    info = [future._state.lower()]
    if future._state == _FINISHED:
        if future._exception is not None:
            info.append('exception={!r}'.format(future._exception))
        else:
            info.append('result={}'.format(_short_repr(future._result)))
    if future._callbacks:
        info.append(_format_callbacks(future._callbacks))
    return info


def _short_repr(obj):
    text = repr(obj)
    if len(text) > 20:
        text = text[:20 - 3 - 4] + '...' + text[-4:]
    return text
