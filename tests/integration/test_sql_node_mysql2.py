"""Node's mysql2 (npm, tests/node) against the real binary: a pool, DDL, DML, transactions,
prepared statements of every common type through execute(), text queries, and errors
(tests/node/mysql2_client.js)."""
import os
import shutil
import unittest

from sql_common import run_client_script

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node")


class NodeMysql2Test(unittest.TestCase):
    def test_pool_prepared_statements_transactions_errors(self):
        # scripts/setup.sh installs node and runs `npm ci` here: missing means setup was skipped.
        self.assertIsNotNone(shutil.which("node"), "node is not installed (scripts/setup.sh)")
        self.assertTrue(os.path.isdir(os.path.join(NODE_DIR, "node_modules", "mysql2")),
                        "tests/node/node_modules/mysql2 is missing: run scripts/setup.sh")
        run_client_script(self, ["node", os.path.join(NODE_DIR, "mysql2_client.js")])


if __name__ == "__main__":
    unittest.main()
