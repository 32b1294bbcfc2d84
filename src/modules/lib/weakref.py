"""weakref: references that do not keep their referent alive (_weakref.ref, cleared by the
collector), and the containers built on them: WeakSet, WeakValueDictionary,
WeakKeyDictionary, and finalize. minipy's containers find entries by identity (id), which
is what CPython's do for objects that do not define __eq__ and __hash__."""

from _weakref import ref, getweakrefcount, ReferenceType

__all__ = ['ref', 'getweakrefcount', 'ReferenceType', 'WeakSet', 'WeakValueDictionary',
           'WeakKeyDictionary', 'finalize', 'WeakMethod', 'proxy', 'ProxyType']


class WeakSet:
    """A set of objects it does not keep alive: each leaves when it is collected. A
    collected entry stays behind, dead, until they make up half of the table, which is
    then rebuilt: removing from the middle of a dict costs as much as the dict is long."""

    def __init__(self, data=None):
        self._refs = {}
        self._dead = [0]
        # One callback for every entry: it only counts the dead (and holds no reference to
        # the set, which may go first).
        self._on_death = self._remover()
        if data is not None:
            for item in data:
                self.add(item)

    def _remover(self):
        dead = self._dead

        def remove(_ref):
            dead[0] += 1
        return remove

    def _prune(self):
        if self._dead[0] * 2 > len(self._refs):
            self._refs = {k: r for k, r in self._refs.items() if r() is not None}
            self._dead[0] = 0

    def add(self, item):
        key = id(item)
        current = self._refs.get(key)
        if current is None or current() is not item:
            if current is not None:
                # A dead entry whose id was reused: the new one replaces it.
                self._dead[0] -= 1
            self._refs[key] = ref(item, self._on_death)
            self._prune()

    def discard(self, item):
        current = self._refs.get(id(item))
        if current is not None and current() is item:
            del self._refs[id(item)]

    def remove(self, item):
        if item not in self:
            raise KeyError(item)
        self.discard(item)

    def pop(self):
        while self._refs:
            key = next(iter(self._refs))
            item = self._refs.pop(key)()
            if item is not None:
                return item
            self._dead[0] -= 1
        raise KeyError('pop from empty WeakSet')

    def clear(self):
        self._refs.clear()
        self._dead[0] = 0

    def copy(self):
        return WeakSet(self)

    def update(self, other):
        for item in other:
            self.add(item)

    def __contains__(self, item):
        current = self._refs.get(id(item))
        return current is not None and current() is item

    def __iter__(self):
        for r in list(self._refs.values()):
            item = r()
            if item is not None:
                yield item

    def __len__(self):
        return sum(1 for r in list(self._refs.values()) if r() is not None)

    def __repr__(self):
        return '<WeakSet of {} items>'.format(len(self))


class WeakValueDictionary:
    """A dict whose values it does not keep alive: an entry goes when its value is
    collected."""

    def __init__(self, other=(), **kw):
        self._data = {}
        self.update(other, **kw)

    def _remover(self, key):
        data = self._data

        def remove(r):
            if data.get(key) is r:
                del data[key]
        return remove

    def __setitem__(self, key, value):
        self._data[key] = ref(value, self._remover(key))

    def __getitem__(self, key):
        value = self._data[key]()
        if value is None:
            raise KeyError(key)
        return value

    def __delitem__(self, key):
        del self._data[key]

    def __contains__(self, key):
        r = self._data.get(key)
        return r is not None and r() is not None

    def __len__(self):
        return sum(1 for r in list(self._data.values()) if r() is not None)

    def __iter__(self):
        for key, r in list(self._data.items()):
            if r() is not None:
                yield key

    def get(self, key, default=None):
        r = self._data.get(key)
        if r is None:
            return default
        value = r()
        return default if value is None else value

    def keys(self):
        return list(self)

    def values(self):
        return [v for v in (r() for r in list(self._data.values())) if v is not None]

    def items(self):
        return [(k, v) for k, v in ((k, r()) for k, r in list(self._data.items()))
                if v is not None]

    def pop(self, key, *default):
        r = self._data.pop(key, None)
        value = r() if r is not None else None
        if value is None:
            if default:
                return default[0]
            raise KeyError(key)
        return value

    def setdefault(self, key, default=None):
        value = self.get(key)
        if value is None:
            self[key] = default
            return default
        return value

    def update(self, other=(), **kw):
        if hasattr(other, 'items'):
            other = other.items()
        for key, value in other:
            self[key] = value
        for key, value in kw.items():
            self[key] = value

    def __repr__(self):
        return '<WeakValueDictionary at 0x{:x}>'.format(id(self))


class WeakKeyDictionary:
    """A dict whose keys it does not keep alive: an entry goes when its key is
    collected. Keys are found by identity."""

    def __init__(self, dict=None):
        self._data = {}
        if dict is not None:
            self.update(dict)

    def _remover(self, key):
        data = self._data

        def remove(_ref):
            data.pop(key, None)
        return remove

    def __setitem__(self, key, value):
        k = id(key)
        entry = self._data.get(k)
        if entry is not None and entry[0]() is key:
            self._data[k] = (entry[0], value)
        else:
            self._data[k] = (ref(key, self._remover(k)), value)

    def __getitem__(self, key):
        entry = self._data.get(id(key))
        if entry is None or entry[0]() is not key:
            raise KeyError(key)
        return entry[1]

    def __delitem__(self, key):
        entry = self._data.get(id(key))
        if entry is None or entry[0]() is not key:
            raise KeyError(key)
        del self._data[id(key)]

    def __contains__(self, key):
        entry = self._data.get(id(key))
        return entry is not None and entry[0]() is key

    def get(self, key, default=None):
        entry = self._data.get(id(key))
        if entry is None or entry[0]() is not key:
            return default
        return entry[1]

    def __len__(self):
        return sum(1 for r, _ in list(self._data.values()) if r() is not None)

    def __iter__(self):
        for r, _ in list(self._data.values()):
            key = r()
            if key is not None:
                yield key

    def keys(self):
        return list(self)

    def values(self):
        return [v for r, v in list(self._data.values()) if r() is not None]

    def items(self):
        return [(r(), v) for r, v in list(self._data.values()) if r() is not None]

    def update(self, other):
        if hasattr(other, 'items'):
            other = other.items()
        for key, value in other:
            self[key] = value


class finalize:
    """Calls func(*args, **kwargs) when obj is collected (or when called first)."""

    _registry = {}

    def __init__(self, obj, func, *args, **kwargs):
        self._func = func
        self._args = args
        self._kwargs = kwargs
        self._alive = True
        self._ref = ref(obj, self._collected)
        finalize._registry[id(self)] = self

    def _collected(self, _ref):
        self()

    def __call__(self, _=None):
        if not self._alive:
            return None
        self._alive = False
        finalize._registry.pop(id(self), None)
        return self._func(*self._args, **self._kwargs)

    def detach(self):
        if not self._alive:
            return None
        self._alive = False
        finalize._registry.pop(id(self), None)
        obj = self._ref()
        return (obj, self._func, self._args, self._kwargs) if obj is not None else None

    @property
    def alive(self):
        return self._alive


class WeakMethod:
    """A weak reference to a bound method: alive while both its object and its function
    are; calling it gives the bound method again, or None."""

    def __init__(self, meth, callback=None):
        try:
            obj = meth.__self__
            func = meth.__func__
        except AttributeError:
            raise TypeError("argument should be a bound method, not {}"
                            .format(type(meth))) from None
        self._callback = callback
        self._dead = False

        def _dead(_ref, self_ref=ref(self)):
            me = self_ref()
            if me is not None and not me._dead:
                me._dead = True
                if me._callback is not None:
                    me._callback(me)
        self._obj_ref = ref(obj, _dead)
        self._func_ref = ref(func, _dead)
        self._meth_type = type(meth)

    def __call__(self):
        obj = self._obj_ref()
        func = self._func_ref()
        if obj is None or func is None:
            return None
        return self._meth_type(func, obj)

    def __eq__(self, other):
        if isinstance(other, WeakMethod):
            if self._dead or other._dead:
                return self is other
            return self._obj_ref() is other._obj_ref() and self._func_ref == other._func_ref
        return NotImplemented

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = object.__hash__


class ProxyType:
    """weakref.proxy(obj): stands for obj while it lives; afterwards every use raises
    ReferenceError."""

    def __init__(self, obj, callback=None):
        if callback is not None:
            object.__setattr__(self, '_proxy_ref', ref(obj, lambda _r: callback(self)))
        else:
            object.__setattr__(self, '_proxy_ref', ref(obj))

    def _proxy_target(self):
        obj = object.__getattribute__(self, '_proxy_ref')()
        if obj is None:
            raise ReferenceError('weakly-referenced object no longer exists')
        return obj

    def __getattr__(self, name):
        return getattr(ProxyType._proxy_target(self), name)

    def __setattr__(self, name, value):
        setattr(ProxyType._proxy_target(self), name, value)

    def __repr__(self):
        obj = object.__getattribute__(self, '_proxy_ref')()
        return '<weakproxy at 0x%x to %s at 0x%x>' % (id(self), type(obj).__name__, id(obj))

    def __str__(self):
        return str(ProxyType._proxy_target(self))

    def __len__(self):
        return len(ProxyType._proxy_target(self))

    def __getitem__(self, key):
        return ProxyType._proxy_target(self)[key]

    def __iter__(self):
        return iter(ProxyType._proxy_target(self))

    def __bool__(self):
        return bool(ProxyType._proxy_target(self))


ProxyType.__name__ = 'weakproxy'


def proxy(obj, callback=None):
    ref(obj)  # the same TypeError for objects that cannot be referenced weakly
    return ProxyType(obj, callback)
