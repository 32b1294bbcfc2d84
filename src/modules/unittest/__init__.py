"""unittest, as CPython 3.7's package: test cases and their assertions (case.py),
suites and the loader (suite.py), results, the text runner and main() (runner.py)."""

from unittest.case import (TestCase, FunctionTestCase, SkipTest, skip, skipIf, skipUnless,
                           expectedFailure)
from unittest.suite import (TestSuite, TestLoader, defaultTestLoader, getTestCaseNames,
                            makeSuite, findTestCases)
from unittest.runner import (TestResult, TextTestResult, TextTestRunner, TestProgram, main)

__all__ = ['TestResult', 'TestCase', 'TestSuite', 'TextTestRunner', 'TestLoader',
           'FunctionTestCase', 'main', 'defaultTestLoader', 'SkipTest', 'skip', 'skipIf',
           'skipUnless', 'expectedFailure', 'TextTestResult', 'getTestCaseNames',
           'makeSuite', 'findTestCases']
