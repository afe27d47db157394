#!/usr/bin/python3
"""Tests of scripts/check_test_results.py against hand-made ctest/gtest result files
(CTest: check_test_results_test, label unit)."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_test_results.py")

JUNIT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="x" tests="3">
  <testcase name="unit_a" classname="unit_a" status="run"><system-out>ok</system-out></testcase>
  {extra}
</testsuite>
"""
GTEST = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="2" name="AllTests">
  <testsuite name="FileTest" tests="2">
    <testcase name="Read" status="run" result="completed" classname="FileTest"/>
    {extra}
  </testsuite>
</testsuites>
"""


class CheckTestResultsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="check-test-results-")
        self.results = os.path.join(self.dir, "test-results")
        os.makedirs(os.path.join(self.results, "gtest"))
        self.skip_file = os.path.join(self.dir, "skipped.txt")
        self.write_skips("")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, path, text):
        path = os.path.join(self.results, path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def write_skips(self, text):
        with open(self.skip_file, "w") as f:
            f.write(text)

    def run_check(self):
        env = dict(os.environ, STRATA_SKIP_FILE=self.skip_file)
        return subprocess.run([sys.executable, SCRIPT, self.dir], capture_output=True, text=True, env=env)

    def test_clean_run_passes(self):
        self.write("junit.xml", JUNIT.format(extra=""))
        self.write("gtest/io_test.xml", GTEST.format(extra=""))
        r = self.run_check()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_no_junit_or_no_tests_fails(self):
        self.assertNotEqual(self.run_check().returncode, 0)
        self.write("junit.xml", '<testsuite name="x" tests="0"></testsuite>')
        r = self.run_check()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ran no tests", r.stdout)

    def test_unlisted_ctest_skip_fails_and_listed_passes(self):
        skipped = ('<testcase name="process_x" classname="process_x" status="notrun">'
                   '<skipped message="SKIP_RETURN_CODE=77"/></testcase>'
                   '<testcase name="off" classname="off" status="disabled"/>')
        self.write("junit.xml", JUNIT.format(extra=skipped))
        r = self.run_check()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("process_x", r.stdout)
        self.assertIn("off", r.stdout)
        self.write_skips("# why\nprocess_x: needs a tmpfs\noff: replaced by process_y\n")
        r = self.run_check()
        self.assertEqual(r.returncode, 0, r.stdout)

    def test_gtest_case_skip_needs_its_own_entry(self):
        self.write("junit.xml", JUNIT.format(extra=""))
        self.write("gtest/io_test.xml", GTEST.format(
            extra='<testcase name="Tmpfs" status="run" result="skipped" classname="FileTest">'
                  '<skipped message="cannot mount"/></testcase>'))
        self.assertNotEqual(self.run_check().returncode, 0)
        self.write_skips("io_test/FileTest.Other: another case\n")
        self.assertNotEqual(self.run_check().returncode, 0)
        self.write_skips("io_test/FileTest.Tmpfs: CI containers cannot mount\n")
        self.assertEqual(self.run_check().returncode, 0)

    def test_entry_without_reason_fails(self):
        self.write("junit.xml", JUNIT.format(extra=""))
        self.write_skips("process_x:\n")
        r = self.run_check()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("name: reason", r.stdout)

    def test_sanitizer_report_fails_and_is_printed(self):
        self.write("junit.xml", JUNIT.format(extra=""))
        self.write("sanitizer/process_cli/tsan.4242", "WARNING: ThreadSanitizer: data race (pid=4242)\n")
        r = self.run_check()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("data race", r.stdout)


if __name__ == "__main__":
    unittest.main()
