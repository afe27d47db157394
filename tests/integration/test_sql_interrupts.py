"""A statement that would run for hours stops: at max_execution_time (3024, and the session
and server go on), and when the node is asked to stop (SIGTERM ends the process promptly,
the client gets an error instead of hanging)."""
import signal
import threading
import time
import unittest

import pymysql

from harness import TIMEOUT_SCALE
from sql_common import connect, sql_server

# 3^30 rows: no machine finishes this count.
RUNAWAY = "SELECT COUNT(*) FROM " + ", ".join(f"t AS x{i}" for i in range(30))


class InterruptTest(unittest.TestCase):
    def setUp(self):
        self.server = sql_server()
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE i")
            cur.execute("CREATE TABLE i.t (a INT PRIMARY KEY)")
            cur.execute("INSERT INTO i.t VALUES (1), (2), (3)")

    def tearDown(self):
        self.server.cleanup()

    def test_max_execution_time_stops_a_select(self):
        with connect(self.server, "i") as c, c.cursor() as cur:
            cur.execute("SET max_execution_time = 300")
            start = time.time()
            with self.assertRaises(pymysql.err.OperationalError) as err:
                cur.execute(RUNAWAY)
            self.assertEqual(err.exception.args[0], 3024)
            self.assertLess(time.time() - start, 10 * TIMEOUT_SCALE)
            cur.execute("SELECT COUNT(*) FROM t AS a, t AS b")  # the session goes on
            self.assertEqual(cur.fetchone()[0], 9)
            cur.execute("SET max_execution_time = 0")
            cur.execute("SELECT COUNT(*) FROM t")
            self.assertEqual(cur.fetchone()[0], 3)

    def test_sigterm_interrupts_a_running_statement(self):
        outcome = {}

        def run():
            try:
                with connect(self.server, "i") as c, c.cursor() as cur:
                    cur.execute(RUNAWAY)
                    outcome["rows"] = cur.fetchall()
            except pymysql.err.MySQLError as e:
                outcome["error"] = e

        client = threading.Thread(target=run)
        client.start()
        time.sleep(1)  # the count is under way
        start = time.time()
        code = self.server.stop(signal.SIGTERM, timeout=30 * TIMEOUT_SCALE)
        self.assertEqual(code, 0, self.server.log()[-2000:])
        self.assertLess(time.time() - start, 15 * TIMEOUT_SCALE)
        client.join(timeout=30)
        self.assertFalse(client.is_alive())
        self.assertIn("error", outcome)
        self.assertNotIn("rows", outcome)


if __name__ == "__main__":
    unittest.main()
