"""unittest.case: TestCase (a test method run between setUp and tearDown, its
assertions, subTest, cleanups), FunctionTestCase, SkipTest and the skip decorators.
Failure messages follow CPython 3.7's ('1 != 2', '[] is not true'); the long
difference explanations CPython adds for sequences and strings are left out."""

import sys


class SkipTest(Exception):
    """Raised in a test (or by skipTest) to skip it."""


def _id(obj):
    return obj


def skip(reason):
    """Unconditionally skips the decorated test or class."""
    def decorator(test_item):
        if not isinstance(test_item, type):
            def skip_wrapper(*args, **kwargs):
                raise SkipTest(reason)
            skip_wrapper.__name__ = getattr(test_item, '__name__', 'skip_wrapper')
            test_item = skip_wrapper
        test_item.__unittest_skip__ = True
        test_item.__unittest_skip_why__ = reason
        return test_item
    return decorator


def skipIf(condition, reason):
    if condition:
        return skip(reason)
    return _id


def skipUnless(condition, reason):
    if not condition:
        return skip(reason)
    return _id


def expectedFailure(test_item):
    test_item.__unittest_expecting_failure__ = True
    return test_item


def safe_repr(obj, short=False):
    try:
        result = repr(obj)
    except Exception:
        result = object.__repr__(obj)
    if not short or len(result) < 80:
        return result
    return result[:80] + ' [truncated]...'


class _AssertBaseContext:
    """What assertRaises and assertWarns share: the expectation, and the call form
    (`assertRaises(exc, f, *args)` runs f(*args) inside the context)."""

    def __init__(self, expected, test_case, expected_regex=None, msg=None):
        self.expected = expected
        self.test_case = test_case
        self.expected_regex = expected_regex
        self.msg = msg
        # The callable of the call form, named in its failure.
        self.obj_name = None

    def handle(self, args, kwargs):
        """The context itself (the with form), or None after running the call."""
        if not args:
            return self
        callable_obj, args = args[0], args[1:]
        self.obj_name = getattr(callable_obj, '__name__', str(callable_obj))
        with self:
            callable_obj(*args, **kwargs)


class _AssertRaisesContext(_AssertBaseContext):
    exception = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, tb):
        try:
            name = self.expected.__name__
        except AttributeError:
            name = str(self.expected)
        if exc_type is None:
            by = ' by {}'.format(self.obj_name) if self.obj_name else ''
            self.test_case.fail(self.test_case._formatMessage(
                self.msg, '{} not raised{}'.format(name, by)))
        if not issubclass(exc_type, self.expected):
            return False
        self.exception = exc_value
        if self.expected_regex is not None:
            import re
            pattern = self.expected_regex
            if isinstance(pattern, str):
                pattern = re.compile(pattern)
            if not pattern.search(str(exc_value)):
                self.test_case.fail(self.test_case._formatMessage(
                    self.msg, '"{}" does not match "{}"'.format(pattern.pattern,
                                                               str(exc_value))))
        return True


class _AssertWarnsContext(_AssertBaseContext):
    warning = None

    def __enter__(self):
        import warnings
        self._catcher = warnings.catch_warnings(record=True)
        self.warnings = self._catcher.__enter__()
        warnings.simplefilter('always')
        return self

    def __exit__(self, exc_type, exc_value, tb):
        self._catcher.__exit__(exc_type, exc_value, tb)
        if exc_type is not None:
            return False
        for w in self.warnings:
            if isinstance(w.message, self.expected):
                if self.expected_regex is not None:
                    import re
                    if not re.search(self.expected_regex, str(w.message)):
                        continue
                self.warning = w.message
                self.filename = w.filename
                self.lineno = w.lineno
                return True
        name = getattr(self.expected, '__name__', str(self.expected))
        by = ' by {}'.format(self.obj_name) if self.obj_name else ''
        self.test_case.fail(self.test_case._formatMessage(
            self.msg, '{} not triggered{}'.format(name, by)))


class _SubTest:
    def __init__(self, test_case, message, params):
        self.test_case = test_case
        self._message = message
        self.params = params

    def id(self):
        return self.test_case.id()

    def shortDescription(self):
        return self.test_case.shortDescription()

    def __str__(self):
        parts = []
        if self._message is not None:
            parts.append('[{}]'.format(self._message))
        if self.params:
            parts.append('({})'.format(', '.join(
                '{}={!r}'.format(k, v) for k, v in sorted(self.params.items()))))
        return '{} {}'.format(self.test_case, ' '.join(parts) or '(<subtest>)')


class _SubTestContext:
    def __init__(self, test_case, msg, params):
        self.test_case = test_case
        self.sub = _SubTest(test_case, msg, params)

    def __enter__(self):
        return None

    def __exit__(self, exc_type, exc_value, tb):
        if exc_type is None:
            return False
        result = self.test_case._result
        if result is None or issubclass(exc_type, KeyboardInterrupt):
            return False
        if issubclass(exc_type, SkipTest):
            result.addSkip(self.sub, str(exc_value))
        else:
            result.addSubTest(self.test_case, self.sub, (exc_type, exc_value, tb))
            self.test_case._sub_failed = True
        return True


class TestCase:
    """A group of test methods (named test*), each run on a fresh instance between
    setUp and tearDown."""

    failureException = AssertionError
    longMessage = True
    maxDiff = 80 * 8

    def __init__(self, methodName='runTest'):
        self._testMethodName = methodName
        self._cleanups = []
        self._result = None
        self._sub_failed = False
        if methodName != 'runTest' and not hasattr(self, methodName):
            raise ValueError("no such test method in %s: %s" % (self.__class__, methodName))

    def setUp(self):
        pass

    def tearDown(self):
        pass

    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def addCleanup(self, function, *args, **kwargs):
        self._cleanups.append((function, args, kwargs))

    def doCleanups(self):
        while self._cleanups:
            function, args, kwargs = self._cleanups.pop()
            function(*args, **kwargs)

    def countTestCases(self):
        return 1

    def id(self):
        return '%s.%s' % (_qualified(self.__class__), self._testMethodName)

    def shortDescription(self):
        doc = getattr(self, self._testMethodName).__doc__
        return doc.strip().split('\n')[0].strip() if doc else None

    def __str__(self):
        return '%s (%s)' % (self._testMethodName, _qualified(self.__class__))

    def __repr__(self):
        return '<%s testMethod=%s>' % (_qualified(self.__class__), self._testMethodName)

    def __eq__(self, other):
        if type(self) is not type(other):
            return NotImplemented
        return self._testMethodName == other._testMethodName

    def __hash__(self):
        return hash((type(self), self._testMethodName))

    def subTest(self, msg=None, **params):
        return _SubTestContext(self, msg, params)

    def skipTest(self, reason):
        raise SkipTest(reason)

    def run(self, result=None):
        if result is None:
            result = TestResult()
        self._result = result
        self._sub_failed = False
        result.startTest(self)
        method = getattr(self, self._testMethodName)
        try:
            if (getattr(self.__class__, '__unittest_skip__', False) or
                    getattr(method, '__unittest_skip__', False)):
                why = (getattr(self.__class__, '__unittest_skip_why__', '') or
                       getattr(method, '__unittest_skip_why__', ''))
                result.addSkip(self, why)
                return result
            expecting_failure = getattr(method, '__unittest_expecting_failure__', False)
            if not self._call(result, self.setUp, expecting_failure):
                self._cleanup(result)
                return result
            passed = self._call(result, method, expecting_failure)
            torn_down = self._call(result, self.tearDown, expecting_failure)
            passed = self._cleanup(result) and passed and torn_down
            if passed and not self._sub_failed:
                if expecting_failure:
                    result.addUnexpectedSuccess(self)
                else:
                    result.addSuccess(self)
            return result
        finally:
            result.stopTest(self)
            self._result = None

    def _call(self, result, function, expecting_failure):
        try:
            function()
            return True
        except KeyboardInterrupt:
            raise
        except SkipTest as e:
            result.addSkip(self, str(e))
        except self.failureException:
            if expecting_failure:
                result.addExpectedFailure(self, sys.exc_info())
            else:
                result.addFailure(self, sys.exc_info())
        except BaseException:
            if expecting_failure:
                result.addExpectedFailure(self, sys.exc_info())
            else:
                result.addError(self, sys.exc_info())
        return False

    def _cleanup(self, result):
        ok = True
        while self._cleanups:
            function, args, kwargs = self._cleanups.pop()
            try:
                function(*args, **kwargs)
            except BaseException:
                ok = False
                result.addError(self, sys.exc_info())
        return ok

    def __call__(self, *args, **kwargs):
        return self.run(*args, **kwargs)

    def debug(self):
        self.setUp()
        getattr(self, self._testMethodName)()
        self.tearDown()
        self.doCleanups()

    # ------------------------------------------------------------ assertions

    def _formatMessage(self, msg, standardMsg):
        if not self.longMessage:
            return msg or standardMsg
        if msg is None:
            return standardMsg
        return '%s : %s' % (standardMsg, msg)

    def fail(self, msg=None):
        raise self.failureException(msg)

    def assertTrue(self, expr, msg=None):
        if not expr:
            self.fail(self._formatMessage(msg, '%s is not true' % safe_repr(expr)))

    def assertFalse(self, expr, msg=None):
        if expr:
            self.fail(self._formatMessage(msg, '%s is not false' % safe_repr(expr)))

    def assertEqual(self, first, second, msg=None):
        if not first == second:
            standard = '%s != %s' % (safe_repr(first, True), safe_repr(second, True))
            self.fail(self._formatMessage(msg, standard))

    def assertNotEqual(self, first, second, msg=None):
        if not first != second:
            standard = '%s == %s' % (safe_repr(first), safe_repr(second))
            self.fail(self._formatMessage(msg, standard))

    assertEquals = failUnlessEqual = assertEqual
    assertNotEquals = failIfEqual = assertNotEqual
    assert_ = failUnless = assertTrue
    failIf = assertFalse

    def assertListEqual(self, first, second, msg=None):
        self.assertSequenceEqual(first, second, msg, list)

    def assertTupleEqual(self, first, second, msg=None):
        self.assertSequenceEqual(first, second, msg, tuple)

    def assertSequenceEqual(self, seq1, seq2, msg=None, seq_type=None):
        if seq_type is not None:
            name = seq_type.__name__
            if not isinstance(seq1, seq_type):
                self.fail(self._formatMessage(
                    msg, 'First sequence is not a %s: %s' % (name, safe_repr(seq1))))
            if not isinstance(seq2, seq_type):
                self.fail(self._formatMessage(
                    msg, 'Second sequence is not a %s: %s' % (name, safe_repr(seq2))))
        else:
            name = 'sequence'
        if seq1 == seq2:
            return
        name = name.capitalize() if seq_type is not None else 'Sequences'
        standard = '%ss differ: %s != %s' % (
            name if seq_type is not None else 'Sequence',
            safe_repr(seq1, True), safe_repr(seq2, True))
        self.fail(self._formatMessage(msg, standard))

    def assertDictEqual(self, d1, d2, msg=None):
        self.assertIsInstance(d1, dict, 'First argument is not a dictionary')
        self.assertIsInstance(d2, dict, 'Second argument is not a dictionary')
        if d1 != d2:
            standard = '%s != %s' % (safe_repr(d1, True), safe_repr(d2, True))
            self.fail(self._formatMessage(msg, standard))

    def assertSetEqual(self, set1, set2, msg=None):
        if set1 != set2:
            standard = '%s != %s' % (safe_repr(set1, True), safe_repr(set2, True))
            self.fail(self._formatMessage(msg, standard))

    def assertMultiLineEqual(self, first, second, msg=None):
        self.assertIsInstance(first, str, 'First argument is not a string')
        self.assertIsInstance(second, str, 'Second argument is not a string')
        self.assertEqual(first, second, msg)

    def assertCountEqual(self, first, second, msg=None):
        first, second = list(first), list(second)
        missing = list(second)
        unexpected = []
        for item in first:
            if item in missing:
                missing.remove(item)
            else:
                unexpected.append(item)
        if missing or unexpected:
            self.fail(self._formatMessage(msg, 'Element counts were not equal'))

    def assertIs(self, expr1, expr2, msg=None):
        if expr1 is not expr2:
            standard = '%s is not %s' % (safe_repr(expr1), safe_repr(expr2))
            self.fail(self._formatMessage(msg, standard))

    def assertIsNot(self, expr1, expr2, msg=None):
        if expr1 is expr2:
            self.fail(self._formatMessage(msg, 'unexpectedly identical: %s' % safe_repr(expr1)))

    def assertIsNone(self, obj, msg=None):
        if obj is not None:
            self.fail(self._formatMessage(msg, '%s is not None' % safe_repr(obj)))

    def assertIsNotNone(self, obj, msg=None):
        if obj is None:
            self.fail(self._formatMessage(msg, 'unexpectedly None'))

    def assertIn(self, member, container, msg=None):
        if member not in container:
            standard = '%s not found in %s' % (safe_repr(member), safe_repr(container))
            self.fail(self._formatMessage(msg, standard))

    def assertNotIn(self, member, container, msg=None):
        if member in container:
            standard = '%s unexpectedly found in %s' % (safe_repr(member),
                                                       safe_repr(container))
            self.fail(self._formatMessage(msg, standard))

    def assertIsInstance(self, obj, cls, msg=None):
        if not isinstance(obj, cls):
            standard = '%s is not an instance of %r' % (safe_repr(obj), cls)
            self.fail(self._formatMessage(msg, standard))

    def assertNotIsInstance(self, obj, cls, msg=None):
        if isinstance(obj, cls):
            standard = '%s is an instance of %r' % (safe_repr(obj), cls)
            self.fail(self._formatMessage(msg, standard))

    def _compare(self, ok, first, second, words, msg):
        if not ok:
            standard = '%s %s %s' % (safe_repr(first), words, safe_repr(second))
            self.fail(self._formatMessage(msg, standard))

    def assertLess(self, a, b, msg=None):
        self._compare(a < b, a, b, 'not less than', msg)

    def assertLessEqual(self, a, b, msg=None):
        self._compare(a <= b, a, b, 'not less than or equal to', msg)

    def assertGreater(self, a, b, msg=None):
        self._compare(a > b, a, b, 'not greater than', msg)

    def assertGreaterEqual(self, a, b, msg=None):
        self._compare(a >= b, a, b, 'not greater than or equal to', msg)

    def assertAlmostEqual(self, first, second, places=None, msg=None, delta=None):
        if first == second:
            return
        if delta is not None and places is not None:
            raise TypeError("specify delta or places not both")
        diff = abs(first - second)
        if delta is not None:
            if diff <= delta:
                return
            standard = '%s != %s within %s delta (%s difference)' % (
                safe_repr(first), safe_repr(second), safe_repr(delta), safe_repr(diff))
        else:
            if places is None:
                places = 7
            if round(diff, places) == 0:
                return
            standard = '%s != %s within %r places (%s difference)' % (
                safe_repr(first), safe_repr(second), places, safe_repr(diff))
        self.fail(self._formatMessage(msg, standard))

    def assertNotAlmostEqual(self, first, second, places=None, msg=None, delta=None):
        if delta is not None and places is not None:
            raise TypeError("specify delta or places not both")
        diff = abs(first - second)
        if delta is not None:
            if not (first == second) and diff > delta:
                return
            standard = '%s == %s within %s delta (%s difference)' % (
                safe_repr(first), safe_repr(second), safe_repr(delta), safe_repr(diff))
        else:
            if places is None:
                places = 7
            if not (first == second) and round(diff, places) != 0:
                return
            standard = '%s == %s within %r places' % (safe_repr(first), safe_repr(second),
                                                       places)
        self.fail(self._formatMessage(msg, standard))

    assertAlmostEquals = failUnlessAlmostEqual = assertAlmostEqual
    assertNotAlmostEquals = failIfAlmostEqual = assertNotAlmostEqual

    def assertRegex(self, text, expected_regex, msg=None):
        import re
        if isinstance(expected_regex, str):
            expected_regex = re.compile(expected_regex)
        if not expected_regex.search(text):
            standard = "Regex didn't match: %r not found in %r" % (expected_regex.pattern, text)
            self.fail(self._formatMessage(msg, standard))

    def assertNotRegex(self, text, unexpected_regex, msg=None):
        import re
        if isinstance(unexpected_regex, str):
            unexpected_regex = re.compile(unexpected_regex)
        match = unexpected_regex.search(text)
        if match:
            standard = 'Regex matched: %r matches %r in %r' % (
                text[match.start():match.end()], unexpected_regex.pattern, text)
            self.fail(self._formatMessage(msg, standard))

    assertRegexpMatches = assertRegex

    def assertRaises(self, expected_exception, *args, **kwargs):
        context = _AssertRaisesContext(expected_exception, self, msg=kwargs.pop('msg', None))
        return context.handle(args, kwargs)

    def assertRaisesRegex(self, expected_exception, expected_regex, *args, **kwargs):
        context = _AssertRaisesContext(expected_exception, self, expected_regex,
                                       msg=kwargs.pop('msg', None))
        return context.handle(args, kwargs)

    assertRaisesRegexp = assertRaisesRegex
    failUnlessRaises = assertRaises

    def assertWarns(self, expected_warning, *args, **kwargs):
        context = _AssertWarnsContext(expected_warning, self, msg=kwargs.pop('msg', None))
        return context.handle(args, kwargs)

    def assertWarnsRegex(self, expected_warning, expected_regex, *args, **kwargs):
        context = _AssertWarnsContext(expected_warning, self, expected_regex,
                                      msg=kwargs.pop('msg', None))
        return context.handle(args, kwargs)


class FunctionTestCase(TestCase):
    """A test case around a plain function."""

    def __init__(self, testFunc, setUp=None, tearDown=None, description=None):
        super().__init__()
        self._setUpFunc = setUp
        self._tearDownFunc = tearDown
        self._testFunc = testFunc
        self._description = description

    def setUp(self):
        if self._setUpFunc is not None:
            self._setUpFunc()

    def tearDown(self):
        if self._tearDownFunc is not None:
            self._tearDownFunc()

    def runTest(self):
        self._testFunc()

    def id(self):
        return self._testFunc.__name__

    def __str__(self):
        return '%s (%s)' % (_qualified(self.__class__), self._testFunc.__name__)


def _qualified(cls):
    return '%s.%s' % (cls.__module__, cls.__qualname__)
