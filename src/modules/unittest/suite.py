"""unittest.suite and unittest.loader: TestSuite (tests run in order, each class's
setUpClass and tearDownClass around its tests) and TestLoader (test* methods in name
order, the TestCase classes of a module)."""

import sys
from unittest.case import TestCase, _qualified


class TestSuite:
    """Tests (cases or suites) run in order; setUpClass/tearDownClass around each class."""

    def __init__(self, tests=()):
        self._tests = []
        self.addTests(tests)

    def __iter__(self):
        return iter(self._tests)

    def __repr__(self):
        return '<%s tests=%s>' % (_qualified(self.__class__), list(self))

    def __eq__(self, other):
        if not isinstance(other, self.__class__):
            return NotImplemented
        return list(self) == list(other)

    def countTestCases(self):
        return sum(test.countTestCases() for test in self)

    def addTest(self, test):
        if not callable(test):
            raise TypeError("{} is not callable".format(repr(test)))
        if isinstance(test, type) and issubclass(test, (TestCase, TestSuite)):
            raise TypeError("TestCases and TestSuites must be instantiated "
                            "before passing them to addTest()")
        self._tests.append(test)

    def addTests(self, tests):
        if isinstance(tests, str):
            raise TypeError("tests must be an iterable of tests, not a string")
        for test in tests:
            self.addTest(test)

    def run(self, result):
        classes_set_up = []
        for test in self._flat():
            if result.shouldStop:
                break
            cls = test.__class__
            if cls not in classes_set_up and isinstance(test, TestCase):
                classes_set_up.append(cls)
                if getattr(cls, '__unittest_skip__', False):
                    cls._class_ok = True
                else:
                    try:
                        cls.setUpClass()
                        cls._class_ok = True
                    except BaseException:
                        cls._class_ok = False
                        result.addError(_ErrorHolder('setUpClass (%s)' % _qualified(cls)),
                                        sys.exc_info())
            if isinstance(test, TestCase) and not getattr(cls, '_class_ok', True):
                continue
            test(result)
        for cls in classes_set_up:
            if getattr(cls, '_class_ok', False) and not getattr(cls, '__unittest_skip__',
                                                                False):
                try:
                    cls.tearDownClass()
                except BaseException:
                    result.addError(_ErrorHolder('tearDownClass (%s)' % _qualified(cls)),
                                    sys.exc_info())
        return result

    def _flat(self):
        for test in self._tests:
            if isinstance(test, TestSuite):
                for inner in test._flat():
                    yield inner
            else:
                yield test

    def __call__(self, *args, **kwargs):
        return self.run(*args, **kwargs)


class _ErrorHolder:
    """Stands for a class whose setUpClass or tearDownClass failed, in the report."""

    def __init__(self, description):
        self.description = description

    def id(self):
        return self.description

    def __str__(self):
        return self.description

    def shortDescription(self):
        return None


class TestLoader:
    testMethodPrefix = 'test'
    suiteClass = TestSuite

    def getTestCaseNames(self, testCaseClass):
        names = [name for name in dir(testCaseClass)
                 if name.startswith(self.testMethodPrefix)
                 and callable(getattr(testCaseClass, name))]
        return sorted(names)

    def loadTestsFromTestCase(self, testCaseClass):
        if issubclass(testCaseClass, TestSuite):
            raise TypeError("Test cases should not be derived from TestSuite.")
        names = self.getTestCaseNames(testCaseClass)
        if not names and hasattr(testCaseClass, 'runTest'):
            names = ['runTest']
        return self.suiteClass([testCaseClass(name) for name in names])

    def loadTestsFromModule(self, module, pattern=None):
        tests = []
        for name in dir(module):
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, TestCase):
                tests.append(self.loadTestsFromTestCase(obj))
        load_tests = getattr(module, 'load_tests', None)
        suite = self.suiteClass(tests)
        if load_tests is not None:
            return load_tests(self, suite, pattern)
        return suite

    def loadTestsFromName(self, name, module=None):
        parts = name.split('.')
        obj = module
        if obj is None:
            obj = __import__(parts[0])
            parts = parts[1:]
        parent = None
        for part in parts:
            parent, obj = obj, getattr(obj, part)
        if isinstance(obj, type) and issubclass(obj, TestCase):
            return self.loadTestsFromTestCase(obj)
        if isinstance(parent, type) and issubclass(parent, TestCase):
            return self.suiteClass([parent(parts[-1])])
        if isinstance(obj, TestSuite):
            return obj
        if hasattr(obj, '__dict__') and not callable(obj):
            return self.loadTestsFromModule(obj)
        raise TypeError("don't know how to make test from: %s" % obj)

    def loadTestsFromNames(self, names, module=None):
        return self.suiteClass([self.loadTestsFromName(name, module) for name in names])


defaultTestLoader = TestLoader()


def getTestCaseNames(testCaseClass, prefix):
    loader = TestLoader()
    loader.testMethodPrefix = prefix
    return loader.getTestCaseNames(testCaseClass)


def makeSuite(testCaseClass, prefix='test'):
    loader = TestLoader()
    loader.testMethodPrefix = prefix
    return loader.loadTestsFromTestCase(testCaseClass)


def findTestCases(module):
    return defaultTestLoader.loadTestsFromModule(module)
