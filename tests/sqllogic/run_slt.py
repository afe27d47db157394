"""Runs sqllogictest files against a fresh server (`make conformance`, the sqllogic tests).

    run_slt.py [--peer mariadb] [--expect FILE] [--write-expect FILE] [--root DIR] [--rewrite]
               [--show N] PATH...

Starts a throwaway `stratadb start` (STRATADB_BIN) — or, with --peer mariadb, a throwaway
Debian mariadbd, to check the runner and the corpus against the database the results were
made with — then runs SLT_RUNNER_BIN on the paths and exits with its code (slt_runner.cc).
Run with Debian's /usr/bin/python3.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import Server, free_port  # noqa: E402

RUNNER = os.environ.get("SLT_RUNNER_BIN", os.path.join(HERE, "../../build/tests/sqllogic/slt_runner"))
PASSWORD = "slt-Pw"


class MariaDB:
    """A throwaway mariadbd on a temporary data directory (no password for root)."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="slt-mariadb-")
        self.port = free_port()
        self.password = ""
        self.proc = None

    def start(self):
        data = os.path.join(self.tmp, "data")
        base = ["--no-defaults", f"--datadir={data}", "--user=root"]
        subprocess.run(["mariadb-install-db", *base, "--auth-root-authentication-method=normal"],
                       check=True, capture_output=True)
        self.proc = subprocess.Popen(
            ["mariadbd", *base, f"--port={self.port}", "--bind-address=127.0.0.1",
             f"--socket={self.tmp}/mysqld.sock", "--skip-log-bin", "--skip-name-resolve",
             "--innodb-flush-log-at-trx-commit=2", "--innodb-buffer-pool-size=256M"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.tmp, "err.log"), "wb"))
        deadline = time.time() + 60
        while time.time() < deadline:
            ok = subprocess.run(["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{self.port}", "-uroot",
                                 "-e", "select 1"], capture_output=True).returncode == 0
            if ok:
                return self
            time.sleep(0.2)
        raise RuntimeError("mariadbd did not start: see " + self.tmp)

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--peer", choices=["mariadb"])
    parser.add_argument("--expect")
    parser.add_argument("--write-expect")
    parser.add_argument("--root")
    parser.add_argument("--rewrite", action="store_true")
    parser.add_argument("--show", default="3")
    args = parser.parse_args()

    if args.peer == "mariadb":
        server = MariaDB().start()
        password = ""
    else:
        server = Server(extra_args=["--root-password", PASSWORD, "--log-level", "warn"]).start()
        password = PASSWORD
    rc = 3
    try:
        cmd = [RUNNER, "--port", str(server.port), "--password", password, "--show", args.show]
        if args.expect:
            cmd += ["--expect", args.expect]
        if args.write_expect:
            cmd += ["--write-expect", args.write_expect]
        if args.root:
            cmd += ["--root", args.root]
        if args.rewrite:
            cmd.append("--rewrite")
        rc = subprocess.run(cmd + args.paths).returncode
        if args.peer is None:
            # The server must still be running, and must stop cleanly.
            if server.proc.poll() is not None:
                print(f"stratadb exited with {server.proc.returncode}:\n{server.log()[-4000:]}")
                rc = 3
            else:
                code = server.stop()
                if code != 0:
                    print(f"stratadb exited with {code} at shutdown:\n{server.log()[-4000:]}")
                    rc = 3
    finally:
        server.cleanup()
    return rc

if __name__ == "__main__":
    sys.exit(main())
