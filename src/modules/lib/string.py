# The string module, written in minipy's Python: the character constants, capwords,
# Template ($-substitution; a subclass may change the delimiter, while a changed
# idpattern or pattern needs the re module and is not followed) and Formatter (str.format
# in Python, with the hooks subclasses override).

__all__ = ['ascii_letters', 'ascii_lowercase', 'ascii_uppercase', 'capwords', 'digits',
           'hexdigits', 'octdigits', 'printable', 'punctuation', 'whitespace',
           'Formatter', 'Template']

whitespace = ' \t\n\r\x0b\x0c'
ascii_lowercase = 'abcdefghijklmnopqrstuvwxyz'
ascii_uppercase = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
ascii_letters = ascii_lowercase + ascii_uppercase
digits = '0123456789'
hexdigits = digits + 'abcdef' + 'ABCDEF'
octdigits = '01234567'
punctuation = r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"""
printable = digits + ascii_letters + punctuation + whitespace


def capwords(s, sep=None):
    """Split s by sep, capitalize each word, join with sep (a space when sep is None)."""
    return (sep or ' ').join(word.capitalize() for word in s.split(sep))


# ---------------------------------------------------------------- Template

_ID_START = '_' + ascii_letters
_ID_REST = _ID_START + digits


def _identifier_at(text, i):
    """The end of the ASCII identifier starting at text[i], or i when there is none."""
    if i < len(text) and text[i] in _ID_START:
        i += 1
        while i < len(text) and text[i] in _ID_REST:
            i += 1
    return i


class _ChainMap:
    """The keywords first, then the mapping: what substitute(mapping, **kws) looks in."""

    def __init__(self, first, second):
        self.first = first
        self.second = second

    def __getitem__(self, key):
        try:
            return self.first[key]
        except KeyError:
            return self.second[key]


class Template:
    """A string with $-placeholders: $name, ${name}, and $$ for a dollar sign."""

    delimiter = '$'
    idpattern = r'(?a:[_a-z][_a-z0-9]*)'
    braceidpattern = None

    def __init__(self, template):
        self.template = template

    def _pieces(self):
        # (kind, text, name, start): kind is 'text', 'escaped', 'named', 'braced' or
        # 'invalid'; text is what the piece spans in the template; start is where the
        # placeholder's name would begin (for the error message).
        template = self.template
        delim = self.delimiter
        pieces = []
        i = 0
        n = len(template)
        while i < n:
            j = template.find(delim, i)
            if j < 0:
                pieces.append(('text', template[i:], None, i))
                break
            if j > i:
                pieces.append(('text', template[i:j], None, i))
            k = j + len(delim)
            if template.startswith(delim, k):
                pieces.append(('escaped', template[j:k + len(delim)], None, k))
                i = k + len(delim)
                continue
            end = _identifier_at(template, k)
            if end > k:
                pieces.append(('named', template[j:end], template[k:end], k))
                i = end
                continue
            if k < n and template[k] == '{':
                end = _identifier_at(template, k + 1)
                if end > k + 1 and end < n and template[end] == '}':
                    pieces.append(('braced', template[j:end + 1], template[k + 1:end], k))
                    i = end + 1
                    continue
            pieces.append(('invalid', template[j:k], None, k))
            i = k
        return pieces

    def _invalid(self, i):
        lines = self.template[:i].splitlines(True)
        if not lines:
            colno = 1
            lineno = 1
        else:
            colno = i - len(''.join(lines[:-1]))
            lineno = len(lines)
        raise ValueError('Invalid placeholder in string: line %d, col %d' % (lineno, colno))

    def _mapping(self, args, kws):
        if len(args) > 1:
            raise TypeError('Too many positional arguments')
        if not args:
            return kws
        if kws:
            return _ChainMap(kws, args[0])
        return args[0]

    def substitute(*args, **kws):
        if not args:
            raise TypeError("descriptor 'substitute' of 'Template' object needs an argument")
        self, args = args[0], args[1:]
        mapping = self._mapping(args, kws)
        out = []
        for kind, text, name, start in self._pieces():
            if kind == 'text':
                out.append(text)
            elif kind == 'escaped':
                out.append(self.delimiter)
            elif kind == 'invalid':
                self._invalid(start)
            else:
                out.append('%s' % (mapping[name],))
        return ''.join(out)

    def safe_substitute(*args, **kws):
        if not args:
            raise TypeError("descriptor 'safe_substitute' of 'Template' object needs an "
                            "argument")
        self, args = args[0], args[1:]
        mapping = self._mapping(args, kws)
        out = []
        for kind, text, name, start in self._pieces():
            if kind == 'escaped':
                out.append(self.delimiter)
            elif kind in ('named', 'braced'):
                try:
                    out.append('%s' % (mapping[name],))
                except KeyError:
                    out.append(text)
            else:
                out.append(text)
        return ''.join(out)


# ---------------------------------------------------------------- Formatter

def _parse_format(s):
    """What _string.formatter_parser yields: (literal, field_name, spec, conversion)."""
    out = []
    i = 0
    n = len(s)
    while i < n:
        # The literal text runs to the next brace; a doubled brace ends it, kept once.
        start = i
        while i < n and s[i] not in '{}':
            i += 1
        if i == n:
            out.append((s[start:], None, None, None))
            break
        c = s[i]
        doubled = i + 1 < n and s[i + 1] == c
        if c == '}' and not doubled:
            raise ValueError("Single '}' encountered in format string")
        if c == '{' and i + 1 == n:
            raise ValueError("Single '{' encountered in format string")
        if doubled:
            out.append((s[start:i + 1], None, None, None))
            i += 2
            continue
        literal = s[start:i]
        name, spec, conversion, i = _parse_field(s, i + 1)
        out.append((literal, name, spec, conversion))
    return out


def _parse_field(s, i):
    """The field starting at s[i] (after its '{'): name, spec, conversion, and the index
    after its closing '}'."""
    n = len(s)
    start = i
    c = ''
    while i < n:
        c = s[i]
        i += 1
        if c == '{':
            raise ValueError("unexpected '{' in field name")
        if c == '[':
            while i < n and s[i] != ']':
                i += 1
            continue
        if c in '}:!':
            break
    else:
        c = ''
    name = s[start:i - 1] if c else s[start:i]
    conversion = None
    if c == '!' or c == ':':
        if c == '!':
            if i >= n:
                raise ValueError('end of string while looking for conversion specifier')
            conversion = s[i]
            i += 1
            if i < n:
                c = s[i]
                i += 1
                if c == '}':
                    return name, '', conversion, i
                if c != ':':
                    raise ValueError("expected ':' after conversion specifier")
        # The spec runs to the matching '}', over nested fields.
        spec_start = i
        depth = 1
        while i < n:
            c = s[i]
            i += 1
            if c == '{':
                depth += 1
            elif c == '}':
                depth -= 1
                if depth == 0:
                    return name, s[spec_start:i - 1], conversion, i
        raise ValueError("unmatched '{' in format spec")
    if c != '}':
        raise ValueError("expected '}' before end of string")
    return name, '', conversion, i


def _split_field_name(name):
    """(first, [(is_attr, key), ...]) as _string.formatter_field_name_split gives."""
    i = 0
    n = len(name)
    while i < n and name[i] not in '.[':
        i += 1
    first = name[:i]
    if first.isdigit():
        first = int(first)
    rest = []
    while i < n:
        if name[i] == '.':
            j = i + 1
            while j < n and name[j] not in '.[':
                j += 1
            attr = name[i + 1:j]
            if not attr:
                raise ValueError('Empty attribute in format string')
            rest.append((True, attr))
            i = j
        elif name[i] == '[':
            j = name.find(']', i)
            if j < 0:
                raise ValueError("Missing ']' in format string")
            key = name[i + 1:j]
            if not key:
                raise ValueError('Empty attribute in format string')
            rest.append((False, int(key) if key.isdigit() else key))
            i = j + 1
            if i < n and name[i] not in '.[':
                raise ValueError('Only \'.\' or \'[\' may follow \']\' in format field '
                                 'specifier')
        else:
            raise ValueError('Only \'.\' or \'[\' may follow \']\' in format field specifier')
    return first, rest


class Formatter:
    """str.format's machinery, with each step a method a subclass may override."""

    def format(*args, **kwargs):
        if not args:
            raise TypeError("descriptor 'format' of 'Formatter' object needs an argument")
        self, args = args[0], args[1:]
        if not args:
            raise TypeError("format() missing 1 required positional argument: "
                            "'format_string'")
        format_string, args = args[0], args[1:]
        return self.vformat(format_string, args, kwargs)

    def vformat(self, format_string, args, kwargs):
        used_args = set()
        result, _ = self._vformat(format_string, args, kwargs, used_args, 2)
        self.check_unused_args(used_args, args, kwargs)
        return result

    def _vformat(self, format_string, args, kwargs, used_args, recursion_depth,
                 auto_arg_index=0):
        if recursion_depth < 0:
            raise ValueError('Max string recursion exceeded')
        result = []
        for literal_text, field_name, format_spec, conversion in self.parse(format_string):
            if literal_text:
                result.append(literal_text)
            if field_name is None:
                continue
            # Automatic numbering ('{}') and manual ('{0}') do not mix.
            if field_name == '':
                if auto_arg_index is False:
                    raise ValueError('cannot switch from manual field specification to '
                                     'automatic field numbering')
                field_name = str(auto_arg_index)
                auto_arg_index += 1
            elif field_name.isdigit():
                if auto_arg_index:
                    raise ValueError('cannot switch from manual field specification to '
                                     'automatic field numbering')
                auto_arg_index = False
            obj, arg_used = self.get_field(field_name, args, kwargs)
            used_args.add(arg_used)
            obj = self.convert_field(obj, conversion)
            format_spec, auto_arg_index = self._vformat(
                format_spec, args, kwargs, used_args, recursion_depth - 1,
                auto_arg_index=auto_arg_index)
            result.append(self.format_field(obj, format_spec))
        return ''.join(result), auto_arg_index

    def get_value(self, key, args, kwargs):
        if isinstance(key, int):
            return args[key]
        return kwargs[key]

    def check_unused_args(self, used_args, args, kwargs):
        pass

    def format_field(self, value, format_spec):
        return format(value, format_spec)

    def convert_field(self, value, conversion):
        if conversion is None:
            return value
        if conversion == 's':
            return str(value)
        if conversion == 'r':
            return repr(value)
        if conversion == 'a':
            return ascii(value)
        raise ValueError('Unknown conversion specifier {0!s}'.format(conversion))

    def parse(self, format_string):
        return _parse_format(format_string)

    def get_field(self, field_name, args, kwargs):
        first, rest = _split_field_name(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            if is_attr:
                obj = getattr(obj, key)
            else:
                obj = obj[key]
        return obj, first
