raise ValueError('boom in module')
