"""`stratadb start` as a user sees it: health, status, metrics, config, clean shutdown,
and one clear error line for every kind of bad input."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest

from harness import BIN, Server, curl, free_port, run_binary


class ServingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_health(self):
        code, body = curl(f"http://127.0.0.1:{self.server.admin_port}/health")
        self.assertEqual(code, 200)
        self.assertEqual(body.strip(), "ok")

    def test_status_json(self):
        st = self.server.status()
        self.assertEqual(st["data_dir"], self.server.data_dir)
        self.assertGreater(st["node_id"], 0)
        self.assertEqual(len(st["cluster_id"]), 32)
        self.assertEqual(st["ports"]["admin"], self.server.admin_port)
        self.assertEqual(st["ports"]["mysql"], self.server.port)
        self.assertGreaterEqual(st["uptime_seconds"], 0)
        self.assertTrue(st["version"])
        self.assertIn(st["io_backend"], ("io_uring", "threadpool"))
        self.assertIn("scheduler", st["device"])  # the device advisor's finding

    def test_metrics_are_valid_prometheus(self):
        code, body = curl(f"http://127.0.0.1:{self.server.admin_port}/metrics")
        self.assertEqual(code, 200)
        for name in ("stratadb_uptime_seconds", "stratadb_build_info", "process_resident_memory_bytes",
                     "process_cpu_seconds_total", "stratadb_io_queue_depth"):
            self.assertIn(f"\n{name}", "\n" + body, name)
        checker = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True, text=True)
        self.assertEqual(checker.returncode, 0, checker.stdout + checker.stderr)

    def test_unknown_path_is_404(self):
        code, _ = curl(f"http://127.0.0.1:{self.server.admin_port}/nope")
        self.assertEqual(code, 404)

    def test_json_logs(self):
        lines = [l for l in self.server.log().splitlines() if l.strip()]
        self.assertTrue(lines)
        for line in lines:
            event = json.loads(line)
            for key in ("ts", "level", "component", "msg"):
                self.assertIn(key, event)
        self.assertTrue(any(json.loads(l)["msg"] == "serving" for l in lines))


class LifecycleTest(unittest.TestCase):
    def test_sigterm_and_sigint_exit_zero_and_identity_persists(self):
        s = Server()
        try:
            s.start()
            first = s.status()
            self.assertEqual(s.stop(signal.SIGTERM), 0)
            s.start()
            second = s.status()
            self.assertEqual(first["node_id"], second["node_id"])
            self.assertEqual(first["cluster_id"], second["cluster_id"])
            self.assertEqual(s.stop(signal.SIGINT), 0)
            with open(os.path.join(s.data_dir, "node.toml")) as f:
                self.assertIn(f"node_id = {first['node_id']}", f.read())
        finally:
            s.cleanup()

    def test_restart_after_kill9(self):
        s = Server()
        try:
            s.start()
            node_id = s.status()["node_id"]
            s.kill9()  # the lock dies with the process
            s.start()
            self.assertEqual(s.status()["node_id"], node_id)
        finally:
            s.cleanup()

    def test_text_log_format(self):
        s = Server(extra_args=["--log-format", "text"])
        try:
            s.start()
            self.assertIn("[node] serving", s.log())
        finally:
            s.cleanup()

    def test_config_file_and_flag_precedence(self):
        tmp = tempfile.mkdtemp()
        try:
            file_admin, flag_admin = free_port(), free_port()
            cfg = os.path.join(tmp, "stratadb.toml")
            with open(cfg, "w") as f:
                f.write(f'admin_port = {file_admin}\nlog_format = "text"\ndata_dir = "{tmp}/fromfile"\n')
            s = Server(data_dir=os.path.join(tmp, "fromflag"), extra_args=["--config", cfg])
            s.admin_port = flag_admin  # the harness passes --admin-port, which wins over the file
            s.start()
            self.assertEqual(s.status()["ports"]["admin"], flag_admin)
            self.assertIn("[node] serving", s.log())  # log_format came from the file
            self.assertEqual(s.stop(), 0)
            s.cleanup()
            # Without the flag, the file's values apply.
            proc = subprocess.Popen([BIN, "start", "--config", cfg], stderr=subprocess.DEVNULL)
            try:
                import time
                deadline = time.time() + 20
                while time.time() < deadline and curl(f"http://127.0.0.1:{file_admin}/health", 1)[0] != 200:
                    time.sleep(0.05)
                code, body = curl(f"http://127.0.0.1:{file_admin}/status")
                self.assertEqual(code, 200)
                self.assertEqual(json.loads(body)["data_dir"], f"{tmp}/fromfile")
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(20), 0)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_version(self):
        out = run_binary(["version"])
        self.assertEqual(out.returncode, 0)
        self.assertTrue(out.stdout.startswith("stratadb "))


class BadInputTest(unittest.TestCase):
    """Each bad input: non-zero exit, exactly one error line, no stack trace or abort."""

    def assert_one_clear_error(self, proc, needle):
        self.assertNotEqual(proc.returncode, 0)
        self.assertGreater(proc.returncode, 0, "killed by a signal: " + proc.stderr)
        errors = [l for l in proc.stderr.splitlines() if l.startswith("stratadb: error:")]
        self.assertEqual(len(errors), 1, proc.stderr)
        self.assertIn(needle, errors[0])
        for bad in ("terminate called", "Aborted", "what()", "#0 "):
            self.assertNotIn(bad, proc.stderr)

    def start_args(self, tmp, *extra):
        return ["start", "--data-dir", os.path.join(tmp, "d"), "--admin-port", str(free_port()),
                "--port", str(free_port())] + list(extra)

    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_unknown_flag(self):
        self.assert_one_clear_error(run_binary(["start", "--bogus"]), "--bogus")

    def test_bad_flag_value(self):
        self.assert_one_clear_error(run_binary(["start", "--port", "notaport"]), "port")
        self.assert_one_clear_error(run_binary(["start", "--port", "70000"]), "port")
        self.assert_one_clear_error(run_binary(self.start_args(self.tmp, "--log-format", "xml")), "log format")

    def test_missing_subcommand(self):
        proc = run_binary([])
        self.assertNotEqual(proc.returncode, 0)

    def test_unreadable_config(self):
        self.assert_one_clear_error(run_binary(self.start_args(self.tmp, "--config", "/nonexistent.toml")),
                                    "/nonexistent.toml")

    def test_invalid_toml(self):
        cfg = os.path.join(self.tmp, "bad.toml")
        with open(cfg, "w") as f:
            f.write("port = = 3\n")
        self.assert_one_clear_error(run_binary(self.start_args(self.tmp, "--config", cfg)), "invalid TOML")

    def test_unknown_config_key(self):
        cfg = os.path.join(self.tmp, "typo.toml")
        with open(cfg, "w") as f:
            f.write("admin_prot = 1\n")
        self.assert_one_clear_error(run_binary(self.start_args(self.tmp, "--config", cfg)), "admin_prot")

    def test_busy_admin_port(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            proc = run_binary(["start", "--data-dir", os.path.join(self.tmp, "d"), "--admin-port", str(port)])
            self.assert_one_clear_error(proc, f"127.0.0.1:{port}")

    def test_locked_data_dir(self):
        s = Server(data_dir=os.path.join(self.tmp, "locked")).start()
        try:
            proc = run_binary(["start", "--data-dir", s.data_dir, "--admin-port", str(free_port())])
            self.assert_one_clear_error(proc, "in use by another stratadb process")
        finally:
            s.cleanup()

    def test_unwritable_data_dir(self):
        plain = os.path.join(self.tmp, "plain-file")
        open(plain, "w").close()
        proc = run_binary(["start", "--data-dir", os.path.join(plain, "sub"), "--admin-port", str(free_port())])
        self.assert_one_clear_error(proc, "cannot create data directory")

    def test_corrupt_node_toml(self):
        d = os.path.join(self.tmp, "d")
        os.makedirs(d)
        with open(os.path.join(d, "node.toml"), "w") as f:
            f.write("garbage = [\n")
        self.assert_one_clear_error(run_binary(self.start_args(self.tmp)), "node.toml")


if __name__ == "__main__":
    unittest.main(verbosity=2)
