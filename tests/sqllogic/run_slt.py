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
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import MariaDB, Server  # noqa: E402

RUNNER = os.environ.get("SLT_RUNNER_BIN", os.path.join(HERE, "../../build/tests/sqllogic/slt_runner"))
PASSWORD = "slt-Pw"


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
