# The enum module, written in minipy's Python: Enum, IntEnum, Flag, IntFlag, auto and
# unique, with CPython 3.7's members (name, value, definition order, aliases), lookups
# (Color(1), Color['RED']), reprs and errors. minipy runs a metaclass without __prepare__,
# so the class body fills a plain dict: auto() values are numbered when the class is made,
# in definition order, and a name given twice in a body keeps its last value (CPython
# raises TypeError: Attempted to reuse key).

__all__ = ['EnumMeta', 'Enum', 'IntEnum', 'Flag', 'IntFlag', 'auto', 'unique']


def _is_dunder(name):
    return (len(name) > 4 and name[:2] == name[-2:] == '__'
            and name[2] != '_' and name[-3] != '_')


def _is_sunder(name):
    return (len(name) > 2 and name[0] == name[-1] == '_'
            and name[1:2] != '_' and name[-2:-1] != '_')


def _function():
    pass


def _is_descriptor(obj):
    if isinstance(obj, (type(_function), classmethod, staticmethod, property)):
        return True
    cls = type(obj)
    return hasattr(cls, '__get__') or hasattr(cls, '__set__') or hasattr(cls, '__delete__')


class auto:
    """Stands for a member's value, made by _generate_next_value_."""
    value = None


_SUNDER_NAMES = ('_order_', '_create_pseudo_member_', '_generate_next_value_',
                 '_missing_', '_ignore_')
_MIXIN_TYPES = (int, float, str, bytes, tuple, list, dict, set, frozenset)

Enum = None


class EnumMeta(type):
    """The metaclass of enumerations: makes the members, and makes the class iterable,
    sized, subscriptable by name and callable by value."""

    def __new__(metacls, cls, bases, classdict):
        member_type, first_enum = metacls._get_mixins_(bases)
        members, classdict = metacls._members_of(cls, classdict, first_enum)
        new, save_new, use_args = metacls._find_new_(classdict, member_type, first_enum)
        for name in members:
            classdict.pop(name, None)
        invalid = sorted(set(members) & {'mro'})
        if invalid:
            raise ValueError('Invalid enum member name: {0}'.format(','.join(invalid)))
        if '__doc__' not in classdict:
            classdict['__doc__'] = 'An enumeration.'
        order = classdict.pop('_order_', None)
        enum_class = super().__new__(metacls, cls, bases, classdict)
        enum_class._member_names_ = []
        enum_class._member_map_ = {}
        enum_class._member_type_ = member_type
        enum_class._value2member_map_ = {}
        has_init = any('__init__' in vars(k) for k in enum_class.__mro__ if k is not object)
        for member_name, value in members.items():
            args = value if isinstance(value, tuple) else (value,)
            if member_type is tuple:
                args = (args,)
            if not use_args:
                enum_member = new(enum_class)
                if not hasattr(enum_member, '_value_'):
                    enum_member._value_ = value
            else:
                enum_member = new(enum_class, *args)
                if not hasattr(enum_member, '_value_'):
                    if member_type is object:
                        enum_member._value_ = value
                    else:
                        enum_member._value_ = member_type(*args)
            value = enum_member._value_
            enum_member._name_ = member_name
            enum_member.__objclass__ = enum_class
            if has_init:
                enum_member.__init__(*args)
            # A value seen before makes this name an alias of the first member.
            for canonical in enum_class._member_map_.values():
                if canonical._value_ == enum_member._value_:
                    enum_member = canonical
                    break
            else:
                enum_class._member_names_.append(member_name)
            setattr(enum_class, member_name, enum_member)
            enum_class._member_map_[member_name] = enum_member
            try:
                enum_class._value2member_map_[value] = enum_member
            except TypeError:
                pass
        enum_class.__members__ = dict(enum_class._member_map_)
        if save_new:
            enum_class.__new_member__ = new
        if order is not None:
            if isinstance(order, str):
                order = order.replace(',', ' ').split()
            if order != enum_class._member_names_:
                raise TypeError('member order does not match _order_')
        return enum_class

    @staticmethod
    def _members_of(cls, classdict, first_enum):
        """The members the body defines (name -> value, auto() resolved) and the rest."""
        classdict = dict(classdict)
        ignore = classdict.pop('_ignore_', [])
        if isinstance(ignore, str):
            ignore = ignore.replace(',', ' ').split()
        for name in ignore:
            classdict.pop(name, None)
        generate = classdict.get('_generate_next_value_')
        if generate is None and first_enum is not None:
            generate = first_enum._generate_next_value_
        elif isinstance(generate, staticmethod):
            generate = generate.__func__
        members = {}
        for key, value in list(classdict.items()):
            if _is_sunder(key):
                if key not in _SUNDER_NAMES:
                    raise ValueError('_names_ are reserved for future Enum use')
                continue
            if _is_dunder(key) or _is_descriptor(value):
                continue
            if isinstance(value, auto):
                if value.value is None:
                    value.value = generate(key, 1, len(members), list(members.values()))
                value = value.value
            members[key] = value
        return members, classdict

    def __call__(cls, value, names=None, *, module=None, qualname=None, type=None, start=1):
        if names is None:
            return cls._lookup(value)
        return cls._create_(value, names, module=module, qualname=qualname, type=type,
                            start=start)

    def _lookup(cls, value):
        if type(value) is cls:
            return value
        try:
            return cls._value2member_map_[value]
        except KeyError:
            pass
        except TypeError:
            for member in cls._member_map_.values():
                if member._value_ == value:
                    return member
        not_valid = ValueError('%r is not a valid %s' % (value, cls.__name__))
        try:
            error = None
            result = cls._missing_(value)
        except Exception as e:
            error = e
            result = None
        if isinstance(result, cls):
            return result
        if result is None and error is None:
            raise not_valid
        if error is None:
            error = TypeError('error in %s._missing_: returned %r instead of None or a '
                              'valid member' % (cls.__name__, result))
        error.__context__ = not_valid
        raise error

    def __contains__(cls, member):
        return isinstance(member, cls) and member._name_ in cls._member_map_

    def __getitem__(cls, name):
        return cls._member_map_[name]

    def __iter__(cls):
        return (cls._member_map_[name] for name in cls._member_names_)

    def __reversed__(cls):
        return (cls._member_map_[name] for name in reversed(cls._member_names_))

    def __len__(cls):
        return len(cls._member_names_)

    def __bool__(cls):
        return True

    def __repr__(cls):
        return "<enum %r>" % cls.__name__

    def _create_(cls, class_name, names, *, module=None, qualname=None, type=None, start=1):
        """The functional API: Enum('Animal', 'ANT BEE CAT')."""
        metacls = cls.__class__
        bases = (cls,) if type is None else (type, cls)
        _, first_enum = cls._get_mixins_(bases)
        classdict = {}
        if isinstance(names, str):
            names = names.replace(',', ' ').split()
        if isinstance(names, (tuple, list)) and names and isinstance(names[0], str):
            original, names = names, []
            last_values = []
            for count, name in enumerate(original):
                value = first_enum._generate_next_value_(name, start, count, last_values[:])
                last_values.append(value)
                names.append((name, value))
        for item in names:
            if isinstance(item, str):
                member_name, member_value = item, names[item]
            else:
                member_name, member_value = item
            classdict[member_name] = member_value
        classdict['__module__'] = module if module is not None else '__main__'
        if qualname is not None:
            classdict['__qualname__'] = qualname
        return metacls.__new__(metacls, class_name, bases, classdict)

    @staticmethod
    def _get_mixins_(bases):
        """The data type the members are made from, and the last Enum base."""
        if not bases:
            return object, Enum
        for base in bases:
            if (base is not Enum and issubclass(base, Enum)
                    and base._member_names_):
                raise TypeError('Cannot extend enumerations')
        first_enum = bases[-1]
        if not issubclass(first_enum, Enum):
            raise TypeError('new enumerations should be created as '
                            '`EnumName([mixin_type, ...] [data_type,] enum_type)`')
        member_type = object
        for chain in bases:
            for base in chain.__mro__:
                if base is object:
                    continue
                if issubclass(base, Enum):
                    if '__new__' in vars(base) or base._member_type_ is object:
                        continue
                    member_type = base._member_type_
                    break
                if base in _MIXIN_TYPES or '__new__' in vars(base):
                    member_type = base
                    break
            if member_type is not object:
                break
        return member_type, first_enum

    @staticmethod
    def _find_new_(classdict, member_type, first_enum):
        """How members are made: the __new__ to call, whether the body defined it (kept
        as __new_member__ for subclasses), and whether it takes the value's arguments."""
        new = classdict.get('__new__')
        if new is not None:
            if isinstance(new, staticmethod):
                new = new.__func__
            return new, True, True
        for base in first_enum.__mro__ if first_enum is not None else ():
            new = vars(base).get('__new_member__')
            if new is not None:
                return new, False, True
        if member_type is object:
            return object.__new__, False, False
        return member_type.__new__, False, True


class Enum(metaclass=EnumMeta):
    """A set of symbolic names (members) bound to unique values."""

    def _generate_next_value_(name, start, count, last_values):
        for last_value in reversed(last_values):
            try:
                return last_value + 1
            except TypeError:
                pass
        return start

    @classmethod
    def _missing_(cls, value):
        raise ValueError('%r is not a valid %s' % (value, cls.__name__))

    def __repr__(self):
        return '<%s.%s: %r>' % (self.__class__.__name__, self._name_, self._value_)

    def __str__(self):
        return '%s.%s' % (self.__class__.__name__, self._name_)

    def __format__(self, format_spec):
        if self._member_type_ is object:
            return format(str(self), format_spec)
        return format(self._value_, format_spec)

    def __hash__(self):
        if self._member_type_ is object:
            return hash(self._name_)
        return hash(self._value_)

    def __reduce_ex__(self, proto):
        return self.__class__, (self._value_,)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __dir__(self):
        added = [m for cls in self.__class__.__mro__ for m in vars(cls)
                 if m[0] != '_' and m not in self._member_map_]
        return ['__class__', '__doc__', '__module__'] + added

    @property
    def name(self):
        """The name of the Enum member."""
        return self._name_

    @property
    def value(self):
        """The value of the Enum member."""
        return self._value_


class IntEnum(int, Enum):
    """An Enum whose members are also ints."""


def _high_bit(value):
    return value.bit_length() - 1


def _power_of_two(value):
    return value >= 1 and value == 2 ** _high_bit(value)


def _decompose(flag, value):
    """The members whose bits make up value (largest first), and the bits none covers."""
    not_covered = value
    negative = value < 0
    candidates = [(m, v) for v, m in list(flag._value2member_map_.items())
                  if m._name_ is not None or (not negative and _power_of_two(v))]
    members = []
    for member, member_value in candidates:
        if member_value and member_value & value == member_value:
            members.append(member)
            not_covered &= ~member_value
    if not members and value in flag._value2member_map_:
        members.append(flag._value2member_map_[value])
    members.sort(key=lambda m: m._value_, reverse=True)
    if len(members) > 1 and members[0]._value_ == value:
        members.pop(0)
    return members, not_covered


class Flag(Enum):
    """An Enum whose members combine with |, & and ^ into flags."""

    def _generate_next_value_(name, start, count, last_values):
        if not count:
            return start if start is not None else 1
        for last_value in reversed(last_values):
            try:
                high_bit = _high_bit(last_value)
                break
            except Exception:
                raise TypeError('Invalid Flag value: %r' % last_value) from None
        return 2 ** (high_bit + 1)

    @classmethod
    def _missing_(cls, value):
        original = value
        if value < 0:
            value = ~value
        member = cls._create_pseudo_member_(value)
        if original < 0:
            member = ~member
        return member

    @classmethod
    def _create_pseudo_member_(cls, value):
        member = cls._value2member_map_.get(value, None)
        if member is None:
            _, extra = _decompose(cls, value)
            if extra:
                raise ValueError('%r is not a valid %s' % (value, cls.__name__))
            member = object.__new__(cls)
            member._name_ = None
            member._value_ = value
            member = cls._value2member_map_.setdefault(value, member)
        return member

    def __contains__(self, other):
        if not isinstance(other, self.__class__):
            return False
        return other._value_ & self._value_ == other._value_

    def _names(self):
        members, _ = _decompose(self.__class__, self._value_)
        return members, '|'.join([str(m._name_ or m._value_) for m in members])

    def __repr__(self):
        cls = self.__class__
        if self._name_ is not None:
            return '<%s.%s: %r>' % (cls.__name__, self._name_, self._value_)
        return '<%s.%s: %r>' % (cls.__name__, self._names()[1], self._value_)

    def __str__(self):
        cls = self.__class__
        if self._name_ is not None:
            return '%s.%s' % (cls.__name__, self._name_)
        members, names = self._names()
        if len(members) == 1 and members[0]._name_ is None:
            return '%s.%r' % (cls.__name__, members[0]._value_)
        return '%s.%s' % (cls.__name__, names)

    def __bool__(self):
        return bool(self._value_)

    def __or__(self, other):
        if not isinstance(other, self.__class__):
            return NotImplemented
        return self.__class__(self._value_ | other._value_)

    def __and__(self, other):
        if not isinstance(other, self.__class__):
            return NotImplemented
        return self.__class__(self._value_ & other._value_)

    def __xor__(self, other):
        if not isinstance(other, self.__class__):
            return NotImplemented
        return self.__class__(self._value_ ^ other._value_)

    def __invert__(self):
        cls = self.__class__
        members, _ = _decompose(cls, self._value_)
        inverted = cls(0)
        for m in cls:
            if m not in members and not (m._value_ & self._value_):
                inverted = inverted | m
        return cls(inverted)


class IntFlag(int, Flag):
    """A Flag whose members are also ints, and combine with ints."""

    @classmethod
    def _missing_(cls, value):
        if not isinstance(value, int):
            raise ValueError('%r is not a valid %s' % (value, cls.__name__))
        return cls._create_pseudo_member_(value)

    @classmethod
    def _create_pseudo_member_(cls, value):
        member = cls._value2member_map_.get(value, None)
        if member is None:
            need_to_create = [value]
            _, extra = _decompose(cls, value)
            while extra:
                bit = _high_bit(extra)
                flag_value = 2 ** bit
                if flag_value not in cls._value2member_map_ and \
                        flag_value not in need_to_create:
                    need_to_create.append(flag_value)
                if extra == -flag_value:
                    extra = 0
                else:
                    extra ^= flag_value
            for v in reversed(need_to_create):
                member = int.__new__(cls, v)
                member._name_ = None
                member._value_ = v
                member = cls._value2member_map_.setdefault(v, member)
        return member

    def __or__(self, other):
        if not isinstance(other, (self.__class__, int)):
            return NotImplemented
        return self.__class__(self._value_ | self.__class__(other)._value_)

    def __and__(self, other):
        if not isinstance(other, (self.__class__, int)):
            return NotImplemented
        return self.__class__(self._value_ & self.__class__(other)._value_)

    def __xor__(self, other):
        if not isinstance(other, (self.__class__, int)):
            return NotImplemented
        return self.__class__(self._value_ ^ self.__class__(other)._value_)

    __ror__ = __or__
    __rand__ = __and__
    __rxor__ = __xor__

    def __invert__(self):
        return self.__class__(~self._value_)


def unique(enumeration):
    """A class decorator: ValueError when any member is an alias."""
    duplicates = [(name, member.name) for name, member in enumeration.__members__.items()
                  if name != member.name]
    if duplicates:
        details = ', '.join(['%s -> %s' % (alias, name) for alias, name in duplicates])
        raise ValueError('duplicate values found in %r: %s' % (enumeration, details))
    return enumeration
