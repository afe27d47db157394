"""A statement that would run for hours stops: at max_execution_time (3024, and the session
and server go on), when another session KILLs it (KILL QUERY: 1317, the connection goes on;
KILL CONNECTION: the connection ends, even an idle one), and when the node is asked to stop
(SIGTERM ends the process promptly, the client gets an error instead of hanging). SHOW
[FULL] PROCESSLIST lists every session with what it runs."""
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

    def processlist(self, cur, full=True):
        cur.execute("SHOW FULL PROCESSLIST" if full else "SHOW PROCESSLIST")
        return {row[0]: row for row in cur.fetchall()}

    def victim(self):
        """A connection to database i: (connection, cursor, its connection id)."""
        conn = connect(self.server, "i")
        cur = conn.cursor()
        cur.execute("SELECT CONNECTION_ID()")
        return conn, cur, cur.fetchone()[0]

    def wait_running(self, cur, conn_id, statement):
        """Until SHOW FULL PROCESSLIST shows `statement` running on connection conn_id."""
        deadline = time.time() + 10 * TIMEOUT_SCALE
        while self.processlist(cur).get(conn_id, [None] * 8)[7] != statement:
            self.assertLess(time.time(), deadline, f"{statement} never showed up running")
            time.sleep(0.05)

    def test_processlist_and_kill(self):
        victim, vcur, victim_id = self.victim()
        outcome = {}

        def run():
            try:
                vcur.execute(RUNAWAY)
                outcome["rows"] = vcur.fetchall()
            except pymysql.err.MySQLError as e:
                outcome["error"] = e.args

        client = threading.Thread(target=run)
        client.start()
        with connect(self.server) as admin, admin.cursor() as cur:
            cur.execute("SELECT CONNECTION_ID()")
            admin_id = cur.fetchone()[0]
            self.wait_running(cur, victim_id, RUNAWAY)
            rows = self.processlist(cur)
            user, _, db, command = rows[victim_id][1:5]
            self.assertEqual((user, db, command), ("root", "i", "Query"))
            self.assertEqual(rows[admin_id][4], "Query")
            self.assertEqual(rows[admin_id][7], "SHOW FULL PROCESSLIST")
            self.assertEqual(self.processlist(cur, full=False)[victim_id][7], RUNAWAY[:100])

            # KILL QUERY: the statement stops with 1317; the connection stays usable.
            start = time.time()
            cur.execute("KILL QUERY %s", (victim_id,))
            client.join(timeout=20 * TIMEOUT_SCALE)
            self.assertFalse(client.is_alive())
            self.assertEqual(outcome.get("error", (None,))[0], 1317, outcome)
            self.assertLess(time.time() - start, 10 * TIMEOUT_SCALE)
            vcur.execute("SELECT COUNT(*) FROM t")
            self.assertEqual(vcur.fetchone()[0], 3)
            row = self.processlist(cur)[victim_id]
            self.assertEqual((row[4], row[7]), ("Sleep", None))

            # KILL [CONNECTION] of an idle connection: it ends, and leaves the list.
            cur.execute("KILL %s", (victim_id,))
            with self.assertRaises(pymysql.err.OperationalError):
                vcur.execute("SELECT 1")
            deadline = time.time() + 10 * TIMEOUT_SCALE
            while victim_id in self.processlist(cur):
                self.assertLess(time.time(), deadline, "the killed connection stayed in the list")
                time.sleep(0.05)

            with self.assertRaises(pymysql.err.MySQLError) as err:
                cur.execute("KILL 4000000000")
            self.assertEqual(err.exception.args, (1094, "Unknown thread id: 4000000000"))
            cur.execute("SELECT 1")  # the admin session goes on
        victim.close()

    def test_kill_query_ends_a_sleep_which_returns_1(self):
        """As MySQL: SLEEP() that KILL QUERY interrupts returns 1 at once, without an error."""
        victim, vcur, victim_id = self.victim()
        outcome = {}

        def run():
            start = time.time()
            vcur.execute("SELECT SLEEP(60)")
            outcome["rows"] = vcur.fetchall()
            outcome["seconds"] = time.time() - start

        client = threading.Thread(target=run)
        client.start()
        with connect(self.server) as admin, admin.cursor() as cur:
            self.wait_running(cur, victim_id, "SELECT SLEEP(60)")
            cur.execute("KILL QUERY %s", (victim_id,))
        client.join(timeout=20 * TIMEOUT_SCALE)
        self.assertFalse(client.is_alive())
        self.assertEqual(outcome["rows"], ((1,),))
        self.assertLess(outcome["seconds"], 30)
        vcur.execute("SELECT SLEEP(0)")  # the next statement is not killed
        self.assertEqual(vcur.fetchall(), ((0,),))
        victim.close()

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
