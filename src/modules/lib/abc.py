# The abc module, written in minipy's Python: ABCMeta (abstract methods block
# instantiation; register() adds virtual subclasses; isinstance and issubclass consult
# __subclasshook__, the registry and the subclasses), ABC, abstractmethod and the older
# abstractproperty/abstractclassmethod/abstractstaticmethod.
#
# minipy's property, classmethod and staticmethod objects have no __isabstractmethod__,
# so _is_abstract looks through them to their functions, as CPython's do. minipy's classes
# have no __subclasses__(), so ABCMeta records the subclasses it makes.


def abstractmethod(funcobj):
    """Marks a method abstract: a class with any such method left cannot be instantiated."""
    funcobj.__isabstractmethod__ = True
    return funcobj


# CPython's are subclasses of classmethod, staticmethod and property; calling such a
# subclass in minipy makes a plain classmethod, staticmethod or property, so these are
# functions that mark the function abstract and wrap it.
def abstractclassmethod(callable):
    """A deprecated spelling of @classmethod @abstractmethod."""
    callable.__isabstractmethod__ = True
    return classmethod(callable)


def abstractstaticmethod(callable):
    """A deprecated spelling of @staticmethod @abstractmethod."""
    callable.__isabstractmethod__ = True
    return staticmethod(callable)


def abstractproperty(fget=None, fset=None, fdel=None, doc=None):
    """A deprecated spelling of @property @abstractmethod."""
    if fget is not None:
        fget.__isabstractmethod__ = True
    return property(fget, fset, fdel, doc)


def _is_abstract(value):
    if isinstance(value, property):
        return any(_is_abstract(f) for f in (value.fget, value.fset, value.fdel)
                   if f is not None) or getattr(value, '__isabstractmethod__', False)
    if isinstance(value, (classmethod, staticmethod)):
        if getattr(value, '__isabstractmethod__', False):
            return True
        return _is_abstract(value.__func__)
    try:
        return bool(getattr(value, '__isabstractmethod__', False))
    except Exception:
        return False


def _lookup(cls, name):
    # The attribute as the class's dicts hold it (descriptors not bound).
    for klass in cls.__mro__:
        d = vars(klass)
        if name in d:
            return d[name]
    return None


def get_cache_token():
    return ABCMeta._abc_invalidation_counter


class ABCMeta(type):
    """The metaclass of abstract base classes."""

    _abc_invalidation_counter = 0

    def __new__(mcls, name, bases, namespace, **kwargs):
        cls = super().__new__(mcls, name, bases, namespace, **kwargs)
        abstracts = {name for name, value in namespace.items() if _is_abstract(value)}
        for base in bases:
            for name in getattr(base, '__abstractmethods__', ()):
                if _is_abstract(_lookup(cls, name)):
                    abstracts.add(name)
        cls.__abstractmethods__ = frozenset(abstracts)
        cls._abc_registry = []
        cls._abc_subclasses = []
        for base in bases:
            if isinstance(base, ABCMeta):
                base._abc_subclasses.append(cls)
        return cls

    def __call__(cls, *args, **kwargs):
        abstracts = cls.__dict__.get('__abstractmethods__')
        if abstracts:
            raise TypeError("Can't instantiate abstract class %s with abstract methods %s"
                            % (cls.__name__, ', '.join(sorted(abstracts))))
        return super().__call__(*args, **kwargs)

    def register(cls, subclass):
        """Makes subclass a virtual subclass of this ABC; returns it (a decorator)."""
        if not isinstance(subclass, type):
            raise TypeError('Can only register classes')
        if issubclass(subclass, cls):
            return subclass
        if issubclass(cls, subclass):
            raise RuntimeError('Refusing to create an inheritance cycle')
        cls._abc_registry.append(subclass)
        ABCMeta._abc_invalidation_counter += 1
        return subclass

    def __instancecheck__(cls, instance):
        subclass = instance.__class__
        if cls.__subclasscheck__(subclass):
            return True
        subtype = type(instance)
        return subtype is not subclass and cls.__subclasscheck__(subtype)

    def __subclasscheck__(cls, subclass):
        if not isinstance(subclass, type):
            raise TypeError('issubclass() arg 1 must be a class')
        hook = getattr(cls, '__subclasshook__', None)
        if hook is not None:
            ok = hook(subclass)
            if ok is not NotImplemented:
                return bool(ok)
        if cls in subclass.__mro__:
            return True
        for registered in cls._abc_registry:
            if issubclass(subclass, registered):
                return True
        for derived in cls._abc_subclasses:
            if issubclass(subclass, derived):
                return True
        return False

    def _dump_registry(cls, file=None):
        print('Class: %s.%s' % (cls.__module__, cls.__qualname__), file=file)
        print('Inv. counter: %s' % get_cache_token(), file=file)
        print('_abc_registry: %r' % (cls._abc_registry,), file=file)


class ABC(metaclass=ABCMeta):
    """A helper class: subclassing ABC makes an abstract base class."""
    __slots__ = ()
