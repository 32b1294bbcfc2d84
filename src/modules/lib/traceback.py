# The traceback module (the parts programs use to report an exception they caught): the
# frames are the ones the VM recorded while the exception propagated, formatted natively
# in _traceback as CPython 3.7's traceback module formats them. `tb` and `limit` arguments
# are accepted and not used.
import sys
from _traceback import _format, _format_only


def format_exception_only(etype, value):
    if value is None:
        name = 'NoneType' if etype is None else etype.__name__
        return ['%s: %s\n' % (name, value)]
    return [_format_only(value)]


def format_exception(etype, value, tb, limit=None, chain=True):
    if value is None:
        return format_exception_only(etype, value)
    return _format(value).splitlines(True)


def format_exc(limit=None, chain=True):
    return ''.join(format_exception(*sys.exc_info(), limit=limit, chain=chain))


def print_exception(etype, value, tb, limit=None, file=None, chain=True):
    if file is None:
        file = sys.stderr
    for line in format_exception(etype, value, tb, limit=limit, chain=chain):
        print(line, file=file, end='')


def print_exc(limit=None, file=None, chain=True):
    print_exception(*sys.exc_info(), limit=limit, file=file, chain=chain)
