"""The fault-injection switches and endpoints of `stratadb start` (docs/operations.md,
"Fault injection"): flag rules, the loud warning, 404 without the flag, /debug/partition
resolving peers by admin port, /debug/heal, and a power loss that keeps synced data."""
import json
import os
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from harness import Server, free_port, post, run_binary
from sql_common import PASSWORD, connect


class FlagsTest(unittest.TestCase):
    def test_refused_in_config_file(self):
        for key in ("fault_injection", "unsafe_skip_fsync"):
            with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
                f.write(f"{key} = true\n")
                f.flush()
                r = run_binary(["start", "--config", f.name, "--data-dir", f.name + ".d"])
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(f"'{key}' is refused in a config file", r.stderr)

    def test_skip_fsync_needs_fault_injection(self):
        with tempfile.TemporaryDirectory() as d:
            r = run_binary(["start", "--unsafe-skip-fsync", "--data-dir", d])
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("--unsafe-skip-fsync is accepted only together with --fault-injection", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(d, "node.toml")))


class EndpointsTest(unittest.TestCase):
    def setUp(self):
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.cleanup()

    def start(self, *extra):
        s = Server(extra_args=["--root-password", PASSWORD] + list(extra)).start()
        self.servers.append(s)
        return s

    def test_no_debug_endpoints_without_the_flag(self):
        s = self.start()
        for path in ("/debug/power-loss", "/debug/partition?peers=1", "/debug/heal", "/debug/compact"):
            self.assertEqual(post(s, path)[0], 404, path)
        self.assertNotIn("FAULT INJECTION", s.log())
        self.assertEqual(s.proc.poll(), None)

    def test_partition_and_heal(self):
        a = self.start("--fault-injection")
        b = self.start("--fault-injection")
        log = a.log()
        self.assertIn("stratadb: WARNING: --fault-injection is on", log)
        self.assertIn("FAULT INJECTION IS ON", log)
        code, body = post(a, f"/debug/partition?peers={b.admin_port}")
        self.assertEqual(code, 200, body)
        b_id = b.status()["node_id"]
        self.assertEqual(json.loads(body), {"partitioned": [{"peer": str(b.admin_port), "node_id": b_id}],
                                            "direction": "both"})
        self.assertEqual(a.status()["raft"]["partitioned_peers"], [b_id])
        # One direction only (a one-way partition); a bad direction changes nothing.
        self.assertEqual(post(a, "/debug/heal")[0], 200)
        code, body = post(a, f"/debug/partition?peers={b.admin_port}&direction=out")
        self.assertEqual((code, json.loads(body)["direction"]), (200, "out"), body)
        self.assertEqual(a.status()["raft"]["partitioned_peers"], [b_id])
        self.assertEqual(post(a, "/debug/heal")[0], 200)
        self.assertEqual(post(a, f"/debug/partition?peers={b.admin_port}&direction=sideways")[0], 400)
        self.assertEqual(a.status()["raft"]["partitioned_peers"], [])
        code, body = post(a, f"/debug/partition?peers={b.admin_port}&direction=in")
        self.assertEqual(code, 200, body)
        # A peer resolved once can be named again while it is down.
        b.kill9()
        code, body = post(a, f"/debug/partition?peers=127.0.0.1:{b.admin_port}")
        self.assertEqual(code, 200, body)
        self.assertEqual(post(a, "/debug/partition?peers=" + str(a.admin_port))[0], 400)  # itself
        self.assertEqual(post(a, "/debug/partition?peers=x1")[0], 400)
        self.assertEqual(post(a, "/debug/partition")[0], 400)
        self.assertEqual(post(a, f"/debug/partition?peers={free_port()}")[0], 502)  # never reached
        self.assertEqual(post(a, "/debug/heal"), (200, '{"healed":true}\n'))
        self.assertEqual(a.status()["raft"]["partitioned_peers"], [])
        with connect(a) as c, c.cursor() as cur:  # still serving
            cur.execute("SELECT 1")
            self.assertEqual(cur.fetchone(), (1,))

    def test_compact_now(self):
        s = self.start("--fault-injection")
        with connect(s) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE q")
        before = s.status()["raft"]["compactions"]
        self.assertEqual(post(s, "/debug/compact"), (200, '{"compaction_requested":true}\n'))
        deadline = time.time() + 20
        while s.status()["raft"]["compactions"] == before:
            self.assertLess(time.time(), deadline, "no compaction after POST /debug/compact")
            time.sleep(0.05)
        self.assertGreater(s.status()["raft"]["first_index"], 1)

    def test_power_loss_keeps_acknowledged_rows(self):
        s = self.start("--fault-injection")
        with connect(s) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE p")
            cur.execute("CREATE TABLE p.t (id INT PRIMARY KEY)")
            cur.execute("INSERT INTO p.t VALUES (1), (2), (3)")
        try:
            post(s, "/debug/power-loss", timeout=30)
            self.fail("the power-loss request got an answer")
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        self.assertEqual(s.proc.wait(timeout=60), 86)
        s.stderr.close()
        self.assertRegex(s.log(), r"stratadb: simulated power loss: \d+ files rolled back .*exiting with status 86")
        s.start()
        with connect(s) as c, c.cursor() as cur:
            cur.execute("SELECT id FROM p.t ORDER BY id")
            self.assertEqual(cur.fetchall(), ((1,), (2,), (3,)))


if __name__ == "__main__":
    unittest.main()
