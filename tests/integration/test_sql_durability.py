"""Durability of acknowledged commits across kill -9.

Client processes (this file run as `client`, separate /usr/bin/python3 processes with PyMySQL)
commit numbered rows in a loop and append each id to a log file only after the server
acknowledged the commit. The server is killed with SIGKILL at random moments and restarted
on the same data dir and ports. After each restart:
  - every acknowledged id is present exactly once, with its payload intact;
  - an id that was attempted but not acknowledged is present at most once;
  - no id that was never attempted is present;
  - a 3-row transaction (shared group id) is entirely present or entirely absent.
Cycles: 30 (STRATA_SOAK=1: 200). The seed is printed; STRATA_SEED=<n> replays the kill timing.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import pymysql

from sql_common import PASSWORD, connect, sql_server

CONN_ERRORS = (2003, 2006, 2013, 2014, 2055)


def payload(n):
    return (f"payload-{n}-" * 12)[:150]


def client_main(mode, port, log_path, stop_path):
    """Commits forever; writes 'A n' before an attempt and 'K n' after its acknowledgement."""
    log = open(log_path, "a", buffering=1)
    n = 0
    conn = None
    while not os.path.exists(stop_path):
        if conn is None:
            try:
                conn = pymysql.connect(host="127.0.0.1", port=port, user="root", password=PASSWORD,
                                       database="dur", autocommit=True, connect_timeout=2, read_timeout=30,
                                       write_timeout=30)
            except pymysql.MySQLError:
                time.sleep(0.02)
                continue
        n += 1
        log.write(f"A {n}\n")
        try:
            with conn.cursor() as cur:
                if mode == "single":
                    cur.execute("INSERT INTO t (id, payload) VALUES (%s, %s)", (n, payload(n)))
                else:
                    cur.execute("BEGIN")
                    for k in range(3):
                        cur.execute("INSERT INTO g (id, grp, payload) VALUES (%s, %s, %s)",
                                    (n * 3 + k, n, payload(n * 3 + k)))
                    cur.execute("COMMIT")
            log.write(f"K {n}\n")
        except pymysql.MySQLError as e:
            code = e.args[0] if e.args and isinstance(e.args[0], int) else -1
            if code not in CONN_ERRORS:
                log.write(f"E {n} {code} {e.args[1:] if len(e.args) > 1 else ''}\n")
            try:
                conn.close()
            except Exception:
                pass
            conn = None
        except (OSError, pymysql.err.InterfaceError):
            conn = None


def read_log(path):
    attempted, acked, errors = set(), set(), []
    if not os.path.exists(path):
        return attempted, acked, errors
    with open(path) as f:
        for line in f:
            if not line.endswith("\n"):
                break  # a line being written
            parts = line.split(" ", 2)
            if parts[0] == "A":
                attempted.add(int(parts[1]))
            elif parts[0] == "K":
                acked.add(int(parts[1]))
            elif parts[0] == "E":
                errors.append(line.strip())
    return attempted, acked, errors


class DurabilityTest(unittest.TestCase):
    CYCLES = 30
    # ENGINE clauses of the two tables (test_sql_engines.py puts them in different engines).
    SINGLE_ENGINE = ""
    GROUP_ENGINE = ""
    SERVER_FLAGS = ()

    def before_kill(self, rng):
        """Called in each cycle just before the kill."""

    def setUp(self):
        self.server = sql_server(self.SERVER_FLAGS)
        self.tmp = tempfile.mkdtemp(prefix="stratadb-dur-")
        self.stop_path = os.path.join(self.tmp, "stop")
        self.clients = []
        with connect(self.server) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE dur")
            # No primary key (hidden row id): a commit applied twice would show up as a duplicate.
            cur.execute("CREATE TABLE dur.t (id INT NOT NULL, payload VARCHAR(200) NOT NULL)" + self.SINGLE_ENGINE)
            cur.execute("CREATE TABLE dur.g (id INT NOT NULL, grp INT NOT NULL, payload VARCHAR(200) NOT NULL)" +
                        self.GROUP_ENGINE)

    def tearDown(self):
        open(self.stop_path, "w").close()
        for p in self.clients:
            try:
                p.wait(timeout=40)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.server.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_client(self, mode):
        log = os.path.join(self.tmp, f"{mode}.log")
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "client", mode, str(self.server.port),
                              log, self.stop_path])
        self.clients.append(p)
        return log

    def check(self, single_log, group_log, where):
        # Read the logs first: everything acknowledged so far must be visible in the query after.
        s_att, s_ack, s_err = read_log(single_log)
        g_att, g_ack, g_err = read_log(group_log)
        self.assertEqual(s_err + g_err, [], f"unexpected errors in the clients ({where})")
        with connect(self.server, "dur") as c, c.cursor() as cur:
            cur.execute("SELECT id, payload FROM t")
            rows = cur.fetchall()
            cur.execute("SELECT grp, id, payload FROM g")
            grows = cur.fetchall()
        seen = {}
        for i, p in rows:
            self.assertEqual(p, payload(i), f"torn payload for id {i} ({where})")
            seen[i] = seen.get(i, 0) + 1
        dup = {i: k for i, k in seen.items() if k > 1}
        self.assertEqual(dup, {}, f"ids present more than once ({where})")
        missing = sorted(s_ack - set(seen))
        self.assertEqual(missing, [], f"acknowledged ids lost ({where})")
        # Attempts made while the query ran count too: re-read the log after the query.
        max_attempt = max(read_log(single_log)[0] | {0}) + 1
        self.assertEqual(sorted(i for i in seen if i > max_attempt or i < 1), [], f"never attempted ({where})")
        groups = {}
        for grp, i, p in grows:
            self.assertEqual(p, payload(i), f"torn payload for group row {i} ({where})")
            self.assertIn(i, (grp * 3, grp * 3 + 1, grp * 3 + 2))
            groups.setdefault(grp, []).append(i)
        partial = {grp: ids for grp, ids in groups.items() if sorted(ids) != [grp * 3, grp * 3 + 1, grp * 3 + 2]}
        self.assertEqual(partial, {}, f"partial or duplicated transactions visible ({where})")
        self.assertEqual(sorted(g_ack - set(groups)), [], f"acknowledged transactions lost ({where})")
        s_ack_now, g_ack_now = read_log(single_log)[1], read_log(group_log)[1]
        return len(s_ack), len(g_ack), len(set(seen) - s_ack_now), len(set(groups) - g_ack_now)

    def wait_progress(self, log, before, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(read_log(log)[1]) > before:
                return
            time.sleep(0.01)
        self.fail(f"client made no progress after restart: {self.server.log()[-3000:]}")

    def test_kill9_cycles(self):
        cycles = 200 if os.environ.get("STRATA_SOAK") == "1" else self.CYCLES
        seed = int(os.environ.get("STRATA_SEED", random.randrange(1 << 31)))
        print(f"\nSTRATA_SEED={seed} cycles={cycles}", file=sys.stderr)
        rng = random.Random(seed)
        single_log = self.start_client("single")
        group_log = self.start_client("group")
        start = time.time()
        for cycle in range(cycles):
            where = f"cycle {cycle}, seed {seed}"
            self.wait_progress(single_log, len(read_log(single_log)[1]))
            self.wait_progress(group_log, len(read_log(group_log)[1]))
            time.sleep(rng.uniform(0.0, 0.3))
            self.before_kill(rng)
            self.server.kill9()
            self.server.start()
            self.check(single_log, group_log, where)
        open(self.stop_path, "w").close()
        for p in self.clients:
            self.assertEqual(p.wait(timeout=40), 0)
        s_ack, g_ack, extra_s, extra_g = self.check(single_log, group_log, "final")
        elapsed = time.time() - start
        print(f"{cycles} kill -9 cycles in {elapsed:.1f}s; acknowledged: {s_ack} single-row commits, "
              f"{g_ack} 3-row transactions ({(s_ack + g_ack) / elapsed:.0f} commits/s incl. restarts); "
              f"unacknowledged but committed (in flight at a kill): {extra_s} single, {extra_g} transactions",
              file=sys.stderr)
        self.assertGreater(s_ack, cycles)
        self.assertGreater(g_ack, cycles)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "client":
        client_main(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        unittest.main()
