# The re module, written in minipy's Python over the native _re (the parser, compiler and
# backtracking matcher, in src/modules/re/): Pattern and Match objects, the flags,
# re.error with CPython 3.7's messages, and the module functions with 3.7's pattern cache.
import _re

__all__ = [
    'match', 'fullmatch', 'search', 'sub', 'subn', 'split', 'findall', 'finditer',
    'compile', 'purge', 'template', 'escape', 'error', 'Pattern', 'Match', 'A', 'I',
    'L', 'M', 'S', 'X', 'U', 'ASCII', 'IGNORECASE', 'LOCALE', 'MULTILINE', 'DOTALL',
    'VERBOSE', 'UNICODE',
]

_MAXSIZE = 9223372036854775807
_MAXCACHE = 512

_FLAG_NAMES = [
    (1, 'TEMPLATE'), (2, 'IGNORECASE'), (4, 'LOCALE'), (8, 'MULTILINE'), (16, 'DOTALL'),
    (32, 'UNICODE'), (64, 'VERBOSE'), (128, 'DEBUG'), (256, 'ASCII'),
]


class RegexFlag(int):
    """re's flags: ints that print as enum.IntFlag members do (RegexFlag.IGNORECASE)."""

    def _names(self):
        value = int(self)
        names = []
        for bit, name in reversed(_FLAG_NAMES):
            if value & bit:
                names.append(name)
                value &= ~bit
        if value or not names:
            names.insert(0, str(value))
        return '|'.join(names)

    @property
    def name(self):
        for bit, name in _FLAG_NAMES:
            if bit == int(self):
                return name
        return None

    @property
    def value(self):
        return int(self)

    def __repr__(self):
        return '<RegexFlag.%s: %d>' % (self._names(), int(self))

    def __str__(self):
        return 'RegexFlag.' + self._names()

    def __or__(self, other):
        if not isinstance(other, int):
            return NotImplemented
        return RegexFlag(int(self) | int(other))

    def __and__(self, other):
        if not isinstance(other, int):
            return NotImplemented
        return RegexFlag(int(self) & int(other))

    def __xor__(self, other):
        if not isinstance(other, int):
            return NotImplemented
        return RegexFlag(int(self) ^ int(other))

    __ror__ = __or__
    __rand__ = __and__
    __rxor__ = __xor__

    def __invert__(self):
        return RegexFlag(~int(self) & 511)


T = TEMPLATE = RegexFlag(1)
I = IGNORECASE = RegexFlag(2)
L = LOCALE = RegexFlag(4)
M = MULTILINE = RegexFlag(8)
S = DOTALL = RegexFlag(16)
U = UNICODE = RegexFlag(32)
X = VERBOSE = RegexFlag(64)
DEBUG = RegexFlag(128)
A = ASCII = RegexFlag(256)


class error(Exception):
    """A pattern or template that does not compile; msg, pattern and pos as in CPython."""

    def __init__(self, msg, pattern=None, pos=None):
        self.msg = msg
        self.pattern = pattern
        self.pos = pos
        if pattern is not None and pos is not None:
            msg = '%s at position %d' % (msg, pos)
            newline = '\n' if isinstance(pattern, str) else b'\n'
            self.lineno = pattern.count(newline, 0, pos) + 1
            self.colno = pos - pattern.rfind(newline, 0, pos)
            if newline in pattern:
                msg = '%s (line %d, column %d)' % (msg, self.lineno, self.colno)
        else:
            self.lineno = self.colno = None
        super().__init__(msg)


class mappingproxy:
    """A read-only view of a dict (Pattern.groupindex), as types.MappingProxyType."""

    def __init__(self, mapping):
        self._mapping = mapping

    def __getitem__(self, key):
        return self._mapping[key]

    def __iter__(self):
        return iter(self._mapping)

    def __len__(self):
        return len(self._mapping)

    def __contains__(self, key):
        return key in self._mapping

    def __eq__(self, other):
        if isinstance(other, mappingproxy):
            other = other._mapping
        return self._mapping == other

    def get(self, key, default=None):
        return self._mapping.get(key, default)

    def keys(self):
        return self._mapping.keys()

    def values(self):
        return self._mapping.values()

    def items(self):
        return self._mapping.items()

    def copy(self):
        return dict(self._mapping)

    def __repr__(self):
        return 'mappingproxy(%r)' % (self._mapping,)

    def __str__(self):
        return str(self._mapping)



def _clamp(string, pos, endpos):
    n = len(string)
    return min(max(pos, 0), n), min(max(endpos, 0), n)


class Pattern:
    """A compiled regular expression (made by re.compile)."""

    def __init__(self, *args, **kwargs):
        raise TypeError("cannot create 're.Pattern' instances")

    def _search(self, string, pos, endpos, mode):
        found = _re.search(self.pattern, self._uflags, string, pos, endpos, mode)
        if found is None:
            return None
        pos, endpos = _clamp(string, pos, endpos)
        return _new_match(self, string, pos, endpos, found)

    def match(self, string, pos=0, endpos=_MAXSIZE):
        return self._search(string, pos, endpos, 0)

    def fullmatch(self, string, pos=0, endpos=_MAXSIZE):
        return self._search(string, pos, endpos, 1)

    def search(self, string, pos=0, endpos=_MAXSIZE):
        return self._search(string, pos, endpos, 2)

    def findall(self, string, pos=0, endpos=_MAXSIZE):
        return _re.findall(self.pattern, self._uflags, string, pos, endpos)

    def finditer(self, string, pos=0, endpos=_MAXSIZE):
        # Matches are found in batches that double in size: a loop that stops early does
        # not scan the whole subject, and a long one crosses it a few times only.
        _re.check(self.pattern, string)
        pos, endpos = _clamp(string, pos, endpos)
        state = {'at': pos, 'advance': False, 'batch': [], 'next': 0, 'size': 8}

        def next_match():
            if state['next'] >= len(state['batch']):
                if state['at'] > endpos:
                    return None
                size = state['size']
                state['size'] = size * 2
                batch = _re.scan(self.pattern, self._uflags, string, state['at'], endpos,
                                 size, state['advance'])
                if len(batch) < size:
                    state['at'] = endpos + 1
                elif batch:
                    start, end = batch[-1][0][0]
                    state['at'] = end
                    state['advance'] = start == end
                state['batch'] = batch
                state['next'] = 0
                if not batch:
                    return None
            found = state['batch'][state['next']]
            state['next'] += 1
            return _new_match(self, string, pos, endpos, found)
        return iter(next_match, None)

    def split(self, string, maxsplit=0):
        return _re.split(self.pattern, self._uflags, string, maxsplit)

    def subn(self, repl, string, count=0):
        if isinstance(repl, (str, bytes)):
            return _re.subn(self.pattern, self._uflags, repl, string, count, error)
        found = _re.scan(self.pattern, self._uflags, string, 0, _MAXSIZE, count, False)
        n = len(string)
        parts = []
        last = 0
        for f in found:
            start, end = f[0][0]
            if last < start:
                parts.append(string[last:start])
            item = repl(_new_match(self, string, 0, n, f))
            if item is not None:
                parts.append(item)
            last = end
        if last < n:
            parts.append(string[last:])
        return string[:0].join(parts), len(found)

    def sub(self, repl, string, count=0):
        return self.subn(repl, string, count)[0]

    def scanner(self, string, pos=0, endpos=_MAXSIZE):
        raise NotImplementedError('Pattern.scanner is not supported')

    def __eq__(self, other):
        if not isinstance(other, Pattern):
            return NotImplemented
        return (type(self.pattern) is type(other.pattern) and self.pattern == other.pattern
                and self.flags == other.flags)

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash((self.pattern, self.flags))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        flags = self.flags
        names = []
        if isinstance(self.pattern, str) and flags & (LOCALE | UNICODE | ASCII) == UNICODE:
            flags &= ~UNICODE
        for bit, name in _FLAG_NAMES:
            if flags & bit:
                names.append('re.' + name)
                flags &= ~bit
        if flags:
            names.append('0x%x' % flags)
        text = repr(self.pattern)[:200]
        if names:
            return 're.compile(%s, %s)' % (text, '|'.join(names))
        return 're.compile(%s)' % text


def _new_pattern(pattern, flags):
    p = object.__new__(Pattern)
    info = _re.compile(pattern, flags, error)
    p.pattern = pattern
    p._uflags = flags
    p.flags = info[0]
    p.groups = info[1]
    p._index = dict(info[2])
    p.groupindex = mappingproxy(p._index)
    return p


class Match:
    """The result of a successful match (made by Pattern.match, search, finditer ...)."""

    def __init__(self, *args, **kwargs):
        raise TypeError("cannot create 're.Match' instances")

    def _group_index(self, group):
        if isinstance(group, int):
            index = int(group)
        elif hasattr(group, '__index__'):
            index = group.__index__()
        else:
            try:
                index = self.re._index[group]
            except (KeyError, TypeError):
                index = -1
        if index < 0 or index >= len(self.regs):
            raise IndexError('no such group')
        return index

    def _get(self, group, default=None):
        start, end = self.regs[self._group_index(group)]
        if start < 0:
            return default
        return self.string[start:end]

    def group(self, *groups):
        if not groups:
            return self._get(0)
        if len(groups) == 1:
            return self._get(groups[0])
        return tuple([self._get(g) for g in groups])

    def __getitem__(self, group):
        return self._get(group)

    def groups(self, default=None):
        return tuple([self._get(i, default) for i in range(1, len(self.regs))])

    def groupdict(self, default=None):
        return {name: self._get(name, default) for name in self.re._index}

    def start(self, group=0):
        return self.regs[self._group_index(group)][0]

    def end(self, group=0):
        return self.regs[self._group_index(group)][1]

    def span(self, group=0):
        return self.regs[self._group_index(group)]

    def expand(self, template):
        pieces = _re.template(self.re.pattern, self.re._uflags, template, error)
        empty = self.string[:0]
        out = []
        for piece in pieces:
            if isinstance(piece, int):
                out.append(self._get(piece) or empty)
            else:
                out.append(piece)
        return empty.join(out)

    @property
    def lastgroup(self):
        if self.lastindex is None:
            return None
        for name, index in self.re._index.items():
            if index == self.lastindex:
                return name
        return None

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        return '<re.Match object; span=%r, match=%r>' % (self.regs[0], self.group(0))


def _new_match(pattern, string, pos, endpos, found):
    m = object.__new__(Match)
    m.re = pattern
    m.string = string
    m.pos = pos
    m.endpos = endpos
    m.regs = found[0]
    m.lastindex = found[1]
    return m


_cache = {}


def _compile(pattern, flags):
    flags = int(flags)
    if isinstance(pattern, Pattern):
        if flags:
            raise ValueError('cannot process flags argument with a compiled pattern')
        return pattern
    key = (type(pattern), pattern, flags)
    p = _cache.get(key)
    if p is not None:
        return p
    if not isinstance(pattern, (str, bytes)):
        raise TypeError('first argument must be string or compiled pattern')
    p = _new_pattern(pattern, flags)
    if not flags & DEBUG:
        if len(_cache) >= _MAXCACHE:
            del _cache[next(iter(_cache))]
        _cache[key] = p
    return p


def compile(pattern, flags=0):
    return _compile(pattern, flags)


def match(pattern, string, flags=0):
    return _compile(pattern, flags).match(string)


def fullmatch(pattern, string, flags=0):
    return _compile(pattern, flags).fullmatch(string)


def search(pattern, string, flags=0):
    return _compile(pattern, flags).search(string)


def sub(pattern, repl, string, count=0, flags=0):
    return _compile(pattern, flags).sub(repl, string, count)


def subn(pattern, repl, string, count=0, flags=0):
    return _compile(pattern, flags).subn(repl, string, count)


def split(pattern, string, maxsplit=0, flags=0):
    return _compile(pattern, flags).split(string, maxsplit)


def findall(pattern, string, flags=0):
    return _compile(pattern, flags).findall(string)


def finditer(pattern, string, flags=0):
    return _compile(pattern, flags).finditer(string)


def purge():
    _cache.clear()
    _re.purge()


def template(pattern, flags=0):
    return _compile(pattern, flags | TEMPLATE)


_SPECIAL = frozenset('()[]{}?*+-|^$\\.&~# \t\n\r\v\f')


def escape(pattern):
    if isinstance(pattern, str):
        return ''.join(['\\' + c if c in _SPECIAL else c for c in pattern])
    text = str(pattern, 'latin1')
    return ''.join(['\\' + c if c in _SPECIAL else c for c in text]).encode('latin1')
