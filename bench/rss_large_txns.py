#!/usr/bin/python3
"""rss_large_txns.py BIN [BIN2 ...] — peak RSS of a stratadb process while TOTAL_MB of data
flows through transactions of TXN_MB each (default 1.5 GiB through 5 MiB transactions),
one client, autocommit INSERTs of 1 MiB rows grouped in explicit transactions.

Each binary runs with a fresh data directory and --memory-limit-mb MEMORY_MB (default 512;
a binary without that flag is started without it). Prints peak RSS (VmHWM) and the time
taken. Not a test: figures for docs/performance.md.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pymysql

TOTAL_MB = int(os.environ.get("TOTAL_MB", 1536))
TXN_MB = int(os.environ.get("TXN_MB", 5))
MEMORY_MB = int(os.environ.get("MEMORY_MB", 512))
ROW = 1 << 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0


def run(binary):
    tmp = tempfile.mkdtemp(prefix="rss-bench-")
    port, admin, raft = free_port(), free_port(), free_port()
    args = [binary, "start", "--data-dir", f"{tmp}/data", "--port", str(port), "--admin-port", str(admin),
            "--raft-port", str(raft), "--root-password", "pw", "--log-level", "warn"]
    help_text = subprocess.run([binary, "start", "--help"], capture_output=True, text=True).stdout
    if "--memory-limit-mb" in help_text:
        args += ["--memory-limit-mb", str(MEMORY_MB)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(f"{tmp}/stderr.log", "w"))
    try:
        for _ in range(200):
            try:
                conn = pymysql.connect(host="127.0.0.1", port=port, user="root", password="pw",
                                       autocommit=True, max_allowed_packet=64 << 20)
                break
            except pymysql.MySQLError:
                time.sleep(0.1)
        cur = conn.cursor()
        cur.execute("CREATE DATABASE b")
        cur.execute("CREATE TABLE b.t (id INT PRIMARY KEY, v LONGBLOB)")
        payload = os.urandom(ROW)
        start = time.time()
        row = 0
        for _ in range(TOTAL_MB // TXN_MB):
            cur.execute("BEGIN")
            for _ in range(TXN_MB):
                cur.execute("INSERT INTO b.t VALUES (%s, %s)", (row, payload))
                row += 1
            cur.execute("COMMIT")
        seconds = time.time() - start
        peak = peak_rss_mb(proc.pid)
        conn.close()
        return peak, seconds, "--memory-limit-mb" in help_text
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    print(f"# {TOTAL_MB} MiB through {TXN_MB} MiB transactions (1 MiB rows), --memory-limit-mb {MEMORY_MB}")
    print(f"{'binary':60} {'peak RSS MiB':>12} {'seconds':>8}")
    for binary in sys.argv[1:]:
        peak, seconds, limited = run(binary)
        print(f"{binary + ('' if limited else ' (no limit flag)'):60} {peak:12.0f} {seconds:8.1f}")


if __name__ == "__main__":
    main()
