import import_circ_a
NAME = 'b'
