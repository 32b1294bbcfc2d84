A = 'a-value'
from . import b
def get(): return b.B
