"""The admin web console (issue 17 item 7) in headless Chromium, against a node under load.

The root-only endpoints are checked with curl first (401 without or with wrong credentials,
KILL of an unknown id is 404). Then tests/node/web_console.js (puppeteer-core, Debian's
chromium) loads the page while clients run statements of several kinds against an LSM and a
B+tree table, waits until all six charts draw real series, refuses a wrong password, signs in,
finds the running `SELECT SLEEP(…)` session and KILLs it through the button; this test checks
that the victim's connection really ended. The screenshot lands in
$STRATA_CONSOLE_SCREENSHOT (default: the test's temp dir); docs/operations.md shows one."""
import json
import os
import shutil
import subprocess
import threading
import time
import unittest

import pymysql

from harness import TIMEOUT_SCALE, curl
from sql_common import PASSWORD, connect, sql_server

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node")
VICTIM = "SELECT SLEEP(300)"


def curl_auth(url, user=None, password=None, method="GET"):
    argv = ["curl", "-s", "-m", "5", "-X", method, "-w", "\n%{http_code}", url] + (["-d", ""] if method == "POST" else [])
    if user is not None:
        argv[1:1] = ["-u", f"{user}:{password}"]
    out = subprocess.run(argv, capture_output=True, text=True).stdout
    body, _, code = out.rpartition("\n")
    return int(code), body


class WebConsoleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = sql_server()
        cls.base = f"http://127.0.0.1:{cls.server.admin_port}"

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_root_only_endpoints_refuse_without_root(self):
        server = sql_server()  # its own: the wrong passwords below count against this address
        self.addCleanup(server.cleanup)
        base = f"http://127.0.0.1:{server.admin_port}"
        self.check_refusals(server, base)

    def test_console_can_be_turned_off(self):
        server = sql_server(extra=["--admin-console", "false"])
        self.addCleanup(server.cleanup)
        for path in ("/", "/console", "/sessions", "/slow-queries"):
            self.assertEqual(curl(f"http://127.0.0.1:{server.admin_port}{path}")[0], 404, path)
        self.assertEqual(curl(f"http://127.0.0.1:{server.admin_port}/status")[0], 200)

    def check_refusals(self, server, base):
        for path in ("/sessions", "/slow-queries"):
            code, body = curl_auth(base + path)
            self.assertEqual(code, 401, body)
            self.assertIn("sign in as root", body)
            code, body = curl_auth(base + path, "root", "not-" + PASSWORD)
            self.assertEqual(code, 401, body)
            code, body = curl_auth(base + path, "app", PASSWORD)  # only root
            self.assertEqual(code, 401, body)
        code, _ = curl_auth(base + "/sessions/kill?id=1", method="POST")
        self.assertEqual(code, 401)
        code, body = curl_auth(base + "/sessions/kill?id=999999", "root", PASSWORD, method="POST")
        self.assertEqual((code, json.loads(body)["error"]), (404, "Unknown thread id: 999999"))
        code, _ = curl_auth(base + "/sessions/kill?id=x", "root", PASSWORD, method="POST")
        self.assertEqual(code, 400)
        self.assertIn("console authentication failed", server.log())
        code, _ = curl(base + "/")
        self.assertEqual(code, 302)  # to /console
        code, page = curl(base + "/console")
        self.assertEqual(code, 200)
        self.assertIn("/console/console.js", page)
        # Four wrong passwords so far (two per path); the fifth is still answered, then the
        # address waits out the minute, even with the right password.
        code, _ = curl_auth(base + "/sessions", "root", "wrong")
        self.assertEqual(code, 401)
        code, body = curl_auth(base + "/sessions", "root", PASSWORD)
        self.assertEqual(code, 429, body)
        self.assertIn("too many failed sign-ins", body)

    def test_sessions_and_slow_queries_as_json(self):
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("SET long_query_time = 0")
            cur.execute("SELECT 'slow-marker', SLEEP(0.01)")
            cid = c.thread_id()
            code, body = curl_auth(self.base + "/sessions", "root", PASSWORD)
            self.assertEqual(code, 200, body)
            rows = {r["id"]: r for r in json.loads(body)}
            self.assertEqual(rows[cid]["user"], "root")
            code, body = curl_auth(self.base + "/slow-queries", "root", PASSWORD)
            self.assertEqual(code, 200, body)
            self.assertIn("SELECT 'slow-marker', SLEEP(0.01)", [e["statement"] for e in json.loads(body)])

    def test_console_in_headless_chromium(self):
        self.assertIsNotNone(shutil.which("chromium"), "chromium is not installed (scripts/setup.sh)")
        self.assertTrue(os.path.isdir(os.path.join(NODE_DIR, "node_modules", "puppeteer-core")),
                        "tests/node/node_modules/puppeteer-core is missing: run scripts/setup.sh")
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE console")
            cur.execute("CREATE TABLE console.l (id INT PRIMARY KEY, v INT)")
            cur.execute("CREATE TABLE console.b (id INT PRIMARY KEY, v INT) ENGINE=BTREE")
            cur.execute("SET GLOBAL long_query_time = 0.2")

        stop = threading.Event()
        errors = []

        def load(worker):
            try:
                with connect(self.server, "console") as c, c.cursor() as cur:
                    i = worker * 1_000_000
                    while not stop.is_set():
                        i += 1
                        cur.execute("INSERT INTO l VALUES (%s, %s)", (i, i))
                        cur.execute("INSERT INTO b VALUES (%s, %s)", (i, i))
                        cur.execute("UPDATE b SET v = v + 1 WHERE id = %s", (i,))
                        cur.execute("SELECT v FROM b WHERE id = %s", (i,))
                        # A bounded read: under a sanitizer a whole-table count grows slow enough to
                        # fill the slow-query ring (the last 100) before the console reads it.
                        cur.execute("SELECT COUNT(*) FROM l WHERE id > %s", (i - 100,))
                        if i % 50 == 0:
                            cur.execute("SELECT SLEEP(0.25)")  # lands in the slow-query log
                        time.sleep(0.01)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))

        victim_result = {}

        def victim():
            try:
                with connect(self.server, read_timeout=600) as c, c.cursor() as cur:
                    victim_result["id"] = c.thread_id()
                    cur.execute(VICTIM)
                    victim_result["finished"] = cur.fetchall()
            except pymysql.MySQLError as e:
                victim_result["error"] = e.args

        workers = [threading.Thread(target=load, args=(w,)) for w in range(2)]
        victim_thread = threading.Thread(target=victim)
        for t in workers + [victim_thread]:
            t.start()
        screenshot = os.environ.get("STRATA_CONSOLE_SCREENSHOT") or os.path.join(self.server.tmp, "console.png")
        try:
            out = subprocess.run(
                ["node", os.path.join(NODE_DIR, "web_console.js"), self.base + "/", PASSWORD, screenshot, VICTIM],
                capture_output=True, text=True, timeout=int(180 * TIMEOUT_SCALE),
                env=dict(os.environ, CONSOLE_WAIT_MS=str(int(60000 * TIMEOUT_SCALE))))
        finally:
            stop.set()
            for t in workers:
                t.join(timeout=60)
            victim_thread.join(timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        findings = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertTrue(findings["ok"])
        self.assertEqual(errors, [])
        charts = {c["chart"]: c for c in findings["charts"]}
        self.assertEqual(set(charts), {"qps", "latency", "raft", "io", "compaction", "cache"})
        self.assertTrue({"insert", "update", "select"} <= set(charts["qps"]["series"]), charts["qps"])
        self.assertIn("B+tree buffer pool", charts["cache"]["series"])
        self.assertIn("raft_log", charts["io"]["series"])
        self.assertTrue(any("SLEEP(0.25)" in s for s in findings["slowQueries"] if s), findings["slowQueries"])
        self.assertIn("wrong user or password", findings["refusal"])
        # The KILL button ended the victim: its SLEEP(300) did not finish.
        self.assertEqual(findings["killed"], victim_result.get("id"))
        self.assertNotIn("finished", victim_result)
        self.assertIn("error", victim_result)
        with open(screenshot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


if __name__ == "__main__":
    unittest.main()
