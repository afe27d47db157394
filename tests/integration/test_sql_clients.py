"""The single-node vertical slice as users see it: the real `stratadb` binary with a root
password, driven by the real `mariadb` CLI and by PyMySQL. DDL, DML, queries, transactions,
exact MySQL errors (and the session surviving them), value round trips, restart, the
slow-query log and the statement metrics."""
import datetime
import decimal
import json
import os
import re
import subprocess
import time
import unittest

import pymysql
import pymysql.constants

from harness import curl
from sql_common import PASSWORD, connect, mariadb, sql_server


class MariadbCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = sql_server()
        out = mariadb(cls.server, "CREATE DATABASE shop;\n"
                      "CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, "
                      "qty INT NOT NULL, price DECIMAL(10,2), cat VARCHAR(10), small TINYINT);\n")
        assert out.returncode == 0, out.stderr

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def cli(self, sql, **kwargs):
        out = mariadb(self.server, sql, database="shop", **kwargs)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def rows(self, sql):
        """Result rows of the last statement in `sql` (tab-separated batch output), header dropped."""
        return [line.split("\t") for line in self.cli(sql).splitlines()[1:]]

    def admin(self, *args):
        out = subprocess.run(["mariadb-admin", "--no-defaults", "-h127.0.0.1", f"-P{self.server.port}", "-uroot",
                              f"--password={PASSWORD}", *args], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def test_mariadb_admin(self):
        self.assertEqual(self.admin("ping").strip(), "mysqld is alive")
        self.assertRegex(self.admin("status"), r"^Uptime: \d+\s+Threads: \d+")
        self.assertIn("| autocommit ", self.admin("variables"))
        self.assertIn("Server version\t\t8.0", self.admin("version"))
        self.assertIn("| Threads_connected ", self.admin("extended-status"))
        # processlist lists the other sessions too; kill ends one of them.
        idle = connect(self.server)
        with idle.cursor() as cur:
            cur.execute("SELECT CONNECTION_ID()")
            idle_id = cur.fetchone()[0]
        listed = self.admin("processlist")
        self.assertRegex(listed, rf"\|\s*{idle_id}\s*\|\s*root\s*\|.*\|\s*Sleep\s*\|")
        self.admin("kill", str(idle_id))
        with self.assertRaises(pymysql.err.OperationalError):
            idle.cursor().execute("SELECT 1")

    def test_mariadb_check(self):
        """mariadb-check (mysqlcheck) runs CHECK / ANALYZE / OPTIMIZE TABLE over a database."""
        self.cli("CREATE TABLE checked (id INT PRIMARY KEY, k INT, KEY k_idx (k)); "
                 "INSERT INTO checked VALUES (1, 10), (2, 20), (3, 20)")
        base = ["mariadb-check", "--no-defaults", "-h127.0.0.1", f"-P{self.server.port}", "-uroot",
                f"--password={PASSWORD}"]
        for mode, expect in (([], r"(?m)^shop\.checked\s+OK$"), (["--analyze"], r"(?m)^shop\.checked\s+OK$"),
                             (["--optimize"], r"(?s)shop\.checked\s+note\s*: Table does not support optimize.*status\s*: OK")):
            out = subprocess.run(base + mode + ["shop"], capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            self.assertRegex(out.stdout, expect, mode)
        self.assertEqual(self.rows("CHECK TABLE checked, nope"),
                         [["shop.checked", "check", "status", "OK"],
                          ["shop.nope", "check", "Error", "Table 'shop.nope' doesn't exist"],
                          ["shop.nope", "check", "status", "Operation failed"]])

    def test_wrong_password_is_1045(self):
        out = mariadb(self.server, "SELECT 1;\n", password="wrong")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("ERROR 1045 (28000)", out.stderr)
        self.assertIn("Access denied for user 'root'", out.stderr)
        out = mariadb(self.server, "SELECT 1;\n", password="")
        self.assertIn("ERROR 1045 (28000)", out.stderr)
        self.assertIn("(using password: NO)", out.stderr)

    def test_right_password_connects(self):
        self.assertEqual(self.rows("SELECT 1+1 AS two;\n"), [["2"]])

    def test_dml_and_queries(self):
        out = self.cli("CREATE TABLE q (id INT PRIMARY KEY, g VARCHAR(5), n INT);\n"
                       "INSERT INTO q VALUES (1,'a',10),(2,'b',20),(3,'a',30),(4,'b',40),(5,'c',50);\n"
                       "SELECT id, n FROM q WHERE n > 15 ORDER BY n DESC LIMIT 2;\n"
                       "SELECT g, COUNT(*), SUM(n), MIN(n), MAX(n) FROM q GROUP BY g ORDER BY g;\n"
                       "SELECT COUNT(*), AVG(n) FROM q;\n"
                       "UPDATE q SET n = n + 1 WHERE g = 'a';\n"
                       "SELECT ROW_COUNT();\n"
                       "DELETE FROM q WHERE id >= 4;\n"
                       "SELECT ROW_COUNT();\n"
                       "SELECT id, n FROM q ORDER BY id;\n"
                       "SELECT FOUND_ROWS(), ROW_COUNT();\n"
                       "DROP TABLE q;\n")
        self.assertEqual(out, "id\tn\n5\t50\n4\t40\n"
                              "g\tCOUNT(*)\tSUM(n)\tMIN(n)\tMAX(n)\na\t2\t40\t10\t30\nb\t2\t60\t20\t40\nc\t1\t50\t50\t50\n"
                              "COUNT(*)\tAVG(n)\n5\t30.0000\n"
                              "ROW_COUNT()\n2\n"
                              "ROW_COUNT()\n2\n"
                              "id\tn\n1\t11\n2\t20\n3\t31\n"
                              "FOUND_ROWS()\tROW_COUNT()\n3\t-1\n")

    def test_affected_rows_in_verbose_mode(self):
        # -v prints "Query OK, N rows affected" like an interactive session would.
        out = mariadb(self.server, "CREATE TABLE v (id INT PRIMARY KEY, n INT);\n"
                      "INSERT INTO v VALUES (1,1),(2,2),(3,3);\nUPDATE v SET n = 0 WHERE id < 3;\n"
                      "UPDATE v SET n = 0 WHERE id < 3;\nDELETE FROM v;\nDROP TABLE v;\n", database="shop",
                      extra=["-vvv"])
        self.assertEqual(out.returncode, 0, out.stderr)
        counts = re.findall(r"Query OK, (\d+) rows? affected", out.stdout)
        # CREATE 0, INSERT 3, UPDATE 2, UPDATE again 0 (values unchanged), DELETE 3, DROP 0.
        self.assertEqual(counts, ["0", "3", "2", "0", "3", "0"], out.stdout)
        self.assertIn("Rows matched: 2  Changed: 2", out.stdout)
        self.assertIn("Rows matched: 2  Changed: 0", out.stdout)
        self.assertIn("Records: 3  Duplicates: 0  Warnings: 0", out.stdout)

    def test_transactions(self):
        out = self.cli("CREATE TABLE tx (id INT PRIMARY KEY);\n"
                       "BEGIN;\nINSERT INTO tx VALUES (1),(2);\nSELECT COUNT(*) FROM tx;\nROLLBACK;\n"
                       "SELECT COUNT(*) FROM tx;\n"
                       "START TRANSACTION;\nINSERT INTO tx VALUES (3);\nCOMMIT;\n")
        self.assertEqual(out, "COUNT(*)\n2\nCOUNT(*)\n0\n")
        # A new connection (the CLI is a new process) sees the committed row only.
        self.assertEqual(self.rows("SELECT id FROM tx;\n"), [["3"]])
        self.cli("DROP TABLE tx;\n")

    def test_show_and_describe(self):
        self.assertIn(["shop"], self.rows("SHOW DATABASES;\n"))
        self.assertIn(["items"], self.rows("SHOW TABLES;\n"))
        desc = self.rows("DESCRIBE items;\n")
        self.assertEqual(desc[0], ["id", "int", "NO", "PRI", "NULL", ""])
        self.assertEqual(desc[1], ["name", "varchar(40)", "NO", "", "NULL", ""])
        self.assertEqual(desc[3], ["price", "decimal(10,2)", "YES", "", "NULL", ""])

    def test_show_status_counts(self):
        # SHOW STATUS answers from the node's counters: this very connection is connected,
        # and a commit moves Com_commit.
        status = dict(self.rows("SHOW GLOBAL STATUS;\n"))
        self.assertGreaterEqual(int(status["Threads_connected"]), 1)
        self.assertEqual(status["Strata_raft_role"], "leader")
        before = int(status["Com_commit"])
        out = self.rows("CREATE TABLE st (id INT PRIMARY KEY);\nINSERT INTO st VALUES (1);\n"
                        "SHOW STATUS LIKE 'Com_commit';\n")
        self.assertEqual(out[0][0], "Com_commit")
        self.assertGreater(int(out[0][1]), before)
        self.cli("DROP TABLE st;\n")

    def test_errors_exact_and_session_survives(self):
        # --force: the CLI keeps going on the same connection after each error.
        script = ("INSERT INTO items (id, name, qty, small) VALUES (1, 'one', 1, 1);\n"
                  "SELEC 1;\n"
                  "SELECT * FROM nope;\n"
                  "SELECT x FROM items;\n"
                  "INSERT INTO items (id, name, qty) VALUES (1, 'again', 2);\n"
                  "INSERT INTO items (id, name, qty) VALUES (2, NULL, 2);\n"
                  "INSERT INTO items (id, name, qty, small) VALUES (3, 'big', 3, 300);\n"
                  "SELECT CONNECTION_ID() = @cid AS same, id, name, qty FROM items ORDER BY id;\n"
                  "DELETE FROM items;\n")
        out = mariadb(self.server, "SET @cid = CONNECTION_ID();\n" + script, database="shop", force=True)
        errors = [l for l in out.stderr.splitlines() if l.startswith("ERROR")]
        self.assertEqual(errors, [
            "ERROR 1064 (42000) at line 3: You have an error in your SQL syntax; check the manual that "
            "corresponds to your MySQL server version for the right syntax to use near 'SELEC 1' at line 1",
            "ERROR 1146 (42S02) at line 4: Table 'shop.nope' doesn't exist",
            "ERROR 1054 (42S22) at line 5: Unknown column 'x' in 'field list'",
            "ERROR 1062 (23000) at line 6: Duplicate entry '1' for key 'items.PRIMARY'",
            "ERROR 1048 (23000) at line 7: Column 'name' cannot be null",
            "ERROR 1264 (22003) at line 8: Out of range value for column 'small' at row 1",
        ], out.stderr)
        # Same connection, the one good row intact, nothing from the failed statements.
        self.assertEqual(out.stdout, "same\tid\tname\tqty\n1\t1\tone\t1\n")

    def test_error_inside_transaction_keeps_it_open(self):
        out = mariadb(self.server, "CREATE TABLE te (id INT PRIMARY KEY);\n"
                      "BEGIN;\nINSERT INTO te VALUES (1);\nINSERT INTO te VALUES (1);\n"
                      "INSERT INTO te VALUES (2),(2);\nINSERT INTO te VALUES (3);\nCOMMIT;\n"
                      "SELECT id FROM te ORDER BY id;\nDROP TABLE te;\n", database="shop", force=True)
        self.assertEqual(len([l for l in out.stderr.splitlines() if l.startswith("ERROR 1062 (23000)")]), 2,
                         out.stderr)
        # Statement atomicity: the failed multi-row INSERT left neither row 2.
        self.assertEqual(out.stdout, "id\n1\n3\n")


class PyMySQLTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = sql_server()
        with connect(cls.server) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE py")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.conn = connect(self.server, "py")
        self.cur = self.conn.cursor()

    def tearDown(self):
        self.conn.close()

    def assert_error(self, code, sqlstate_msg, sql, args=None):
        with self.assertRaises(pymysql.MySQLError) as ctx:
            self.cur.execute(sql, args)
        self.assertEqual(ctx.exception.args[0], code, ctx.exception.args)
        self.assertEqual(ctx.exception.args[1], sqlstate_msg)

    def test_wrong_password(self):
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            pymysql.connect(host="127.0.0.1", port=self.server.port, user="root", password="nope")
        self.assertEqual(ctx.exception.args[0], 1045)
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            pymysql.connect(host="127.0.0.1", port=self.server.port, user="nobody", password=PASSWORD)
        self.assertEqual(ctx.exception.args[0], 1045)

    def test_parameterised_queries(self):
        self.cur.execute("CREATE TABLE p (id INT PRIMARY KEY, s VARCHAR(100))")
        tricky = ["it's", 'say "hi"', "back\\slash", "semi; DROP TABLE p; --", "ünïcødé ✓", ""]
        n = self.cur.executemany("INSERT INTO p (id, s) VALUES (%s, %s)", list(enumerate(tricky)))
        self.assertEqual(n, len(tricky))
        for i, s in enumerate(tricky):
            self.cur.execute("SELECT id FROM p WHERE s = %s", (s,))
            self.assertEqual(self.cur.fetchall(), ((i,),))
        self.cur.execute("SELECT s FROM p WHERE id IN %s ORDER BY id", ((0, 3),))
        self.assertEqual([r[0] for r in self.cur.fetchall()], [tricky[0], tricky[3]])
        self.cur.execute("DROP TABLE p")

    def test_show_engine_status(self):
        self.cur.execute("SHOW ENGINE STRATADB STATUS")
        (kind, name, text), = self.cur.fetchall()
        self.assertEqual((kind, name), ("StrataDB", ""))
        self.assertIn("engine: {", text)
        self.assertIn("\nraft: {", text)
        self.assertIn('"commit_index"', text)
        self.cur.execute("SHOW ENGINE INNODB STATUS")  # what tools ask a MySQL server
        self.assertEqual(len(self.cur.fetchall()), 1)
        self.assert_error(1286, "Unknown storage engine 'MYISAM'", "SHOW ENGINE MYISAM STATUS")

    def test_client_found_rows(self):
        """CLIENT_FOUND_ROWS (Perl DBD::MariaDB sets it by default): an UPDATE that matches
        rows without changing them reports the matched rows; without the flag, the changed."""
        self.cur.execute("CREATE TABLE fr (id INT PRIMARY KEY, v INT)")
        self.cur.execute("INSERT INTO fr VALUES (1, 5), (2, 5), (3, 6)")
        self.assertEqual(self.cur.execute("UPDATE fr SET v = 5 WHERE id <= 2"), 0)
        with connect(self.server, "py", client_flag=pymysql.constants.CLIENT.FOUND_ROWS) as c, c.cursor() as cur:
            self.assertEqual(cur.execute("UPDATE fr SET v = 5 WHERE id <= 2"), 2)
            self.assertEqual(cur.execute("UPDATE fr SET v = 5"), 3)  # two matched unchanged, one changed
            cur.execute("SELECT ROW_COUNT()")
            self.assertEqual(cur.fetchone()[0], 3)
            self.assertEqual(cur.execute("UPDATE fr SET v = 7 WHERE id = 99"), 0)
        self.cur.execute("DROP TABLE fr")

    def test_autocommit_off_and_on(self):
        self.cur.execute("CREATE TABLE ac (id INT PRIMARY KEY)")
        other = connect(self.server, "py")
        try:
            self.conn.autocommit(False)
            self.cur.execute("INSERT INTO ac VALUES (1)")
            with other.cursor() as oc:
                oc.execute("SELECT COUNT(*) FROM ac")
                self.assertEqual(oc.fetchone()[0], 0)  # not yet committed
            self.conn.rollback()
            self.cur.execute("INSERT INTO ac VALUES (2)")
            self.conn.commit()
            self.conn.autocommit(True)
            self.cur.execute("INSERT INTO ac VALUES (3)")  # committed at once
            with other.cursor() as oc:
                oc.execute("SELECT id FROM ac ORDER BY id")
                self.assertEqual(oc.fetchall(), ((2,), (3,)))
            self.cur.execute("SELECT @@autocommit")
            self.assertEqual(self.cur.fetchone()[0], 1)
        finally:
            other.close()
            self.cur.execute("DROP TABLE ac")

    def test_lastrowid_auto_increment(self):
        self.cur.execute("CREATE TABLE ai (id BIGINT PRIMARY KEY AUTO_INCREMENT, s VARCHAR(10))")
        self.cur.execute("INSERT INTO ai (s) VALUES ('a')")
        first = self.cur.lastrowid
        self.assertGreater(first, 0)
        self.cur.execute("INSERT INTO ai (s) VALUES ('b')")
        self.assertEqual(self.cur.lastrowid, first + 1)
        self.cur.execute("INSERT INTO ai (id, s) VALUES (100, 'c')")
        self.cur.execute("INSERT INTO ai (s) VALUES ('d')")
        self.assertEqual(self.cur.lastrowid, 101)
        self.cur.execute("SELECT LAST_INSERT_ID()")
        self.assertEqual(self.cur.fetchone()[0], 101)
        self.cur.execute("SELECT id, s FROM ai ORDER BY id")
        self.assertEqual(self.cur.fetchall(), ((first, "a"), (first + 1, "b"), (100, "c"), (101, "d")))
        self.cur.execute("DROP TABLE ai")

    def test_value_round_trips_and_types(self):
        self.cur.execute("CREATE TABLE v (id INT PRIMARY KEY, d DECIMAL(12,3), f DOUBLE, t DATETIME, "
                         "s VARCHAR(64), b BIGINT, n INT)")
        values = (1, decimal.Decimal("-12345.678"), 0.1 + 0.2, datetime.datetime(2024, 2, 29, 23, 59, 58),
                  "héllo wörld", -9223372036854775808, None)
        self.cur.execute("INSERT INTO v VALUES (%s,%s,%s,%s,%s,%s,%s)", values)
        self.cur.execute("SELECT id, d, f, t, s, b, n FROM v")
        row = self.cur.fetchone()
        self.assertEqual(row, values)
        self.assertIsInstance(row[1], decimal.Decimal)
        self.assertIsInstance(row[2], float)
        self.assertEqual(row[2], 0.30000000000000004)  # DOUBLE keeps all 17 digits
        self.assertIsInstance(row[3], datetime.datetime)
        self.assertIsNone(row[6])
        self.cur.execute("SELECT COUNT(*) FROM v WHERE n IS NULL")
        self.assertEqual(self.cur.fetchone()[0], 1)
        self.cur.execute("DROP TABLE v")

    def test_value_over_one_mib(self):
        self.cur.execute("CREATE TABLE big (id INT PRIMARY KEY, s LONGTEXT)")
        payload = "".join(chr(ord("a") + (i * 7) % 26) for i in range(1 << 16)) * 20  # 1.25 MiB
        self.cur.execute("INSERT INTO big VALUES (1, %s)", (payload,))
        self.cur.execute("SELECT s, LENGTH(s) FROM big WHERE id = 1")
        s, n = self.cur.fetchone()
        self.assertEqual(n, len(payload))
        self.assertEqual(s, payload)
        self.cur.execute("DROP TABLE big")

    def test_large_row_with_null_across_packets(self):
        """A row past 256 KiB goes out in pieces (a value straight from where it lies): a NULL, a
        short value and one past 16 MiB (two protocol packets), read by key and through an index."""
        self.cur.execute("CREATE TABLE huge (id INT PRIMARY KEY, k INT, n TEXT, s VARCHAR(10), b LONGBLOB, KEY (k))")
        self.cur.execute("INSERT INTO huge VALUES (1, 7, NULL, 'abc', REPEAT('xyz', 6000000))")
        for where in ("id = 1", "k = 7"):
            self.cur.execute(f"SELECT id, n, s, b, LENGTH(b) FROM huge WHERE {where}")
            row = self.cur.fetchone()
            self.assertEqual(row[:3], (1, None, "abc"), where)
            self.assertEqual(row[4], 18000000, where)
            self.assertEqual(bytes(row[3]), b"xyz" * 6000000, where)
        self.cur.execute("SELECT 1")  # the stream is still in step
        self.assertEqual(self.cur.fetchone(), (1,))
        self.cur.execute("DROP TABLE huge")

    def test_client_handshake_queries(self):
        self.cur.execute("SELECT @@version_comment LIMIT 1")
        self.assertEqual(len(self.cur.fetchall()), 1)
        self.cur.execute("SET NAMES utf8mb4")
        self.cur.execute("SHOW VARIABLES LIKE 'max_allowed_packet'")
        rows = self.cur.fetchall()
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][0], "max_allowed_packet")
        self.assertGreaterEqual(int(rows[0][1]), 1 << 20)
        self.cur.execute("SELECT VERSION()")
        self.assertIn("StrataDB", self.cur.fetchone()[0])

    def test_errors_and_session_survives(self):
        self.cur.execute("CREATE TABLE e (id INT PRIMARY KEY, c INT NOT NULL, s TINYINT)")
        self.cur.execute("INSERT INTO e VALUES (1, 1, 1)")
        self.cur.execute("SELECT CONNECTION_ID()")
        cid = self.cur.fetchone()[0]
        self.assert_error(1064, "You have an error in your SQL syntax; check the manual that corresponds to "
                          "your MySQL server version for the right syntax to use near 'SELEC 1' at line 1",
                          "SELEC 1")
        self.assert_error(1146, "Table 'py.nope' doesn't exist", "SELECT * FROM nope")
        self.assert_error(1054, "Unknown column 'x' in 'field list'", "SELECT x FROM e")
        self.assert_error(1062, "Duplicate entry '1' for key 'e.PRIMARY'", "INSERT INTO e VALUES (%s, 2, 2)", (1,))
        self.assert_error(1048, "Column 'c' cannot be null", "INSERT INTO e VALUES (2, %s, 2)", (None,))
        self.assert_error(1264, "Out of range value for column 's' at row 1", "INSERT INTO e VALUES (3, 3, 128)")
        self.assert_error(1264, "Out of range value for column 's' at row 2",
                          "INSERT INTO e VALUES (4, 4, 4), (5, 5, -129)")
        self.cur.execute("SELECT CONNECTION_ID()")
        self.assertEqual(self.cur.fetchone()[0], cid)
        self.cur.execute("SELECT id, c, s FROM e")
        self.assertEqual(self.cur.fetchall(), ((1, 1, 1),))
        self.cur.execute("DROP TABLE e")

    def test_hostile_sql(self):
        """Issue 16 item 7: long chains are evaluated, limits are clear errors, the session lives."""
        self.cur.execute("CREATE TABLE h (a INT PRIMARY KEY, b INT)")
        self.cur.execute("INSERT INTO h VALUES (1, 1), (2, 2), (49999, 3)")
        ors = " OR ".join(f"a = {i}" for i in range(50000))
        self.cur.execute("SELECT COUNT(*) FROM h WHERE " + ors)
        self.assertEqual(self.cur.fetchone()[0], 3)
        ands = " AND ".join(f"a <> {i}" for i in range(2, 50000))
        self.cur.execute("SELECT COUNT(*) FROM h WHERE " + ands)
        self.assertEqual(self.cur.fetchone()[0], 1)
        self.cur.execute("SELECT COUNT(*) FROM h WHERE a IN (" + ",".join(str(i) for i in range(50000)) + ")")
        self.assertEqual(self.cur.fetchone()[0], 3)
        for sql in ("SELECT " + "+".join("1" for _ in range(50000)), "SELECT " + "(" * 5000 + "1" + ")" * 5000):
            with self.assertRaises(pymysql.MySQLError) as ctx:
                self.cur.execute(sql)
            self.assertEqual(ctx.exception.args[0], 1064)
            self.assertNotIn("kMax", ctx.exception.args[1])  # no internal names in errors
        self.cur.execute("SELECT LENGTH(%s)", ("x" * (10 << 20),))  # a 10 MB literal
        self.assertEqual(self.cur.fetchone()[0], 10 << 20)
        self.cur.execute("SELECT COUNT(*) FROM h")
        self.assertEqual(self.cur.fetchone()[0], 3)
        self.cur.execute("DROP TABLE h")

    def test_explain_analyze(self):
        """EXPLAIN ANALYZE runs the query and shows each plan node's actual rows and loops."""
        self.cur.execute("CREATE TABLE ea (id INT PRIMARY KEY, k INT, KEY k (k))")
        self.cur.execute("INSERT INTO ea VALUES (1, 1), (2, 2), (3, 3), (4, 1)")
        self.cur.execute("EXPLAIN ANALYZE SELECT k, COUNT(*) FROM ea WHERE k < 3 GROUP BY k")
        lines = self.cur.fetchone()[0].split("\n")
        self.assertRegex(lines[0], r"^Project .*\(actual rows=2 loops=1 time=[0-9.]+ ms\)$")
        self.assertRegex(lines[-1], r"^ +Get py.ea \(index k, 1 range\(s\)\)  \(actual rows=3 loops=1 ")
        self.cur.execute("EXPLAIN ANALYZE WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
                         "WHERE i < 10) SELECT SUM(i) FROM r")
        text = self.cur.fetchone()[0]
        self.assertRegex(text, r"WorkTable r \(1 value\(s\)\)  \(actual rows=10 loops=10 ")
        self.cur.execute("DROP TABLE ea")

    def test_update_delete_counts(self):
        self.cur.execute("CREATE TABLE u (id INT PRIMARY KEY, n INT)")
        self.assertEqual(self.cur.execute("INSERT INTO u VALUES (1,1),(2,2),(3,3),(4,4)"), 4)
        self.assertEqual(self.cur.execute("UPDATE u SET n = n * 10 WHERE id % 2 = 0"), 2)
        self.assertEqual(self.cur.execute("UPDATE u SET n = 1 WHERE id = 1"), 0)  # unchanged
        self.assertEqual(self.cur.execute("DELETE FROM u WHERE n > 5"), 2)
        self.assertEqual(self.cur.execute("DELETE FROM u WHERE id = 99"), 0)
        self.assertEqual(self.cur.execute("INSERT INTO u VALUES (1, 7) ON DUPLICATE KEY UPDATE n = VALUES(n)"), 2)
        self.assertEqual(self.cur.execute("REPLACE INTO u VALUES (3, 9)"), 2)
        self.assertEqual(self.cur.execute("INSERT IGNORE INTO u VALUES (1, 0), (5, 5)"), 1)
        self.cur.execute("SELECT id, n FROM u ORDER BY id")
        self.assertEqual(self.cur.fetchall(), ((1, 7), (3, 9), (5, 5)))
        self.cur.execute("DROP TABLE u")

    def test_transactions(self):
        self.cur.execute("CREATE TABLE t (id INT PRIMARY KEY)")
        self.cur.execute("BEGIN")
        self.cur.execute("INSERT INTO t VALUES (1), (2)")
        self.cur.execute("ROLLBACK")
        self.cur.execute("SELECT COUNT(*) FROM t")
        self.assertEqual(self.cur.fetchone()[0], 0)
        self.cur.execute("BEGIN")
        self.cur.execute("INSERT INTO t VALUES (3)")
        self.cur.execute("COMMIT")
        with connect(self.server, "py") as other, other.cursor() as oc:
            oc.execute("SELECT id FROM t")
            self.assertEqual(oc.fetchall(), ((3,),))
        self.cur.execute("DROP TABLE t")


class RestartTest(unittest.TestCase):
    def test_reconnect_after_restart_keeps_data(self):
        s = sql_server()
        try:
            conn = connect(s)
            cur = conn.cursor()
            cur.execute("CREATE DATABASE r")
            cur.execute("CREATE TABLE r.t (id INT PRIMARY KEY AUTO_INCREMENT, s VARCHAR(20), d DECIMAL(5,1))")
            cur.execute("INSERT INTO r.t (s, d) VALUES ('x', 1.5), ('y', NULL)")
            self.assertEqual(s.stop(), 0)
            with self.assertRaises(pymysql.MySQLError):
                cur.execute("SELECT 1")  # the server is gone
            conn.close()
            s.start()  # same data dir and ports
            conn = connect(s, "r")
            cur = conn.cursor()
            cur.execute("SELECT id, s, d FROM t ORDER BY id")
            self.assertEqual(cur.fetchall(), ((1, "x", decimal.Decimal("1.5")), (2, "y", None)))
            cur.execute("INSERT INTO t (s) VALUES ('z')")
            self.assertEqual(cur.lastrowid, 3)  # the counter continues above existing keys
            # conn.ping(reconnect=True) after a kill -9 and restart.
            s.kill9()
            s.start()
            conn.ping(reconnect=True)
            cur = conn.cursor()
            cur.execute("SELECT COUNT(*) FROM t")
            self.assertEqual(cur.fetchone()[0], 3)
            conn.close()
            # The password survives restarts (verifiers are in the data dir).
            with self.assertRaises(pymysql.err.OperationalError):
                pymysql.connect(host="127.0.0.1", port=s.port, user="root", password="")
        finally:
            s.cleanup()


class ObservabilityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = sql_server()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def slow_log(self):
        path = os.path.join(self.server.data_dir, "slow-query.log")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(l) for l in f if l.strip()]

    def test_slow_query_log(self):
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE IF NOT EXISTS sl")
            cur.execute("CREATE TABLE sl.t (id INT PRIMARY KEY, n INT)")
            cur.execute("INSERT INTO sl.t VALUES (1,1),(2,2),(3,3),(4,4),(5,5)")
            before = len(self.slow_log())
            cur.execute("SELECT id FROM sl.t WHERE n >= 4 /* default long_query_time: not logged */")
            self.assertEqual(len(self.slow_log()), before)
            cur.execute("SET SESSION long_query_time = 0")
            cur.execute("SELECT id FROM sl.t WHERE n >= 4 ORDER BY id")
            self.assertEqual(cur.fetchall(), ((4,), (5,)))
        entries = [e for e in self.slow_log() if e["statement"] == "SELECT id FROM sl.t WHERE n >= 4 ORDER BY id"]
        self.assertEqual(len(entries), 1, self.slow_log())
        e = entries[0]
        self.assertEqual(e["user"], "root")
        self.assertEqual(e["rows_sent"], 2)
        self.assertEqual(e["rows_examined"], 5)
        self.assertEqual(e["error"], 0)
        self.assertGreaterEqual(e["query_time"], 0)
        # Another session still has the global default: not logged.
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("SELECT 12345 AS other_session")
        self.assertFalse([e for e in self.slow_log() if "other_session" in e["statement"]])

    def test_slow_query_log_global(self):
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("SET GLOBAL long_query_time = 0")
            try:
                with connect(self.server) as c2, c2.cursor() as cur2:  # new sessions take the global
                    cur2.execute("SELECT 424242 AS global_zero")
            finally:
                cur.execute("SET GLOBAL long_query_time = 10")
        self.assertTrue([e for e in self.slow_log() if "global_zero" in e["statement"]])

    def test_slow_query_log_off(self):
        """SET GLOBAL slow_query_log = OFF stops the log; ON starts it again."""
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("SET SESSION long_query_time = 0")
            cur.execute("SET GLOBAL slow_query_log = OFF")
            try:
                cur.execute("SELECT @@GLOBAL.slow_query_log")
                self.assertEqual(cur.fetchone(), (0,))
                cur.execute("SELECT 737373 AS while_off")
            finally:
                cur.execute("SET GLOBAL slow_query_log = ON")
            cur.execute("SELECT 838383 AS while_on")
        self.assertFalse([e for e in self.slow_log() if "while_off" in e["statement"]])
        self.assertTrue([e for e in self.slow_log() if "while_on" in e["statement"]])

    def test_max_connections_set_global(self):
        """SET GLOBAL max_connections applies to the next connection: past it, 1040."""
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("SELECT @@max_connections")
            self.assertEqual(cur.fetchone(), (151,))
            cur.execute("SET GLOBAL max_connections = 2")
            try:
                cur.execute("SELECT @@GLOBAL.max_connections")
                self.assertEqual(cur.fetchone(), (2,))
                with connect(self.server) as second:
                    with self.assertRaises(pymysql.err.OperationalError) as refused:
                        connect(self.server)
                    self.assertEqual(refused.exception.args[0], 1040)
                    second.ping()
            finally:
                cur.execute("SET GLOBAL max_connections = 151")
            with connect(self.server) as third, third.cursor() as cur3:
                cur3.execute("SELECT 1")

    def test_metrics(self):
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE IF NOT EXISTS m")
            cur.execute("CREATE TABLE IF NOT EXISTS m.t (id INT PRIMARY KEY)")
            cur.execute("INSERT INTO m.t VALUES (1)")
            cur.execute("SELECT * FROM m.t")
            with self.assertRaises(pymysql.err.IntegrityError):
                cur.execute("INSERT INTO m.t VALUES (1)")
        code, body = curl(f"http://127.0.0.1:{self.server.admin_port}/metrics")
        self.assertEqual(code, 200)
        self.assertRegex(body, r'\nstratadb_query_duration_seconds_count\{kind="select"\} [1-9]')
        self.assertRegex(body, r'\nstratadb_query_duration_seconds_bucket\{kind="select",le="\+Inf"\} [1-9]')
        self.assertRegex(body, r'\nstratadb_statement_errors_total\{code="1062"\} [1-9]')
        # Prepared SELECTs: the first execution plans, the second reuses the kept plan.
        def plan_cache(text, name):
            return int(re.search(rf"\n{name} (\d+)", text).group(1))
        hits, misses = plan_cache(body, "stratadb_plan_cache_hits_total"), plan_cache(body, "stratadb_plan_cache_misses_total")
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("PREPARE ps FROM 'SELECT id FROM m.t WHERE id = ?'")
            cur.execute("SET @one = 1")
            cur.execute("EXECUTE ps USING @one")
            cur.execute("EXECUTE ps USING @one")
        _, body = curl(f"http://127.0.0.1:{self.server.admin_port}/metrics")
        self.assertGreaterEqual(plan_cache(body, "stratadb_plan_cache_misses_total"), misses + 1)
        self.assertGreaterEqual(plan_cache(body, "stratadb_plan_cache_hits_total"), hits + 1)
        checker = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True, text=True)
        self.assertEqual(checker.returncode, 0, checker.stdout + checker.stderr)


if __name__ == "__main__":
    unittest.main()
