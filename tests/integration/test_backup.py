"""`stratadb backup` and `stratadb restore` through the real binary (docs/operations.md,
"Backup and restore"): a backup taken while PyMySQL threads move money between accounts
restores to a new single-node cluster where the money adds up, every balance agrees with the
transfer ledger of the same snapshot, and a quiescent backup matches its source row for row;
damaged backups are refused naming the file; progress is JSON lines off a terminal and the
newt bar on one; /status shows a backup being served."""
import hashlib
import json
import os
import pty
import random
import shutil
import subprocess
import tempfile
import threading
import unittest
import urllib.request

import pymysql

from harness import BIN, Server, curl, run_binary, wait_until
from sql_common import PASSWORD, connect, sql_server

ACCOUNTS = 100
INITIAL = 1000
WRITERS = 4


def table_digest(server):
    """A checksum of both tables' rows in primary-key order, with their counts and sum."""
    h = hashlib.sha256()
    with connect(server, "bank") as c, c.cursor() as cur:
        cur.execute("SELECT id, balance FROM accounts ORDER BY id")
        accounts = cur.fetchall()
        cur.execute("SELECT id, src, dst, amount FROM ledger ORDER BY id")
        ledger = cur.fetchall()
        cur.execute("SELECT COUNT(*), SUM(LENGTH(pad)) FROM filler")
        filler = cur.fetchone()
    for row in accounts + ledger + (filler,):
        h.update(repr(row).encode())
    return h.hexdigest(), accounts, ledger


class Writers:
    """Threads doing transfers in explicit transactions: each moves an amount from one
    account to another and records it in the ledger, all in one commit."""

    def __init__(self, server):
        self.server = server
        self.stop = threading.Event()
        self.commits = 0
        self.lock = threading.Lock()
        self.errors = []
        self.threads = [threading.Thread(target=self.run, args=(seed,)) for seed in range(WRITERS)]

    def run(self, seed):
        rng = random.Random(seed)
        try:
            conn = connect(self.server, "bank", autocommit=False)
            with conn.cursor() as cur:
                while not self.stop.is_set():
                    a, b = rng.sample(range(1, ACCOUNTS + 1), 2)
                    amount = rng.randint(1, 50)
                    try:
                        cur.execute("UPDATE accounts SET balance = balance - %s WHERE id = %s", (amount, a))
                        cur.execute("UPDATE accounts SET balance = balance + %s WHERE id = %s", (amount, b))
                        cur.execute("INSERT INTO ledger (src, dst, amount) VALUES (%s, %s, %s)", (a, b, amount))
                        conn.commit()
                        with self.lock:
                            self.commits += 1
                    except pymysql.err.OperationalError as e:
                        if e.args[0] not in (1213, 1205):  # conflicts and lock waits: retry
                            raise
                        conn.rollback()
            conn.close()
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.errors.append(repr(e))

    def start(self):
        for t in self.threads:
            t.start()

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


def json_lines(stdout):
    lines = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    assert lines, "no output"
    return lines


class BackupTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="stratadb-backup-test-")
        cls.source = sql_server()
        with connect(cls.source) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE bank")
            cur.execute("CREATE TABLE bank.accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)")
            cur.execute("CREATE TABLE bank.ledger (id INT AUTO_INCREMENT PRIMARY KEY, src INT, dst INT, amount INT)")
            cur.execute("CREATE TABLE bank.filler (id INT PRIMARY KEY, pad VARCHAR(2000))")
            values = ",".join(f"({i}, {INITIAL})" for i in range(1, ACCOUNTS + 1))
            cur.execute(f"INSERT INTO bank.accounts VALUES {values}")
            # ~3 MB more that does not compress, so that the backup travels in several 1 MiB chunks.
            rng = random.Random(7)
            for start in range(0, 1500, 100):
                rows = ",".join(f"({i}, '{rng.randbytes(1000).hex()}')" for i in range(start, start + 100))
                cur.execute(f"INSERT INTO bank.filler VALUES {rows}")
        cls.servers = [cls.source]

    @classmethod
    def tearDownClass(cls):
        for s in cls.servers:
            s.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def backup(self, name):
        out = run_binary(["backup", "--admin", f"127.0.0.1:{self.source.admin_port}", "--to", self.path(name)],
                         timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json_lines(out.stdout)

    def restore(self, backup, name):
        out = run_binary(["restore", "--from", self.path(backup), "--data-dir", self.path(name),
                          "--root-password", PASSWORD], timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json_lines(out.stdout)

    def start_restored(self, name):
        server = Server(data_dir=self.path(name))
        self.servers.append(server)
        return server.start()

    def check_progress(self, lines, task, phases):
        """Progress lines: JSON, in phase order, each phase from 0 to its total (never
        backwards), then one "done" line, which is returned."""
        self.assertEqual(lines[-1]["event"], "done", lines[-1])
        self.assertEqual(lines[-1]["task"], task)
        progress = lines[:-1]
        seen = []
        for line in progress:
            self.assertEqual(line["event"], "progress", line)
            self.assertEqual(line["task"], task)
            if not seen or seen[-1] != line["phase"]:
                seen.append(line["phase"])
                self.assertEqual(line["done"], 0, line)
                last = -1
            self.assertGreaterEqual(line["done"], last, line)
            last = line["done"]
            self.assertGreaterEqual(line["rate_per_second"], 0)
        self.assertEqual([p for p in seen if p in phases], phases, seen)
        for phase in phases:
            final = [p for p in progress if p["phase"] == phase][-1]
            self.assertEqual(final["done"], final["total"], final)
            self.assertEqual(final["eta_seconds"], 0, final)
        return lines[-1]

    def test_1_backup_under_load_restores_consistent_state(self):
        writers = Writers(self.source)
        writers.start()
        try:
            wait_until(lambda: writers.commits >= 100 or writers.errors, timeout=60, what="100 transfers")
            self.assertEqual(writers.errors, [])
            lines = self.backup("under-load")
            self.assertEqual(writers.errors, [])
            commits_at_end = writers.commits
            wait_until(lambda: writers.commits > commits_at_end + 20 or writers.errors, timeout=60,
                       what="transfers after the backup")
        finally:
            writers.join()
        self.assertEqual(writers.errors, [])

        done = self.check_progress(lines, "backup", ["download"])
        total = [p for p in lines if p["event"] == "progress"][-1]["total"]
        self.assertGreater(total, 2 << 20)
        self.assertEqual(done["bytes"], total)
        status = self.source.status()
        self.assertEqual(done["cluster_id"], status["cluster_id"])
        self.assertEqual(done["source_node_id"], status["node_id"])
        self.assertEqual(status["backups"], [])  # finished: the checkpoint is gone
        with open(self.path("under-load/backup.toml")) as f:
            self.assertIn(f"applied_index = {done['applied_index']}\n", f.read())

        restored = self.check_progress(self.restore("under-load", "restored"), "restore", ["verify", "copy", "load"])
        self.assertEqual(restored["applied_index"], done["applied_index"])
        self.assertNotEqual(restored["cluster_id"], status["cluster_id"])
        self.assertNotEqual(restored["node_id"], status["node_id"])

        server = self.start_restored("restored")
        digest, accounts, ledger = table_digest(server)
        self.assertEqual(len(accounts), ACCOUNTS)
        self.assertEqual(sum(b for _, b in accounts), ACCOUNTS * INITIAL)
        self.assertGreater(len(ledger), 0)
        # Balances and ledger come from one snapshot: each balance is what its transfers made it.
        expected = {i: INITIAL for i in range(1, ACCOUNTS + 1)}
        for _, src, dst, amount in ledger:
            expected[src] -= amount
            expected[dst] += amount
        self.assertEqual(dict(accounts), expected)
        st = server.status()
        self.assertEqual(st["cluster_id"], restored["cluster_id"])
        self.assertEqual(st["node_id"], restored["node_id"])
        self.assertEqual([m["id"] for m in st["raft"]["members"]], [restored["node_id"]])
        self.assertGreaterEqual(st["raft"]["applied_index"], restored["applied_index"])
        self.assertIsNone(st["raft"]["snapshot_install"])
        # A node of its own: it takes writes, and keeps them and the backup's data across kill -9.
        with connect(server, "bank") as c, c.cursor() as cur:
            cur.execute("UPDATE accounts SET balance = balance - 5 WHERE id = 1")
            cur.execute("UPDATE accounts SET balance = balance + 5 WHERE id = 2")
        after = table_digest(server)[0]
        self.assertNotEqual(after, digest)
        server.kill9()
        server.start()
        self.assertEqual(table_digest(server)[0], after)

    def test_2_quiescent_backup_matches_source_row_for_row(self):
        source_digest = table_digest(self.source)[0]
        self.backup("quiet")
        self.restore("quiet", "restored-quiet")
        server = self.start_restored("restored-quiet")
        self.assertEqual(table_digest(server)[0], source_digest)

    def corrupt_copy(self, name, damage):
        shutil.copytree(self.path("quiet"), self.path(name))
        data = self.path(name + "/data")
        largest = max(os.listdir(data), key=lambda n: os.path.getsize(os.path.join(data, n)))
        damage(os.path.join(data, largest))
        return largest

    def refused(self, backup, target, *expected):
        out = run_binary(["restore", "--from", self.path(backup), "--data-dir", self.path(target)], timeout=120)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertTrue(out.stderr.startswith("stratadb: error: "), out.stderr)
        for text in expected:
            self.assertIn(text, out.stderr)
        self.assertFalse(os.path.exists(self.path(target)))
        self.assertFalse(os.path.exists(self.path(target + ".restoring")))

    def test_3_damaged_backup_is_refused(self):
        def flip(path):
            with open(path, "r+b") as f:
                f.seek(os.path.getsize(path) // 2)
                byte = f.read(1)
                f.seek(-1, os.SEEK_CUR)
                f.write(bytes([byte[0] ^ 0x40]))

        name = self.corrupt_copy("flipped", flip)
        self.refused("flipped", "from-flipped", "is damaged", name, "XXH3")
        name = self.corrupt_copy("truncated", lambda p: os.truncate(p, os.path.getsize(p) - 1))
        self.refused("truncated", "from-truncated", name, "the manifest says")
        shutil.copytree(self.path("quiet"), self.path("edited"))
        manifest = self.path("edited/backup.toml")
        with open(manifest) as f:
            text = f.read()
        with open(manifest, "w") as f:
            f.write(text.replace("applied_index = ", "applied_index = 1", 1))
        self.refused("edited", "from-edited", "backup manifest", "damaged")
        os.mkdir(self.path("empty"))
        self.refused("empty", "from-empty", "not a complete backup")
        # The intact backup still restores (the refusals left nothing behind).
        self.restore("quiet", "from-flipped")

    def test_4_status_shows_a_backup_being_served(self):
        base = f"http://127.0.0.1:{self.source.admin_port}"

        def post(path):
            out = subprocess.run(["curl", "-s", "-m", "30", "-X", "POST", "-d", "", "-w", "\n%{http_code}",
                                  base + path], capture_output=True, text=True)
            body, _, code = out.stdout.rpartition("\n")
            return int(code or 0), body

        code, body = post("/backup/begin")
        self.assertEqual(code, 200, body)
        begun = json.loads(body)
        served = self.source.status()["backups"]
        self.assertEqual(len(served), 1)
        self.assertEqual(served[0]["id"], begun["backup_id"])
        self.assertEqual(served[0]["bytes_total"], begun["total_bytes"])
        self.assertEqual(served[0]["bytes_sent"], 0)
        largest = max(range(len(begun["files"])), key=lambda i: begun["files"][i]["size"])
        with urllib.request.urlopen(f"{base}/backup/chunk?id={begun['backup_id']}&file={largest}&offset=0",
                                    timeout=30) as r:
            self.assertEqual(r.status, 200)
            chunk = r.read()
        # fixed32 header length | header (magic RSNAPCK2) | bytes (docs/backup_format.md)
        header_len = int.from_bytes(chunk[:4], "little")
        self.assertEqual(chunk[4:12], b"RSNAPCK2")
        self.assertEqual(len(chunk) - 4 - header_len, min(begun["files"][largest]["size"], begun["chunk_bytes"]))
        sent = self.source.status()["backups"][0]["bytes_sent"]
        self.assertGreater(sent, 0)
        self.assertLessEqual(sent, begun["total_bytes"])
        code, _ = curl(f"{base}/backup/chunk?id={begun['backup_id']}&file={len(begun['files'])}&offset=0")
        self.assertEqual(code, 400)
        self.assertEqual(post(f"/backup/finish?id={begun['backup_id']}")[0], 200)
        self.assertEqual(self.source.status()["backups"], [])
        code, body = curl(f"{base}/backup/chunk?id={begun['backup_id']}&file=0&offset=0")
        self.assertEqual(code, 404, body)

    def test_5_targets_must_be_new(self):
        out = run_binary(["backup", "--admin", f"127.0.0.1:{self.source.admin_port}", "--to", self.path("quiet")])
        self.assertEqual(out.returncode, 1)
        self.assertIn("is not empty", out.stderr)
        out = run_binary(["restore", "--from", self.path("quiet"), "--data-dir", self.source.data_dir])
        self.assertEqual(out.returncode, 1)
        self.assertIn("not an empty directory", out.stderr)
        out = run_binary(["backup", "--admin", "127.0.0.1:1", "--to", self.path("unreachable")])
        self.assertEqual(out.returncode, 1)
        self.assertIn("backup/begin", out.stderr)

    def test_6_bar_on_a_terminal(self):
        """On a terminal (a pty here) the progress is newt's bar, not JSON lines."""
        main, sub = pty.openpty()
        proc = subprocess.Popen([BIN, "restore", "--from", self.path("quiet"), "--data-dir", self.path("on-tty"),
                                 "--root-password", PASSWORD],
                                stdin=sub, stdout=sub, stderr=subprocess.PIPE, env=dict(os.environ, TERM="xterm"))
        os.close(sub)
        screen = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            screen += chunk
        self.assertEqual(proc.wait(timeout=60), 0, proc.stderr.read())
        proc.stderr.close()
        os.close(main)
        text = screen.decode(errors="replace")
        self.assertIn("stratadb restore", text)  # the window's title
        self.assertIn("ETA", text)
        self.assertIn("restored", text)  # the summary, after the screen is restored
        self.assertNotIn('"event"', text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
