# The statistics module, written in minipy's Python: mean, harmonic_mean, median (low,
# high, grouped), mode, pstdev, pvariance, stdev and variance, as CPython 3.7's. Sums are
# exact (Fractions), and results keep the data's type: mean([1, 3]) is 2, an int.

import collections
import math
from fractions import Fraction, _float_ratio

__all__ = ['StatisticsError', 'pstdev', 'pvariance', 'stdev', 'variance', 'median',
           'median_low', 'median_high', 'median_grouped', 'mean', 'mode',
           'harmonic_mean']


class StatisticsError(ValueError):
    pass


def _sum(data, start=0):
    """(type, exact total as a Fraction, count) of the data."""
    count = 0
    n, d = _exact_ratio(start)
    partials = {d: n}
    T = _coerce(int, type(start))
    for x in data:
        T = _coerce(T, type(x))
        n, d = _exact_ratio(x)
        count += 1
        partials[d] = partials.get(d, 0) + n
    if None in partials:
        # An infinity or a NaN: the total is that.
        total = partials[None]
    else:
        total = sum(Fraction(n, d) for d, n in sorted(partials.items()))
    return (T, total, count)


def _isfinite(x):
    try:
        return x.is_finite()
    except AttributeError:
        return math.isfinite(x)


def _coerce(T, S):
    """The type of a result mixing types T and S (int gives way to the other)."""
    if T is S:
        return T
    if S is int or S is bool:
        return T
    if T is int:
        return S
    if issubclass(S, T):
        return S
    if issubclass(T, S):
        return T
    if issubclass(T, int):
        return S
    if issubclass(S, int):
        return T
    if issubclass(T, Fraction) and issubclass(S, float):
        return S
    if issubclass(T, float) and issubclass(S, Fraction):
        return T
    raise TypeError("don't know how to coerce %s and %s" % (T.__name__, S.__name__))


def _exact_ratio(x):
    """(numerator, denominator) of x exactly; (x, None) for an infinity or a NaN."""
    try:
        if type(x) is float:
            return _float_ratio(x)
        try:
            return (x.numerator, x.denominator)
        except AttributeError:
            if isinstance(x, float):
                return _float_ratio(x)
    except (OverflowError, ValueError):
        return (x, None)
    raise TypeError("can't convert type '%s' to numerator/denominator" % type(x).__name__)


def _convert(value, T):
    """value (a Fraction) as type T (a float when T is int and value is not whole)."""
    if type(value) is T:
        return value
    if issubclass(T, int) and value.denominator != 1:
        T = float
    return T(value)


def _counts(data):
    table = collections.Counter(iter(data)).most_common()
    if not table:
        return table
    maxfreq = table[0][1]
    for i in range(1, len(table)):
        if table[i][1] != maxfreq:
            table = table[:i]
            break
    return table


def _fail_neg(values, errmsg='negative value'):
    for x in values:
        if x < 0:
            raise StatisticsError(errmsg)
        yield x


def mean(data):
    """The arithmetic mean ("average") of the data."""
    if iter(data) is data:
        data = list(data)
    n = len(data)
    if n < 1:
        raise StatisticsError('mean requires at least one data point')
    T, total, count = _sum(data)
    return _convert(total / n, T)


def harmonic_mean(data):
    """The harmonic mean: n divided by the sum of the reciprocals."""
    if iter(data) is data:
        data = list(data)
    errmsg = 'harmonic mean does not support negative values'
    n = len(data)
    if n < 1:
        raise StatisticsError('harmonic_mean requires at least one data point')
    elif n == 1:
        x = data[0]
        if isinstance(x, (int, float, Fraction)):
            if x < 0:
                raise StatisticsError(errmsg)
            return x
        raise TypeError('unsupported type')
    try:
        T, total, count = _sum(1 / x for x in _fail_neg(data, errmsg))
    except ZeroDivisionError:
        return 0
    return _convert(n / total, T)


def median(data):
    """The middle value (the mean of the two middle ones for an even count)."""
    data = sorted(data)
    n = len(data)
    if n == 0:
        raise StatisticsError('no median for empty data')
    if n % 2 == 1:
        return data[n // 2]
    i = n // 2
    return (data[i - 1] + data[i]) / 2


def median_low(data):
    """The middle value (the smaller middle one for an even count)."""
    data = sorted(data)
    n = len(data)
    if n == 0:
        raise StatisticsError('no median for empty data')
    if n % 2 == 1:
        return data[n // 2]
    return data[n // 2 - 1]


def median_high(data):
    """The middle value (the larger middle one for an even count)."""
    data = sorted(data)
    n = len(data)
    if n == 0:
        raise StatisticsError('no median for empty data')
    return data[n // 2]


def median_grouped(data, interval=1):
    """The 50th percentile of continuous data grouped in classes of width interval."""
    data = sorted(data)
    n = len(data)
    if n == 0:
        raise StatisticsError('no median for empty data')
    elif n == 1:
        return data[0]
    x = data[n // 2]
    for obj in (x, interval):
        if isinstance(obj, (str, bytes)):
            raise TypeError('expected number but got %r' % obj)
    try:
        L = x - interval / 2
    except TypeError:
        L = float(x) - float(interval) / 2
    l1 = data.index(x)
    l2 = len(data) - 1 - data[::-1].index(x)
    cf = l1
    f = l2 - l1 + 1
    return L + interval * (n / 2 - cf) / f


def mode(data):
    """The single most common value; StatisticsError when there is none or a tie."""
    table = _counts(data)
    if len(table) == 1:
        return table[0][0]
    elif table:
        raise StatisticsError('no unique mode; found %d equally common values' % len(table))
    raise StatisticsError('no mode for empty data')


def _ss(data, c=None):
    """(type, sum of squared deviations about c, the mean by default)."""
    if c is None:
        c = mean(data)
    T, total, count = _sum((x - c) ** 2 for x in data)
    U, total2, count2 = _sum((x - c) for x in data)
    total -= total2 ** 2 / len(data)
    return (T, total)


def variance(data, xbar=None):
    """The sample variance (divided by n - 1)."""
    if iter(data) is data:
        data = list(data)
    n = len(data)
    if n < 2:
        raise StatisticsError('variance requires at least two data points')
    T, ss = _ss(data, xbar)
    return _convert(ss / (n - 1), T)


def pvariance(data, mu=None):
    """The population variance (divided by n)."""
    if iter(data) is data:
        data = list(data)
    n = len(data)
    if n < 1:
        raise StatisticsError('pvariance requires at least one data point')
    T, ss = _ss(data, mu)
    return _convert(ss / n, T)


def stdev(data, xbar=None):
    """The sample standard deviation: the square root of variance()."""
    var = variance(data, xbar)
    try:
        return var.sqrt()
    except AttributeError:
        return math.sqrt(var)


def pstdev(data, mu=None):
    """The population standard deviation: the square root of pvariance()."""
    var = pvariance(data, mu)
    try:
        return var.sqrt()
    except AttributeError:
        return math.sqrt(var)
