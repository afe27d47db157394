"""I/O rate limits at run time through the real binary: the config flags set them, SET GLOBAL
(mariadb CLI / PyMySQL) and POST /config/io (curl) change them, and /status, /config/io,
SHOW GLOBAL VARIABLES and SHOW STATUS show the setting and the rate in force."""
import json
import subprocess
import unittest

import pymysql

from harness import curl
from sql_common import PASSWORD, Server, connect, mariadb


def post(server, query):
    """POST /config/io?query with the real curl; returns (status_code, parsed JSON body)."""
    out = subprocess.run(["curl", "-s", "-m", "5", "-X", "POST", "-d", "", "-w", "\n%{http_code}",
                          f"http://127.0.0.1:{server.admin_port}/config/io?{query}"],
                         capture_output=True, text=True)
    body, _, code = out.stdout.rpartition("\n")
    return int(code or 0), json.loads(body)


class IoRatesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra_args=["--root-password", PASSWORD, "--compaction-rate-mb", "50",
                                        "--snapshot-rate-mb", "-1", "--io-rate-max-mb", "300"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def rates(self):
        return self.server.status()["io_rates"]

    def global_vars(self):
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("SHOW GLOBAL VARIABLES LIKE '%rate%mb'")
            return dict(cur.fetchall())

    def test_1_flags_set_the_start_values(self):
        r = self.rates()
        self.assertEqual(r["compaction"], {"mode": "fixed", "setting_mb": 50, "rate_mb": 50})
        self.assertEqual(r["snapshot"], {"mode": "unlimited", "setting_mb": -1, "rate_mb": 0})
        self.assertEqual(r["flush"]["mode"], "auto")
        self.assertEqual(r["max_mb"], 300)
        self.assertLessEqual(r["flush"]["rate_mb"], 300)
        self.assertGreaterEqual(r["flush"]["rate_mb"], 15)  # the floor: ceiling / 20
        self.assertEqual(self.global_vars(), {"compaction_rate_mb": "50", "flush_rate_mb": "0",
                                              "io_rate_max_mb": "300", "snapshot_rate_mb": "-1"})

    def test_2_set_global_changes_the_rate(self):
        out = mariadb(self.server, "SET GLOBAL compaction_rate_mb = 120;\nSELECT @@global.compaction_rate_mb;")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.split(), ["@@global.compaction_rate_mb", "120"])
        self.assertEqual(self.rates()["compaction"], {"mode": "fixed", "setting_mb": 120, "rate_mb": 120})
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("SET GLOBAL snapshot_rate_mb = 0")  # back to auto
            cur.execute("SHOW GLOBAL STATUS LIKE 'Strata_io_compaction_rate_mb'")
            self.assertEqual(cur.fetchall(), (("Strata_io_compaction_rate_mb", "120.0"),))
            with self.assertRaises(pymysql.MySQLError) as e:
                cur.execute("SET compaction_rate_mb = 5")
            self.assertEqual(e.exception.args[0], 1229)
            with self.assertRaises(pymysql.MySQLError) as e:
                cur.execute("SET GLOBAL compaction_rate_mb = -7")
            self.assertEqual(e.exception.args[0], 1231)
        self.assertEqual(self.rates()["snapshot"]["mode"], "auto")
        self.assertEqual(self.rates()["compaction"]["setting_mb"], 120)  # the bad SET changed nothing

    def test_3_admin_api_changes_the_rate(self):
        code, body = post(self.server, "compaction_rate_mb=-1&flush_rate_mb=40")
        self.assertEqual(code, 200, body)
        self.assertEqual(body["compaction"], {"mode": "unlimited", "setting_mb": -1, "rate_mb": 0})
        self.assertEqual(body["flush"], {"mode": "fixed", "setting_mb": 40, "rate_mb": 40})
        self.assertEqual(self.rates()["flush"]["rate_mb"], 40)
        self.assertEqual(self.global_vars()["flush_rate_mb"], "40")
        # All or nothing: one bad pair changes nothing.
        code, body = post(self.server, "flush_rate_mb=10&snapshot_rate_mb=fast")
        self.assertEqual(code, 400)
        self.assertIn("snapshot_rate_mb", body["error"])
        code, body = post(self.server, "no_such_rate=1")
        self.assertEqual(code, 400)
        self.assertEqual(self.rates()["flush"]["setting_mb"], 40)
        # GET shows the same object; a lower ceiling clamps auto rates.
        code, body = post(self.server, "flush_rate_mb=0&io_rate_max_mb=100")
        self.assertEqual(code, 200, body)
        code, text = curl(f"http://127.0.0.1:{self.server.admin_port}/config/io")
        self.assertEqual(code, 200)
        got = json.loads(text)
        self.assertEqual(got["max_mb"], 100)
        self.assertEqual(got["flush"]["mode"], "auto")
        self.assertLessEqual(got["flush"]["rate_mb"], 100)

    def test_4_bad_flag_is_refused(self):
        bad = Server(extra_args=["--compaction-rate-mb", "-3"])
        try:
            bad.start(wait=False)
            self.assertNotEqual(bad.proc.wait(timeout=20), 0)
            self.assertIn("--compaction-rate-mb", bad.log())
        finally:
            bad.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
