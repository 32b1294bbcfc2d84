# platform, as far as a program asks about the interpreter and the machine: the Python it
# is (minipy follows CPython 3.7.16 and answers as that CPython, so code that picks a code
# path by implementation takes CPython's) and a fixed Linux x86_64 machine, so output stays
# the same on every machine (a teaching VM's runs are meant to be byte-identical).
import sys
from collections import namedtuple

_VERSION = '3.7.16'


def python_implementation():
    return 'CPython'


def python_version():
    return _VERSION


def python_version_tuple():
    return tuple(_VERSION.split('.'))


def python_branch():
    return ''


def python_revision():
    return ''


def python_build():
    return ('default', 'Jan  1 2023 00:00:00')


def python_compiler():
    return 'GCC'


uname_result = namedtuple('uname_result', 'system node release version machine processor')


def uname():
    return uname_result('Linux', 'minipy', '', '', 'x86_64', '')


def system():
    return uname().system


def node():
    return uname().node


def release():
    return uname().release


def version():
    return uname().version


def machine():
    return uname().machine


def processor():
    return uname().processor


def architecture(executable=sys.executable, bits='', linkage=''):
    return ('64bit', 'ELF')


def platform(aliased=0, terse=0):
    return 'Linux-x86_64-with-glibc'


def libc_ver(executable=sys.executable, lib='', version='', chunksize=16384):
    return ('glibc', '')
