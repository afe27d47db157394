"""Shared helpers for the SQL process-level tests: a password-protected server and
PyMySQL / mariadb CLI connections to it."""
import subprocess

import pymysql

from harness import Server

PASSWORD = "s3cret-Pw"


def sql_server(**kwargs):
    """A started `stratadb start` with root's password set."""
    return Server(extra_args=["--root-password", PASSWORD], **kwargs).start()


def connect(server, database=None, autocommit=True, **kwargs):
    return pymysql.connect(host="127.0.0.1", port=server.port, user="root", password=PASSWORD,
                           database=database, autocommit=autocommit, connect_timeout=10,
                           read_timeout=60, write_timeout=60, **kwargs)


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
