#!/usr/bin/python3
"""Checks one ctest run beyond pass/fail (scripts/run_ctest.sh calls it after ctest).

    check_test_results.py BUILD_DIR

Fails (exit 1) when
  * the run recorded no test at all (BUILD_DIR/test-results/junit.xml);
  * a test was skipped, disabled or not run, or a gtest case was skipped (GTEST_SKIP), and
    tests/skipped.txt does not list it with a reason. A skipped test proves nothing, so a
    skip must be a decision someone wrote down, not something CI quietly gets used to;
  * a sanitizer wrote a report to BUILD_DIR/test-results/sanitizer/ (processes that tests
    start report there, see cmake/Sanitizers.cmake); the reports are printed.

tests/skipped.txt: one entry a line, `name: reason`, `#` starts a comment. `name` is a ctest
test name (e.g. `process_cli`) or, for one gtest case, `<test binary>/<Suite>.<Case>`
(e.g. `io_test/FileTest.EnospcOnTmpfs`). An entry with an empty reason is an error.
"""
import os
import sys
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP_FILE = os.environ.get("STRATA_SKIP_FILE", os.path.join(REPO, "tests", "skipped.txt"))
MAX_REPORT_BYTES = 20000  # per sanitizer report printed


def load_skip_list(path):
    allowed, errors = {}, []
    if not os.path.exists(path):
        return allowed, errors
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, sep, reason = line.partition(":")
            if not sep or not name.strip() or not reason.strip():
                errors.append(f"{path}:{number}: expected `name: reason`, got {line!r}")
                continue
            allowed[name.strip()] = reason.strip()
    return allowed, errors


def ctest_skips(junit_path):
    """(number of test cases, [(name, why)] for every test not run)."""
    root = ET.parse(junit_path).getroot()
    cases = root.iter("testcase")
    count, skipped = 0, []
    for case in cases:
        count += 1
        status = case.get("status", "run")
        if status in ("notrun", "disabled"):
            node = case.find("skipped")
            why = node.get("message", "") if node is not None else status
            skipped.append((case.get("name"), why or status))
    return count, skipped


def gtest_skips(xml_dir):
    """[(binary/Suite.Case, message)] for gtest cases that called GTEST_SKIP."""
    skipped = []
    if not os.path.isdir(xml_dir):
        return skipped
    for file in sorted(os.listdir(xml_dir)):
        if not file.endswith(".xml"):
            continue
        binary = file[:-len(".xml")]
        try:
            root = ET.parse(os.path.join(xml_dir, file)).getroot()
        except ET.ParseError as e:  # a binary killed mid-write; ctest reports that test
            print(f"check_test_results: unreadable {file}: {e}")
            continue
        for case in root.iter("testcase"):
            if case.get("result") == "skipped" or case.find("skipped") is not None:
                node = case.find("skipped")
                message = node.get("message", "") if node is not None else ""
                skipped.append((f"{binary}/{case.get('classname')}.{case.get('name')}", message))
    return skipped


def sanitizer_reports(log_dir):
    reports = []
    for dirpath, _, files in os.walk(log_dir):
        for file in sorted(files):
            path = os.path.join(dirpath, file)
            if os.path.getsize(path) > 0:
                reports.append(path)
    return reports


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build = sys.argv[1]
    results = os.path.join(build, "test-results")
    failures = []

    allowed, errors = load_skip_list(SKIP_FILE)
    failures += errors

    junit = os.path.join(results, "junit.xml")
    if not os.path.exists(junit):
        failures.append(f"no {junit}: did ctest run with --output-junit?")
        count, skipped = 0, []
    else:
        count, skipped = ctest_skips(junit)
        if count == 0:
            failures.append("ctest ran no tests")
    skipped += gtest_skips(os.path.join(results, "gtest"))
    for name, why in skipped:
        binary = name.split("/", 1)[0]
        if name in allowed or binary in allowed:
            reason = allowed.get(name) or allowed.get(binary)
            print(f"check_test_results: skipped (listed): {name}: {reason}")
        else:
            failures.append(f"skipped but not listed in tests/skipped.txt: {name} ({why})")

    for path in sanitizer_reports(os.path.join(results, "sanitizer")):
        with open(path, errors="replace") as f:
            text = f.read(MAX_REPORT_BYTES)
        print(f"==== sanitizer report {os.path.relpath(path, build)} ====\n{text}")
        failures.append(f"sanitizer report: {os.path.relpath(path, build)}")

    for failure in failures:
        print(f"check_test_results: FAIL: {failure}")
    if failures:
        sys.exit(1)
    print(f"check_test_results: {build}: {count} tests, no unlisted skips, no sanitizer reports")


if __name__ == "__main__":
    main()
