#!/usr/bin/python3
"""index_speedup.py [BUILD_DIR] — what a secondary index buys on a 1M-row table (issue 16).

Loads ROWS rows (default 1,000,000: id, k = a fixed pseudo-random 0..ROWS/10, a 60-byte pad)
into a fresh StrataDB with KEY (k), then for each query:
  1. checks its EXPLAIN: with the index it must read through it (type ref/range, key k),
     the golden below; without it, a full scan (type ALL);
  2. times it REPEAT times with the index (median) and, after DROP INDEX, REPEAT_SCAN times
     without it (median);
and prints both times and their ratio (scan / index). Exits 1 when an EXPLAIN differs from
its golden or when the answers with and without the index differ. Not a test: a benchmark
for docs/performance.md.
"""
import os
import random
import statistics
import sys
import time

import pymysql

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(ROOT, "../tests/integration"))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "../build")
os.environ.setdefault("STRATADB_BIN", os.path.join(BUILD, "stratadb"))
from harness import Server  # noqa: E402

ROWS = int(os.environ.get("ROWS", "1000000"))
REPEAT = int(os.environ.get("REPEAT", "20"))
REPEAT_SCAN = int(os.environ.get("REPEAT_SCAN", "3"))
BATCH = 5000

QUERIES = {
    "k = const": "SELECT COUNT(*), SUM(id) FROM t WHERE k = 4242",
    "k BETWEEN (11 values)": "SELECT COUNT(*), SUM(id) FROM t WHERE k BETWEEN 1000 AND 1010",
    "k IN (5 values)": "SELECT COUNT(*), SUM(id) FROM t WHERE k IN (7, 77, 777, 7777, 77777)",
}
# EXPLAIN's type and key for each query, with the index and without.
GOLDEN = {
    "k = const": (("ref", "k"), ("ALL", None)),
    "k BETWEEN (11 values)": (("range", "k"), ("ALL", None)),
    "k IN (5 values)": (("range", "k"), ("ALL", None)),
}


def load(cur):
    rng = random.Random(16)
    cur.execute("CREATE DATABASE bench")
    cur.execute("USE bench")
    cur.execute("CREATE TABLE t (id INT PRIMARY KEY, k INT NOT NULL, pad CHAR(60) NOT NULL, KEY k (k))")
    start = time.time()
    for first in range(0, ROWS, BATCH):
        values = ",".join(f"({i},{rng.randrange(ROWS // 10)},'{i:060d}')" for i in range(first, min(first + BATCH, ROWS)))
        cur.execute("INSERT INTO t VALUES " + values)
    return time.time() - start


def explain(cur, sql):
    cur.execute("EXPLAIN " + sql)
    row = cur.fetchone()
    return row[4], row[6]  # type, key


def timed(cur, sql, repeat):
    times, answer = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        cur.execute(sql)
        answer = cur.fetchall()
        times.append(time.perf_counter() - start)
    return statistics.median(times), answer


def main():
    strata = Server(extra_args=["--root-password", "pw", "--log-level", "warn"]).start()
    failed = False
    try:
        conn = pymysql.connect(host="127.0.0.1", port=strata.port, user="root", password="pw", autocommit=True,
                               read_timeout=3600)
        cur = conn.cursor()
        print(f"# {ROWS} rows loaded in {load(cur):.1f} s; median of {REPEAT} runs with the index, "
              f"{REPEAT_SCAN} without")
        results = {}
        for name, sql in QUERIES.items():
            plan = explain(cur, sql)
            if plan != GOLDEN[name][0]:
                print(f"{name}: EXPLAIN with the index is {plan}, expected {GOLDEN[name][0]}")
                failed = True
            results[name] = timed(cur, sql, REPEAT)
        cur.execute("DROP INDEX k ON t")
        print(f"{'query':26} {'index_s':>10} {'scan_s':>10} {'scan/index':>11}")
        for name, sql in QUERIES.items():
            plan = explain(cur, sql)
            if plan != GOLDEN[name][1]:
                print(f"{name}: EXPLAIN without the index is {plan}, expected {GOLDEN[name][1]}")
                failed = True
            scan, answer = timed(cur, sql, REPEAT_SCAN)
            indexed, indexed_answer = results[name]
            same = answer == indexed_answer
            failed = failed or not same
            print(f"{name:26} {indexed:10.5f} {scan:10.3f} {scan / indexed:11.0f}" + ("" if same else "  ANSWERS DIFFER"))
    finally:
        strata.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
