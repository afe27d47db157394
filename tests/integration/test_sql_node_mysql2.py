"""Node's mysql2 (npm, tests/node) against the real binary: a pool, DDL, DML, transactions,
prepared statements of every common type through execute(), text queries, and errors
(tests/node/mysql2_client.js)."""
import os
import shutil
import subprocess
import unittest

from sql_common import PASSWORD, sql_server

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node")


class NodeMysql2Test(unittest.TestCase):
    def test_pool_prepared_statements_transactions_errors(self):
        # scripts/setup.sh installs node and runs `npm ci` here: missing means setup was skipped.
        self.assertIsNotNone(shutil.which("node"), "node is not installed (scripts/setup.sh)")
        self.assertTrue(os.path.isdir(os.path.join(NODE_DIR, "node_modules", "mysql2")),
                        "tests/node/node_modules/mysql2 is missing: run scripts/setup.sh")
        server = sql_server()
        try:
            env = dict(os.environ, STRATA_PORT=str(server.port), STRATA_PASSWORD=PASSWORD)
            out = subprocess.run(["node", os.path.join(NODE_DIR, "mysql2_client.js")], capture_output=True,
                                 text=True, env=env, timeout=120)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            self.assertEqual(out.stdout.strip(), "ok", out.stderr)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
