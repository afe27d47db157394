"""Dump round trips with MariaDB 10.11 (Debian), checksummed:

  1. a database made in StrataDB, dumped with `mariadb-dump`, loads into a throwaway
     MariaDB; every table's rows (and the view's) hash the same on both;
  2. the same database made in MariaDB, dumped with MariaDB's own `mariadb-dump` (its
     `/*!…*/` comments, SET preamble, LOCK TABLES, ALTER TABLE … DISABLE KEYS, extended
     inserts, the view's temporary table, the trigger), loads into StrataDB; the hashes
     match again, and the trigger still fires.

The data has every common type: integers at their limits, DECIMAL, DOUBLE, strings with
quotes, backslashes and non-ASCII text, binary BLOBs, DATE/DATETIME/TIME, NULLs, a table
without a primary key, a secondary index, a view and a trigger.
"""
import hashlib
import os
import subprocess
import tempfile
import unittest

import pymysql

from harness import MariaDB
from sql_common import PASSWORD, sql_server

SCHEMA = [
    "CREATE TABLE items (id INT PRIMARY KEY AUTO_INCREMENT, code VARCHAR(40) NOT NULL, qty BIGINT, "
    "price DECIMAL(12,3), ratio DOUBLE, added DATETIME, day DATE, tm TIME, data BLOB, note TEXT, KEY code_idx (code))",
    "CREATE TABLE plain (a INT, b VARCHAR(20))",
    "CREATE VIEW costly AS SELECT id, code, price FROM items WHERE price > 500",
    "CREATE TRIGGER items_bi BEFORE INSERT ON items FOR EACH ROW SET NEW.code = TRIM(NEW.code)",
]
TABLES = {"items": "id", "plain": "a, b", "costly": "id"}


def rows():
    for i in range(1, 301):
        yield (i, f" code-{i}'\\\"ü✓ ", [-(2 ** 63), 2 ** 63 - 1, i * 1000, None][i % 4],
               None if i % 7 == 0 else f"{i * 3.5:.3f}", i / 7.0 if i % 5 else None,
               f"20{i % 30:02d}-0{1 + i % 9}-1{i % 10} 0{i % 10}:1{i % 6}:2{i % 10}" if i % 3 else None,
               f"19{i % 100:02d}-12-2{i % 10}", f"{i % 24:02d}:{i % 60:02d}:0{i % 10}",
               bytes([i % 256, 0, 39, 92, 255 - i % 256]) if i % 4 else None,
               None if i % 6 == 0 else "line\nbreak\ttab " * (i % 3))


def populate(conn):
    with conn.cursor() as cur:
        cur.execute("CREATE DATABASE shop CHARACTER SET utf8mb4")
        cur.execute("USE shop")
        for sql in SCHEMA:
            cur.execute(sql)
        cur.executemany("INSERT INTO items VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", list(rows()))
        cur.executemany("INSERT INTO plain VALUES (%s, %s)", [(i % 10, None if i % 9 == 0 else f"p{i}") for i in range(50)])


def checksums(conn):
    """Per table (and view): a hash of every row, ordered, in a form both servers agree on."""
    out = {}
    with conn.cursor() as cur:
        for table, order in TABLES.items():
            cur.execute(f"SELECT * FROM shop.{table} ORDER BY {order}")
            h = hashlib.sha256()
            n = 0
            for row in cur.fetchall():
                h.update(repr(tuple(str(v) if not isinstance(v, bytes) else v.hex() for v in row)).encode())
                n += 1
            out[table] = (n, h.hexdigest())
    return out


def dump(port, password, path):
    args = ["mariadb-dump", "--no-defaults", "-h127.0.0.1", f"-P{port}", "-uroot", "--databases", "shop"]
    if password:
        args.insert(4, f"--password={password}")
    with open(path, "w") as f:
        r = subprocess.run(args, stdout=f, stderr=subprocess.PIPE, text=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"mariadb-dump from port {port} failed: {r.stderr}")


def load(port, password, path):
    args = ["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{port}", "-uroot", "--default-character-set=utf8mb4"]
    if password:
        args.append(f"--password={password}")
    with open(path) as f:
        r = subprocess.run(args, stdin=f, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"loading {path} into port {port} failed: {r.stderr}")


def connect(port, password):
    return pymysql.connect(host="127.0.0.1", port=port, user="root", password=password, autocommit=True,
                           charset="utf8mb4", connect_timeout=10, read_timeout=60)


class DumpRoundTripTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dump-roundtrip-")
        cls.maria = MariaDB().start()
        # StrataDB's objects are defined by root@'%' (its only user); MariaDB checks that a
        # trigger's definer exists when it fires.
        with connect(cls.maria.port, "") as c, c.cursor() as cur:
            cur.execute("CREATE USER IF NOT EXISTS 'root'@'%'")
            cur.execute("GRANT ALL ON *.* TO 'root'@'%'")

    @classmethod
    def tearDownClass(cls):
        cls.maria.cleanup()

    def setUp(self):
        self.strata = sql_server()
        with connect(self.maria.port, "") as c, c.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS shop")

    def tearDown(self):
        self.strata.cleanup()

    def assert_trigger_fires(self, port, password):
        with connect(port, password) as c, c.cursor() as cur:
            cur.execute("INSERT INTO shop.items (id, code) VALUES (100000, '  padded  ')")
            cur.execute("SELECT code FROM shop.items WHERE id = 100000")
            self.assertEqual(cur.fetchone(), ("padded",))

    def test_strata_dump_loads_into_mariadb(self):
        with connect(self.strata.port, PASSWORD) as c:
            populate(c)
            before = checksums(c)
        self.assertEqual(before["items"][0], 300)
        path = os.path.join(self.tmp, "from_strata.sql")
        dump(self.strata.port, PASSWORD, path)
        load(self.maria.port, "", path)
        with connect(self.maria.port, "") as c:
            self.assertEqual(checksums(c), before)
        self.assert_trigger_fires(self.maria.port, "")

    def test_mariadb_dump_loads_into_strata(self):
        with connect(self.maria.port, "") as c:
            populate(c)
            before = checksums(c)
        path = os.path.join(self.tmp, "from_mariadb.sql")
        dump(self.maria.port, "", path)
        with open(path, "rb") as f:
            text = f.read()  # BLOBs are dumped as raw bytes
        for feature in (b"/*!40101 SET", b"LOCK TABLES", b"DISABLE KEYS", b"INSERT INTO `items` VALUES", b"),\n(",
                        b"TRIGGER items_bi", b"VIEW `costly`"):
            self.assertTrue(feature in text, feature)  # the dump really has what MariaDB's dumps have
        load(self.strata.port, PASSWORD, path)
        with connect(self.strata.port, PASSWORD) as c:
            self.assertEqual(checksums(c), before)
        self.assert_trigger_fires(self.strata.port, PASSWORD)


if __name__ == "__main__":
    unittest.main(verbosity=2)
