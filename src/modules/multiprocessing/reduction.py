# multiprocessing.reduction: the pickler everything that crosses a process boundary goes
# through (protocol 3, CPython 3.7's default, so the bytes are CPython's).
import pickle

__all__ = ['ForkingPickler', 'dump', 'register']


class ForkingPickler(pickle.Pickler):
    _extra_reducers = {}

    @classmethod
    def register(cls, type, reduce):
        cls._extra_reducers[type] = reduce

    @classmethod
    def dumps(cls, obj, protocol=None):
        return pickle.dumps(obj, protocol)

    loads = staticmethod(pickle.loads)


register = ForkingPickler.register


def dump(obj, file, protocol=None):
    ForkingPickler(file, protocol).dump(obj)
