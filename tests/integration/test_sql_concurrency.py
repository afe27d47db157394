"""No lost updates: N sessions (threads, one PyMySQL connection each) increment the same
row M times, retrying the whole transaction on ER_LOCK_DEADLOCK (1213, SQLSTATE 40001).
At the end the counter is exactly N*M."""
import threading
import time
import unittest

import pymysql

from sql_common import connect, sql_server

N, M = 8, 50


class ConcurrencyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = sql_server()
        with connect(cls.server) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE cc")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def run_sessions(self, table, work):
        with connect(self.server, "cc") as c, c.cursor() as cur:
            cur.execute(f"CREATE TABLE {table} (id INT PRIMARY KEY, v INT NOT NULL)")
            cur.execute(f"INSERT INTO {table} VALUES (1, 0), (2, 0)")
        retries = [0] * N
        failures = []
        barrier = threading.Barrier(N)

        def session(i):
            try:
                conn = connect(self.server, "cc")
                try:
                    with conn.cursor() as cur:
                        barrier.wait()
                        for _ in range(M):
                            while True:
                                try:
                                    work(cur)
                                    break
                                except pymysql.MySQLError as e:
                                    if e.args[0] != 1213:
                                        raise
                                    retries[i] += 1
                                    try:
                                        cur.execute("ROLLBACK")  # a no-op if the server already rolled back
                                    except pymysql.MySQLError:
                                        pass
                finally:
                    conn.close()
            except Exception as e:  # reported by the main thread
                failures.append(f"session {i}: {e!r}")

        start = time.time()
        threads = [threading.Thread(target=session, args=(i,)) for i in range(N)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        self.assertFalse(any(t.is_alive() for t in threads), "sessions hung")
        self.assertEqual(failures, [])
        with connect(self.server, "cc") as c, c.cursor() as cur:
            cur.execute(f"SELECT id, v FROM {table} ORDER BY id")
            self.assertEqual(cur.fetchall(), ((1, N * M), (2, 0)))
        return sum(retries), time.time() - start

    def test_read_modify_write_transactions(self):
        def work(cur):
            cur.execute("BEGIN")
            cur.execute("SELECT v FROM c WHERE id = 1")
            (v,) = cur.fetchone()
            cur.execute("UPDATE c SET v = %s WHERE id = 1", (v + 1,))
            cur.execute("COMMIT")

        retries, secs = self.run_sessions("c", work)
        print(f"\nread-modify-write: {N}x{M} increments in {secs:.1f}s, {retries} retries on 1213", flush=True)
        # Eight sessions racing on one row must have conflicted at least once; otherwise the
        # transactions were not concurrent and the test proved nothing.
        self.assertGreater(retries, 0)

    def test_autocommit_increment(self):
        def work(cur):
            self.assertEqual(cur.execute("UPDATE c2 SET v = v + 1 WHERE id = 1"), 1)

        retries, secs = self.run_sessions("c2", work)
        print(f"\nautocommit v=v+1: {N}x{M} increments in {secs:.1f}s, {retries} retries on 1213", flush=True)
        # An autocommit statement that loses a write-write conflict is retried by the server
        # (docs/sql.md), as a single-row UPDATE in MySQL waits for the lock instead of failing.
        self.assertEqual(retries, 0)

    def test_deadlock_error_shape_and_session_after(self):
        with connect(self.server, "cc") as c, c.cursor() as cur:
            cur.execute("CREATE TABLE d (id INT PRIMARY KEY, v INT)")
            cur.execute("INSERT INTO d VALUES (1, 0)")
        a, b = connect(self.server, "cc"), connect(self.server, "cc")
        try:
            ca, cb = a.cursor(), b.cursor()
            ca.execute("BEGIN")
            cb.execute("BEGIN")
            ca.execute("SELECT v FROM d WHERE id = 1")
            cb.execute("SELECT v FROM d WHERE id = 1")
            ca.execute("UPDATE d SET v = 10 WHERE id = 1")
            ca.execute("COMMIT")
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cb.execute("UPDATE d SET v = 20 WHERE id = 1")
                cb.execute("COMMIT")
            self.assertEqual(ctx.exception.args[0], 1213, ctx.exception.args)
            self.assertEqual(ctx.exception.args[1],
                             "Deadlock found when trying to get lock; try restarting transaction")
            # The session keeps working and the winner's write stands.
            cb.execute("ROLLBACK")
            cb.execute("SELECT v FROM d WHERE id = 1")
            self.assertEqual(cb.fetchone()[0], 10)
        finally:
            a.close()
            b.close()


if __name__ == "__main__":
    unittest.main()
