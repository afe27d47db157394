#!/usr/bin/python3
"""bulk_load.py PORT PASSWORD SECONDS [THREADS] [BATCH] [ROW_BYTES] — a heavy write load for
benchmarks: THREADS connections each insert BATCH-row statements of ROW_BYTES-byte rows into
their own table (bench_bulk.t<i>) for SECONDS, then print the rows and MiB written, the rate, and the batches that failed transiently
(1317 outcome unknown, 1213, 1062; counted and skipped).
The data is random hex, so it does not compress, and it drives memtable flushes and
compactions in StrataDB. Needs python3-pymysql."""
import os
import sys
import threading
import time

import pymysql

port, password, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
batch = int(sys.argv[5]) if len(sys.argv) > 5 else 500
row_bytes = int(sys.argv[6]) if len(sys.argv) > 6 else 1024


def connect():
    return pymysql.connect(host="127.0.0.1", port=port, user="root", password=password,
                           autocommit=True, read_timeout=120, write_timeout=120)


with connect() as c, c.cursor() as cur:
    cur.execute("CREATE DATABASE IF NOT EXISTS bench_bulk")
    for i in range(threads):
        cur.execute(f"CREATE TABLE IF NOT EXISTS bench_bulk.t{i} (id BIGINT PRIMARY KEY, pad VARCHAR({row_bytes}) NOT NULL)")

written = [0] * threads
retried = [0] * threads
errors = []
# Outcome unknown (1317: the commit timed out, e.g. behind a write stall), conflict (1213),
# and the duplicate key a 1317 batch that did commit causes when retried: the loader counts
# them, skips to the next batch and goes on, so the load lasts the whole phase.
TRANSIENT = (1317, 1213, 1062)


def load(i):
    try:
        conn = connect()
        with conn.cursor() as cur:
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM bench_bulk.t{i}")
            next_id = cur.fetchone()[0] + 1
            deadline = time.time() + seconds
            while time.time() < deadline:
                rows = ",".join(f"({next_id + k},'{os.urandom(row_bytes // 2).hex()}')" for k in range(batch))
                try:
                    cur.execute(f"INSERT INTO bench_bulk.t{i} VALUES {rows}")
                    written[i] += batch
                except pymysql.MySQLError as e:
                    if e.args[0] not in TRANSIENT:
                        raise
                    retried[i] += 1
                next_id += batch
        conn.close()
    except Exception as e:  # reported below
        errors.append(f"loader {i}: {e!r}")


start = time.time()
ts = [threading.Thread(target=load, args=(i,)) for i in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
elapsed = time.time() - start
rows = sum(written)
mib = rows * row_bytes / 1048576
print(f"rows={rows} mib={mib:.1f} seconds={elapsed:.1f} mib_per_s={mib / elapsed:.1f} failed_batches={sum(retried)}")
for e in errors:
    print(e, file=sys.stderr)
sys.exit(1 if errors else 0)
