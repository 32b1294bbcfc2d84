"""unittest.result, unittest.runner and unittest.main: what a run found, the text
runner (to stderr: '..F', the failures with their tracebacks, 'Ran N tests in T', 'OK'
or 'FAILED (failures=1)'), and main(), which exits with status 1 unless every test
passed."""

import sys
import time
import traceback
from unittest.case import _qualified
from unittest.suite import defaultTestLoader


class TestResult:
    """What happened: lists of (test, traceback text) for failures and errors, skips."""

    def __init__(self, stream=None, descriptions=None, verbosity=None):
        self.failures = []
        self.errors = []
        self.testsRun = 0
        self.skipped = []
        self.expectedFailures = []
        self.unexpectedSuccesses = []
        self.shouldStop = False
        self.failfast = False

    def startTest(self, test):
        self.testsRun += 1

    def stopTest(self, test):
        pass

    def startTestRun(self):
        pass

    def stopTestRun(self):
        pass

    def _exc_text(self, err):
        exc_type, value, tb = err
        lines = ''.join(traceback.format_exception(exc_type, value, tb)).split('\n')
        # The frames of this package are the runner's and the assertions', not the
        # test's: CPython leaves them out, with the source line each shows.
        kept = []
        skipping = False
        for line in lines:
            if line.startswith('  File '):
                skipping = '<minipy unittest.' in line
            elif not line.startswith('    '):
                skipping = False
            if not skipping:
                kept.append(line)
        return '\n'.join(kept)

    def addError(self, test, err):
        self.errors.append((test, self._exc_text(err)))
        if self.failfast:
            self.shouldStop = True

    def addFailure(self, test, err):
        self.failures.append((test, self._exc_text(err)))
        if self.failfast:
            self.shouldStop = True

    def addSuccess(self, test):
        pass

    def addSkip(self, test, reason):
        self.skipped.append((test, reason))

    def addExpectedFailure(self, test, err):
        self.expectedFailures.append((test, self._exc_text(err)))

    def addUnexpectedSuccess(self, test):
        self.unexpectedSuccesses.append(test)

    def addSubTest(self, test, subtest, err):
        """A subtest failed (err is its exc_info) or passed (None); only failures count."""
        if err is not None:
            if issubclass(err[0], test.failureException):
                self.failures.append((subtest, self._exc_text(err)))
            else:
                self.errors.append((subtest, self._exc_text(err)))
            if self.failfast:
                self.shouldStop = True

    def wasSuccessful(self):
        return (len(self.failures) == len(self.errors) == 0 and
                not self.unexpectedSuccesses)

    def stop(self):
        self.shouldStop = True

    def __repr__(self):
        return '<%s run=%i errors=%i failures=%i>' % (
            _qualified(self.__class__), self.testsRun, len(self.errors), len(self.failures))


class TextTestResult(TestResult):
    separator1 = '=' * 70
    separator2 = '-' * 70

    def __init__(self, stream, descriptions, verbosity):
        super().__init__(stream, descriptions, verbosity)
        self.stream = stream
        self.showAll = verbosity > 1
        self.dots = verbosity == 1
        self.descriptions = descriptions

    def getDescription(self, test):
        doc = test.shortDescription() if self.descriptions else None
        if doc:
            return '\n'.join((str(test), doc))
        return str(test)

    def startTest(self, test):
        super().startTest(test)
        if self.showAll:
            self.stream.write(self.getDescription(test))
            self.stream.write(' ... ')
            self.stream.flush()

    def _report(self, long, short):
        if self.showAll:
            self.stream.write(long + '\n')
        elif self.dots:
            self.stream.write(short)
        self.stream.flush()

    def addSuccess(self, test):
        super().addSuccess(test)
        self._report('ok', '.')

    def addError(self, test, err):
        super().addError(test, err)
        self._report('ERROR', 'E')

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._report('FAIL', 'F')

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._report('skipped {0!r}'.format(reason), 's')

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._report('expected failure', 'x')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._report('unexpected success', 'u')

    def printErrors(self):
        if self.dots or self.showAll:
            self.stream.write('\n')
        self.printErrorList('ERROR', self.errors)
        self.printErrorList('FAIL', self.failures)

    def printErrorList(self, flavour, errors):
        for test, err in errors:
            self.stream.write(self.separator1 + '\n')
            self.stream.write('%s: %s\n' % (flavour, self.getDescription(test)))
            self.stream.write(self.separator2 + '\n')
            self.stream.write('%s\n' % err)


class TextTestRunner:
    resultclass = TextTestResult

    def __init__(self, stream=None, descriptions=True, verbosity=1, failfast=False,
                 buffer=False, resultclass=None, warnings=None, *, tb_locals=False):
        self.stream = stream if stream is not None else sys.stderr
        self.descriptions = descriptions
        self.verbosity = verbosity
        self.failfast = failfast
        if resultclass is not None:
            self.resultclass = resultclass

    def run(self, test):
        result = self.resultclass(self.stream, self.descriptions, self.verbosity)
        result.failfast = self.failfast
        start = time.perf_counter()
        result.startTestRun()
        try:
            test(result)
        finally:
            result.stopTestRun()
        taken = time.perf_counter() - start
        result.printErrors()
        self.stream.write(result.separator2 + '\n')
        run = result.testsRun
        self.stream.write('Ran %d test%s in %.3fs\n' % (run, run != 1 and 's' or '', taken))
        self.stream.write('\n')
        infos = []
        if not result.wasSuccessful():
            self.stream.write('FAILED')
            if result.failures:
                infos.append('failures=%d' % len(result.failures))
            if result.errors:
                infos.append('errors=%d' % len(result.errors))
        else:
            self.stream.write('OK')
        if result.skipped:
            infos.append('skipped=%d' % len(result.skipped))
        if result.expectedFailures:
            infos.append('expected failures=%d' % len(result.expectedFailures))
        if result.unexpectedSuccesses:
            infos.append('unexpected successes=%d' % len(result.unexpectedSuccesses))
        if infos:
            self.stream.write(' (%s)' % ', '.join(infos))
        self.stream.write('\n')
        self.stream.flush()
        return result


class TestProgram:
    """unittest.main(): loads the tests of a module (__main__ by default), runs them with
    the text runner, and exits with status 1 unless all passed (exit=False returns)."""

    def __init__(self, module='__main__', defaultTest=None, argv=None, testRunner=None,
                 testLoader=defaultTestLoader, exit=True, verbosity=1, failfast=None,
                 catchbreak=None, buffer=None, warnings=None, *, tb_locals=False):
        if isinstance(module, str):
            module = sys.modules[module]
        self.module = module
        if argv is None:
            argv = sys.argv
        self.verbosity = verbosity
        self.failfast = failfast
        names = []
        for arg in argv[1:]:
            if arg in ('-v', '--verbose'):
                self.verbosity = 2
            elif arg in ('-q', '--quiet'):
                self.verbosity = 0
            elif arg in ('-f', '--failfast'):
                self.failfast = True
            elif not arg.startswith('-'):
                names.append(arg)
        if defaultTest is not None and not names:
            names = [defaultTest] if isinstance(defaultTest, str) else list(defaultTest)
        if names:
            self.test = testLoader.loadTestsFromNames(names, module)
        else:
            self.test = testLoader.loadTestsFromModule(module)
        if testRunner is None:
            testRunner = TextTestRunner(verbosity=self.verbosity,
                                        failfast=bool(self.failfast))
        elif isinstance(testRunner, type):
            testRunner = testRunner(verbosity=self.verbosity)
        self.result = testRunner.run(self.test)
        if exit:
            sys.exit(not self.result.wasSuccessful())


main = TestProgram
