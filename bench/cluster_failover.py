#!/usr/bin/python3
"""cluster_failover.py [BIN] — write unavailability after kill -9 of the leader, measured from
the client side, over TRIALS trials (default 20) on a three-node cluster on loopback.

Each trial: a client inserts a row through a node that is not the leader every 10 ms; the
leader is killed with SIGKILL; the time from the kill to the first insert acknowledged
afterwards is the unavailability. The killed node is restarted (same flags) and the
cluster settles before the next trial. Prints each trial, then p50 and max. Not a test:
figures for docs/performance.md (issue 18).
"""
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import json

import pymysql

BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../build/stratadb")
TRIALS = int(os.environ.get("TRIALS", 20))
PASSWORD = "pw"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, tmp, name, join=None):
        self.dir = os.path.join(tmp, name)
        self.port, self.admin, self.raft = free_port(), free_port(), free_port()
        self.join = join
        self.log = open(os.path.join(tmp, name + ".log"), "ab")
        self.proc = None

    def start(self):
        args = [BIN, "start", "--data-dir", self.dir, "--port", str(self.port), "--admin-port", str(self.admin),
                "--raft-port", str(self.raft), "--root-password", PASSWORD, "--log-level", "warn"]
        if self.join:
            args += ["--join", f"127.0.0.1:{self.join.admin}"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.admin}/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except Exception:
                pass
            time.sleep(0.05)
        raise RuntimeError("node did not start")

    def status(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.admin}/status", timeout=2) as r:
            return json.loads(r.read())["raft"]

    def connect(self):
        return pymysql.connect(host="127.0.0.1", port=self.port, user="root", password=PASSWORD, autocommit=True,
                               connect_timeout=5, read_timeout=10, write_timeout=10)


def leader_of(nodes):
    for _ in range(400):
        for n in nodes:
            try:
                if n.proc.poll() is None and n.status()["role"] == "leader":
                    return n
            except Exception:
                pass
        time.sleep(0.025)
    raise RuntimeError("no leader")


def main():
    tmp = tempfile.mkdtemp(prefix="failover-")
    n1 = Node(tmp, "n1")
    n1.start()
    n2, n3 = Node(tmp, "n2", join=n1), Node(tmp, "n3", join=n1)
    n2.start()
    n3.start()
    nodes = [n1, n2, n3]
    with n1.connect() as c, c.cursor() as cur:
        cur.execute("CREATE DATABASE f")
        cur.execute("CREATE TABLE f.t (id BIGINT PRIMARY KEY, at DOUBLE)")
    results = []
    row = 0
    try:
        for trial in range(TRIALS):
            leader = leader_of(nodes)
            survivor = next(n for n in nodes if n is not leader)
            conn = survivor.connect()
            row += 1
            with conn.cursor() as cur:
                cur.execute("INSERT INTO f.t VALUES (%s, %s)", (row, time.time()))
            leader.proc.send_signal(signal.SIGKILL)
            killed = time.time()
            leader.proc.wait()
            while True:
                row += 1
                try:
                    with conn.cursor() as cur:
                        cur.execute("INSERT INTO f.t VALUES (%s, %s)", (row, time.time()))
                    break
                except pymysql.MySQLError:
                    try:
                        conn.close()
                    except Exception:
                        pass
                    time.sleep(0.01)
                    conn = survivor.connect()
            down = time.time() - killed
            results.append(down)
            print(f"trial {trial + 1:2}: writes resumed {down:.3f} s after kill -9 of the leader", flush=True)
            conn.close()
            leader.start()
            time.sleep(1.0)  # the restarted node catches up and the cluster settles
    finally:
        for n in nodes:
            if n.proc and n.proc.poll() is None:
                n.proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    results.sort()
    print(f"{len(results)} trials: p50 {statistics.median(results):.3f} s, "
          f"p90 {results[int(len(results) * 0.9) - 1]:.3f} s, max {results[-1]:.3f} s")


if __name__ == "__main__":
    main()
