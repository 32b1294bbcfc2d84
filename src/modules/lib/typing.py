# The typing module, written in minipy's Python: the names programs import (List, Dict,
# Optional, Union, Callable, TypeVar, Generic, NamedTuple ...) with CPython 3.7's
# subscription, reprs, equality and errors, so annotations work at run time. Generic
# classes and aliases as bases rely on PEP 560 (__class_getitem__, __mro_entries__).
#
# Not here: Pattern and Match (they need re), the 3.8 names (Protocol, Final, Literal,
# TypedDict), and evaluating string annotations (minipy has no eval).

import collections
import collections.abc
import contextlib
from abc import ABCMeta, abstractmethod

__all__ = [
    'Any', 'Callable', 'ClassVar', 'Generic', 'Optional', 'Tuple', 'Type', 'TypeVar',
    'Union', 'AbstractSet', 'ByteString', 'Container', 'ContextManager', 'Hashable',
    'ItemsView', 'Iterable', 'Iterator', 'KeysView', 'Mapping', 'MappingView',
    'MutableMapping', 'MutableSequence', 'MutableSet', 'Sequence', 'Sized', 'ValuesView',
    'Awaitable', 'AsyncIterator', 'AsyncIterable', 'Coroutine', 'Collection',
    'AsyncGenerator', 'Reversible', 'SupportsAbs', 'SupportsBytes', 'SupportsComplex',
    'SupportsFloat', 'SupportsInt', 'SupportsRound', 'Counter', 'Deque', 'Dict',
    'DefaultDict', 'List', 'Set', 'FrozenSet', 'NamedTuple', 'Generator', 'AnyStr',
    'cast', 'get_type_hints', 'NewType', 'no_type_check', 'no_type_check_decorator',
    'NoReturn', 'overload', 'Text', 'TYPE_CHECKING',
]


def _f():
    pass


_FunctionType = type(_f)


def _type_repr(obj):
    """How a type shows inside a generic's repr: int, not <class 'int'>."""
    if isinstance(obj, type):
        module = getattr(obj, '__module__', None)
        if module in (None, 'builtins'):
            return obj.__qualname__
        return '%s.%s' % (module, obj.__qualname__)
    if obj is ...:
        return '...'
    if isinstance(obj, _FunctionType):
        return obj.__name__
    return repr(obj)


def _type_check(arg, msg):
    """arg as a type: None becomes NoneType, a string a ForwardRef; TypeError else."""
    if arg is None:
        return type(None)
    if isinstance(arg, str):
        return ForwardRef(arg)
    if isinstance(arg, type):
        return arg
    if isinstance(arg, _GenericAlias) and arg.__origin__ is ClassVar:
        raise TypeError('%s is not valid as type argument' % (arg,))
    if arg in (Any, NoReturn):
        return arg
    if isinstance(arg, _SpecialForm) or arg in (Generic,):
        raise TypeError('Plain %s is not valid as type argument' % (arg,))
    if isinstance(arg, (type, TypeVar, ForwardRef, _GenericAlias)):
        return arg
    if not callable(arg):
        raise TypeError('%s Got %.100r.' % (msg, arg))
    return arg


def _collect_type_vars(types):
    tvars = []
    for t in types:
        if isinstance(t, TypeVar) and t not in tvars:
            tvars.append(t)
        if isinstance(t, _GenericAlias) and not t._special:
            tvars.extend([v for v in t.__parameters__ if v not in tvars])
    return tuple(tvars)


def _subs_tvars(tp, tvars, subs):
    """tp with the type variables tvars replaced by subs."""
    if not isinstance(tp, _GenericAlias):
        return tp
    new_args = list(tp.__args__)
    for a, arg in enumerate(tp.__args__):
        if isinstance(arg, TypeVar):
            for i, tvar in enumerate(tvars):
                if arg == tvar:
                    new_args[a] = subs[i]
        else:
            new_args[a] = _subs_tvars(arg, tvars, subs)
    if tp.__origin__ is Union:
        return Union[tuple(new_args)]
    return tp.copy_with(tuple(new_args))


def _check_generic(cls, parameters):
    if not cls.__parameters__:
        raise TypeError('%s is not a generic class' % (cls,))
    alen = len(parameters)
    elen = len(cls.__parameters__)
    if alen != elen:
        raise TypeError('Too %s parameters for %s; actual %d, expected %d'
                        % ('many' if alen > elen else 'few', cls, alen, elen))


def _remove_dups_flatten(parameters):
    params = []
    for p in parameters:
        if isinstance(p, _GenericAlias) and p.__origin__ is Union:
            params.extend(p.__args__)
        elif isinstance(p, tuple) and len(p) > 0 and p[0] is Union:
            params.extend(p[1:])
        else:
            params.append(p)
    unique = []
    for p in params:
        if p not in unique:
            unique.append(p)
    return tuple(unique)


class _Final:
    """The classes here cannot be subclassed by programs (as CPython's)."""
    __slots__ = ()


class _SpecialForm(_Final):
    """Any, NoReturn, ClassVar, Union and Optional."""

    def __init__(self, name, doc):
        self._name = name
        self._doc = doc

    def __eq__(self, other):
        if not isinstance(other, _SpecialForm):
            return NotImplemented
        return self._name == other._name

    def __hash__(self):
        return hash((self._name,))

    def __repr__(self):
        return 'typing.' + self._name

    def __call__(self, *args, **kwds):
        raise TypeError('Cannot instantiate %r' % (self,))

    def __instancecheck__(self, obj):
        raise TypeError('%s cannot be used with isinstance()' % (self,))

    def __subclasscheck__(self, cls):
        raise TypeError('%s cannot be used with issubclass()' % (self,))

    def __getitem__(self, parameters):
        if self._name in ('Any', 'NoReturn'):
            raise TypeError('%s is not subscriptable' % (self,))
        if self._name == 'ClassVar':
            item = _type_check(parameters, 'ClassVar accepts only single type.')
            return _GenericAlias(self, (item,))
        if self._name == 'Union':
            if parameters == ():
                raise TypeError('Cannot take a Union of no types.')
            if not isinstance(parameters, tuple):
                parameters = (parameters,)
            msg = 'Union[arg, ...]: each arg must be a type.'
            parameters = tuple(_type_check(p, msg) for p in parameters)
            parameters = _remove_dups_flatten(parameters)
            if len(parameters) == 1:
                return parameters[0]
            return _GenericAlias(self, parameters)
        if self._name == 'Optional':
            arg = _type_check(parameters, 'Optional[t] requires a single type.')
            return Union[arg, type(None)]
        raise TypeError('%s is not subscriptable' % (self,))


Any = _SpecialForm('Any', 'Special type indicating an unconstrained type.')
NoReturn = _SpecialForm('NoReturn', 'Special type indicating functions that never return.')
ClassVar = _SpecialForm('ClassVar', 'Special type construct to mark class variables.')
Union = _SpecialForm('Union', 'Union type; Union[X, Y] means either X or Y.')
Optional = _SpecialForm('Optional', 'Optional type; Optional[X] is Union[X, None].')


class ForwardRef(_Final):
    """A type named by a string, not evaluated (minipy has no eval)."""

    def __init__(self, arg, is_argument=True):
        if not isinstance(arg, str):
            raise TypeError('Forward reference must be a string -- got %r' % (arg,))
        self.__forward_arg__ = arg
        self.__forward_evaluated__ = False
        self.__forward_value__ = None
        self.__forward_is_argument__ = is_argument

    def __eq__(self, other):
        if not isinstance(other, ForwardRef):
            return NotImplemented
        return self.__forward_arg__ == other.__forward_arg__

    def __hash__(self):
        return hash(self.__forward_arg__)

    def __repr__(self):
        return 'ForwardRef(%r)' % (self.__forward_arg__,)


class TypeVar(_Final):
    """A type variable: T = TypeVar('T'), optionally with constraints or a bound."""

    def __init__(self, name, *constraints, bound=None, covariant=False, contravariant=False):
        self.__name__ = name
        if covariant and contravariant:
            raise ValueError('Bivariant types are not supported.')
        self.__covariant__ = bool(covariant)
        self.__contravariant__ = bool(contravariant)
        if constraints and bound is not None:
            raise TypeError('Constraints cannot be combined with bound=...')
        if constraints and len(constraints) == 1:
            raise TypeError('A single constraint is not allowed')
        msg = 'TypeVar(name, constraint, ...): constraints must be types.'
        self.__constraints__ = tuple(_type_check(t, msg) for t in constraints)
        if bound:
            self.__bound__ = _type_check(bound, 'Bound must be a type.')
        else:
            self.__bound__ = None

    def __repr__(self):
        if self.__covariant__:
            prefix = '+'
        elif self.__contravariant__:
            prefix = '-'
        else:
            prefix = '~'
        return prefix + self.__name__


T = TypeVar('T')
KT = TypeVar('KT')
VT = TypeVar('VT')
T_co = TypeVar('T_co', covariant=True)
V_co = TypeVar('V_co', covariant=True)
VT_co = TypeVar('VT_co', covariant=True)
T_contra = TypeVar('T_contra', contravariant=True)
CT_co = TypeVar('CT_co', covariant=True, bound=type)
AnyStr = TypeVar('AnyStr', bytes, str)


def _is_dunder(attr):
    return attr.startswith('__') and attr.endswith('__')


class _GenericAlias(_Final):
    """List, List[int], Dict[str, T], Union[int, str] ...: an origin and arguments."""

    def __init__(self, origin, params, *, inst=True, special=False, name=None):
        self._inst = inst
        self._special = special
        if special and name is None:
            name = origin.__name__
        self._name = name
        if not isinstance(params, tuple):
            params = (params,)
        self.__origin__ = origin
        self.__args__ = tuple(... if a is _TypingEllipsis else
                              () if a is _TypingEmpty else
                              a for a in params)
        self.__parameters__ = _collect_type_vars(params)
        if not name:
            self.__module__ = getattr(origin, '__module__', 'typing')

    def __getitem__(self, params):
        if self.__origin__ is Generic:
            raise TypeError('Cannot subscript already-subscripted %s' % (self,))
        if not isinstance(params, tuple):
            params = (params,)
        msg = 'Parameters to generic types must be types.'
        params = tuple(_type_check(p, msg) for p in params)
        _check_generic(self, params)
        return _subs_tvars(self, self.__parameters__, params)

    def copy_with(self, params):
        return _GenericAlias(self.__origin__, params, name=self._name, inst=self._inst)

    def __repr__(self):
        if (self._name != 'Callable'
                or len(self.__args__) == 2 and self.__args__[0] is ...):
            if self._name:
                name = 'typing.' + self._name
            else:
                name = _type_repr(self.__origin__)
            if not self._special:
                args = '[%s]' % ', '.join([_type_repr(a) for a in self.__args__])
            else:
                args = ''
            return name + args
        if self._special:
            return 'typing.Callable'
        return 'typing.Callable[[%s], %s]' % (
            ', '.join([_type_repr(a) for a in self.__args__[:-1]]),
            _type_repr(self.__args__[-1]))

    def __eq__(self, other):
        if not isinstance(other, _GenericAlias):
            return NotImplemented
        if self.__origin__ != other.__origin__:
            return False
        if self.__origin__ is Union and other.__origin__ is Union:
            return frozenset(self.__args__) == frozenset(other.__args__)
        return self.__args__ == other.__args__

    def __hash__(self):
        if self.__origin__ is Union:
            return hash((Union, frozenset(self.__args__)))
        return hash((self.__origin__, self.__args__))

    def __call__(self, *args, **kwargs):
        if not self._inst:
            raise TypeError('Type %s cannot be instantiated; use %s() instead'
                            % (self._name, self._name.lower()))
        result = self.__origin__(*args, **kwargs)
        try:
            result.__orig_class__ = self
        except AttributeError:
            pass
        return result

    def __mro_entries__(self, bases):
        if self._name:
            res = []
            if self.__origin__ not in bases:
                res.append(self.__origin__)
            i = bases.index(self)
            if not any(isinstance(b, _GenericAlias) or issubclass(b, Generic)
                       for b in bases[i + 1:]):
                res.append(Generic)
            return tuple(res)
        if self.__origin__ is Generic:
            i = bases.index(self)
            for b in bases[i + 1:]:
                if isinstance(b, _GenericAlias) and b is not self:
                    return ()
        return (self.__origin__,)

    def __getattr__(self, attr):
        if not _is_dunder(attr) and attr != '_special':
            return getattr(self.__origin__, attr)
        raise AttributeError(attr)

    def __instancecheck__(self, obj):
        return self.__subclasscheck__(type(obj))

    def __subclasscheck__(self, cls):
        if self._special:
            if not isinstance(cls, _GenericAlias):
                return issubclass(cls, self.__origin__)
            if cls._special:
                return issubclass(cls.__origin__, self.__origin__)
        raise TypeError('Subscripted generics cannot be used with class and instance checks')


class _VariadicGenericAlias(_GenericAlias):
    """Tuple and Callable: subscripted with any number of arguments."""

    def __getitem__(self, params):
        if self._special and self.__origin__ is tuple:
            return self._getitem_tuple(params)
        if self._special and self._name == 'Callable':
            if not isinstance(params, tuple) or len(params) != 2:
                raise TypeError('Callable must be used as Callable[[arg, ...], result].')
            args, result = params
            if args is ...:
                params = (..., result)
            else:
                if not isinstance(args, list):
                    raise TypeError('Callable[args, result]: args must be a list. Got %.100r.'
                                    % (args,))
                params = (tuple(args), result)
            return self._getitem_callable(params)
        return _GenericAlias.__getitem__(self, params)

    def _getitem_tuple(self, params):
        if params == ():
            return self.copy_with((_TypingEmpty,))
        if not isinstance(params, tuple):
            params = (params,)
        if len(params) == 2 and params[1] is ...:
            msg = 'Tuple[t, ...]: t must be a type.'
            p = _type_check(params[0], msg)
            return self.copy_with((p, _TypingEllipsis))
        msg = 'Tuple[t0, t1, ...]: each t must be a type.'
        params = tuple(_type_check(p, msg) for p in params)
        return self.copy_with(params)

    def _getitem_callable(self, params):
        args, result = params
        msg = 'Callable[args, result]: result must be a type.'
        result = _type_check(result, msg)
        if args is ...:
            return self.copy_with((_TypingEllipsis, result))
        msg = 'Callable[[arg, ...], result]: each arg must be a type.'
        args = tuple(_type_check(arg, msg) for arg in args)
        return self.copy_with(args + (result,))

    def copy_with(self, params):
        return _VariadicGenericAlias(self.__origin__, params, name=self._name,
                                     inst=self._inst)


class _TypingEmpty:
    """Stands for the empty argument list of Tuple[()]."""


class _TypingEllipsis:
    """Stands for the ... of Tuple[int, ...] and Callable[..., int]."""


class Generic:
    """The base of generic classes: class Stack(Generic[T]) makes Stack[int] valid."""

    __slots__ = ()

    def __new__(cls, *args, **kwds):
        if cls is Generic:
            raise TypeError('Type Generic cannot be instantiated; it can be used only as '
                            'a base class')
        # The next __new__ on the MRO makes the instance. (A built-in container base is
        # filled here too: minipy does not run its __init__ after a Python __new__.)
        mro = cls.__mro__
        for klass in mro[mro.index(Generic) + 1:]:
            if klass is object:
                break
            if '__new__' in vars(klass):
                return klass.__new__(cls, *args, **kwds)
        for klass in mro:
            if klass in (tuple, int, float, str, bytes, frozenset):
                return klass.__new__(cls, *args, **kwds)
            if klass in (list, dict, set):
                obj = klass.__new__(cls)
                klass.__init__(obj, *args, **kwds)
                return obj
        return object.__new__(cls)

    def __class_getitem__(cls, params):
        if not isinstance(params, tuple):
            params = (params,)
        if not params and cls is not Tuple:
            raise TypeError('Parameter list to %s[...] cannot be empty' % cls.__qualname__)
        msg = 'Parameters to generic types must be types.'
        params = tuple(_type_check(p, msg) for p in params)
        if cls is Generic:
            if not all(isinstance(p, TypeVar) for p in params):
                raise TypeError('Parameters to Generic[...] must all be type variables')
            if len(set(params)) != len(params):
                raise TypeError('Parameters to Generic[...] must all be unique')
        else:
            _check_generic(cls, params)
        return _GenericAlias(cls, params)

    def __init_subclass__(cls, *args, **kwargs):
        own = vars(cls)
        if '__orig_bases__' in own:
            error = Generic in cls.__orig_bases__
        else:
            error = Generic in cls.__bases__ and cls.__name__ != 'Protocol'
        if error:
            raise TypeError('Cannot inherit from plain Generic')
        tvars = []
        if '__orig_bases__' in own:
            tvars = _collect_type_vars(cls.__orig_bases__)
            gvars = None
            for base in cls.__orig_bases__:
                if isinstance(base, _GenericAlias) and base.__origin__ is Generic:
                    if gvars is not None:
                        raise TypeError('Cannot inherit from Generic[...] multiple types.')
                    gvars = base.__parameters__
            if gvars is not None:
                missing = [t for t in tvars if t not in gvars]
                if missing:
                    raise TypeError('Some type variables (%s) are not listed in Generic[%s]'
                                    % (', '.join(str(t) for t in missing),
                                       ', '.join(str(g) for g in gvars)))
                tvars = gvars
        cls.__parameters__ = tuple(tvars)


Generic.__parameters__ = ()


def _alias(origin, params, inst=True, name=None):
    return _GenericAlias(origin, params, special=True, inst=inst, name=name)


_abc = collections.abc

Hashable = _alias(_abc.Hashable, ())
Awaitable = _alias(_abc.Awaitable, T_co)
Coroutine = _alias(_abc.Coroutine, (T_co, T_contra, V_co))
AsyncIterable = _alias(_abc.AsyncIterable, T_co)
AsyncIterator = _alias(_abc.AsyncIterator, T_co)
Iterable = _alias(_abc.Iterable, T_co)
Iterator = _alias(_abc.Iterator, T_co)
Reversible = _alias(_abc.Reversible, T_co)
Sized = _alias(_abc.Sized, ())
Container = _alias(_abc.Container, T_co)
Collection = _alias(_abc.Collection, T_co)
Callable = _VariadicGenericAlias(_abc.Callable, (), special=True)
AbstractSet = _alias(_abc.Set, T_co, name='AbstractSet')
MutableSet = _alias(_abc.MutableSet, T)
Mapping = _alias(_abc.Mapping, (KT, VT_co))
MutableMapping = _alias(_abc.MutableMapping, (KT, VT))
Sequence = _alias(_abc.Sequence, T_co)
MutableSequence = _alias(_abc.MutableSequence, T)
ByteString = _alias(_abc.ByteString, ())
Tuple = _VariadicGenericAlias(tuple, (), inst=False, special=True, name='Tuple')
List = _alias(list, T, inst=False, name='List')
Deque = _alias(collections.deque, T, name='Deque')
Set = _alias(set, T, inst=False, name='Set')
FrozenSet = _alias(frozenset, T_co, inst=False, name='FrozenSet')
MappingView = _alias(_abc.MappingView, T_co)
KeysView = _alias(_abc.KeysView, KT)
ItemsView = _alias(_abc.ItemsView, (KT, VT_co))
ValuesView = _alias(_abc.ValuesView, VT_co)
ContextManager = _alias(contextlib.AbstractContextManager, T_co, name='ContextManager')
Dict = _alias(dict, (KT, VT), inst=False, name='Dict')
DefaultDict = _alias(collections.defaultdict, (KT, VT), name='DefaultDict')
OrderedDict = _alias(collections.OrderedDict, (KT, VT), name='OrderedDict')
Counter = _alias(collections.Counter, T, name='Counter')
Generator = _alias(_abc.Generator, (T_co, T_contra, V_co))
AsyncGenerator = _alias(_abc.AsyncGenerator, (T_co, T_contra))
Type = _alias(type, CT_co, inst=False, name='Type')

Text = str
TYPE_CHECKING = False


# ---------------------------------------------------------------- protocols

def _has_method(cls, name, builtin_types):
    if any(issubclass(cls, t) for t in builtin_types):
        return True
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name] is not None
    return False


def _protocol(name, method, builtin_types):
    def __subclasshook__(cls, C):
        if _has_method(C, method, builtin_types):
            return True
        return NotImplemented

    def abstract(self):
        pass
    abstract.__name__ = method
    return ABCMeta(name, (), {
        '__slots__': (), '__module__': 'typing',
        method: abstractmethod(abstract),
        '__subclasshook__': classmethod(__subclasshook__),
    })


SupportsInt = _protocol('SupportsInt', '__int__', (int, float))
SupportsFloat = _protocol('SupportsFloat', '__float__', (int, float))
SupportsComplex = _protocol('SupportsComplex', '__complex__', ())
SupportsBytes = _protocol('SupportsBytes', '__bytes__', ())
SupportsAbs = _protocol('SupportsAbs', '__abs__', (int, float))
SupportsRound = _protocol('SupportsRound', '__round__', (int, float))


# ---------------------------------------------------------------- helpers

def cast(typ, val):
    """Returns val unchanged: a marker for type checkers."""
    return val


def _overload_dummy(*args, **kwds):
    raise NotImplementedError(
        'You should not call an overloaded function. A series of @overload-decorated '
        'functions outside a stub module should always be followed by an implementation '
        'that is not @overload-ed.')


def overload(func):
    """Marks an overload signature; the undecorated definition that follows is the one
    called."""
    return _overload_dummy


def no_type_check(arg):
    """Marks a function or class as not to be type-checked."""
    if isinstance(arg, type):
        for obj in list(vars(arg).values()):
            if isinstance(obj, _FunctionType):
                obj.__no_type_check__ = True
    try:
        arg.__no_type_check__ = True
    except TypeError:
        pass
    return arg


def no_type_check_decorator(decorator):
    """Makes a decorator's results no_type_check'ed."""
    def wrapped_decorator(*args, **kwds):
        return no_type_check(decorator(*args, **kwds))
    wrapped_decorator.__name__ = getattr(decorator, '__name__', 'wrapped_decorator')
    wrapped_decorator.__wrapped__ = decorator
    return wrapped_decorator


def NewType(name, tp):
    """A distinct name for a type: at run time, the identity function."""
    def new_type(x):
        return x
    new_type.__name__ = name
    new_type.__qualname__ = name
    new_type.__supertype__ = tp
    return new_type


def _hint(value):
    if value is None:
        return type(None)
    if isinstance(value, str):
        return ForwardRef(value)
    return value


def get_type_hints(obj, globalns=None, localns=None):
    """The annotations of a class (its bases' too) or function, None as NoneType.
    (String annotations stay ForwardRefs: minipy has no eval.)"""
    if getattr(obj, '__no_type_check__', None):
        return {}
    if isinstance(obj, type):
        hints = {}
        for base in reversed(obj.__mro__):
            for name, value in vars(base).get('__annotations__', {}).items():
                hints[name] = _hint(value)
        return hints
    hints = dict(getattr(obj, '__annotations__', None) or {})
    defaults = {}
    code = getattr(obj, '__code__', None)
    if code is not None and getattr(obj, '__defaults__', None):
        names = code.co_varnames[:code.co_argcount]
        defaults = dict(zip(names[-len(obj.__defaults__):], obj.__defaults__))
    for name, value in hints.items():
        value = _hint(value)
        if name in defaults and defaults[name] is None:
            value = Optional[value]
        hints[name] = value
    return hints


# ---------------------------------------------------------------- NamedTuple

_PROHIBITED = ('__new__', '__init__', '__slots__', '__getnewargs__', '_fields',
               '_field_defaults', '_field_types', '_make', '_replace', '_asdict', '_source')
_SPECIAL = ('__module__', '__name__', '__qualname__', '__annotations__')


def _make_nmtuple(name, types, defaults=()):
    msg = 'NamedTuple(\'Name\', [(f0, t0), (f1, t1), ...]); each t must be a type'
    types = [(n, _type_check(t, msg)) for n, t in types]
    nm_tpl = collections.namedtuple(name, [n for n, t in types], defaults=defaults)
    nm_tpl.__annotations__ = nm_tpl._field_types = collections.OrderedDict(types)

    def _asdict(self):
        # Python 3.7's namedtuples give an OrderedDict.
        return collections.OrderedDict(zip(self._fields, self))
    nm_tpl._asdict = _asdict
    return nm_tpl


class NamedTupleMeta(type):

    def __new__(cls, typename, bases, ns):
        if ns.get('_root', False):
            return super().__new__(cls, typename, bases, ns)
        types = ns.get('__annotations__', {})
        defaults = []
        defaults_dict = {}
        for field_name in types:
            if field_name in ns:
                default_value = ns[field_name]
                defaults.append(default_value)
                defaults_dict[field_name] = default_value
            elif defaults:
                raise TypeError('Non-default namedtuple field {field_name} cannot follow '
                                'default field(s) {default_names}'
                                .format(field_name=field_name,
                                        default_names=', '.join(defaults_dict.keys())))
        nm_tpl = _make_nmtuple(typename, types.items(), defaults)
        nm_tpl.__module__ = ns.get('__module__', '__main__')
        for key in ns:
            if key in _PROHIBITED:
                raise AttributeError('Cannot overwrite NamedTuple attribute ' + key)
            elif key not in _SPECIAL and key not in nm_tpl._fields:
                setattr(nm_tpl, key, ns[key])
        return nm_tpl


class NamedTuple(metaclass=NamedTupleMeta):
    """class Point(NamedTuple): x: int; y: int = 0 -- a typed namedtuple. Also
    NamedTuple('Point', [('x', int), ('y', int)])."""

    _root = True

    def __new__(*args, **kwargs):
        if not args:
            raise TypeError('NamedTuple.__new__(): not enough arguments')
        _, args = args[0], args[1:]
        if args:
            typename, args = args[0], args[1:]
        elif 'typename' in kwargs:
            typename = kwargs.pop('typename')
        else:
            raise TypeError("NamedTuple.__new__() missing 1 required positional argument: "
                            "'typename'")
        if args:
            fields = args[0]
            if len(args) > 1:
                raise TypeError('NamedTuple.__new__() takes from 2 to 3 positional '
                                'arguments but %d were given' % (len(args) + 2))
        elif 'fields' in kwargs and len(kwargs) == 1:
            fields = kwargs.pop('fields')
        else:
            fields = None
        if fields is None:
            fields = kwargs.items()
        elif kwargs:
            raise TypeError('Either list of fields or keywords can be provided to '
                            'NamedTuple, not both')
        return _make_nmtuple(typename, fields)


class IO(Generic[AnyStr]):
    """The generic type of file objects (for annotations)."""
    __slots__ = ()


class BinaryIO(IO[bytes]):
    __slots__ = ()


class TextIO(IO[str]):
    __slots__ = ()
