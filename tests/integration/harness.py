"""Process-level test harness: starts real `stratadb` processes and talks to them with
real clients (curl, the mariadb CLI, PyMySQL). Used by every tests/integration/test_*.py.

Run with Debian's /usr/bin/python3. The binary path comes from STRATADB_BIN (CTest sets it).
"""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

BIN = os.environ.get("STRATADB_BIN", os.path.join(os.path.dirname(__file__), "../../build/stratadb"))
# Sanitizer trees run the binary several times slower (cmake/Sanitizers.cmake sets the
# factor; a TSan node replaying its log needs ~10 s where a release build needs 0.1 s).
TIMEOUT_SCALE = float(os.environ.get("STRATA_TEST_TIMEOUT_SCALE", "1"))


def _ephemeral_floor():
    """The lowest port the kernel hands to outgoing connections (ip_local_port_range)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_given = set()
_rng = random.Random()


def free_port():
    """A loopback port nobody listens on right now, below the kernel's ephemeral range: a
    port the kernel picked (bind to 0) is an ephemeral one, which any outgoing connection
    (a client, another test) may take as its local port before the server binds it, and
    a restart on the same port then fails with "Address already in use". Ports are drawn
    at random from [10000, ephemeral floor) and never handed out twice by one process."""
    top = max(10001, _ephemeral_floor())
    while True:
        port = _rng.randrange(10000, top)
        if port in _given:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.add(port)
        return port


def curl(url, timeout=5):
    """GET with the real curl client; returns (status_code, body)."""
    out = subprocess.run(["curl", "-s", "-m", str(timeout), "-w", "\n%{http_code}", url],
                         capture_output=True, text=True)
    body, _, code = out.stdout.rpartition("\n")
    return int(code or 0), body


def post(server, path, timeout=10):
    """POST with an empty body to the admin port; returns (status, body). A connection that
    closes without an answer raises (as /debug/power-loss does)."""
    req = urllib.request.Request(f"http://127.0.0.1:{server.admin_port}{path}", data=b"", method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_until(cond, timeout=20, what="condition", interval=0.05):
    """Polls cond() (an exception counts as false) until it is true; AssertionError after
    timeout seconds (scaled for sanitizer trees)."""
    deadline = time.time() + timeout * TIMEOUT_SCALE
    while time.time() < deadline:
        try:
            if cond():
                return
        except Exception:
            pass
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


class Server:
    """One `stratadb start` process with its own data dir and ports."""

    def __init__(self, data_dir=None, extra_args=(), env=None):
        self.tmp = tempfile.mkdtemp(prefix="stratadb-test-")
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.port = free_port()
        self.admin_port = free_port()
        self.raft_port = free_port()
        self.extra_args = list(extra_args)
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.stderr_path = os.path.join(self.tmp, "stderr.log")

    def args(self):
        # STRATA_DEFAULT_ENGINE=btree runs a suite with every table in the B+tree (the
        # *_btree CTest entries set it; issue 19).
        engine = os.environ.get("STRATA_DEFAULT_ENGINE")
        return [BIN, "start", "--data-dir", self.data_dir, "--port", str(self.port),
                "--admin-port", str(self.admin_port), "--raft-port", str(self.raft_port)] + \
            (["--default-engine", engine] if engine else []) + \
            (["--commit-timeout-ms", str(int(5000 * TIMEOUT_SCALE))] if TIMEOUT_SCALE > 1 else []) + self.extra_args

    def start(self, wait=True):
        self.stderr = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(self.args(), stdout=subprocess.DEVNULL, stderr=self.stderr, env=self.env)
        if wait:
            self.wait_healthy()
        return self

    def wait_healthy(self, timeout=20):
        deadline = time.time() + timeout * TIMEOUT_SCALE
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"stratadb exited with {self.proc.returncode}: {self.log()}")
            code, _ = curl(f"http://127.0.0.1:{self.admin_port}/health", timeout=1)
            if code == 200:
                return
            time.sleep(0.05)
        raise AssertionError("stratadb did not become healthy: " + self.log())

    def log(self):
        with open(self.stderr_path, "r", errors="replace") as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Sends `sig` and returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.stderr.close()

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.stderr.close()

    def status(self):
        code, body = curl(f"http://127.0.0.1:{self.admin_port}/status")
        assert code == 200, code
        return json.loads(body)

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.kill9()
        shutil.rmtree(self.tmp, ignore_errors=True)


def run_binary(args, timeout=20, env=None):
    """Runs the binary to completion; returns CompletedProcess with text output."""
    return subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))


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
