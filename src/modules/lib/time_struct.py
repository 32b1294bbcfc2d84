# The calendar half of `time`, written in minipy's Python and run in the native time
# module's namespace: struct_time, gmtime, localtime (the machine's zone is taken to be
# UTC), mktime, asctime, ctime, strftime and strptime in the C locale, as CPython 3.7
# prints them.

_DAYS = ('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday')
_MONTHS = ('January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
           'September', 'October', 'November', 'December')
_FIELDS = ('tm_year', 'tm_mon', 'tm_mday', 'tm_hour', 'tm_min', 'tm_sec', 'tm_wday',
           'tm_yday', 'tm_isdst')

timezone = 0
altzone = 0
daylight = 0
tzname = ('UTC', 'UTC')


class struct_time(tuple):
    """The time value gmtime() and localtime() return: a 9-tuple with named fields."""
    n_sequence_fields = 9
    n_fields = 11
    n_unnamed_fields = 0

    def __new__(cls, seq):
        seq = tuple(seq)
        if len(seq) < 9:
            raise TypeError('time.struct_time() takes an at least 9-sequence (%d-sequence given)'
                            % len(seq))
        if len(seq) > 11:
            raise TypeError('time.struct_time() takes an at most 11-sequence (%d-sequence given)'
                            % len(seq))
        self = tuple.__new__(cls, seq[:9])
        extra = seq[9:] + (None, None)
        self._zone = extra[0]
        self._gmtoff = extra[1]
        return self

    def __getattr__(self, name):
        if name in _FIELDS:
            return self[_FIELDS.index(name)]
        if name == 'tm_zone':
            return self._zone
        if name == 'tm_gmtoff':
            return self._gmtoff
        raise AttributeError("'time.struct_time' object has no attribute '%s'" % name)

    def __repr__(self):
        fields = ', '.join('%s=%r' % (n, v) for n, v in zip(_FIELDS, self))
        return 'time.struct_time(%s)' % fields

    def __reduce__(self):
        return (struct_time, (tuple(self),))


struct_time.__module__ = 'time'


def _is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_before_month(year, month):
    days = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)[month - 1]
    return days + (1 if month > 2 and _is_leap(year) else 0)


def _days_from_civil(year, month, day):
    """Days since 1970-01-01 of a proleptic Gregorian date."""
    y = year - 1 if month <= 2 else year
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _seconds(secs):
    if secs is None:
        return int(time() // 1)
    if isinstance(secs, float):
        if secs != secs:
            raise ValueError('Invalid value NaN (not a number)')
        return int(secs // 1)
    if not isinstance(secs, int):
        raise TypeError('an integer is required (got type %s)' % type(secs).__name__)
    return secs


def gmtime(secs=None):
    secs = _seconds(secs)
    days, rest = divmod(secs, 86400)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    wday = (days + 3) % 7
    yday = _days_before_month(year, month) + day
    return struct_time((year, month, day, hour, minute, second, wday, yday, 0, 'UTC', 0))


def localtime(secs=None):
    return gmtime(secs)


def _checked(t, name):
    if t is None:
        return localtime()
    if isinstance(t, struct_time):
        return t
    if not isinstance(t, tuple):
        raise TypeError('Tuple or struct_time argument required')
    if len(t) != 9:
        raise TypeError('%s(): illegal time tuple argument' % name)
    return struct_time(t)


def mktime(t):
    t = _checked(t, 'mktime')
    days = _days_from_civil(t[0], t[1], t[2])
    return float(days * 86400 + t[3] * 3600 + t[4] * 60 + t[5])


def asctime(t=None):
    t = _checked(t, 'asctime')
    return '%s %s %2d %02d:%02d:%02d %d' % (_DAYS[t[6]][:3], _MONTHS[t[1] - 1][:3], t[2],
                                           t[3], t[4], t[5], t[0])


def ctime(secs=None):
    return asctime(localtime(secs))


def _week_number(t, first_weekday):
    """%U (weeks starting Sunday) and %W (starting Monday)."""
    wday = (t[6] + 1) % 7 if first_weekday == 6 else t[6]
    return (t[7] - 1 - wday + 7) // 7


def strftime(format, t=None):
    if not isinstance(format, str):
        raise TypeError('strftime() argument 1 must be str, not %s' % type(format).__name__)
    t = _checked(t, 'strftime')
    if not 1 <= t[1] <= 12:
        raise ValueError('month out of range')
    out = []
    i = 0
    n = len(format)
    while i < n:
        c = format[i]
        if c != '%' or i + 1 == n:
            out.append(c)
            i += 1
            continue
        d = format[i + 1]
        i += 2
        if d == 'Y':
            out.append(str(t[0]))
        elif d == 'y':
            out.append('%02d' % (t[0] % 100))
        elif d == 'C':
            out.append('%02d' % (t[0] // 100))
        elif d == 'm':
            out.append('%02d' % t[1])
        elif d == 'd':
            out.append('%02d' % t[2])
        elif d == 'e':
            out.append('%2d' % t[2])
        elif d == 'H':
            out.append('%02d' % t[3])
        elif d == 'I':
            out.append('%02d' % ((t[3] + 11) % 12 + 1))
        elif d == 'M':
            out.append('%02d' % t[4])
        elif d == 'S':
            out.append('%02d' % t[5])
        elif d == 'p':
            out.append('AM' if t[3] < 12 else 'PM')
        elif d == 'a':
            out.append(_DAYS[t[6]][:3])
        elif d == 'A':
            out.append(_DAYS[t[6]])
        elif d == 'b' or d == 'h':
            out.append(_MONTHS[t[1] - 1][:3])
        elif d == 'B':
            out.append(_MONTHS[t[1] - 1])
        elif d == 'j':
            out.append('%03d' % t[7])
        elif d == 'w':
            out.append(str((t[6] + 1) % 7))
        elif d == 'u':
            out.append(str(t[6] + 1))
        elif d == 'U':
            out.append('%02d' % _week_number(t, 6))
        elif d == 'W':
            out.append('%02d' % _week_number(t, 0))
        elif d == 'c':
            out.append(asctime(t))
        elif d == 'x':
            out.append('%02d/%02d/%02d' % (t[1], t[2], t[0] % 100))
        elif d == 'X' or d == 'T':
            out.append('%02d:%02d:%02d' % (t[3], t[4], t[5]))
        elif d == 'D':
            out.append('%02d/%02d/%02d' % (t[1], t[2], t[0] % 100))
        elif d == 'F':
            out.append('%d-%02d-%02d' % (t[0], t[1], t[2]))
        elif d == 'R':
            out.append('%02d:%02d' % (t[3], t[4]))
        elif d == 'Z':
            out.append('UTC')
        elif d == 'z':
            out.append('+0000')
        elif d == 'n':
            out.append('\n')
        elif d == 't':
            out.append('\t')
        elif d == '%':
            out.append('%')
        else:
            out.append('%' + d)
    return ''.join(out)


# What each numeric directive reads: at most so many digits, in this range (as the
# regular expressions of CPython's _strptime: %m reads '1' of '13').
_NUMERIC = {'Y': (4, 0, 9999), 'm': (2, 1, 12), 'd': (2, 1, 31), 'H': (2, 0, 23),
            'M': (2, 0, 59), 'S': (2, 0, 61), 'j': (3, 1, 366), 'y': (2, 0, 99),
            'I': (2, 1, 12)}


def _number(text, at, directive):
    width, low, high = _NUMERIC[directive]
    end = at
    while end < len(text) and end - at < width and text[end].isdigit():
        end += 1
    if directive == 'Y' and end - at != 4:
        return None, at
    while end > at:
        value = int(text[at:end])
        if low <= value <= high:
            return value, end
        end -= 1
    return None, at


def strptime(string, format='%a %b %d %H:%M:%S %Y'):
    if not isinstance(string, str):
        raise TypeError('strptime() argument 0 must be str, not %s' % type(string))
    fields = {'Y': 1900, 'm': 1, 'd': 1, 'H': 0, 'M': 0, 'S': 0, 'j': None}
    pm = None
    i = j = 0
    bad = ValueError('time data %r does not match format %r' % (string, format))
    while i < len(format):
        c = format[i]
        if c != '%':
            if c.isspace():
                while j < len(string) and string[j].isspace():
                    j += 1
                i += 1
                continue
            if j >= len(string) or string[j] != c:
                raise bad
            i += 1
            j += 1
            continue
        d = format[i + 1] if i + 1 < len(format) else ''
        i += 2
        if d in _NUMERIC:
            value, j = _number(string, j, d)
            if value is None:
                raise bad
            if d == 'y':
                fields['Y'] = value + (2000 if value < 69 else 1900)
            elif d == 'I':
                fields['H'] = value % 12
            else:
                fields[d] = value
        elif d in 'bBaA':
            names = _MONTHS if d in 'bB' else _DAYS
            for k, name in enumerate(names):
                for candidate in (name, name[:3]):
                    if string[j:j + len(candidate)].lower() == candidate.lower():
                        if d in 'bB':
                            fields['m'] = k + 1
                        j += len(candidate)
                        break
                else:
                    continue
                break
            else:
                raise bad
        elif d == 'p':
            word = string[j:j + 2].upper()
            if word not in ('AM', 'PM'):
                raise bad
            pm = word == 'PM'
            j += 2
        elif d == '%':
            if string[j:j + 1] != '%':
                raise bad
            j += 1
        else:
            raise ValueError("'%s' is a bad directive in format '%s'" % (d, format))
    if j != len(string):
        raise ValueError('unconverted data remains: %s' % string[j:])
    if pm:
        fields['H'] += 12
    year, month, day = fields['Y'], fields['m'], fields['d']
    if fields['j'] is not None:
        yday = fields['j']
        month = 1
        while month < 12 and _days_before_month(year, month + 1) < yday:
            month += 1
        day = yday - _days_before_month(year, month)
    yday = _days_before_month(year, month) + day
    wday = (_days_from_civil(year, month, day) + 3) % 7
    return struct_time((year, month, day, fields['H'], fields['M'], fields['S'], wday,
                        yday, -1))
