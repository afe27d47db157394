"""LOAD DATA LOCAL INFILE through real clients: PyMySQL (local_infile=True), the mariadb CLI
(--local-infile) and mariadb-import --local. Off until SET GLOBAL local_infile = ON (3948,
as MySQL 8); a client that did not offer its files gets 3948 too. TSV and CSV dialects,
\\N, escapes, quotes, IGNORE n LINES, column lists with @skip, IGNORE / REPLACE, a file of
many batches, and a failing row that loads nothing."""
import os
import subprocess
import tempfile
import unittest

import pymysql

from sql_common import PASSWORD, connect, sql_server


class LoadDataTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = sql_server()
        cls.tmp = tempfile.mkdtemp(prefix="loaddata-")
        with connect(cls.server) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE ld")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def file(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return path

    def local(self):
        return connect(self.server, "ld", local_infile=True)

    def rows(self, table):
        with connect(self.server, "ld") as c, c.cursor() as cur:
            cur.execute(f"SELECT * FROM {table} ORDER BY 1")
            return cur.fetchall()

    def test_01_disabled_until_the_server_allows_it(self):
        with connect(self.server, "ld") as c, c.cursor() as cur:
            cur.execute("SET GLOBAL local_infile = OFF")
            cur.execute("CREATE TABLE off (id INT)")
        path = self.file("off.tsv", "1\n")
        with self.local() as c, c.cursor() as cur:
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cur.execute(f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE off")
            self.assertEqual(ctx.exception.args[0], 3948)
            cur.execute("SELECT 1")  # the connection is still in step
            self.assertEqual(cur.fetchone(), (1,))
        with connect(self.server, "ld") as c, c.cursor() as cur:
            cur.execute("SET GLOBAL local_infile = ON")
            # A client that did not offer its files cannot be asked for one.
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cur.execute(f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE off")
            self.assertEqual(ctx.exception.args[0], 3948)

    def enable(self):
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("SET GLOBAL local_infile = ON")

    def test_02_tsv_with_nulls_and_escapes(self):
        self.enable()
        with connect(self.server, "ld") as c, c.cursor() as cur:
            cur.execute("CREATE TABLE tsv (id INT PRIMARY KEY, name VARCHAR(20), v DECIMAL(6,2))")
        path = self.file("tsv.txt", "1\tann\t1.50\n2\t\\N\t\\N\n3\ttab\\there\t-2\n")
        with self.local() as c, c.cursor() as cur:
            self.assertEqual(cur.execute(f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE tsv"), 3)
        from decimal import Decimal
        self.assertEqual(self.rows("tsv"), ((1, "ann", Decimal("1.50")), (2, None, None),
                                            (3, "tab\there", Decimal("-2.00"))))

    def test_03_csv_quotes_header_and_column_list(self):
        self.enable()
        with connect(self.server, "ld") as c, c.cursor() as cur:
            cur.execute("CREATE TABLE csv (id INT PRIMARY KEY, note VARCHAR(40), n INT DEFAULT 7)")
        path = self.file("csv.csv", 'skip,id,note\r\nx,1,"a, b"\r\ny,2,"say ""hi"""\r\nz,3,plain\r\n')
        with self.local() as c, c.cursor() as cur:
            cur.execute(f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE csv FIELDS TERMINATED BY ',' "
                        "OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\\r\\n' IGNORE 1 LINES (@skip, id, note)")
        self.assertEqual(self.rows("csv"), ((1, "a, b", 7), (2, 'say "hi"', 7), (3, "plain", 7)))

    def test_04_duplicates_fail_ignore_or_replace(self):
        self.enable()
        with connect(self.server, "ld") as c, c.cursor() as cur:
            cur.execute("CREATE TABLE dup (id INT PRIMARY KEY, v INT)")
            cur.execute("INSERT INTO dup VALUES (2, 0)")
        path = self.file("dup.tsv", "1\t1\n2\t2\n3\t3\n")
        with self.local() as c, c.cursor() as cur:
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cur.execute(f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE dup")
            self.assertEqual(ctx.exception.args[0], 1062)
            self.assertEqual(self.rows("dup"), ((2, 0),))  # the statement loaded nothing
            cur.execute(f"LOAD DATA LOCAL INFILE '{path}' IGNORE INTO TABLE dup")
            self.assertEqual(self.rows("dup"), ((1, 1), (2, 0), (3, 3)))
            cur.execute(f"LOAD DATA LOCAL INFILE '{path}' REPLACE INTO TABLE dup")
            self.assertEqual(self.rows("dup"), ((1, 1), (2, 2), (3, 3)))

    def test_05_many_batches_through_the_cli(self):
        self.enable()
        with connect(self.server, "ld") as c, c.cursor() as cur:
            cur.execute("CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(100))")
        n = 25000
        path = self.file("big.tsv", "".join(f"{i}\t{'x' * 90}{i}\n" for i in range(n)))
        out = subprocess.run(["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", str(self.server.port), "-u", "root",
                              f"--password={PASSWORD}", "--local-infile=1", "ld", "-e",
                              f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE big"],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        with connect(self.server, "ld") as c, c.cursor() as cur:
            cur.execute("SELECT COUNT(*), SUM(id), MAX(pad) FROM big")
            self.assertEqual(cur.fetchone(), (n, n * (n - 1) // 2, "x" * 90 + "9999"))

    def test_06_mariadb_import(self):
        self.enable()
        with connect(self.server, "ld") as c, c.cursor() as cur:
            cur.execute("CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(20))")
        path = self.file("people.txt", "1\tada\n2\tgrace\n")
        out = subprocess.run(["mariadb-import", "--no-defaults", "--local", "-h", "127.0.0.1", "-P", str(self.server.port),
                              "-u", "root", f"--password={PASSWORD}", "ld", path],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("ld.people: Records: 2  Deleted: 0  Skipped: 0  Warnings: 0", out.stdout)
        self.assertEqual(self.rows("people"), ((1, "ada"), (2, "grace")))

    def test_07_needs_the_insert_privilege(self):
        self.enable()
        with connect(self.server, "ld") as c, c.cursor() as cur:
            cur.execute("CREATE TABLE priv (id INT)")
            cur.execute("CREATE USER reader IDENTIFIED BY 'r'")
            cur.execute("GRANT SELECT ON ld.* TO reader")
        path = self.file("priv.tsv", "1\n")
        with pymysql.connect(host="127.0.0.1", port=self.server.port, user="reader", password="r", database="ld",
                             local_infile=True) as c, c.cursor() as cur:
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cur.execute(f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE priv")
            self.assertEqual(ctx.exception.args[0], 1142)
            cur.execute("SELECT COUNT(*) FROM priv")
            self.assertEqual(cur.fetchone(), (0,))


if __name__ == "__main__":
    unittest.main()
