"""max_txn_bytes (--max-txn-bytes): a transaction that would buffer more fails with MySQL
error 1197 (HY000) naming the limit; the session stays usable, nothing of the transaction
becomes visible, and the server's memory while it refuses stays near the limit.
Also: the flag's bounds, and the same key in a config file.

memory_limit_mb (--memory-limit-mb): the sessions' quarter of it bounds what transactions
buffer, large packets and result sets together; past it a statement fails with MySQL 1041
(HY000), the session goes on, and /status reports the refusals."""
import os
import unittest

import pymysql

from harness import Server, run_binary
from sql_common import PASSWORD, connect

LIMIT = 8 << 20          # the server's max_txn_bytes in this test
# Under ASan (freed memory sits in quarantine, shadow memory) or TSan the server's RSS says
# nothing about its own bookkeeping: the memory bound is asserted in uninstrumented trees.
SANITIZED = any(k in os.environ for k in ("ASAN_OPTIONS", "TSAN_OPTIONS"))
ROW = 1 << 20            # one 1 MiB value per statement


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(field)


class TxnLimitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra_args=["--root-password", PASSWORD, "--max-txn-bytes", str(LIMIT)]).start()
        with connect(cls.server) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE lim")
            cur.execute("CREATE TABLE lim.t (id INT PRIMARY KEY, b LONGBLOB)")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def count(self):
        with connect(self.server, "lim") as c, c.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM t")
            return cur.fetchone()[0]

    def fill_until_refused(self, cur, first_id):
        """Inserts 1 MiB rows in the open transaction until the server refuses one."""
        payload = os.urandom(ROW)
        for i in range(first_id, first_id + 64):
            try:
                cur.execute("INSERT INTO t VALUES (%s, %s)", (i, payload))
            except pymysql.MySQLError as e:
                return i - first_id, e
        self.fail("no statement was refused")

    def test_explicit_transaction_past_the_limit_is_refused_and_rolled_back(self):
        with connect(self.server, "lim", max_allowed_packet=16 << 20) as c, c.cursor() as cur:
            cur.execute("BEGIN")
            accepted, err = self.fill_until_refused(cur, 1000)
            self.assertEqual(err.args[0], 1197, err)
            self.assertIn("max_txn_bytes", err.args[1])
            self.assertIn(str(LIMIT), err.args[1])
            self.assertEqual(accepted, LIMIT // ROW - 1)  # 7 rows fit (plus keys and bookkeeping)
            # The session stays usable; the whole transaction was rolled back.
            cur.execute("SELECT 1")
            self.assertEqual(cur.fetchone(), (1,))
            cur.execute("COMMIT")
            self.assertEqual(self.count(), 0)
            cur.execute("INSERT INTO t VALUES (1, 'after')")
            self.assertEqual(self.count(), 1)
            cur.execute("DELETE FROM t")

    def test_one_statement_past_the_limit_writes_nothing(self):
        big = os.urandom(ROW)
        values = ", ".join(["(%s, %s)"] * 12)
        params = []
        for i in range(12):
            params += [2000 + i, big]
        with connect(self.server, "lim", max_allowed_packet=64 << 20) as c, c.cursor() as cur:
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cur.execute("INSERT INTO t VALUES " + values, params)
            self.assertEqual(ctx.exception.args[0], 1197)
            cur.execute("SELECT COUNT(*) FROM t WHERE id >= 2000")
            self.assertEqual(cur.fetchone(), (0,))

    def test_memory_while_refusing_stays_near_the_limit(self):
        pid = self.server.proc.pid
        before = rss_kib(pid, "VmRSS")
        with connect(self.server, "lim", max_allowed_packet=16 << 20) as c, c.cursor() as cur:
            for attempt in range(3):
                cur.execute("BEGIN")
                _, err = self.fill_until_refused(cur, 3000)
                self.assertEqual(err.args[0], 1197)
        peak = rss_kib(pid, "VmHWM")
        grown = (peak - before) * 1024
        print(f"RSS before {before} KiB, peak {peak} KiB: grew {grown / (1 << 20):.1f} MiB "
              f"for a {LIMIT >> 20} MiB limit")
        if SANITIZED:
            print("sanitizer build: the refusals above were checked; the RSS bound is the release tree's")
            return
        # The buffered writes (<= LIMIT) plus a statement in flight and its parse; not a multiple.
        self.assertLess(grown, 2 * LIMIT + (16 << 20))

    def test_bounds_and_config_file(self):
        for bad in ["100", str(2 << 30)]:
            r = run_binary(["start", "--data-dir", "/nonexistent-never-created", "--max-txn-bytes", bad])
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("max_txn_bytes", r.stderr)
        cfg = os.path.join(self.server.tmp, "limit.toml")
        with open(cfg, "w") as f:
            f.write("max_txn_bytes = 2048\n")
        r = run_binary(["start", "--config", cfg, "--data-dir", "/nonexistent-never-created"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("max_txn_bytes", r.stderr)


class SessionMemoryTest(unittest.TestCase):
    """--memory-limit-mb 64: sessions get 16 MiB."""
    SESSIONS = 16 << 20

    @classmethod
    def setUpClass(cls):
        cls.server = Server(extra_args=["--root-password", PASSWORD, "--memory-limit-mb", "64"]).start()
        with connect(cls.server) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE mem")
            cur.execute("CREATE TABLE mem.t (id INT PRIMARY KEY, b LONGBLOB)")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def memory(self):
        return self.server.status()["memory"]

    def test_status_reports_the_sessions_budget(self):
        m = self.memory()
        self.assertEqual(m["limit_mb"], 64)
        self.assertEqual(m["sessions_limit_bytes"], self.SESSIONS)
        self.assertEqual(m["raft_log_cache_bytes"], 8 << 20)

    def test_packet_past_the_budget_is_refused_and_the_session_goes_on(self):
        refusals = self.memory()["sessions_refusals"]
        with connect(self.server, "mem", max_allowed_packet=64 << 20) as c, c.cursor() as cur:
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cur.execute("INSERT INTO t VALUES (1, %s)", (b"x" * (20 << 20),))
            self.assertEqual(ctx.exception.args[0], 1041, ctx.exception)
            self.assertIn("memory_limit_mb", ctx.exception.args[1])
            cur.execute("SELECT COUNT(*) FROM t WHERE id = 1")  # same connection, still in step
            self.assertEqual(cur.fetchone(), (0,))
        m = self.memory()
        self.assertGreater(m["sessions_refusals"], refusals)
        self.assertEqual(m["sessions_used_bytes"], 0)

    def test_transactions_and_result_sets_past_the_budget_are_refused(self):
        row = os.urandom(1 << 20)
        with connect(self.server, "mem", max_allowed_packet=16 << 20) as c, c.cursor() as cur:
            cur.execute("BEGIN")
            accepted = 0
            for i in range(100, 140):
                try:
                    cur.execute("INSERT INTO t VALUES (%s, %s)", (i, row))
                    accepted += 1
                except pymysql.MySQLError as e:
                    self.assertEqual(e.args[0], 1041, e)  # before max_txn_bytes (100 MiB)
                    break
            else:
                self.fail("no statement was refused")
            # 1 MiB rows plus their packets in flight: well under 16 fit, not more.
            self.assertGreater(accepted, 4)
            self.assertLess(accepted, 16)
            # Only the refused statement was rolled back: the transaction commits the rest.
            cur.execute("COMMIT")
            cur.execute("SELECT COUNT(*) FROM t WHERE id >= 100")
            self.assertEqual(cur.fetchone(), (accepted,))
            # Fill the table past the budget in separate transactions, then read it whole.
            for i in range(200, 216):
                cur.execute("INSERT INTO t VALUES (%s, %s)", (i, row))
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cur.execute("SELECT * FROM t")
            self.assertEqual(ctx.exception.args[0], 1041, ctx.exception)
            self.assertIn("result set", ctx.exception.args[1])
            cur.execute("SELECT id FROM t WHERE id >= 200 ORDER BY id")
            self.assertEqual(len(cur.fetchall()), 16)
            cur.execute("SELECT LENGTH(b) FROM t WHERE id = 200")
            self.assertEqual(cur.fetchone(), (1 << 20,))
        self.assertEqual(self.memory()["sessions_used_bytes"], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
