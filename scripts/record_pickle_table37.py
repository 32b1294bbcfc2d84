#!/usr/bin/env python3
"""Record CPython 3.7's pickle bytes for the table test (tests/pickle.rs).

For every value expression below and every protocol it lists (0 to 4 unless given), this
runs python3.7 on PRELUDE + the expression and records `pickle.dumps(value, protocol)` as
hex, or `!ExceptionName: message` when CPython refuses to pickle it. It writes

    tests/pickle_table/prelude.mpy     the definitions the expressions use
    tests/pickle_table/cpython37.tsv   expression <TAB> protocol <TAB> kind <TAB> data

where kind is `=` (data: the pickle in hex; pickling what loads gives back yields the same
bytes), `~` (the same, but loading gives something else: a reduction to another value)
or `!` (data: `ExceptionName: message`, CPython refused). tests/pickle.rs requires
minipy's `pickle.dumps` to give the same bytes (or the same error) and, for `=` rows,
`pickle.dumps(pickle.loads(recorded), protocol)` to give them back: minipy reads
CPython's pickles of these values. Re-record after changing the list:

    python3 scripts/record_pickle_table37.py [--check]
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recording  # noqa: E402

PROG = "record_pickle_table37"

PRELUDE = '''\
import collections
import pickle


def add(a, b):
    return a + b


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm(self):
        return abs(self.x) + abs(self.y)


class Empty:
    pass


class Outer:
    class Inner:
        class Deep:
            pass


class Slotted:
    __slots__ = ('a', '__b')

    def __init__(self, a, b):
        self.a = a
        self.__b = b


class SlottedState:
    __slots__ = ('a',)

    def __init__(self, a):
        self.a = a

    def __getstate__(self):
        return {'a': self.a}

    def __setstate__(self, state):
        self.a = state['a']


class WithState:
    def __init__(self):
        self.items = [1, 2]
        self.cache = 'drop me'

    def __getstate__(self):
        return {'items': self.items}


class Reduced:
    def __reduce__(self):
        return (add, (2, 3))


class ReducedState:
    def __init__(self, v):
        self.v = v

    def __reduce__(self):
        return (ReducedState, (self.v,), {'extra': self.v * 2})


class ByName:
    def __reduce__(self):
        return 'BY_NAME'


BY_NAME = ByName()


class Pair(tuple):
    def __new__(cls, a, b):
        return tuple.__new__(cls, (a, b))

    def __getnewargs__(self):
        return tuple(self)


class Tagged(list):
    pass


class Registry(dict):
    pass


class Bag(set):
    pass


class Text(str):
    pass


class Count(int):
    pass


class Failure(Exception):
    pass


def tagged():
    t = Tagged([1, 'two'])
    t.tag = 'x'
    return t


def registry():
    r = Registry(a=1)
    r.owner = 'me'
    return r


def point_with_dict():
    p = Point(1, 'two')
    p.extra = [3.5, None]
    return p


def shared():
    x = [1]
    return [x, x, (x,)]


def rec_list():
    a = []
    a.append(a)
    return a


def rec_dict():
    d = {'name': 'd'}
    d['self'] = d
    return d


def rec_tuple():
    l = []
    t = (l, 1)
    l.append(t)
    return t


def failure():
    e = Failure('boom', 2)
    e.code = 7
    return e


def strings():
    return ['s%05d' % i for i in range(9000)]
'''

ALL = (0, 1, 2, 3, 4)

# (expression, protocols)
VALUES = [
    ("None", ALL), ("True", ALL), ("False", ALL),
    ("0", ALL), ("1", ALL), ("-1", ALL), ("255", ALL), ("256", ALL), ("65535", ALL),
    ("65536", ALL), ("-65536", ALL), ("2**31 - 1", ALL), ("-2**31", ALL), ("2**31", ALL),
    ("-2**31 - 1", ALL), ("2**63", ALL), ("-2**63", ALL), ("2**64 + 1", ALL),
    ("10**30", ALL), ("-10**30", ALL), ("2**2048 + 3", ALL), ("-(2**2048)", ALL),
    ("0.0", ALL), ("-0.0", ALL), ("1.5", ALL), ("0.1", ALL), ("1e300", ALL),
    ("1e-300", ALL), ("1e16", ALL), ("123456789.125", ALL), ("float('inf')", ALL),
    ("float('-inf')", ALL),
    ("''", ALL), ("'a'", ALL), ("'hello world'", ALL), ("'h\\xe9llo'", ALL),
    ("'\\u65e5\\u672c\\u8a9e'", ALL), ("'\\U0001F600'", ALL),
    ("'a\\nb\\\\c\\rd\\x00e\\x1af'", ALL), ("'x' * 300", ALL), ("'quote\\'\"'", ALL),
    ("b''", ALL), ("b'abc'", ALL), ("b'\\x00\\xff\\n'", ALL), ("bytes(range(256))", ALL),
    ("b'x' * 300", ALL), ("bytearray(b'xy')", ALL), ("bytearray()", ALL),
    ("[bytearray(b'\\x00\\xff'), b'\\x00\\xff']", ALL),
    ("()", ALL), ("(1,)", ALL), ("(1, 2)", ALL), ("(1, 2, 3)", ALL), ("(1, 2, 3, 4)", ALL),
    ("((),)", ALL), ("((1, 2), (3, (4, 5)))", ALL), ("tuple(range(10))", ALL),
    ("[]", ALL), ("[1]", ALL), ("[1, 2]", ALL), ("[[]]", ALL),
    ("[None, True, 1.5, 'x', b'y']", ALL), ("list(range(1001))", ALL),
    ("{}", ALL), ("{'a': 1}", ALL), ("{'a': 1, 'b': 2}", ALL),
    ("{1: 'x', (1, 2): None, 2.5: b'z'}", ALL), ("{i: -i for i in range(1001)}", ALL),
    ("{'k': [1, {'x': (1, 2)}]}", ALL),
    ("set()", ALL), ("{1, 2, 3}", ALL), ("set(range(1001))", ALL), ("frozenset()", ALL),
    ("frozenset({4, 5, 6})", ALL), ("[frozenset({1}), frozenset({1})]", ALL),
    ("shared()", ALL), ("rec_list()", ALL), ("rec_dict()", ALL), ("rec_tuple()", ALL),
    ("['same', 'same']", ALL),
    ("len", ALL), ("print", ALL), ("getattr", ALL), ("int", ALL), ("object", ALL),
    ("ValueError", ALL), ("KeyError", ALL), ("type(None)", ALL), ("type(Ellipsis)", ALL),
    ("type(NotImplemented)", ALL), ("Ellipsis", ALL), ("NotImplemented", ALL),
    ("[len, print, range]", ALL), ("add", ALL), ("Point", ALL), ("Outer.Inner", ALL),
    ("Outer.Inner.Deep", ALL), ("[add, Point, Outer]", ALL), ("collections.OrderedDict", ALL),
    ("Point(1, 2)", ALL), ("[Point(0, 0), Point(1, 1)]", ALL), ("point_with_dict()", ALL),
    ("Empty()", ALL), ("object()", ALL), ("Slotted(1, 2)", ALL), ("SlottedState(5)", ALL),
    ("WithState()", ALL), ("Reduced()", ALL), ("ReducedState(4)", ALL), ("BY_NAME", ALL),
    ("Pair(3, 4)", ALL), ("tagged()", ALL), ("registry()", ALL), ("Bag({1, 2})", ALL),
    ("Text('abc')", ALL), ("Count(7)", ALL),
    ("ValueError('bad', 1)", ALL), ("KeyError('k')", ALL), ("OSError('no such', 'file')", ALL),
    ("failure()", ALL), ("StopIteration()", ALL),
    ("range(5)", ALL), ("range(1, 10, 2)", ALL), ("slice(1, 5)", ALL),
    ("slice(None, None, -1)", ALL), ("collections.deque([1, 2])", ALL),
    ("collections.deque([1], 3)", ALL),
    ("Point(1, 2).norm", ALL), ("[3].append", ALL),
    ("lambda: 0", ALL), ("(i for i in ())", ALL), ("pickle", ALL),
    ("b'q' * 70000", (4,)), ("'w' * 70000", (4,)), ("strings()", (4,)),
]


def record(exe):
    script = PRELUDE + '''
import sys
for line in sys.stdin:
    expr, proto = line.rstrip('\\n').split('\\t')
    proto = int(proto)
    try:
        data = pickle.dumps(eval(expr), proto)
    except Exception as e:
        print('!\t%s: %s' % (type(e).__name__, str(e).replace('\\n', ' ')))
        continue
    again = pickle.dumps(pickle.loads(data), proto)
    print('%s\t%s' % ('=' if again == data else '~', data.hex()))
'''
    rows = [(expr, proto) for expr, protos in VALUES for proto in protos]
    stdin = ''.join('%s\t%d\n' % row for row in rows)
    proc = subprocess.run([exe, '-c', script], input=stdin.encode(), stdout=subprocess.PIPE,
                          check=True)
    results = proc.stdout.decode().splitlines()
    assert len(results) == len(rows), (len(results), len(rows))
    lines = []
    for (expr, proto), result in zip(rows, results):
        # Addresses in messages differ from run to run.
        if result.startswith('!'):
            result = re.sub(r'0x[0-9a-fA-F]+', '0x...', result)
        lines.append('%s\t%d\t%s\n' % (expr, proto, result))
    return ''.join(lines)


def main():
    args = recording.arguments(__doc__)
    exe = recording.find_python(PROG, "3.7", "PYTHON37")
    directory = os.path.join(recording.ROOT, "tests", "pickle_table")
    os.makedirs(directory, exist_ok=True)
    outputs = {"prelude.mpy": PRELUDE, "cpython37.tsv": record(exe)}
    changed = []
    for name, text in outputs.items():
        path = os.path.join(directory, name)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            changed.append(name)
            if not args.check:
                with open(path, "w") as f:
                    f.write(text)
    print("%s: %s" % (PROG, ", ".join(changed) + (" would change" if args.check else
                                                   " written") if changed else "up to date"))
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
