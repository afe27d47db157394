"""Shared helpers for the SQL process-level tests: a password-protected server and
PyMySQL / mariadb CLI connections to it."""
import os
import subprocess

import pymysql

from harness import TIMEOUT_SCALE, Server

PASSWORD = "s3cret-Pw"


def sql_server(extra=(), **kwargs):
    """A started `stratadb start` with root's password set (and the flags in `extra`)."""
    return Server(extra_args=["--root-password", PASSWORD] + list(extra), **kwargs).start()


def run_client_script(test, argv, timeout=120):
    """Starts a server, runs a client program (a script in another language or library)
    with STRATA_PORT and STRATA_PASSWORD in its environment, and asserts that it exited 0
    printing exactly "ok" (the script checks the server's answers itself)."""
    server = sql_server()
    try:
        env = dict(os.environ, STRATA_PORT=str(server.port), STRATA_PASSWORD=PASSWORD)
        out = subprocess.run(list(argv), capture_output=True, text=True, env=env, timeout=timeout)
        test.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        test.assertEqual(out.stdout.strip(), "ok", out.stderr)
    finally:
        server.cleanup()


def connect(server, database=None, autocommit=True, read_timeout=60, **kwargs):
    """A root connection. `read_timeout` (seconds) grows with STRATA_TEST_TIMEOUT_SCALE, as
    the sanitizer builds run several times slower."""
    return pymysql.connect(host="127.0.0.1", port=server.port, user="root", password=PASSWORD,
                           database=database, autocommit=autocommit, connect_timeout=10,
                           read_timeout=int(read_timeout * TIMEOUT_SCALE), write_timeout=60, **kwargs)


def mariadb(server, sql, password=PASSWORD, database=None, force=False, extra=(), timeout=60):
    """Runs the real mariadb CLI in batch mode; returns CompletedProcess (text)."""
    args = ["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", str(server.port), "-u", "root",
            f"--password={password}", "--batch"]
    args += list(extra)
    if database:
        args.append(database)
    if force:
        args.append("--force")
    return subprocess.run(args, input=sql, capture_output=True, text=True, timeout=timeout)
