"""asyncio.coroutines: telling coroutines apart, and the 3.4-style @asyncio.coroutine."""

import _types
from asyncio import base_futures

__all__ = ['coroutine', 'iscoroutinefunction', 'iscoroutine']

_is_coroutine = object()


def coroutine(func):
    """Makes a generator function usable as a coroutine (its `yield from` acts as `await`),
    and a plain function into one whose result is awaited (the 3.4 style, still in 3.7)."""
    if _types._is_coroutine_function(func):
        return func
    if _types._is_generator_function(func):
        coro = func
    else:
        def coro(*args, **kw):
            res = func(*args, **kw)
            if base_futures.isfuture(res) or type(res).__name__ == 'generator':
                res = yield from res
            else:
                await_meth = getattr(res, '__await__', None)
                if await_meth is not None:
                    res = yield from await_meth()
            return res
        coro.__name__ = getattr(func, '__name__', 'coro')
        coro.__qualname__ = getattr(func, '__qualname__', 'coro')
    wrapper = _types.coroutine(coro)
    wrapper._is_coroutine = _is_coroutine
    return wrapper


def iscoroutinefunction(func):
    """An `async def` function, or one @asyncio.coroutine made."""
    return (_types._is_coroutine_function(func) or
            getattr(func, '_is_coroutine', None) is _is_coroutine)


def iscoroutine(obj):
    """A coroutine object, or a generator (which @asyncio.coroutine code returns)."""
    return _types._is_coroutine_object(obj)
