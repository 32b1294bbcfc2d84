print('pkg init', __name__, __package__)
from .a import A
VERSION = '1.0'
