#!/usr/bin/python3
"""joins_vs_mariadb.py [BUILD_DIR] — multi-join queries over TPC-H-like tables, on StrataDB
and a throwaway MariaDB in the same run (issue 16).

Generates the eight TPC-H tables at a small scale factor (SF, default 0.01: 60k lineitems)
with a fixed seed, loads the same rows into both servers, then runs each query REPEAT times
(default 3) per server, interleaved (MariaDB, StrataDB, StrataDB, MariaDB, ...), and prints
the median seconds per server and MariaDB time / StrataDB time (above 1: StrataDB faster).
Each query's rows must be equal on both servers (sorted); a difference is reported and the
script exits 1. Not a test: figures for docs/performance.md.
"""
import os
import random
import statistics
import sys
import time

import pymysql

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(ROOT, "../tests/integration"))
sys.path.insert(0, os.path.join(ROOT, "../tests/sqllogic"))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "../build")
os.environ.setdefault("STRATADB_BIN", os.path.join(BUILD, "stratadb"))
from harness import Server  # noqa: E402
from run_slt import MariaDB  # noqa: E402

SF = float(os.environ.get("SF", "0.01"))
REPEAT = int(os.environ.get("REPEAT", "3"))

SCHEMA = [
    "CREATE TABLE region (r_regionkey INT PRIMARY KEY, r_name CHAR(25) NOT NULL)",
    "CREATE TABLE nation (n_nationkey INT PRIMARY KEY, n_name CHAR(25) NOT NULL, n_regionkey INT NOT NULL, "
    "KEY (n_regionkey))",
    "CREATE TABLE supplier (s_suppkey INT PRIMARY KEY, s_name CHAR(25) NOT NULL, s_nationkey INT NOT NULL, "
    "s_acctbal DECIMAL(15,2) NOT NULL, KEY (s_nationkey))",
    "CREATE TABLE customer (c_custkey INT PRIMARY KEY, c_name VARCHAR(25) NOT NULL, c_nationkey INT NOT NULL, "
    "c_mktsegment CHAR(10) NOT NULL, c_acctbal DECIMAL(15,2) NOT NULL, KEY (c_nationkey))",
    "CREATE TABLE part (p_partkey INT PRIMARY KEY, p_name VARCHAR(55) NOT NULL, p_type VARCHAR(25) NOT NULL, "
    "p_size INT NOT NULL)",
    "CREATE TABLE partsupp (ps_partkey INT NOT NULL, ps_suppkey INT NOT NULL, ps_supplycost DECIMAL(15,2) NOT NULL, "
    "PRIMARY KEY (ps_partkey, ps_suppkey))",
    "CREATE TABLE orders (o_orderkey INT PRIMARY KEY, o_custkey INT NOT NULL, o_orderstatus CHAR(1) NOT NULL, "
    "o_totalprice DECIMAL(15,2) NOT NULL, o_orderdate DATE NOT NULL, o_shippriority INT NOT NULL, KEY (o_custkey))",
    "CREATE TABLE lineitem (l_orderkey INT NOT NULL, l_linenumber INT NOT NULL, l_partkey INT NOT NULL, "
    "l_suppkey INT NOT NULL, l_quantity DECIMAL(15,2) NOT NULL, l_extendedprice DECIMAL(15,2) NOT NULL, "
    "l_discount DECIMAL(15,2) NOT NULL, l_returnflag CHAR(1) NOT NULL, l_shipmode CHAR(10) NOT NULL, "
    "l_shipdate DATE NOT NULL, PRIMARY KEY (l_orderkey, l_linenumber), KEY (l_partkey))",
]

QUERIES = {
    "q3 (3 tables)":
        "SELECT l_orderkey, SUM(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate, o_shippriority "
        "FROM customer, orders, lineitem WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey "
        "AND l_orderkey = o_orderkey AND o_orderdate < '1995-03-15' AND l_shipdate > '1995-03-15' "
        "GROUP BY l_orderkey, o_orderdate, o_shippriority ORDER BY revenue DESC, o_orderdate LIMIT 10",
    "q5 (6 tables)":
        "SELECT n_name, SUM(l_extendedprice * (1 - l_discount)) AS revenue "
        "FROM customer, orders, lineitem, supplier, nation, region WHERE c_custkey = o_custkey "
        "AND l_orderkey = o_orderkey AND l_suppkey = s_suppkey AND c_nationkey = s_nationkey "
        "AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey AND r_name = 'ASIA' "
        "AND o_orderdate >= '1994-01-01' AND o_orderdate < '1995-01-01' GROUP BY n_name ORDER BY revenue DESC",
    "q10 (4 tables)":
        "SELECT c_custkey, c_name, SUM(l_extendedprice * (1 - l_discount)) AS revenue, n_name "
        "FROM customer, orders, lineitem, nation WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey "
        "AND o_orderdate >= '1993-10-01' AND o_orderdate < '1994-01-01' AND l_returnflag = 'R' "
        "AND c_nationkey = n_nationkey GROUP BY c_custkey, c_name, n_name ORDER BY revenue DESC, c_custkey LIMIT 20",
    "q12 (2 tables)":
        "SELECT l_shipmode, SUM(CASE WHEN o_orderstatus = 'F' THEN 1 ELSE 0 END) AS f, COUNT(*) AS n "
        "FROM orders JOIN lineitem ON o_orderkey = l_orderkey WHERE l_shipmode IN ('MAIL', 'SHIP') "
        "AND l_shipdate >= '1994-01-01' AND l_shipdate < '1995-01-01' GROUP BY l_shipmode ORDER BY l_shipmode",
    "q14 (2 tables)":
        "SELECT SUM(CASE WHEN p_type LIKE 'PROMO%' THEN l_extendedprice * (1 - l_discount) ELSE 0 END) AS promo, "
        "SUM(l_extendedprice * (1 - l_discount)) AS total FROM lineitem, part WHERE l_partkey = p_partkey "
        "AND l_shipdate >= '1995-09-01' AND l_shipdate < '1995-10-01'",
    "q18 (3 tables + IN subquery)":
        "SELECT c_name, c_custkey, o_orderkey, o_totalprice, SUM(l_quantity) FROM customer, orders, lineitem "
        "WHERE o_orderkey IN (SELECT l_orderkey FROM lineitem GROUP BY l_orderkey HAVING SUM(l_quantity) > 250) "
        "AND c_custkey = o_custkey AND o_orderkey = l_orderkey "
        "GROUP BY c_name, c_custkey, o_orderkey, o_totalprice ORDER BY o_totalprice DESC, o_orderkey LIMIT 20",
    "q4 (EXISTS, correlated)":
        "SELECT o_orderstatus, COUNT(*) FROM orders WHERE o_orderdate >= '1995-01-01' AND o_orderdate < '1995-07-01' "
        "AND EXISTS (SELECT * FROM lineitem WHERE l_orderkey = o_orderkey AND l_shipdate > o_orderdate + INTERVAL 60 DAY) "
        "GROUP BY o_orderstatus ORDER BY o_orderstatus",
    "q22-like (NOT EXISTS)":
        "SELECT COUNT(*), SUM(c_acctbal) FROM customer WHERE c_acctbal > 0 "
        "AND NOT EXISTS (SELECT * FROM orders WHERE o_custkey = c_custkey)",
    "IN (uncorrelated, 2 tables)":
        "SELECT COUNT(*) FROM part WHERE p_partkey IN (SELECT l_partkey FROM lineitem WHERE l_quantity > 45)",
    "NOT IN (uncorrelated, 2 tables)":
        "SELECT COUNT(*) FROM orders WHERE o_orderkey NOT IN (SELECT l_orderkey FROM lineitem WHERE l_quantity > 40)",
    "left join (2 tables)":
        "SELECT c_mktsegment, COUNT(o_orderkey) FROM customer LEFT JOIN orders ON o_custkey = c_custkey "
        "AND o_orderstatus = 'O' GROUP BY c_mktsegment ORDER BY c_mktsegment",
}


def generate():
    rnd = random.Random(1)
    rows = {}
    rows["region"] = [(i, n) for i, n in enumerate(["AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"])]
    rows["nation"] = [(i, f"NATION{i:02}", i % 5) for i in range(25)]
    n_supp, n_cust, n_part, n_orders = max(10, int(10000 * SF)), int(150000 * SF), int(200000 * SF), int(1500000 * SF)
    rows["supplier"] = [(i, f"Supplier#{i}", rnd.randrange(25), round(rnd.uniform(-999, 9999), 2))
                        for i in range(1, n_supp + 1)]
    segments = ["AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY"]
    rows["customer"] = [(i, f"Customer#{i}", rnd.randrange(25), rnd.choice(segments),
                         round(rnd.uniform(-999, 9999), 2)) for i in range(1, n_cust + 1)]
    types = ["PROMO BRUSHED", "STANDARD POLISHED", "LARGE PLATED", "ECONOMY ANODIZED", "PROMO PLATED"]
    rows["part"] = [(i, f"part {i}", rnd.choice(types), rnd.randrange(1, 51)) for i in range(1, n_part + 1)]
    rows["partsupp"] = [(p, (p + k * 7) % n_supp + 1, round(rnd.uniform(1, 1000), 2))
                        for p in range(1, n_part + 1) for k in range(4)]
    rows["partsupp"] = list({(r[0], r[1]): r for r in rows["partsupp"]}.values())
    orders, lines = [], []
    modes = ["AIR", "MAIL", "RAIL", "SHIP", "TRUCK", "FOB", "REG AIR"]
    for o in range(1, n_orders + 1):
        day = rnd.randrange(0, 2400)
        date = time.strftime("%Y-%m-%d", time.gmtime(694224000 + day * 86400))  # from 1992-01-01
        orders.append((o, rnd.randrange(1, n_cust + 1), rnd.choice("FOP"), round(rnd.uniform(1000, 400000), 2),
                       date, 0))
        for ln in range(1, rnd.randrange(1, 8)):
            ship = time.strftime("%Y-%m-%d", time.gmtime(694224000 + (day + rnd.randrange(1, 122)) * 86400))
            lines.append((o, ln, rnd.randrange(1, n_part + 1), rnd.randrange(1, n_supp + 1), rnd.randrange(1, 51),
                          round(rnd.uniform(900, 100000), 2), rnd.randrange(0, 11) / 100, rnd.choice("RAN"),
                          rnd.choice(modes), ship))
    rows["orders"], rows["lineitem"] = orders, lines
    return rows


def load(conn, rows):
    start = time.time()
    with conn.cursor() as cur:
        cur.execute("CREATE DATABASE tpch")
        cur.execute("USE tpch")
        for ddl in SCHEMA:
            cur.execute(ddl)
        for table, data in rows.items():
            marks = ",".join(["%s"] * len(data[0]))
            for i in range(0, len(data), 500):
                cur.executemany(f"INSERT INTO {table} VALUES ({marks})", data[i:i + 500])
    return time.time() - start


def run(conn, sql):
    with conn.cursor() as cur:
        start = time.time()
        cur.execute(sql)
        result = cur.fetchall()
        return time.time() - start, sorted(tuple(str(v) for v in row) for row in result)


def main():
    rows = generate()
    print(f"# SF={SF}: " + ", ".join(f"{t} {len(r)}" for t, r in rows.items()) + f"; median of {REPEAT} runs")
    maria = MariaDB().start()
    strata = Server(extra_args=["--root-password", "pw", "--log-level", "warn"]).start()
    failed = False
    try:
        mc = pymysql.connect(host="127.0.0.1", port=maria.port, user="root", password="", autocommit=True)
        sc = pymysql.connect(host="127.0.0.1", port=strata.port, user="root", password="pw", autocommit=True,
                             read_timeout=3600)
        print(f"load seconds: mariadb {load(mc, rows):.1f}, stratadb {load(sc, rows):.1f}")
        print(f"{'query':30} {'mariadb_s':>10} {'stratadb_s':>11} {'maria/strata':>13}")
        for name, sql in QUERIES.items():
            times = {"m": [], "s": []}
            answers = {}
            for order in ["m", "s", "s", "m"] * ((REPEAT + 1) // 2):
                if len(times[order]) >= REPEAT:
                    continue
                seconds, answer = run(mc if order == "m" else sc, sql)
                times[order].append(seconds)
                answers[order] = answer
            m, s = statistics.median(times["m"]), statistics.median(times["s"])
            same = answers["m"] == answers["s"]
            failed = failed or not same
            print(f"{name:30} {m:10.3f} {s:11.3f} {m / s:13.2f}" + ("" if same else "  RESULTS DIFFER"))
    finally:
        strata.cleanup()
        maria.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
