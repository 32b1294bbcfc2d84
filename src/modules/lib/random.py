# The random module: CPython's Mersenne Twister, natively in _random (random.seed(42) gives
# CPython's numbers; unseeded, the module's generator starts from --seed). Random instances
# each have a generator of their own, run by the same native functions.
from _random import seed, random, uniform, getrandbits, randrange, randint
from _random import choice, shuffle, sample, choices, gauss
from _random import _new_state, _call_with_state


class Random:
    """A generator with its own state: Random(42) gives what random.seed(42) gives."""

    def __init__(self, x=None):
        self._state = _new_state(x)

    def seed(self, a=None):
        _call_with_state(self._state, 'seed', a)

    def random(self):
        return _call_with_state(self._state, 'random')

    def uniform(self, a, b):
        return _call_with_state(self._state, 'uniform', a, b)

    def getrandbits(self, k):
        return _call_with_state(self._state, 'getrandbits', k)

    def randrange(self, *args):
        return _call_with_state(self._state, 'randrange', *args)

    def randint(self, a, b):
        return _call_with_state(self._state, 'randint', a, b)

    def choice(self, seq):
        return _call_with_state(self._state, 'choice', seq)

    def shuffle(self, x):
        return _call_with_state(self._state, 'shuffle', x)

    def sample(self, population, k):
        return _call_with_state(self._state, 'sample', population, k)

    def choices(self, population, weights=None, *, cum_weights=None, k=1):
        if cum_weights is None:
            return _call_with_state(self._state, 'choices', population, weights, k=k)
        return _call_with_state(self._state, 'choices', population, weights,
                                cum_weights=cum_weights, k=k)

    def gauss(self, mu, sigma):
        return _call_with_state(self._state, 'gauss', mu, sigma)
