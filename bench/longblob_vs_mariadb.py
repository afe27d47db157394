#!/usr/bin/python3
"""longblob_vs_mariadb.py [BUILD_DIR] — large LONGBLOB values through the text protocol
(PyMySQL), on StrataDB and a throwaway MariaDB in the same run (issue 16, item 4: values up
to max_allowed_packet "stored and read without a copy per layer").

For each size in SIZES_MB (default "1 16 60") inserts REPEAT (default 3) random values of that
size in autocommit INSERTs, then reads each back with a point SELECT and checks it is equal.
Prints the median INSERT and SELECT seconds per server and MariaDB time / StrataDB time (above
1: StrataDB faster), and each server's peak RSS (VmHWM) after the size's rows: how many live
copies of a value a server holds shows there. Not a test: figures for docs/performance.md.
"""
import os
import statistics
import sys
import time

import pymysql

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(ROOT, "../tests/integration"))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "../build")
os.environ.setdefault("STRATADB_BIN", os.path.join(BUILD, "stratadb"))
from harness import MariaDB, Server  # noqa: E402

SIZES_MB = [int(s) for s in os.environ.get("SIZES_MB", "1 16 60").split()]
REPEAT = int(os.environ.get("REPEAT", "3"))


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def connect(port, password):
    return pymysql.connect(host="127.0.0.1", port=port, user="root", password=password, autocommit=True,
                           max_allowed_packet=64 << 20, read_timeout=600, write_timeout=600)


def timed(cur, sql, args=None):
    start = time.time()
    cur.execute(sql, args)
    rows = cur.fetchall()
    return time.time() - start, rows


def main():
    maria = MariaDB().start()
    strata = Server(extra_args=["--root-password", "pw", "--log-level", "warn"]).start()
    failed = False
    try:
        with connect(maria.port, "") as c, c.cursor() as cur:
            cur.execute("SET GLOBAL max_allowed_packet = 67108864")
        servers = {"m": (connect(maria.port, ""), maria.proc.pid), "s": (connect(strata.port, "pw"), strata.proc.pid)}
        for conn, _ in servers.values():
            with conn.cursor() as cur:
                cur.execute("CREATE DATABASE lb")
                cur.execute("CREATE TABLE lb.t (id INT PRIMARY KEY, v LONGBLOB)")
        print(f"# median of {REPEAT}; RSS = peak resident MiB of the server process after the size's rows")
        print(f"{'size':>6} {'op':7} {'mariadb_s':>10} {'stratadb_s':>11} {'maria/strata':>13} "
              f"{'maria_rss':>10} {'strata_rss':>11}")
        next_id = 0
        for size in SIZES_MB:
            times = {(k, op): [] for k in servers for op in ("insert", "select")}
            for _ in range(REPEAT):
                value = os.urandom(size << 20)
                next_id += 1
                for key in ("m", "s"):
                    cur = servers[key][0].cursor()
                    seconds, _ = timed(cur, "INSERT INTO lb.t VALUES (%s, %s)", (next_id, value))
                    times[(key, "insert")].append(seconds)
                    seconds, rows = timed(cur, "SELECT v FROM lb.t WHERE id = %s", (next_id,))
                    times[(key, "select")].append(seconds)
                    if len(rows) != 1 or rows[0][0] != value:
                        print(f"{key}: value {next_id} read back differs")
                        failed = True
            rss = {k: peak_rss_mb(pid) for k, (_, pid) in servers.items()}
            for op in ("insert", "select"):
                m, s = statistics.median(times[("m", op)]), statistics.median(times[("s", op)])
                print(f"{size:4}Mi {op:7} {m:10.3f} {s:11.3f} {m / s:13.2f} {rss['m']:10.0f} {rss['s']:11.0f}")
    finally:
        strata.cleanup()
        maria.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
