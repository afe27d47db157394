"""One test per item of /work/shared/reference/mysql-compat.md ("What MySQL clients depend
on"): test_NN_<name> checks item NN against the real `stratadb` binary through a real client
(PyMySQL, mysqlclient/MySQLdb and libmariadb, the mariadb CLI and mariadb-dump). Items
without a test here are listed in docs/mysql_protocol.md ("Client compatibility") with what
is missing. One server serves the whole class; each test uses its own tables."""
import struct
import subprocess
import threading
import unittest

import MySQLdb
import pymysql
from pymysql.constants import CLIENT

import mysql_compat_client as mc
from harness import wait_until
from sql_common import PASSWORD, connect, mariadb, sql_server

DB = "compat"


def mysqldb(server, db=DB, **kwargs):
    return MySQLdb.connect(host="127.0.0.1", port=server.port, user="root", passwd=PASSWORD, db=db, autocommit=True,
                           **kwargs)


class MysqlCompatTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = sql_server()
        with connect(cls.server) as c, c.cursor() as cur:
            cur.execute(f"CREATE DATABASE {DB}")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.conn = connect(self.server, DB)
        self.cur = self.conn.cursor()

    def tearDown(self):
        self.conn.close()

    def q(self, sql, args=None, cur=None):
        cur = cur or self.cur
        cur.execute(sql, args)
        return cur.fetchall()

    def one(self, sql, args=None, cur=None):
        return self.q(sql, args, cur)[0][0]

    def connect_with_collation_255(self):
        """A connection whose HandshakeResponse asks for collation 255 (utf8mb4_0900_ai_ci)."""
        original = pymysql.connections.charset_by_name
        pymysql.connections.charset_by_name = lambda name: pymysql.charset.Charset(
            255, "utf8mb4", "utf8mb4_0900_ai_ci", "Yes")
        try:
            return connect(self.server, DB)
        finally:
            pymysql.connections.charset_by_name = original

    def error(self, sql, cur=None):
        with self.assertRaises(pymysql.MySQLError) as ctx:
            (cur or self.cur).execute(sql)
        return ctx.exception.args[0]

    def cli(self, sql, *extra, ok=True):
        out = mariadb(self.server, sql, database=DB, extra=extra)
        if ok:
            self.assertEqual(out.returncode, 0, out.stderr)
        return out

    # A. Handshake, auth, connection commands

    def test_01_one_consistent_version(self):
        """1. One consistent version: handshake version = VERSION() = @@version; @@version_comment exists."""
        hello = mc.read_handshake(self.server.port)["version"]
        self.assertEqual(self.conn.get_server_info(), hello)
        self.assertEqual(self.q("SELECT VERSION(), @@version"), ((hello, hello),))
        self.assertRegex(hello, r"^8\.0\.\d+")
        out = self.cli("select @@version_comment limit 1;\n")
        self.assertEqual(len(out.stdout.splitlines()), 2, out.stdout)

    def test_02_long_password_bit_and_zero_filler(self):
        """2. Set capability bit 0 (CLIENT_LONG_PASSWORD) and zero the 4 filler bytes; no "5.5.5-" prefix."""
        hello = mc.read_handshake(self.server.port)
        self.assertTrue(hello["capabilities"] & 1)
        self.assertEqual(hello["reserved"], bytes(10))
        self.assertFalse(hello["version"].startswith("5.5.5-"))

    def test_03_collation_255_in_handshake_response(self):
        """3. Accept collation id 255 (utf8mb4_0900_ai_ci) in HandshakeResponse."""
        c = self.connect_with_collation_255()
        with c, c.cursor() as cur:
            self.assertEqual(self.one("SELECT @@character_set_client", cur=cur), "utf8mb4")
            self.assertEqual(self.one("SELECT CHAR_LENGTH(%s)", ("ünï ✓ 😀",), cur=cur), 7)

    def test_04_native_and_caching_sha2_with_auth_switch(self):
        """4. mysql_native_password and caching_sha2_password with AuthSwitchRequest."""
        self.cur.execute("CREATE USER 'nat4'@'%' IDENTIFIED WITH mysql_native_password BY 'pw-n4'")
        self.cur.execute("CREATE USER 'sha4'@'%' IDENTIFIED WITH caching_sha2_password BY 'pw-s4'")
        for user, pw in (("nat4", "pw-n4"), ("sha4", "pw-s4")):
            # PyMySQL starts with the server's plugin (caching_sha2), libmariadb with native.
            with pymysql.connect(host="127.0.0.1", port=self.server.port, user=user, password=pw) as c:
                with c.cursor() as cur:
                    self.assertEqual(self.one("SELECT CURRENT_USER()", cur=cur), f"{user}@%")
            m = MySQLdb.connect(host="127.0.0.1", port=self.server.port, user=user, passwd=pw)
            m.query("SELECT USER()")
            self.assertTrue(str(m.store_result().fetch_row()[0][0]).startswith(user + "@"))
            m.close()
            with self.assertRaises(MySQLdb.OperationalError) as ctx:
                MySQLdb.connect(host="127.0.0.1", port=self.server.port, user=user, passwd=pw + "x")
            self.assertEqual(ctx.exception.args[0], 1045)

    def test_05_unknown_database_1049(self):
        """5. Unknown database at connect / COM_INIT_DB → 1049 / 42000."""
        out = mariadb(self.server, "SELECT 1;\n", database="nodb5")
        self.assertIn("ERROR 1049 (42000)", out.stderr)
        with self.assertRaises(pymysql.err.OperationalError) as ctx:
            connect(self.server, "nodb5")
        self.assertEqual(ctx.exception.args[0], 1049)
        m = mysqldb(self.server)
        with self.assertRaises(MySQLdb.OperationalError) as ctx:
            m.select_db("nodb5")  # COM_INIT_DB
        self.assertEqual((ctx.exception.args[0], m.sqlstate()), (1049, "42000"))
        m.close()

    def test_06_reset_connection_and_change_user(self):
        """6. COM_RESET_CONNECTION and COM_CHANGE_USER (pools)."""
        self.cur.execute("CREATE TABLE t6 (id INT PRIMARY KEY)")
        c = mc.Libmariadb(self.server.port, "root", PASSWORD, DB)
        c.query("SET @v = 6")
        c.query("BEGIN")
        c.query("INSERT INTO t6 VALUES (1)")
        self.assertEqual(c.reset_connection(), 0)
        self.assertEqual(c.query("SELECT @v, DATABASE()"), [[None, DB]])
        self.assertEqual(c.query("SELECT COUNT(*) FROM t6"), [["0"]])  # the transaction was rolled back
        c.close()
        self.cur.execute("CREATE USER 'cu6'@'%' IDENTIFIED BY 'pw-6'")
        self.cur.execute(f"GRANT SELECT ON {DB}.* TO 'cu6'@'%'")
        m = mysqldb(self.server)
        m.query("SET @v = 6")
        m.change_user("cu6", "pw-6", DB)
        m.query("SELECT CURRENT_USER(), @v, DATABASE()")
        self.assertEqual(m.store_result().fetch_row(), (("cu6@%", None, DB),))
        with self.assertRaises(MySQLdb.OperationalError) as ctx:
            m.query(f"INSERT INTO {DB}.t6 VALUES (2)")
        self.assertEqual(ctx.exception.args[0], 1142)  # cu6's privileges, not root's
        with self.assertRaises(MySQLdb.OperationalError) as ctx:
            m.change_user("cu6", "wrong", DB)
        self.assertEqual(ctx.exception.args[0], 1045)
        m.close()

    def test_07_field_list_ping_statistics(self):
        """7. COM_FIELD_LIST, COM_PING, COM_STATISTICS."""
        self.cur.execute("CREATE TABLE t7 (id INT PRIMARY KEY, name VARCHAR(9))")
        c = mc.Libmariadb(self.server.port, "root", PASSWORD, DB)
        self.assertEqual(c.list_fields("t7"), ["id", "name"])
        self.assertIsNone(c.list_fields("missing7"))
        self.assertEqual(c.error(), (1146, "42S02"))
        c.close()
        m = mysqldb(self.server)
        m.ping()
        self.assertRegex(m.stat(), r"^Uptime: \d+\s+Threads: \d+\s+Questions: \d+")
        m.close()

    def test_08_kill_query(self):
        """8. KILL QUERY <id> (CLI Ctrl-C sends it from a second connection)."""
        self.cur.execute("CREATE TABLE t8 (id INT PRIMARY KEY, v INT)")
        self.cur.execute("INSERT INTO t8 VALUES (1, 0)")
        holder = connect(self.server, DB, autocommit=False)
        holder.cursor().execute("SELECT * FROM t8 WHERE id = 1 FOR UPDATE")
        victim = connect(self.server, DB)
        vid = self.one("SELECT CONNECTION_ID()", cur=victim.cursor())
        result = {}

        def wait_for_lock():
            try:
                victim.cursor().execute("UPDATE t8 SET v = 1 WHERE id = 1")
                result["code"] = 0
            except pymysql.MySQLError as e:
                result["code"] = e.args[0]
        t = threading.Thread(target=wait_for_lock)
        t.start()
        wait_until(lambda: any(r[0] == vid and (r[7] or "").startswith("UPDATE")
                               for r in self.q("SHOW FULL PROCESSLIST")), what="the UPDATE to wait")
        self.cur.execute(f"KILL QUERY {vid}")
        t.join(30)
        self.assertEqual(result.get("code"), 1317)
        self.assertEqual(self.one("SELECT CONNECTION_ID()", cur=victim.cursor()), vid)  # still connected
        holder.rollback()
        holder.close()
        victim.close()

    def test_09_packets_of_16_mib_and_more(self):
        """9. Split/reassemble packets ≥ 16 MiB."""
        n = (16 << 20) + 1000
        payload = "ab" * (n // 2)
        self.assertEqual(self.q("SELECT LENGTH(%s), MD5(%s)", (payload, payload)),
                         ((n, __import__("hashlib").md5(payload.encode()).hexdigest()),))
        self.assertEqual(self.one("SELECT REPEAT('xy', %s)", (n // 2,)), "xy" * (n // 2))

    # B. Queries clients send on connect

    def test_10_connector_j_init_query(self):
        """10. Connector/J's init query reads @@session.auto_increment_increment, @@character_set_*, … @@wait_timeout."""
        names = ["auto_increment_increment", "character_set_client", "character_set_connection",
                 "character_set_results", "character_set_server", "collation_server", "collation_connection",
                 "init_connect", "interactive_timeout", "license", "lower_case_table_names", "max_allowed_packet",
                 "net_write_timeout", "performance_schema", "sql_mode", "system_time_zone", "time_zone",
                 "transaction_isolation", "tx_isolation", "wait_timeout"]
        sql = "/* mysql-connector-j-8.0.33 */SELECT " + ", ".join(
            f"@@session.{n} AS {n}" if n == "auto_increment_increment" else f"@@{n} AS {n}" for n in names)
        self.cur.execute(sql)
        self.assertEqual([d[0] for d in self.cur.description], names)
        row = dict(zip(names, self.cur.fetchone()))
        self.assertEqual(row["auto_increment_increment"], 1)
        self.assertEqual(row["character_set_client"], "utf8mb4")
        self.assertIn(row["lower_case_table_names"], (0, 1, 2))
        self.assertGreaterEqual(row["max_allowed_packet"], 1 << 20)
        self.assertEqual(row["tx_isolation"], row["transaction_isolation"])
        self.assertEqual(row["transaction_isolation"], "REPEATABLE-READ")
        self.assertIn(row["performance_schema"], (0, 1))

    def test_11_old_and_new_transaction_variable_names(self):
        """11. Old and new names (tx_*, transaction_*); SET SESSION TRANSACTION READ ONLY and … ISOLATION LEVEL …."""
        self.cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
        self.assertEqual(self.q("SELECT @@transaction_isolation, @@tx_isolation, @@session.tx_isolation"),
                         (("READ-COMMITTED",) * 3,))
        self.cur.execute("SET SESSION tx_isolation = 'SERIALIZABLE'")
        self.assertEqual(self.q("SELECT @@transaction_isolation, @@tx_isolation"), (("SERIALIZABLE",) * 2,))
        self.cur.execute("CREATE TABLE t11 (id INT PRIMARY KEY)")
        self.cur.execute("SET SESSION TRANSACTION READ ONLY")
        self.assertEqual(self.q("SELECT @@transaction_read_only, @@tx_read_only"), ((1, 1),))
        self.assertEqual(self.error("INSERT INTO t11 VALUES (1)"), 1792)  # and it is in effect
        self.cur.execute("SET SESSION TRANSACTION READ WRITE")
        self.cur.execute("START TRANSACTION READ ONLY")
        self.assertEqual(self.q("SELECT COUNT(*) FROM t11"), ((0,),))
        self.assertEqual(self.error("UPDATE t11 SET id = 2"), 1792)
        self.cur.execute("COMMIT")
        self.cur.execute("SET TRANSACTION READ ONLY")  # the next transaction only
        self.assertEqual(self.error("DELETE FROM t11"), 1792)
        self.cur.execute("INSERT INTO t11 VALUES (1)")
        self.cur.execute("SET SESSION tx_read_only = 1")
        self.assertEqual(self.q("SELECT @@transaction_read_only, @@tx_read_only"), ((1, 1),))
        self.cur.execute("SET SESSION transaction_read_only = 0")
        self.assertEqual(self.q("SELECT @@transaction_read_only, @@tx_read_only"), ((0, 0),))

    def test_12_system_time_zone_and_set_time_zone(self):
        """12. @@system_time_zone a recognised zone (UTC); SET time_zone='UTC' / '+00:00'."""
        self.assertEqual(self.one("SELECT @@system_time_zone"), "UTC")
        self.assertEqual(self.one("SELECT CONVERT_TZ('2024-01-01 00:00:00', @@system_time_zone, '+01:00')"),
                         __import__("datetime").datetime(2024, 1, 1, 1, 0))
        for zone in ("UTC", "+00:00"):
            self.cur.execute("SET time_zone = %s", (zone,))
            self.assertEqual(self.one("SELECT @@session.time_zone"), zone)

    def test_13_full_set_grammar(self):
        """13. Full SET grammar: Rails' SET NAMES …, @@SESSION.sql_mode = CONCAT(…); mysqldump's SET SESSION NET_*; character_set_results = NULL."""
        self.cur.execute("SET NAMES utf8mb4, @@SESSION.sql_mode = CONCAT(CONCAT(@@sql_mode, ',STRICT_ALL_TABLES'), "
                         "',NO_AUTO_VALUE_ON_ZERO'), @@SESSION.sql_auto_is_null = 0, @@SESSION.wait_timeout = 2147483")
        mode, auto_is_null, wait = self.q("SELECT @@sql_mode, @@sql_auto_is_null, @@wait_timeout")[0]
        self.assertTrue(mode.endswith(",STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO"), mode)
        self.assertEqual((auto_is_null, wait), (0, 2147483))
        self.cur.execute("SET SESSION NET_READ_TIMEOUT=86400, SESSION NET_WRITE_TIMEOUT=86401")
        self.assertEqual(self.q("SELECT @@net_read_timeout, @@net_write_timeout"), ((86400, 86401),))
        self.cur.execute("SET character_set_results = NULL")
        self.assertIsNone(self.one("SELECT @@character_set_results"))
        self.assertEqual(self.one("SELECT 'é'"), "é")

    def test_14_behaviour_changing_variables_not_silently_ignored(self):
        """14. Don't silently ignore variables that change behaviour (sql_auto_is_null); accept harmless ones tools set."""
        for harmless in ("SET SQL_QUOTE_SHOW_CREATE = 1", "SET @@session.sql_notes = 0",
                         "SET SESSION NET_READ_TIMEOUT = 600", "SET unique_checks = 0", "SET foreign_key_checks = 0",
                         "SET sql_auto_is_null = 0"):
            self.cur.execute(harmless)
        self.cur.execute("CREATE TABLE t14 (id INT PRIMARY KEY AUTO_INCREMENT, v INT)")
        self.cur.execute("INSERT INTO t14 (v) VALUES (1), (2)")
        self.cur.execute("INSERT INTO t14 (v) VALUES (3)")
        try:
            self.cur.execute("SET sql_auto_is_null = 1")
        except pymysql.MySQLError as e:
            self.assertEqual(e.args[0], 1231, e.args)  # refused: not silently ignored
        else:  # accepted: then it must work (WHERE auto_increment_col IS NULL = the last insert)
            self.assertEqual(self.q("SELECT v FROM t14 WHERE id IS NULL"), ((3,),))
        self.cur.execute("SET sql_auto_is_null = 0")
        self.assertEqual(self.q("SELECT v FROM t14 WHERE id IS NULL"), ())
        # The mariadb CLI's --safe-updates: refused, or DELETE without a key must fail and a
        # SELECT return at most sql_select_limit rows.
        try:
            self.cur.execute("SET SQL_SAFE_UPDATES = 1, SQL_SELECT_LIMIT = 2")
        except pymysql.MySQLError as e:
            self.assertEqual(e.args[0], 1231, e.args)
        else:
            self.assertEqual(len(self.q("SELECT * FROM t14")), 2)
            self.assertEqual(self.error("DELETE FROM t14"), 1175)
        self.cur.execute("SET SQL_SAFE_UPDATES = 0, SQL_SELECT_LIMIT = DEFAULT")
        self.assertEqual(len(self.q("SELECT * FROM t14")), 3)

    def test_15_django_multi_statement_init(self):
        """15. Django's init is one multi-statement query: SET SQL_AUTO_IS_NULL = 0; SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED."""
        with connect(self.server, DB, client_flag=CLIENT.MULTI_STATEMENTS) as c, c.cursor() as cur:
            cur.execute("SET SQL_AUTO_IS_NULL = 0; SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
            while cur.nextset():
                pass
            self.assertEqual(self.q("SELECT @@sql_auto_is_null, @@transaction_isolation", cur=cur),
                             ((0, "READ-COMMITTED"),))

    # C. OK/EOF packet semantics

    def test_16_autocommit_and_in_trans_status_flags(self):
        """16. SERVER_STATUS_AUTOCOMMIT / IN_TRANS exact after every statement."""
        self.cur.execute("CREATE TABLE t16 (id INT PRIMARY KEY)")
        flags = lambda: self.conn.server_status & (mc.STATUS_AUTOCOMMIT | mc.STATUS_IN_TRANS)
        steps = [("SELECT 1", mc.STATUS_AUTOCOMMIT), ("BEGIN", mc.STATUS_AUTOCOMMIT | mc.STATUS_IN_TRANS),
                 ("SELECT * FROM t16", mc.STATUS_AUTOCOMMIT | mc.STATUS_IN_TRANS),
                 ("INSERT INTO t16 VALUES (1)", mc.STATUS_AUTOCOMMIT | mc.STATUS_IN_TRANS),
                 ("COMMIT", mc.STATUS_AUTOCOMMIT), ("INSERT INTO t16 VALUES (2)", mc.STATUS_AUTOCOMMIT),
                 ("SET autocommit = 0", 0), ("SELECT @@autocommit", 0),
                 ("INSERT INTO t16 VALUES (3)", mc.STATUS_IN_TRANS), ("ROLLBACK", 0),
                 ("START TRANSACTION", mc.STATUS_IN_TRANS), ("COMMIT", 0), ("SET autocommit = 1", mc.STATUS_AUTOCOMMIT)]
        for sql, expected in steps:
            self.cur.execute(sql)
            self.cur.fetchall()
            self.assertEqual(flags(), expected, sql)
        self.assertEqual(self.q("SELECT id FROM t16 ORDER BY id"), ((1,), (2,)))

    def test_17_no_backslash_escapes_status_follows_sql_mode(self):
        """17. SERVER_STATUS_NO_BACKSLASH_ESCAPES follows sql_mode (PyMySQL chooses its escaping from it)."""
        self.cur.execute("CREATE TABLE t17 (id INT PRIMARY KEY, s VARCHAR(40))")
        self.assertFalse(self.conn.server_status & mc.STATUS_NO_BACKSLASH_ESCAPES)
        self.cur.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')")
        self.assertTrue(self.conn.server_status & mc.STATUS_NO_BACKSLASH_ESCAPES)
        self.assertEqual(self.one("SELECT LENGTH('a\\b')"), 3)  # a backslash is a plain character
        tricky = ["it's", "back\\slash", "\\' OR 1=1 -- "]
        for i, s in enumerate(tricky):
            self.cur.execute("INSERT INTO t17 VALUES (%s, %s)", (i, s))  # PyMySQL now doubles quotes only
        self.assertEqual([r[0] for r in self.q("SELECT s FROM t17 ORDER BY id")], tricky)
        self.cur.execute("SET SESSION sql_mode = DEFAULT")
        self.assertFalse(self.conn.server_status & mc.STATUS_NO_BACKSLASH_ESCAPES)
        self.assertEqual(self.one("SELECT COUNT(*) FROM t17 WHERE s = %s", (tricky[2],)), 1)

    def test_18_client_deprecate_eof(self):
        """18. CLIENT_DEPRECATE_EOF exactly right (no EOF after column definitions; an OK 0xfe ends the rows)."""
        def packets(conn, sql, deprecate):
            conn._execute_command(pymysql.constants.COMMAND.COM_QUERY, sql.encode())
            read = lambda: conn._read_packet().get_all_data()
            out = [read()]
            out += [read() for _ in range(out[0][0])]
            if not deprecate:
                out.append(read())
            while True:
                out.append(read())
                if out[-1][0] == 0xFE:
                    return out
        dep = connect(self.server, DB, client_flag=mc.CLIENT_DEPRECATE_EOF)
        plain = connect(self.server, DB)
        with dep, plain:
            d = packets(dep, "SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y'", True)
            # count, 2 column definitions, 2 rows, OK(0xfe) with status
            self.assertEqual(len(d), 6, d)
            self.assertEqual(d[0], b"\x02")
            self.assertNotEqual(d[3][0], 0xFE)  # a row straight after the definitions
            self.assertEqual(d[5][0], 0xFE)
            self.assertTrue(mc.eof_status(b"\x00" + d[5][1:]) & mc.STATUS_AUTOCOMMIT)
            p = packets(plain, "SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y'", False)
            # count, 2 definitions, EOF, 2 rows, EOF
            self.assertEqual(len(p), 7, p)
            self.assertEqual((p[3][0], len(p[3])), (0xFE, 5))
            self.assertEqual((p[6][0], len(p[6])), (0xFE, 5))
            # Prepared statements under DEPRECATE_EOF: no EOF after parameter or column definitions.
            dep._execute_command(pymysql.constants.COMMAND.COM_STMT_PREPARE, b"SELECT ? AS a, 2 AS b")
            first = dep._read_packet().get_all_data()
            _, ncols, nparams = struct.unpack_from("<IHH", first, 1)
            self.assertEqual((ncols, nparams), (2, 1))
            defs = [dep._read_packet().get_all_data() for _ in range(3)]
            self.assertTrue(all(x[0] != 0xFE for x in defs))
            dep.query("SET @x18 = 1")  # the connection is in step: nothing was left unread

    def test_19_affected_rows_and_client_found_rows(self):
        """19. Affected rows: honour CLIENT_FOUND_ROWS; INSERT … ON DUPLICATE KEY UPDATE → 1/2/0, REPLACE → 2."""
        self.cur.execute("CREATE TABLE t19 (id INT PRIMARY KEY, v INT)")
        self.assertEqual(self.cur.execute("INSERT INTO t19 VALUES (1, 1) ON DUPLICATE KEY UPDATE v = VALUES(v)"), 1)
        self.assertEqual(self.cur.execute("INSERT INTO t19 VALUES (1, 2) ON DUPLICATE KEY UPDATE v = VALUES(v)"), 2)
        self.assertEqual(self.cur.execute("INSERT INTO t19 VALUES (1, 2) ON DUPLICATE KEY UPDATE v = VALUES(v)"), 0)
        self.assertEqual(self.cur.execute("REPLACE INTO t19 VALUES (1, 3)"), 2)
        self.assertEqual(self.cur.execute("UPDATE t19 SET v = 3"), 0)  # matched, unchanged
        with connect(self.server, DB, client_flag=CLIENT.FOUND_ROWS) as c, c.cursor() as cur:
            self.assertEqual(cur.execute("UPDATE t19 SET v = 3"), 1)  # found rows
            self.assertEqual(cur.execute("UPDATE t19 SET v = 3 WHERE id = 99"), 0)

    def test_20_last_insert_id_is_first_of_multi_row_insert(self):
        """20. last_insert_id = FIRST id of a multi-row insert; ids in one statement consecutive."""
        self.cur.execute("CREATE TABLE t20 (id BIGINT PRIMARY KEY AUTO_INCREMENT, v INT)")
        self.cur.execute("INSERT INTO t20 (v) VALUES (0)")
        self.cur.execute("INSERT INTO t20 (v) VALUES (1), (2), (3), (4)")
        first = self.cur.lastrowid
        self.assertEqual(self.one("SELECT LAST_INSERT_ID()"), first)
        self.assertEqual(self.q("SELECT id FROM t20 WHERE v > 0 ORDER BY v"), tuple((first + i,) for i in range(4)))

    def test_21_warning_count_matches_show_warnings(self):
        """21. warning_count = rows of SHOW WARNINGS; SHOW WARNINGS raises none itself."""
        self.cur.execute("CREATE TABLE t21 (id INT PRIMARY KEY)")
        self.cur.execute("INSERT INTO t21 VALUES (1), (2)")
        cases = [("INSERT IGNORE INTO t21 VALUES (1), (2), (3)",
                  (("Warning", 1062, "Duplicate entry '1' for key 't21.PRIMARY'"),
                   ("Warning", 1062, "Duplicate entry '2' for key 't21.PRIMARY'"))),
                 ("DROP TABLE IF EXISTS nope21", (("Note", 1051, f"Unknown table '{DB}.nope21'"),)),
                 ("CREATE TABLE IF NOT EXISTS t21 (id INT)", (("Note", 1050, "Table 't21' already exists"),)),
                 ("SELECT COUNT(*) FROM t21", ())]
        for sql, expected in cases:
            self.cur.execute(sql)
            self.cur.fetchall()
            count = self.cur._result.warning_count  # from the OK / EOF packet
            self.assertEqual(self.q("SHOW WARNINGS"), expected, sql)
            self.assertEqual(count, len(expected), sql)
            self.assertEqual(self.cur._result.warning_count, 0)  # SHOW WARNINGS raises none itself
            self.assertEqual(self.q("SHOW WARNINGS"), expected, sql)  # and leaves them in place
        self.cur.execute("INSERT IGNORE INTO t21 VALUES (1), (2), (3)")
        self.assertEqual(self.q("SHOW WARNINGS LIMIT 1, 1"), (cases[0][1][1],))
        self.cur.execute("DROP TABLE IF EXISTS nope21")
        self.assertEqual(self.q("SELECT @@warning_count, @@error_count"), ((1, 0),))
        self.assertEqual(self.error("SELECT * FROM nope21"), 1146)
        errors = (("Error", 1146, f"Table '{DB}.nope21' doesn't exist"),)
        self.assertEqual((self.q("SHOW WARNINGS"), self.q("SHOW ERRORS")), (errors, errors))

    def test_22_more_results_exists_on_all_but_last(self):
        """22. SERVER_MORE_RESULTS_EXISTS on every result but the last."""
        m = mysqldb(self.server, client_flag=MySQLdb.constants.CLIENT.MULTI_STATEMENTS)
        m.query("SELECT 1; SET @a22 = 2; SELECT @a22 + 1")
        results = [m.store_result().fetch_row()]
        while m.next_result() == 0:  # 0 = another result follows (the flag was set), -1 = that was the last
            r = m.store_result()
            results.append(r.fetch_row() if r else None)
        self.assertEqual(results, [((1,),), None, ((3,),)])
        m.query("SELECT 1")
        m.store_result()
        self.assertEqual(m.next_result(), -1)
        m.close()

    # D. Prepared statements

    def test_23_prepare_counts_and_column_definitions(self):
        """23. PREPARE response's param/column counts match the definitions sent; real column definitions."""
        self.cur.execute("CREATE TABLE t23 (id INT UNSIGNED PRIMARY KEY, name VARCHAR(20) NOT NULL, price DECIMAL(8,2))")
        ps = mc.RawStatements(self.conn)
        sid, params, cols = ps.prepare("SELECT id, name, price FROM t23 WHERE id > ? AND name <> ?")
        self.assertEqual(len(params), 2)
        self.assertEqual([(c.name, c.org_name, c.table_name, c.type_code) for c in cols],
                         [("id", "id", "t23", 3), ("name", "name", "t23", 0xFD), ("price", "price", "t23", 0xF6)])
        self.assertTrue(cols[0].flags & 0x02 and cols[0].flags & 0x20)  # PRI_KEY, UNSIGNED
        self.assertEqual(cols[2].scale, 2)
        sid2, params2, cols2 = ps.prepare("INSERT INTO t23 VALUES (?, ?, ?)")
        self.assertEqual((len(params2), len(cols2)), (3, 0))
        ps.close(sid)
        ps.close(sid2)

    def test_24_every_statement_preparable(self):
        """24. Every statement preparable: sysbench prepares BEGIN and COMMIT; diesel prepares DDL."""
        ps = mc.RawStatements(self.conn)
        for sql in ("CREATE TABLE t24 (id INT PRIMARY KEY)", "BEGIN", "INSERT INTO t24 VALUES (1)", "COMMIT",
                    "CREATE INDEX i24 ON t24 (id)", "SET @x24 = 1", "DROP TABLE t24"):
            sid, _, _ = ps.prepare(sql)
            _, _, status = ps.execute(sid)
            self.assertEqual(bool(status & mc.STATUS_IN_TRANS), sql in ("BEGIN", "INSERT INTO t24 VALUES (1)"), sql)
            ps.close(sid)
        self.assertEqual(self.error("SELECT * FROM t24"), 1146)

    def test_25_stmt_execute_in_full(self):
        """25. COM_STMT_EXECUTE fully: cursor flags 1 and 8, iteration count, new-params-bound = 0, unsigned 0x80; FETCH, RESET, SEND_LONG_DATA."""
        self.cur.execute("CREATE TABLE t25 (id INT PRIMARY KEY, s VARCHAR(30))")
        self.cur.execute("INSERT INTO t25 VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        ps = mc.RawStatements(self.conn)
        sid, _, _ = ps.prepare("SELECT id, s FROM t25 WHERE id >= ? ORDER BY id")
        one = [(mc.TYPE_LONGLONG, False, struct.pack("<q", 1))]
        cols, rows, status = ps.execute(sid, one, flags=mc.CURSOR_TYPE_READ_ONLY)
        self.assertEqual((len(cols), rows), (2, []))
        self.assertTrue(status & mc.STATUS_CURSOR_EXISTS)
        rows, status = ps.fetch(sid, 2)
        self.assertEqual([mc.binary_values(r, cols) for r in rows], [[1, b"a"], [2, b"b"]])
        self.assertTrue(status & mc.STATUS_CURSOR_EXISTS)
        rows, status = ps.fetch(sid, 2)
        self.assertEqual([mc.binary_values(r, cols) for r in rows], [[3, b"c"]])
        self.assertTrue(status & mc.STATUS_LAST_ROW_SENT)
        # Flag 8 (PARAMETER_COUNT_AVAILABLE) without CLIENT_QUERY_ATTRIBUTES: no cursor, rows at once.
        cols, rows, status = ps.execute(sid, [(mc.TYPE_LONGLONG, False, struct.pack("<q", 2))],
                                        flags=mc.PARAMETER_COUNT_AVAILABLE)
        self.assertEqual([mc.binary_values(r, cols)[0] for r in rows], [2, 3])
        # new-params-bound = 0: the types of the previous execute are used again.
        cols, rows, _ = ps.execute(sid, [(mc.TYPE_LONGLONG, False, struct.pack("<q", 3))], bind_types=False)
        self.assertEqual([mc.binary_values(r, cols)[0] for r in rows], [3])
        # RESET closes an open cursor.
        ps.execute(sid, one, flags=mc.CURSOR_TYPE_READ_ONLY)
        self.assertEqual(ps.reset(sid)[0], 0)
        with self.assertRaises(pymysql.MySQLError) as ctx:
            ps.fetch(sid, 1)
        self.assertEqual(ctx.exception.args[0], 1421)
        # The unsigned flag 0x80 on parameters.
        sid2, _, _ = ps.prepare("SELECT CAST(? AS CHAR), CAST(? AS CHAR)")
        cols, rows, _ = ps.execute(sid2, [(mc.TYPE_LONGLONG, True, b"\xff" * 8), (mc.TYPE_TINY, True, b"\xff")])
        self.assertEqual(mc.binary_values(rows[0], cols), [b"18446744073709551615", b"255"])
        cols, rows, _ = ps.execute(sid2, [(mc.TYPE_LONGLONG, False, b"\xff" * 8), (mc.TYPE_TINY, False, b"\xff")])
        self.assertEqual(mc.binary_values(rows[0], cols), [b"-1", b"-1"])
        # SEND_LONG_DATA in two pieces.
        sid3, _, _ = ps.prepare("INSERT INTO t25 VALUES (?, ?)")
        ps.send_long_data(sid3, 1, b"long ")
        ps.send_long_data(sid3, 1, b"data")
        ps.execute(sid3, [(mc.TYPE_LONG, False, struct.pack("<i", 9)), (mc.TYPE_VAR_STRING, False, b"")],
                   long_data=(1,))
        self.assertEqual(self.one("SELECT s FROM t25 WHERE id = 9"), "long data")
        for s in (sid, sid2, sid3):
            ps.close(s)

    def test_26_binary_date_time_lengths(self):
        """26. Binary date/time: lengths 0/4/7/11; zero date is length 0."""
        self.cur.execute("CREATE TABLE t26 (id INT PRIMARY KEY, d DATE, dt DATETIME(6))")
        self.cur.execute("SET SESSION sql_mode = ''")
        self.cur.execute("INSERT INTO t26 VALUES (1, '0000-00-00', '0000-00-00 00:00:00'), "
                         "(2, '2024-02-29', '2024-02-29 00:00:00'), (3, '2024-02-29', '2024-02-29 10:11:12'), "
                         "(4, '2024-02-29', '2024-02-29 10:11:12.000345')")
        self.cur.execute("SET SESSION sql_mode = DEFAULT")
        ps = mc.RawStatements(self.conn)
        sid, _, _ = ps.prepare("SELECT d, dt FROM t26 ORDER BY id")
        cols, rows, _ = ps.execute(sid)
        got = [mc.binary_values(r, cols) for r in rows]
        date = struct.pack("<HBB", 2024, 2, 29)
        self.assertEqual(got, [[(0, b""), (0, b"")], [(4, date), (4, date)], [(4, date), (7, date + bytes([10, 11, 12]))],
                               [(4, date), (11, date + bytes([10, 11, 12]) + struct.pack("<I", 345))]])
        # Parameters of each length reach SQL as the same text.
        sid2, _, _ = ps.prepare("SELECT CAST(? AS CHAR)")
        for kind, raw, text in ((mc.TYPE_DATETIME, b"\x00", b"0000-00-00 00:00:00"),
                                (mc.TYPE_DATETIME, b"\x04" + date, b"2024-02-29 00:00:00"),
                                (mc.TYPE_DATE, b"\x04" + date, b"2024-02-29"),
                                (mc.TYPE_DATETIME, b"\x07" + date + bytes([1, 2, 3]), b"2024-02-29 01:02:03"),
                                (mc.TYPE_DATETIME, b"\x0b" + date + bytes([1, 2, 3]) + struct.pack("<I", 7),
                                 b"2024-02-29 01:02:03.000007")):
            cols2, rows2, _ = ps.execute(sid2, [(kind, False, raw)])
            self.assertEqual(mc.binary_values(rows2[0], cols2), [text], raw)
        ps.close(sid)
        ps.close(sid2)

    # E. Result-set metadata

    def fields(self, sql):
        self.cur.execute(sql)
        self.cur.fetchall()
        return {f.name: f for f in self.cur._result.fields}

    def test_27_column_flags(self):
        """27. Column flags NOT_NULL, PRI_KEY, UNIQUE, UNSIGNED, AUTO_INCREMENT, BLOB, BINARY."""
        self.cur.execute("CREATE TABLE t27 (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, u VARCHAR(9) UNIQUE, "
                         "b BLOB, vb VARBINARY(8), n INT)")
        f = self.fields("SELECT id, u, b, vb, n FROM t27")
        NOT_NULL, PRI, UNIQUE, BLOB, UNSIGNED, BINARY, AUTO = 1, 2, 4, 16, 32, 128, 512
        for flag in (NOT_NULL, PRI, UNSIGNED, AUTO):
            self.assertTrue(f["id"].flags & flag, (f["id"].flags, flag))
        self.assertTrue(f["u"].flags & UNIQUE)
        self.assertFalse(f["u"].flags & (NOT_NULL | PRI | BINARY))
        self.assertTrue(f["b"].flags & BLOB and f["b"].flags & BINARY)
        self.assertTrue(f["vb"].flags & BINARY)
        self.assertEqual(f["n"].flags & (NOT_NULL | PRI | UNIQUE | UNSIGNED | AUTO | BLOB), 0)
        self.assertTrue(f["n"].flags & 32768)  # NUM (with BINARY, as MySQL marks numbers)

    def test_28_charsetnr_63_only_for_binary_columns(self):
        """28. charsetnr 63 only for true binary columns (PyMySQL decides bytes vs str from it)."""
        self.cur.execute("CREATE TABLE t28 (id INT PRIMARY KEY, t TEXT, v VARCHAR(9), j JSON, b BLOB, vb VARBINARY(9))")
        self.cur.execute("INSERT INTO t28 VALUES (1, 't', 'v', '[1]', 'b', 'vb')")
        f = self.fields("SELECT t, v, j, b, vb, id FROM t28")
        self.assertEqual({k: f[k].charsetnr == 63 for k in f},
                         {"t": False, "v": False, "j": False, "b": True, "vb": True, "id": True})
        row = self.q("SELECT t, v, b, vb FROM t28")[0]
        self.assertEqual([type(x) for x in row], [str, str, bytes, bytes])

    def test_29_tinyint1_display_length(self):
        """29. Display length: tinyint(1) reports 1 (Rails/JDBC map it to boolean)."""
        self.cur.execute("CREATE TABLE t29 (a TINYINT(1), b BOOL, c TINYINT, d INT)")
        f = self.fields("SELECT a, b, c, d FROM t29")
        self.assertEqual([f[k].length for k in "abcd"], [1, 1, 4, 11])

    # F. SHOW and information_schema

    def test_30_show_statements_tools_send(self):
        """30. SHOW FULL TABLES FROM db WHERE Tables_in_db LIKE …, SHOW FULL COLUMNS, SHOW INDEX, SHOW TABLE STATUS with real counts, SHOW PLUGINS, SHOW PROCEDURE STATUS."""
        self.cur.execute("CREATE TABLE t30 (id INT PRIMARY KEY, name VARCHAR(9), KEY k30 (name))")
        self.cur.execute("CREATE VIEW v30 AS SELECT id FROM t30")
        self.cur.execute("INSERT INTO t30 VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        self.assertEqual(self.q(f"SHOW FULL TABLES FROM {DB} WHERE Tables_in_{DB} LIKE '%30'"),
                         (("t30", "BASE TABLE"), ("v30", "VIEW")))
        self.cur.execute("SHOW FULL COLUMNS FROM t30")
        self.assertEqual([d[0] for d in self.cur.description],
                         ["Field", "Type", "Collation", "Null", "Key", "Default", "Extra", "Privileges", "Comment"])
        self.assertEqual([r[0] for r in self.cur.fetchall()], ["id", "name"])
        self.assertEqual([(r[2], r[4]) for r in self.q("SHOW INDEX FROM t30")], [("PRIMARY", "id"), ("k30", "name")])
        self.cur.execute("SHOW TABLE STATUS LIKE 't30'")
        status = dict(zip([d[0] for d in self.cur.description], self.cur.fetchone()))
        self.assertEqual((status["Name"], int(status["Rows"])), ("t30", 3))
        self.cur.execute("SHOW PLUGINS")
        self.assertEqual([d[0] for d in self.cur.description][:5], ["Name", "Status", "Type", "Library", "License"])
        self.assertIn(("InnoDB", "ACTIVE", "STORAGE ENGINE"), [r[:3] for r in self.cur.fetchall()])
        for what in ("PROCEDURE", "FUNCTION"):
            self.cur.execute(f"SHOW {what} STATUS WHERE Db = '{DB}'")
            self.assertEqual([d[0] for d in self.cur.description][:3], ["Db", "Name", "Type"])
            self.assertEqual(self.cur.fetchall(), ())

    def test_31_show_create_table_exact_layout(self):
        """31. SHOW CREATE TABLE in MySQL's exact layout (SQLAlchemy parses it by regex); ENGINE names the engine that holds the table."""
        self.cur.execute("CREATE TABLE t31 (id INT NOT NULL AUTO_INCREMENT, name VARCHAR(40) NOT NULL DEFAULT '', "
                         "n BIGINT UNSIGNED, d DECIMAL(10,2) DEFAULT '1.50', c TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP, "
                         "PRIMARY KEY (id), UNIQUE KEY uk (name), KEY k_n (n, d)) COMMENT='t 31'")
        self.assertEqual(self.q("SHOW CREATE TABLE t31")[0], ("t31", (
            "CREATE TABLE `t31` (\n"
            "  `id` int NOT NULL AUTO_INCREMENT,\n"
            "  `name` varchar(40) NOT NULL DEFAULT '',\n"
            "  `n` bigint unsigned DEFAULT NULL,\n"
            "  `d` decimal(10,2) DEFAULT '1.50',\n"
            "  `c` timestamp NULL DEFAULT CURRENT_TIMESTAMP,\n"
            "  PRIMARY KEY (`id`),\n"
            "  UNIQUE KEY `uk` (`name`),\n"
            "  KEY `k_n` (`n`,`d`)\n"
            ") ENGINE=LSM DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='t 31'")))

    def test_32_information_schema_mysql8_columns(self):
        """32. information_schema with MySQL 8 columns: COLUMNS (EXTRA DEFAULT_GENERATED), TABLES.AUTO_INCREMENT, KEY_COLUMN_USAGE with REFERENCED_*, TABLE_CONSTRAINTS, FILES, COLUMN_STATISTICS."""
        self.cur.execute("CREATE TABLE t32 (id INT PRIMARY KEY AUTO_INCREMENT, u INT UNIQUE, "
                         "c TIMESTAMP DEFAULT CURRENT_TIMESTAMP)")
        self.cur.execute("INSERT INTO t32 (u) VALUES (1), (2), (3)")
        where = f"WHERE TABLE_SCHEMA = '{DB}' AND TABLE_NAME = 't32'"
        self.assertEqual(self.q(f"SELECT COLUMN_NAME, EXTRA FROM information_schema.COLUMNS {where} "
                                "ORDER BY ORDINAL_POSITION"),
                         (("id", "auto_increment"), ("u", ""), ("c", "DEFAULT_GENERATED")))
        self.assertEqual(self.one(f"SELECT AUTO_INCREMENT FROM information_schema.TABLES {where}"), 4)
        self.assertEqual(self.q("SELECT CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, "
                                f"REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE {where} "
                                "ORDER BY CONSTRAINT_NAME"),
                         (("PRIMARY", "id", None, None, None), ("u", "u", None, None, None)))
        self.assertEqual(self.q(f"SELECT CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS "
                                f"{where} ORDER BY CONSTRAINT_NAME"), (("PRIMARY", "PRIMARY KEY"), ("u", "UNIQUE")))
        # mysqldump's queries: both tables exist with MySQL's columns (no tablespaces, no histograms).
        self.assertEqual(self.q("SELECT LOGFILE_GROUP_NAME, FILE_NAME, TOTAL_EXTENTS, INITIAL_SIZE, ENGINE, EXTRA "
                                "FROM INFORMATION_SCHEMA.FILES WHERE FILE_TYPE = 'UNDO LOG' AND FILE_NAME IS NOT NULL"),
                         ())
        self.assertEqual(self.q("SELECT COLUMN_NAME, JSON_EXTRACT(HISTOGRAM, '$.\"number-of-buckets-specified\"') "
                                f"FROM information_schema.COLUMN_STATISTICS WHERE SCHEMA_NAME = '{DB}'"), ())

    def test_33_schema_names_case_insensitive(self):
        """33. Schema names case-insensitive (INFORMATION_SCHEMA); no internal names exposed."""
        self.cur.execute("CREATE TABLE t33 (id INT)")
        for schema in ("INFORMATION_SCHEMA", "information_schema", "Information_Schema"):
            self.assertEqual(self.one(f"SELECT COUNT(*) FROM {schema}.TABLES WHERE TABLE_NAME = 't33'"), 1, schema)
        self.assertEqual(self.one(f"SELECT COUNT(*) FROM {DB.upper()}.T33"), 0)
        self.cur.execute("USE INFORMATION_SCHEMA")
        self.assertEqual(self.one("SELECT DATABASE()").lower(), "information_schema")
        self.assertEqual(self.one(f"SELECT COUNT(*) FROM tables WHERE table_name = 't33'"), 1)
        databases = {r[0] for r in self.q("SHOW DATABASES")}
        self.assertLessEqual(databases, {DB, "information_schema", "mysql", "performance_schema", "sys"}
                             | {r[0] for r in self.q("SELECT SCHEMA_NAME FROM SCHEMATA")})
        self.assertFalse([d for d in databases if d.startswith(("_", "strata", "__"))], databases)

    def test_34_mysql_and_performance_schema_databases(self):
        """34. mysql and performance_schema databases exist and accept USE."""
        for db in ("mysql", "performance_schema", "MYSQL"):
            self.cur.execute(f"USE {db}")
            self.assertEqual(self.one("SELECT DATABASE()"), db.lower())
        databases = [r[0] for r in self.q("SHOW DATABASES")]
        self.assertIn("mysql", databases)
        self.assertIn("performance_schema", databases)
        with connect(self.server, "mysql") as c:  # a database in the handshake (CLIENT_CONNECT_WITH_DB)
            pass
        out = mariadb(self.server, "SELECT DATABASE();\n", database="performance_schema")
        self.assertEqual(out.stdout, "DATABASE()\nperformance_schema\n", out.stderr)

    # G. mysqldump

    def test_35_mysqldump_statements(self):
        """35. Dump: version comments by number, SET SQL_QUOTE_SHOW_CREATE=1, LOCK TABLES … READ /*!32311 LOCAL */, UNLOCK TABLES, SHOW VARIABLES LIKE 'gtid_mode', FILES and COLUMN_STATISTICS, --single-transaction with SAVEPOINT sp / ROLLBACK TO SAVEPOINT sp."""
        self.cur.execute("CREATE TABLE t35 (id INT PRIMARY KEY, s VARCHAR(9))")
        self.cur.execute("INSERT INTO t35 VALUES (1, 'a'), (2, 'b')")
        out = self.cli("/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n"
                       "/*!80000 SET SESSION information_schema_stats_expiry=0 */;\n"
                       "/*!99999 THIS IS NOT SQL */;\n"
                       "SET SQL_QUOTE_SHOW_CREATE=1;\n"
                       "SHOW VARIABLES LIKE 'gtid\\_mode';\n"
                       "SELECT COUNT(*) FROM INFORMATION_SCHEMA.FILES WHERE FILE_TYPE = 'UNDO LOG';\n"
                       "SELECT COUNT(*) FROM information_schema.COLUMN_STATISTICS;\n"
                       "LOCK TABLES `t35` READ /*!32311 LOCAL */;\n"
                       "SELECT COUNT(*) FROM t35;\n"
                       "UNLOCK TABLES;\n"
                       "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ;\n"
                       "START TRANSACTION /*!40100 WITH CONSISTENT SNAPSHOT */;\n"
                       "SAVEPOINT sp;\n"
                       "SELECT COUNT(*) FROM t35;\n"
                       "ROLLBACK TO SAVEPOINT sp;\n"
                       "RELEASE SAVEPOINT sp;\n"
                       "COMMIT;\n")
        self.assertEqual(out.stdout.split("\n")[-9:], ["COUNT(*)", "0", "COUNT(*)", "0", "COUNT(*)", "2",
                                                       "COUNT(*)", "2", ""], out.stdout)
        dump = subprocess.run(["mariadb-dump", "--no-defaults", "-h127.0.0.1", f"-P{self.server.port}", "-uroot",
                               f"--password={PASSWORD}", "--single-transaction", "--no-tablespaces", DB, "t35"],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(dump.returncode, 0, dump.stderr)
        self.assertRegex(dump.stdout, r"INSERT INTO `t35` VALUES\s*\(1,'a'\),\s*\(2,'b'\);")

    def test_36_restore_statements(self):
        """36. Restore: _binary/_utf8mb4 introducers, ALTER TABLE … DISABLE KEYS, NO_AUTO_VALUE_ON_ZERO, legacy NO_AUTO_CREATE_USER."""
        self.cli("/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n"
                 "CREATE TABLE t36 (id INT PRIMARY KEY AUTO_INCREMENT, b VARBINARY(8), s VARCHAR(8));\n"
                 "/*!40000 ALTER TABLE `t36` DISABLE KEYS */;\n"
                 "INSERT INTO `t36` VALUES (0,_binary 'a\\0b',_utf8mb4'é'),(5,_binary'\\xff',_utf8mb4 'x');\n"
                 "/*!40000 ALTER TABLE `t36` ENABLE KEYS */;\n"
                 "/*!50003 SET sql_mode = 'STRICT_TRANS_TABLES,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION' */;\n"
                 "/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n")
        # NO_AUTO_VALUE_ON_ZERO: the 0 is a key, not a request for the next value.
        self.assertEqual(self.q("SELECT id, b, s FROM t36 ORDER BY id"), ((0, b"a\0b", "é"), (5, b"xff", "x")))

    # H. ORMs and migrations

    def test_37_savepoints(self):
        """37. SAVEPOINT / RELEASE SAVEPOINT / ROLLBACK TO (Django, SQLAlchemy, Rails)."""
        self.cur.execute("CREATE TABLE t37 (id INT PRIMARY KEY, v INT)")
        self.cur.execute("INSERT INTO t37 VALUES (1, 0)")
        self.cur.execute("BEGIN")
        self.cur.execute("UPDATE t37 SET v = 1 WHERE id = 1")
        self.cur.execute("SAVEPOINT a")
        self.cur.execute("INSERT INTO t37 VALUES (2, 2)")
        self.cur.execute("SAVEPOINT b")
        self.cur.execute("UPDATE t37 SET v = 3 WHERE id = 1")
        self.cur.execute("DELETE FROM t37 WHERE id = 2")
        self.cur.execute("ROLLBACK TO SAVEPOINT b")
        self.assertEqual(self.q("SELECT id, v FROM t37 ORDER BY id"), ((1, 1), (2, 2)))
        self.cur.execute("ROLLBACK WORK TO a")  # b is gone with it
        self.assertEqual(self.q("SELECT id, v FROM t37 ORDER BY id"), ((1, 1),))
        self.assertEqual(self.error("ROLLBACK TO SAVEPOINT b"), 1305)
        self.assertEqual(self.error("RELEASE SAVEPOINT b"), 1305)
        self.cur.execute("SAVEPOINT a")  # re-setting a name moves it
        self.cur.execute("INSERT INTO t37 VALUES (4, 4)")
        self.cur.execute("RELEASE SAVEPOINT a")
        self.assertEqual(self.error("ROLLBACK TO a"), 1305)
        self.assertTrue(self.conn.server_status & mc.STATUS_IN_TRANS)
        self.cur.execute("COMMIT")
        self.assertEqual(self.q("SELECT id, v FROM t37 ORDER BY id"), ((1, 1), (4, 4)))
        # Outside a transaction (autocommit) a savepoint ends with its statement, as in MySQL.
        self.cur.execute("SAVEPOINT lone")
        self.assertEqual(self.error("ROLLBACK TO lone"), 1305)

    def test_38_named_locks_owned_by_the_session(self):
        """38. GET_LOCK / RELEASE_LOCK / IS_FREE_LOCK owned by the session (Prisma Migrate, Flyway)."""
        other = connect(self.server, DB)
        oc = other.cursor()
        me = self.one("SELECT CONNECTION_ID()")
        self.assertEqual(self.q("SELECT IS_FREE_LOCK('m38'), IS_USED_LOCK('m38')"), ((1, None),))
        self.assertEqual(self.one("SELECT GET_LOCK('m38', 5)"), 1)
        self.assertEqual(self.one("SELECT GET_LOCK('m38', 5)"), 1)  # re-entrant: held twice now
        self.assertEqual(self.q("SELECT IS_FREE_LOCK('m38'), IS_USED_LOCK('m38')", cur=oc), ((0, me),))
        self.assertEqual(self.one("SELECT GET_LOCK('m38', 0)", cur=oc), 0)  # busy: timeout 0 → 0
        self.assertEqual(self.one("SELECT RELEASE_LOCK('m38')", cur=oc), 0)  # not the owner
        self.assertEqual(self.one("SELECT RELEASE_LOCK('m38')"), 1)
        self.assertEqual(self.one("SELECT IS_FREE_LOCK('m38')", cur=oc), 0)  # still held once
        self.assertEqual(self.one("SELECT RELEASE_LOCK('m38')"), 1)
        self.assertIsNone(self.one("SELECT RELEASE_LOCK('m38')"))  # nobody holds it → NULL
        self.assertEqual(self.one("SELECT GET_LOCK('m38', 0)", cur=oc), 1)
        # A waiter gets the lock when the owner's session ends.
        got = {}
        t = threading.Thread(target=lambda: got.setdefault("r", self.one("SELECT GET_LOCK('m38', 30)")))
        t.start()
        wait_until(lambda: any((r[7] or "").startswith("SELECT GET_LOCK") for r in self.q("SHOW FULL PROCESSLIST", cur=oc)),
                   what="GET_LOCK to wait")
        other.close()
        t.join(30)
        self.assertEqual(got.get("r"), 1)
        self.assertEqual(self.one("SELECT RELEASE_ALL_LOCKS()"), 1)
        self.assertEqual(self.one("SELECT IS_FREE_LOCK('m38')"), 1)
        # A wait without a timeout ends with KILL QUERY (the CLI's Ctrl-C).
        with connect(self.server, DB) as holder, holder.cursor() as hc:
            self.assertEqual(self.one("SELECT GET_LOCK('k38', 0)", cur=hc), 1)
            killed = {}

            def wait_forever():
                try:
                    self.one("SELECT GET_LOCK('k38', -1)")
                except pymysql.MySQLError as e:
                    killed["code"] = e.args[0]
            t = threading.Thread(target=wait_forever)
            t.start()
            wait_until(lambda: any((r[7] or "").startswith("SELECT GET_LOCK('k38'")
                                   for r in self.q("SHOW FULL PROCESSLIST", cur=hc)), what="GET_LOCK to wait")
            hc.execute(f"KILL QUERY {me}")
            t.join(30)
            self.assertEqual(killed.get("code"), 1317)

    def test_39_select_for_update_locks(self):
        """39. SELECT … FOR UPDATE really locks (or makes the row part of the conflict set)."""
        self.cur.execute("CREATE TABLE t39 (id INT PRIMARY KEY, v INT)")
        self.cur.execute("INSERT INTO t39 VALUES (1, 0), (2, 0)")
        holder = connect(self.server, DB, autocommit=False)
        self.assertEqual(self.q("SELECT v FROM t39 WHERE id = 1 FOR UPDATE", cur=holder.cursor()), ((0,),))
        with connect(self.server, DB) as c, c.cursor() as cur:
            cur.execute("SET SESSION innodb_lock_wait_timeout = 1")
            self.assertEqual(self.error("UPDATE t39 SET v = 5 WHERE id = 1", cur=cur), 1205)
            self.assertEqual(self.error("SELECT v FROM t39 WHERE id = 1 FOR UPDATE NOWAIT", cur=cur), 3572)
            self.assertEqual(cur.execute("UPDATE t39 SET v = 5 WHERE id = 2"), 1)  # other rows are free
            holder.cursor().execute("UPDATE t39 SET v = v + 1 WHERE id = 1")
            holder.commit()
            self.assertEqual(cur.execute("UPDATE t39 SET v = v + 10 WHERE id = 1"), 1)
        self.assertEqual(self.q("SELECT v FROM t39 ORDER BY id"), ((11,), (5,)))
        holder.close()

    def test_40_sql_mode_takes_effect(self):
        """40. sql_mode takes effect: STRICT (and its absence), ONLY_FULL_GROUP_BY, NO_ZERO_DATE, ANSI_QUOTES, NO_AUTO_VALUE_ON_ZERO."""
        with connect(self.server, DB) as c, c.cursor() as cur:
            cur.execute("CREATE TABLE t40 (id INT AUTO_INCREMENT PRIMARY KEY, n TINYINT, d DATE, g VARCHAR(2))")
            self.assertEqual(self.error("INSERT INTO t40 (n) VALUES (1000)", cur=cur), 1264)  # strict: refused
            self.assertEqual(self.error("INSERT INTO t40 (d) VALUES ('0000-00-00')", cur=cur), 1292)  # NO_ZERO_DATE
            cur.execute("SET sql_mode = ''")  # what old applications and some dumps run with
            cur.execute("INSERT INTO t40 (n, d) VALUES (1000, '0000-00-00'), ('7 apples', '2024-02-30')")
            cur.execute("SHOW WARNINGS")
            self.assertEqual([w[1] for w in cur.fetchall()], [1264, 1265, 1265])
            cur.execute("SELECT n, CAST(d AS CHAR) FROM t40 ORDER BY id")
            self.assertEqual(cur.fetchall(), ((127, "0000-00-00"), (7, "0000-00-00")))
            cur.execute("SET sql_mode = 'NO_AUTO_VALUE_ON_ZERO'")  # mysqldump's preamble
            cur.execute("INSERT INTO t40 (id, n) VALUES (0, 1)")
            cur.execute("SELECT COUNT(*) FROM t40 WHERE id = 0")
            self.assertEqual(cur.fetchone()[0], 1)
            cur.execute("SET sql_mode = 'ANSI_QUOTES,ONLY_FULL_GROUP_BY'")
            cur.execute('SELECT "n" FROM "t40" WHERE "id" = 0')
            self.assertEqual(cur.fetchone()[0], 1)
            self.assertEqual(self.error("SELECT g, n FROM t40 GROUP BY g", cur=cur), 1055)
            cur.execute("SELECT id, n FROM t40 GROUP BY id ORDER BY id")  # n depends on the primary key
            self.assertEqual(len(cur.fetchall()), 3)

    # I. Errors

    def test_41_real_error_numbers_and_sqlstates(self):
        """41. Real error numbers and SQLSTATEs: 1062/23000, 1146/42S02, 1054/42S22, 1049/42000, 1064/42000, 1213/40001, 1205/HY000, 1317/70100."""
        m = mysqldb(self.server)

        def err(sql, conn=m):
            with self.assertRaises(MySQLdb.MySQLError) as ctx:
                conn.query(sql)
            return ctx.exception.args[0], conn.sqlstate()
        m.query("CREATE TABLE t41 (id INT PRIMARY KEY, v INT)")
        m.query("INSERT INTO t41 VALUES (1, 0), (2, 0)")
        self.assertEqual(err("INSERT INTO t41 VALUES (1, 1)"), (1062, "23000"))
        self.assertEqual(err("SELECT * FROM nope41"), (1146, "42S02"))
        self.assertEqual(err("SELECT nope FROM t41"), (1054, "42S22"))
        self.assertEqual(err("USE nope41"), (1049, "42000"))
        self.assertEqual(err("SELEC 1"), (1064, "42000"))
        # 1205: a lock wait that times out; 1213: the second half of a deadlock.
        a, b = mysqldb(self.server), mysqldb(self.server)
        a.query("BEGIN")
        a.query("UPDATE t41 SET v = 1 WHERE id = 1")
        b.query("SET SESSION innodb_lock_wait_timeout = 1")
        b.query("BEGIN")
        self.assertEqual(err("UPDATE t41 SET v = 2 WHERE id = 1", b), (1205, "HY000"))
        b.query("UPDATE t41 SET v = 2 WHERE id = 2")
        b.query("SET SESSION innodb_lock_wait_timeout = 30")
        done = {}
        t = threading.Thread(target=lambda: done.setdefault("b", b.query("UPDATE t41 SET v = 2 WHERE id = 1") or "ok"))
        t.start()
        wait_until(lambda: any(r[0] == b.thread_id() and (r[7] or "").startswith("UPDATE")
                               for r in self.q("SHOW FULL PROCESSLIST")), what="b to wait")
        with self.assertRaises(MySQLdb.MySQLError) as ctx:
            a.query("UPDATE t41 SET v = 1 WHERE id = 2")  # closes the cycle: a is the victim
        deadlock = (ctx.exception.args[0], a.sqlstate())
        t.join(30)
        self.assertEqual(deadlock, (1213, "40001"))
        self.assertEqual(done.get("b"), "ok")  # a was rolled back whole, so b got its row
        # 1317: the waiting b is killed by KILL QUERY when a holds the lock again.
        b.query("ROLLBACK")
        a.query("BEGIN")
        a.query("UPDATE t41 SET v = 3 WHERE id = 1")
        done.clear()
        t = threading.Thread(target=lambda: done.setdefault("e", err("UPDATE t41 SET v = 4 WHERE id = 1", b)))
        t.start()
        wait_until(lambda: any(r[0] == b.thread_id() and (r[7] or "").startswith("UPDATE")
                               for r in self.q("SHOW FULL PROCESSLIST")), what="b to wait")
        self.cur.execute(f"KILL QUERY {b.thread_id()}")
        t.join(30)
        self.assertEqual(done.get("e"), (1317, "70100"))
        a.query("ROLLBACK")
        for c in (a, b, m):
            c.close()

    # J. Collations and case

    def test_42_default_collation_is_case_insensitive(self):
        """42. A case-insensitive default collation (general_ci: PAD SPACE; utf8mb4_0900_ai_ci:
        NO PAD) decides =, LIKE, unique keys and GROUP BY; utf8mb4_bin does not fold case."""
        self.assertEqual(self.one("SELECT @@collation_server"), "utf8mb4_general_ci")
        self.cur.execute("CREATE TABLE c42 (id INT PRIMARY KEY, s VARCHAR(20), UNIQUE KEY (s))")
        self.cur.execute("INSERT INTO c42 VALUES (1, 'Straße'), (2, 'résumé')")
        self.assertEqual(self.one("SELECT id FROM c42 WHERE s = 'STRASSE'"), 1)
        self.assertEqual(self.one("SELECT id FROM c42 WHERE s = 'resume  '"), 2)  # PAD SPACE
        self.assertEqual(self.one("SELECT id FROM c42 WHERE s LIKE 'RÉS%'"), 2)
        self.assertEqual(self.error("INSERT INTO c42 VALUES (3, 'RESUME')"), 1062)
        self.cur.execute("CREATE TABLE g42 (s VARCHAR(10)) COLLATE utf8mb4_0900_ai_ci")
        self.cur.execute("INSERT INTO g42 VALUES ('x'), ('X'), ('x '), ('y')")
        self.assertEqual(self.q("SELECT COUNT(*) FROM g42 GROUP BY s ORDER BY s"), ((2,), (1,), (1,)))  # NO PAD
        self.assertEqual(self.q("SELECT COUNT(DISTINCT s COLLATE utf8mb4_bin) FROM g42"), ((3,),))
        self.assertEqual(self.q("SHOW FULL COLUMNS FROM g42")[0][2], "utf8mb4_0900_ai_ci")
        # A client whose handshake asks for utf8mb4_0900_ai_ci (255) gets it for its literals.
        c = self.connect_with_collation_255()
        with c, c.cursor() as cur:
            self.assertEqual(self.one("SELECT @@collation_connection", cur=cur), "utf8mb4_0900_ai_ci")
            self.assertEqual(self.one("SELECT 'a' = 'A ' ", cur=cur), 0)
        self.assertEqual(self.one("SELECT 'a' = 'A '"), 1)  # this connection: utf8mb4_general_ci

    def test_43_identifier_case_follows_lower_case_table_names(self):
        """43. Identifier case follows lower_case_table_names."""
        self.assertEqual(self.one("SELECT @@lower_case_table_names"), 1)
        self.cur.execute("CREATE DATABASE Db43")
        self.cur.execute("CREATE TABLE DB43.MixedCase (Id INT PRIMARY KEY)")
        self.cur.execute("INSERT INTO db43.mixedcase VALUES (1)")
        self.assertEqual(self.one("SELECT COUNT(*) FROM Db43.MIXEDCASE"), 1)
        self.assertEqual(self.error("CREATE TABLE db43.MIXEDCASE (x INT)"), 1050)
        self.assertEqual(self.error("CREATE DATABASE DB43"), 1007)
        self.cur.execute("USE db43")
        self.assertEqual(self.one("SELECT id FROM MIXEDCASE WHERE ID = 1"), 1)  # column names never had case
        # Stored (and shown) in lower case, as MySQL does with lower_case_table_names = 1.
        self.assertEqual(self.q("SHOW TABLES"), (("mixedcase",),))
        self.assertIn(("db43",), self.q("SHOW DATABASES"))
        self.assertEqual(self.q("SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES "
                                "WHERE TABLE_NAME = 'mixedcase'"), (("db43", "mixedcase"),))
        self.cur.execute("RENAME TABLE MixedCase TO OtherCase")
        self.cur.execute("CREATE VIEW MixedView AS SELECT Id FROM OTHERCASE")
        self.assertEqual(self.q("SHOW FULL TABLES"), (("mixedview", "VIEW"), ("othercase", "BASE TABLE")))


if __name__ == "__main__":
    unittest.main()
