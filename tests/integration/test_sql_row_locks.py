"""Row locks (DESIGN D4, txn/lock_manager.h): under contention writers wait for each other
as with InnoDB. Each case runs two or three real sessions (PyMySQL) against a server
process; the blocked statement runs in a thread, and the test checks that it is still
blocked while the other transaction holds the row, then what it returns once released."""
import threading
import time
import unittest

import pymysql

from sql_common import connect, sql_server

BLOCKED_FOR = 0.7  # how long a statement must stay blocked to count as waiting


class Background:
    """Runs one statement on a connection in a thread; result() waits for its outcome."""

    def __init__(self, conn, sql, args=None):
        self.outcome = None
        self.done = threading.Event()

        def run():
            try:
                with conn.cursor() as cur:
                    rows = cur.execute(sql, args)
                    self.outcome = ("ok", rows, cur.fetchall())
            except pymysql.MySQLError as e:
                self.outcome = ("error", e.args[0], e.args[1])
            finally:
                self.done.set()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def still_blocked(self, seconds=BLOCKED_FOR):
        return not self.done.wait(seconds)

    def result(self, timeout=30):
        assert self.done.wait(timeout), "the statement never finished"
        return self.outcome


class RowLockTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = sql_server()
        with connect(cls.server) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE rl")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.conns = []

    def tearDown(self):
        for c in self.conns:
            c.close()

    def session(self):
        c = connect(self.server, "rl")
        self.conns.append(c)
        return c

    def table(self, name, rows=((1, 0), (2, 0), (3, 0))):
        with self.session().cursor() as cur:
            cur.execute(f"CREATE TABLE {name} (id INT PRIMARY KEY, v INT NOT NULL, u INT, UNIQUE KEY uu (u), KEY kv (v))")
            for row in rows:
                cur.execute(f"INSERT INTO {name} (id, v) VALUES (%s, %s)", row)

    def value(self, table, id_):
        with self.session().cursor() as cur:
            cur.execute(f"SELECT v FROM {table} WHERE id = %s", (id_,))
            row = cur.fetchone()
            return row[0] if row else None

    def test_writer_waits_then_works_on_the_committed_row(self):
        self.table("w")
        a, b = self.session(), self.session()
        a.cursor().execute("BEGIN")
        a.cursor().execute("UPDATE w SET v = v + 1 WHERE id = 1")
        b.cursor().execute("BEGIN")
        bg = Background(b, "UPDATE w SET v = v + 10 WHERE id = 1")
        self.assertTrue(bg.still_blocked(), "B's UPDATE did not wait for A's row lock")
        a.cursor().execute("COMMIT")
        self.assertEqual(bg.result()[:2], ("ok", 1))
        # B never read row 1 before its UPDATE: it read A's committed version, and commits.
        b.cursor().execute("COMMIT")
        self.assertEqual(self.value("w", 1), 11)

    def test_read_then_write_of_a_changed_row_still_gets_1213(self):
        self.table("rw")
        a, b = self.session(), self.session()
        b.cursor().execute("BEGIN")
        with b.cursor() as cur:
            cur.execute("SELECT v FROM rw WHERE id = 1")
            self.assertEqual(cur.fetchone()[0], 0)
        a.cursor().execute("BEGIN")
        a.cursor().execute("UPDATE rw SET v = 5 WHERE id = 1")
        bg = Background(b, "UPDATE rw SET v = v + 1 WHERE id = 1")
        self.assertTrue(bg.still_blocked())
        a.cursor().execute("COMMIT")
        self.assertEqual(bg.result()[0], "ok")
        with self.assertRaises(pymysql.MySQLError) as ctx:
            b.cursor().execute("COMMIT")
        self.assertEqual(ctx.exception.args[0], 1213)
        self.assertEqual(self.value("rw", 1), 5)  # no lost update

    def test_lock_wait_timeout_rolls_back_only_the_statement(self):
        self.table("t")
        a, b = self.session(), self.session()
        a.cursor().execute("BEGIN")
        a.cursor().execute("UPDATE t SET v = 1 WHERE id = 1")
        with b.cursor() as cur:
            cur.execute("SET SESSION innodb_lock_wait_timeout = 1")
            cur.execute("BEGIN")
            cur.execute("UPDATE t SET v = 7 WHERE id = 2")
            start = time.monotonic()
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cur.execute("UPDATE t SET v = 7 WHERE id = 1")
            waited = time.monotonic() - start
            self.assertEqual(ctx.exception.args, (1205, "Lock wait timeout exceeded; try restarting transaction"))
            self.assertGreaterEqual(waited, 0.9)
            cur.execute("COMMIT")  # the transaction stayed open: its first UPDATE commits
        a.cursor().execute("COMMIT")
        self.assertEqual((self.value("t", 1), self.value("t", 2)), (1, 7))

    def test_deadlock_is_detected_and_the_victim_rolled_back(self):
        self.table("d")
        a, b = self.session(), self.session()
        a.cursor().execute("BEGIN")
        b.cursor().execute("BEGIN")
        a.cursor().execute("UPDATE d SET v = 1 WHERE id = 1")
        b.cursor().execute("UPDATE d SET v = 2 WHERE id = 2")
        bg = Background(a, "UPDATE d SET v = 1 WHERE id = 2")
        self.assertTrue(bg.still_blocked())
        start = time.monotonic()
        with self.assertRaises(pymysql.MySQLError) as ctx:
            b.cursor().execute("UPDATE d SET v = 2 WHERE id = 1")
        self.assertLess(time.monotonic() - start, 5, "a deadlock must not wait for the timeout")
        self.assertEqual(ctx.exception.args,
                         (1213, "Deadlock found when trying to get lock; try restarting transaction"))
        # The victim's whole transaction is gone: its locks too, so A goes on.
        self.assertEqual(bg.result()[:2], ("ok", 1))
        a.cursor().execute("COMMIT")
        b.cursor().execute("COMMIT")  # nothing left to commit
        self.assertEqual((self.value("d", 1), self.value("d", 2)), (1, 1))

    def test_select_for_update_and_for_share(self):
        self.table("s")
        a, b, c = self.session(), self.session(), self.session()
        a.cursor().execute("BEGIN")
        with a.cursor() as cur:
            cur.execute("SELECT v FROM s WHERE id = 1 FOR SHARE")
            self.assertEqual(cur.fetchall(), ((0,),))
        # A shared lock admits another shared lock ...
        b.cursor().execute("BEGIN")
        with b.cursor() as cur:
            cur.execute("SELECT v FROM s WHERE id = 1 LOCK IN SHARE MODE")
            self.assertEqual(cur.fetchall(), ((0,),))
        b.cursor().execute("COMMIT")
        # ... but not a writer, nor FOR UPDATE NOWAIT.
        with c.cursor() as cur:
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cur.execute("SELECT v FROM s WHERE id = 1 FOR UPDATE NOWAIT")
            self.assertEqual(ctx.exception.args[0], 3572)
        bg = Background(c, "UPDATE s SET v = 9 WHERE id = 1")
        self.assertTrue(bg.still_blocked())
        a.cursor().execute("COMMIT")
        self.assertEqual(bg.result()[:2], ("ok", 1))
        # FOR UPDATE blocks another FOR UPDATE; SKIP LOCKED passes over the locked row.
        a.cursor().execute("BEGIN")
        with a.cursor() as cur:
            cur.execute("SELECT id FROM s WHERE id <= 2 FOR UPDATE")
            self.assertEqual(cur.fetchall(), ((1,), (2,)))
        with b.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT id FROM s FOR UPDATE SKIP LOCKED")
            self.assertEqual(cur.fetchall(), ((3,),))
            cur.execute("COMMIT")
        bg = Background(b, "SELECT v FROM s WHERE id = 2 FOR UPDATE")
        self.assertTrue(bg.still_blocked())
        a.cursor().execute("COMMIT")
        self.assertEqual(bg.result(), ("ok", 1, ((0,),)))

    def test_insert_of_the_same_key_waits_then_sees_the_duplicate(self):
        self.table("i", rows=())
        a, b = self.session(), self.session()
        a.cursor().execute("BEGIN")
        a.cursor().execute("INSERT INTO i (id, v, u) VALUES (5, 1, 50)")
        bg = Background(b, "INSERT INTO i (id, v) VALUES (5, 2)")
        self.assertTrue(bg.still_blocked())
        a.cursor().execute("COMMIT")
        self.assertEqual(bg.result()[:2], ("error", 1062))
        # The same through a unique secondary index; a rolled-back claim frees the value.
        a.cursor().execute("BEGIN")
        a.cursor().execute("INSERT INTO i (id, v, u) VALUES (6, 1, 60)")
        bg = Background(b, "INSERT INTO i (id, v, u) VALUES (7, 1, 60)")
        self.assertTrue(bg.still_blocked())
        a.cursor().execute("ROLLBACK")
        self.assertEqual(bg.result()[:2], ("ok", 1))
        a.cursor().execute("BEGIN")
        a.cursor().execute("UPDATE i SET u = 70 WHERE id = 5")
        bg = Background(b, "INSERT INTO i (id, v, u) VALUES (8, 1, 70)")
        self.assertTrue(bg.still_blocked())
        a.cursor().execute("COMMIT")
        self.assertEqual(bg.result()[:2], ("error", 1062))
        with self.session().cursor() as cur:
            cur.execute("SELECT id, u FROM i ORDER BY id")
            self.assertEqual(cur.fetchall(), ((5, 70), (7, 60)))

    def test_kill_query_ends_a_lock_wait(self):
        self.table("k")
        a, b = self.session(), self.session()
        a.cursor().execute("BEGIN")
        a.cursor().execute("DELETE FROM k WHERE id = 3")
        with b.cursor() as cur:
            cur.execute("SELECT CONNECTION_ID()")
            (b_id,) = cur.fetchone()
        bg = Background(b, "UPDATE k SET v = 1 WHERE id = 3")
        self.assertTrue(bg.still_blocked())
        with self.session().cursor() as cur:
            cur.execute("SHOW PROCESSLIST")
            info = {row[0]: row[7] for row in cur.fetchall()}
            self.assertEqual(info[b_id], "UPDATE k SET v = 1 WHERE id = 3")
            cur.execute(f"KILL QUERY {b_id}")
        self.assertEqual(bg.result(timeout=5)[:2], ("error", 1317))
        a.cursor().execute("COMMIT")
        with b.cursor() as cur:  # the session goes on
            self.assertEqual(cur.execute("UPDATE k SET v = 1 WHERE id = 3"), 0)

    def test_range_update_waits_and_skips_rows_deleted_meanwhile(self):
        self.table("r", rows=[(i, i) for i in range(1, 11)])
        a, b = self.session(), self.session()
        a.cursor().execute("BEGIN")
        a.cursor().execute("DELETE FROM r WHERE id = 4")
        a.cursor().execute("UPDATE r SET v = 100 WHERE id = 6")
        bg = Background(b, "UPDATE r SET v = v + 1 WHERE v BETWEEN 3 AND 7")  # through index kv
        self.assertTrue(bg.still_blocked())
        a.cursor().execute("COMMIT")
        # Rows 3, 5 and 7 match at their latest versions; 4 is gone and 6 moved out of range.
        self.assertEqual(bg.result()[:2], ("ok", 3))
        with self.session().cursor() as cur:
            cur.execute("SELECT id, v FROM r WHERE id BETWEEN 3 AND 7 ORDER BY id")
            self.assertEqual(cur.fetchall(), ((3, 4), (5, 6), (6, 100), (7, 8)))


if __name__ == "__main__":
    unittest.main()
