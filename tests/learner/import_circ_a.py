import import_circ_b
NAME = 'a'
def who(): return import_circ_b.NAME
