# The dataclasses module, written in minipy's Python: @dataclass (init, repr, eq, order,
# unsafe_hash, frozen), field, Field, fields, asdict, astuple, replace, is_dataclass,
# make_dataclass, InitVar, FrozenInstanceError and MISSING, as CPython 3.7's.
#
# CPython writes the generated methods as source and exec()s it; minipy has no exec, so
# the methods here are closures over the fields, and __init__ binds its arguments itself,
# with the messages CPython's argument binding gives.

import copy

__all__ = ['dataclass', 'field', 'Field', 'FrozenInstanceError', 'InitVar', 'MISSING',
           'fields', 'asdict', 'astuple', 'make_dataclass', 'replace', 'is_dataclass']


class FrozenInstanceError(AttributeError):
    pass


class _HAS_DEFAULT_FACTORY_CLASS:
    def __repr__(self):
        return '<factory>'


_HAS_DEFAULT_FACTORY = _HAS_DEFAULT_FACTORY_CLASS()


class _MISSING_TYPE:
    pass


MISSING = _MISSING_TYPE()


class _FIELD_BASE:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


_FIELD = _FIELD_BASE('_FIELD')
_FIELD_CLASSVAR = _FIELD_BASE('_FIELD_CLASSVAR')
_FIELD_INITVAR = _FIELD_BASE('_FIELD_INITVAR')

_FIELDS = '__dataclass_fields__'
_PARAMS = '__dataclass_params__'
_POST_INIT_NAME = '__post_init__'


class _InitVarMeta(type):
    def __getitem__(self, params):
        return self


class InitVar(metaclass=_InitVarMeta):
    """InitVar[T]: a pseudo-field, an argument of __init__ handed to __post_init__."""


class Field:
    """What field() returns, and what fields() lists: one field's options."""

    __slots__ = ('name', 'type', 'default', 'default_factory', 'repr', 'hash', 'init',
                 'compare', 'metadata', '_field_type')

    def __init__(self, default, default_factory, init, repr, hash, compare, metadata):
        self.name = None
        self.type = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.hash = hash
        self.compare = compare
        self.metadata = {} if metadata is None else dict(metadata)
        self._field_type = None

    def __repr__(self):
        return ('Field(name=%r,type=%r,default=%r,default_factory=%r,init=%r,repr=%r,'
                'hash=%r,compare=%r,metadata=%r,_field_type=%s)'
                % (self.name, self.type, self.default, self.default_factory, self.init,
                   self.repr, self.hash, self.compare, self.metadata, self._field_type))

    def __set_name__(self, owner, name):
        func = getattr(type(self.default), '__set_name__', None)
        if func:
            func(self.default, owner, name)


class _DataclassParams:
    __slots__ = ('init', 'repr', 'eq', 'order', 'unsafe_hash', 'frozen')

    def __init__(self, init, repr, eq, order, unsafe_hash, frozen):
        self.init = init
        self.repr = repr
        self.eq = eq
        self.order = order
        self.unsafe_hash = unsafe_hash
        self.frozen = frozen

    def __repr__(self):
        return ('_DataclassParams(init=%r,repr=%r,eq=%r,order=%r,unsafe_hash=%r,frozen=%r)'
                % (self.init, self.repr, self.eq, self.order, self.unsafe_hash, self.frozen))


def field(*, default=MISSING, default_factory=MISSING, init=True, repr=True, hash=None,
          compare=True, metadata=None):
    """A field's options, given as its default in the class body."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError('cannot specify both default and default_factory')
    return Field(default, default_factory, init, repr, hash, compare, metadata)


def _is_classvar(a_type):
    if getattr(type(a_type), '__module__', None) != 'typing':
        return False
    import typing
    return (a_type is typing.ClassVar
            or getattr(a_type, '__origin__', None) is typing.ClassVar)


def _get_field(cls, a_name, a_type):
    default = getattr(cls, a_name, MISSING)
    if isinstance(default, Field):
        f = default
    else:
        f = field(default=default)
    f.name = a_name
    f.type = a_type
    f._field_type = _FIELD
    if _is_classvar(a_type):
        f._field_type = _FIELD_CLASSVAR
    elif a_type is InitVar:
        f._field_type = _FIELD_INITVAR
    if f._field_type in (_FIELD_CLASSVAR, _FIELD_INITVAR):
        if f.default_factory is not MISSING:
            raise TypeError('field %s cannot have a default factory' % f.name)
    if f._field_type is _FIELD and isinstance(f.default, (list, dict, set)):
        raise ValueError('mutable default %s for field %s is not allowed: use '
                         'default_factory' % (type(f.default), f.name))
    return f


def _tuple_of(obj, fields):
    return tuple(getattr(obj, f.name) for f in fields)


def _plural_names(names):
    quoted = ["'%s'" % n for n in names]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return '%s and %s' % tuple(quoted)
    return ', '.join(quoted[:-1]) + ', and ' + quoted[-1]


def _bind(params, args, kwargs):
    """name -> value for __init__(self, *params) called with args and kwargs, raising
    CPython's TypeErrors. params: (name, default or MISSING) in order."""
    names = [name for name, _ in params]
    values = dict(zip(names, args))
    for key in kwargs:
        if key not in names:
            raise TypeError("__init__() got an unexpected keyword argument '%s'" % key)
        if key in values:
            raise TypeError("__init__() got multiple values for argument '%s'" % key)
        values[key] = kwargs[key]
    if len(args) > len(params):
        required = sum(1 for _, default in params if default is MISSING)
        given = len(args) + 1
        if required < len(params):
            raise TypeError('__init__() takes from %d to %d positional arguments but %d '
                            'were given' % (required + 1, len(params) + 1, given))
        raise TypeError('__init__() takes %d positional argument%s but %d %s given'
                        % (len(params) + 1, '' if len(params) == 0 else 's', given,
                           'was' if given == 1 else 'were'))
    missing = [name for name, default in params if default is MISSING and name not in values]
    if missing:
        raise TypeError('__init__() missing %d required positional argument%s: %s'
                        % (len(missing), '' if len(missing) == 1 else 's',
                           _plural_names(missing)))
    for name, default in params:
        if name not in values:
            values[name] = default
    return values


def _make_init(fields, frozen, has_post_init):
    params = []
    seen_default = False
    for f in fields:
        if not f.init:
            continue
        if f.default is MISSING and f.default_factory is MISSING:
            if seen_default:
                raise TypeError('non-default argument %r follows default argument' % f.name)
            params.append((f.name, MISSING))
        else:
            seen_default = True
            params.append((f.name, _HAS_DEFAULT_FACTORY if f.default_factory is not MISSING
                           else f.default))
    initvars = [f.name for f in fields if f._field_type is _FIELD_INITVAR]

    def __init__(self, *args, **kwargs):
        values = _bind(params, args, kwargs)
        for f in fields:
            if f._field_type is not _FIELD:
                continue
            if f.default_factory is not MISSING:
                if f.init and values[f.name] is not _HAS_DEFAULT_FACTORY:
                    value = values[f.name]
                else:
                    value = f.default_factory()
            elif f.init:
                value = values[f.name]
            else:
                continue
            if frozen:
                object.__setattr__(self, f.name, value)
            else:
                setattr(self, f.name, value)
        if has_post_init:
            self.__post_init__(*[values[name] for name in initvars])
    return __init__


def _make_repr(fields):
    shown = [f.name for f in fields if f.repr]
    running = set()

    def __repr__(self):
        key = id(self)
        if key in running:
            return '...'
        running.add(key)
        try:
            return '%s(%s)' % (self.__class__.__qualname__,
                               ', '.join('%s=%r' % (name, getattr(self, name))
                                         for name in shown))
        finally:
            running.discard(key)
    return __repr__


def _make_compare(op, fields):
    def compare(self, other):
        if other.__class__ is self.__class__:
            return op(_tuple_of(self, fields), _tuple_of(other, fields))
        return NotImplemented
    return compare


def _make_frozen(cls, field_names):
    def __setattr__(self, name, value):
        if type(self) is cls or name in field_names:
            raise FrozenInstanceError('cannot assign to field %r' % (name,))
        super(cls, self).__setattr__(name, value)

    def __delattr__(self, name):
        if type(self) is cls or name in field_names:
            raise FrozenInstanceError('cannot delete field %r' % (name,))
        super(cls, self).__delattr__(name)
    return __setattr__, __delattr__


def _make_hash(fields):
    def __hash__(self):
        return hash(_tuple_of(self, fields))
    return __hash__


def _set_new_attribute(cls, name, value):
    if name in vars(cls):
        return True
    setattr(cls, name, value)
    return False


def _process_class(cls, init, repr, eq, order, unsafe_hash, frozen):
    fields = {}
    setattr(cls, _PARAMS, _DataclassParams(init, repr, eq, order, unsafe_hash, frozen))
    any_frozen_base = False
    has_dataclass_bases = False
    for b in cls.__mro__[-1:0:-1]:
        base_fields = getattr(b, _FIELDS, None)
        if base_fields:
            has_dataclass_bases = True
            for f in base_fields.values():
                fields[f.name] = f
            if getattr(b, _PARAMS).frozen:
                any_frozen_base = True
    annotations = vars(cls).get('__annotations__', {})
    cls_fields = [_get_field(cls, name, a_type) for name, a_type in annotations.items()]
    for f in cls_fields:
        fields[f.name] = f
        if isinstance(vars(cls).get(f.name), Field):
            if f.default is MISSING:
                delattr(cls, f.name)
            else:
                setattr(cls, f.name, f.default)
    for name, value in vars(cls).items():
        if isinstance(value, Field) and name not in annotations:
            raise TypeError('%r is a field but has no type annotation' % (name,))
    if has_dataclass_bases:
        if any_frozen_base and not frozen:
            raise TypeError('cannot inherit non-frozen dataclass from a frozen one')
        if not any_frozen_base and frozen:
            raise TypeError('cannot inherit frozen dataclass from a non-frozen one')
    setattr(cls, _FIELDS, fields)

    class_hash = vars(cls).get('__hash__', MISSING)
    has_explicit_hash = not (class_hash is MISSING
                             or (class_hash is None and '__eq__' in vars(cls)))
    if order and not eq:
        raise ValueError('eq must be true if order is true')
    if init:
        has_post_init = hasattr(cls, _POST_INIT_NAME)
        all_init_fields = [f for f in fields.values()
                           if f._field_type in (_FIELD, _FIELD_INITVAR)]
        _set_new_attribute(cls, '__init__', _make_init(all_init_fields, frozen,
                                                       has_post_init))
    field_list = [f for f in fields.values() if f._field_type is _FIELD]
    if repr:
        _set_new_attribute(cls, '__repr__', _make_repr(field_list))
    compared = [f for f in field_list if f.compare]
    if eq:
        _set_new_attribute(cls, '__eq__', _make_compare(lambda a, b: a == b, compared))
    if order:
        for name, op in (('__lt__', lambda a, b: a < b), ('__le__', lambda a, b: a <= b),
                         ('__gt__', lambda a, b: a > b), ('__ge__', lambda a, b: a >= b)):
            if _set_new_attribute(cls, name, _make_compare(op, compared)):
                raise TypeError('Cannot overwrite attribute %s in class %s. Consider using '
                                'functools.total_ordering' % (name, cls.__name__))
    if frozen:
        setter, deleter = _make_frozen(cls, tuple(f.name for f in field_list))
        for name, fn in (('__setattr__', setter), ('__delattr__', deleter)):
            if _set_new_attribute(cls, name, fn):
                raise TypeError('Cannot overwrite attribute %s in class %s'
                                % (name, cls.__name__))
    hashed = [f for f in field_list if (f.compare if f.hash is None else f.hash)]
    action = _hash_action(bool(unsafe_hash), bool(eq), bool(frozen), has_explicit_hash)
    if action == 'add':
        cls.__hash__ = _make_hash(hashed)
    elif action == 'set_none':
        cls.__hash__ = None
    elif action == 'exception':
        raise TypeError('Cannot overwrite attribute __hash__ in class %s' % cls.__name__)
    if not getattr(cls, '__doc__', None):
        # CPython's: the text of inspect.signature(cls).
        params = []
        for f in fields.values():
            if f._field_type is _FIELD_CLASSVAR or not f.init:
                continue
            text = '%s: %s' % (f.name, _format_annotation(f.type))
            if f.default_factory is not MISSING:
                text += ' = <factory>'
            elif f.default is not MISSING:
                text += ' = %r' % (f.default,)
            params.append(text)
        cls.__doc__ = '%s(%s)' % (cls.__name__, ', '.join(params))
    return cls


def _format_annotation(annotation):
    # inspect.formatannotation: builtins by name, other classes with their module.
    module = getattr(annotation, '__module__', None)
    if module == 'typing':
        return repr(annotation).replace('typing.', '')
    if isinstance(annotation, type):
        if module in (None, 'builtins'):
            return annotation.__qualname__
        return '%s.%s' % (module, annotation.__qualname__)
    return repr(annotation)


def _hash_action(unsafe_hash, eq, frozen, has_explicit_hash):
    # CPython's table, keyed (unsafe_hash, eq, frozen, has_explicit_hash).
    if unsafe_hash:
        return 'exception' if has_explicit_hash else 'add'
    if has_explicit_hash or not eq:
        return None
    return 'add' if frozen else 'set_none'


def dataclass(_cls=None, *, init=True, repr=True, eq=True, order=False, unsafe_hash=False,
              frozen=False):
    """Adds __init__, __repr__, __eq__ (and on request ordering, __hash__, immutability)
    made from the class's annotated fields."""
    def wrap(cls):
        return _process_class(cls, init, repr, eq, order, unsafe_hash, frozen)
    if _cls is None:
        return wrap
    return wrap(_cls)


def fields(class_or_instance):
    """The Field objects of a dataclass or instance, in definition order."""
    try:
        found = getattr(class_or_instance, _FIELDS)
    except AttributeError:
        raise TypeError('must be called with a dataclass type or instance')
    return tuple(f for f in found.values() if f._field_type is _FIELD)


def _is_dataclass_instance(obj):
    return hasattr(type(obj), _FIELDS)


def is_dataclass(obj):
    """Whether obj is a dataclass or an instance of one."""
    cls = obj if isinstance(obj, type) else type(obj)
    return hasattr(cls, _FIELDS)


def asdict(obj, *, dict_factory=dict):
    """The instance as a dict, field by field, recursing into dataclasses and containers."""
    if not _is_dataclass_instance(obj):
        raise TypeError('asdict() should be called on dataclass instances')
    return _asdict_inner(obj, dict_factory)


def _asdict_inner(obj, dict_factory):
    if _is_dataclass_instance(obj):
        return dict_factory([(f.name, _asdict_inner(getattr(obj, f.name), dict_factory))
                             for f in fields(obj)])
    if isinstance(obj, tuple) and hasattr(obj, '_fields'):
        return type(obj)(*[_asdict_inner(v, dict_factory) for v in obj])
    if isinstance(obj, (list, tuple)):
        return type(obj)(_asdict_inner(v, dict_factory) for v in obj)
    if isinstance(obj, dict):
        return type(obj)((_asdict_inner(k, dict_factory), _asdict_inner(v, dict_factory))
                         for k, v in obj.items())
    return copy.deepcopy(obj)


def astuple(obj, *, tuple_factory=tuple):
    """The instance as a tuple of its fields, recursing as asdict does."""
    if not _is_dataclass_instance(obj):
        raise TypeError('astuple() should be called on dataclass instances')
    return _astuple_inner(obj, tuple_factory)


def _astuple_inner(obj, tuple_factory):
    if _is_dataclass_instance(obj):
        return tuple_factory([_astuple_inner(getattr(obj, f.name), tuple_factory)
                              for f in fields(obj)])
    if isinstance(obj, tuple) and hasattr(obj, '_fields'):
        return type(obj)(*[_astuple_inner(v, tuple_factory) for v in obj])
    if isinstance(obj, (list, tuple)):
        return type(obj)(_astuple_inner(v, tuple_factory) for v in obj)
    if isinstance(obj, dict):
        return type(obj)((_astuple_inner(k, tuple_factory), _astuple_inner(v, tuple_factory))
                         for k, v in obj.items())
    return copy.deepcopy(obj)


def make_dataclass(cls_name, fields, *, bases=(), namespace=None, init=True, repr=True,
                   eq=True, order=False, unsafe_hash=False, frozen=False):
    """A dataclass made from a list of names, (name, type) or (name, type, Field)."""
    namespace = {} if namespace is None else dict(namespace)
    seen = set()
    annotations = {}
    for item in fields:
        if isinstance(item, str):
            name = item
            tp = 'typing.Any'
        elif len(item) == 2:
            name, tp = item
        elif len(item) == 3:
            name, tp, spec = item
            namespace[name] = spec
        else:
            raise TypeError('Invalid field: %r' % (item,))
        if not isinstance(name, str) or not name.isidentifier():
            raise TypeError('Field names must be valid identifers: %r' % (name,))
        if name in seen:
            raise TypeError('Field name duplicated: %r' % (name,))
        seen.add(name)
        annotations[name] = tp
    namespace['__annotations__'] = annotations
    cls = type(cls_name, bases, namespace)
    return dataclass(cls, init=init, repr=repr, eq=eq, order=order, unsafe_hash=unsafe_hash,
                     frozen=frozen)


def replace(obj, **changes):
    """A new instance like obj, with the fields in changes replaced."""
    if not _is_dataclass_instance(obj):
        raise TypeError('replace() should be called on dataclass instances')
    for f in getattr(obj, _FIELDS).values():
        if f._field_type is _FIELD_CLASSVAR:
            continue
        if not f.init:
            if f.name in changes:
                raise ValueError('field %s is declared with init=False, it cannot be '
                                 'specified with replace()' % f.name)
            continue
        if f.name not in changes:
            if f._field_type is _FIELD_INITVAR:
                raise ValueError('InitVar %r must be specified with replace()' % f.name)
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)
