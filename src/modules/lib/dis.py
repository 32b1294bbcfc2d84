# The dis module: CPython 3.7's listing (dis, natively in _dis, from the one opcode table),
# get_instructions, Bytecode and the opcode tables of 3.7's dis and opcode modules.
from _dis import dis, _listing, _instructions, _opcodes
from collections import namedtuple

Instruction = namedtuple(
    'Instruction',
    'opname opcode arg argval argrepr offset starts_line is_jump_target')

cmp_op = ('<', '<=', '==', '!=', '>', '>=', 'in', 'not in', 'is', 'is not',
          'exception match', 'BAD')
HAVE_ARGUMENT = 90
EXTENDED_ARG = 144
opname = ['<%r>' % (op,) for op in range(256)]
opmap = {}
hasconst = []
hasname = []
hasjrel = []
hasjabs = []
haslocal = []
hascompare = []
hasfree = []
_kinds = {'const': hasconst, 'name': hasname, 'jrel': hasjrel, 'jabs': hasjabs,
          'local': haslocal, 'compare': hascompare, 'free': hasfree}
for _op, _name, _kind in _opcodes():
    opname[_op] = _name
    opmap[_name] = _op
    if _kind:
        _kinds[_kind].append(_op)


def get_instructions(x):
    """An iterator over the instructions of x's code, as dis.Instruction tuples."""
    return iter([Instruction(*fields) for fields in _instructions(x)])


class Bytecode:
    """x's instructions: iterate over them, or .dis() for the listing as a str."""

    def __init__(self, x):
        self._x = x

    def __iter__(self):
        return get_instructions(self._x)

    def dis(self):
        return _listing(self._x)
