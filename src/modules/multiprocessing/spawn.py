# multiprocessing.spawn: what a child started by spawn (or forkserver) needs. The parent
# pickles the process object with what the child must know first; the child runs the
# main module as __mp_main__ (so an unguarded start() there is the bootstrapping error),
# then unpickles the process object and runs it.
import sys
import _multiprocessing as _mp
from multiprocessing import context
from multiprocessing import process
from multiprocessing.reduction import ForkingPickler

__all__ = ['get_preparation_data', 'freeze_support']


def freeze_support():
    pass


def _check_not_importing_main():
    if _mp.bootstrapping():
        raise RuntimeError('''
        An attempt has been made to start a new process before the
        current process has finished its bootstrapping phase.

        This probably means that you are not using fork to start your
        child processes and you have forgotten to use the proper idiom
        in the main module:

            if __name__ == '__main__':
                freeze_support()
                ...

        The "freeze_support()" line can be omitted if the program
        is not going to be frozen to produce an executable.''')


def get_preparation_data(name):
    _check_not_importing_main()
    main = sys.modules.get('__main__')
    return dict(
        name=name,
        sys_argv=sys.argv,
        start_method=context._default_context.get_start_method(),
        main_path=getattr(main, '__file__', None),
    )


def _preparation_data(process_obj):
    prep = get_preparation_data(process_obj._name)
    was = context._spawning
    context._spawning = True
    try:
        obj = ForkingPickler.dumps(process_obj)
    finally:
        context._spawning = was
    return ForkingPickler.dumps((prep, obj))


def _spawn_main(data):
    prep, obj = ForkingPickler.loads(data)
    process.current_process().name = prep['name']
    if 'sys_argv' in prep:
        sys.argv = prep['sys_argv']
    if prep['start_method'] is not None:
        context._default_context.set_start_method(prep['start_method'], force=True)
    if prep['main_path'] is not None:
        _mp.run_main(prep['main_path'])
    self = ForkingPickler.loads(obj)
    return self._bootstrap()
