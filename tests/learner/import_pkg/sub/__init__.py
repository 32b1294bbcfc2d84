from ..a import A as AA
from .. import VERSION
