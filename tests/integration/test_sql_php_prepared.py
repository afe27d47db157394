"""Prepared statements through a second, independent implementation of the binary protocol:
PHP's mysqlnd (mysqli and PDO with server-side prepares), running php_prepared.php against
the real binary. Covers parameter and row encodings, long data, NULLs, a cursor, metadata at
prepare time and errors."""
import os
import subprocess
import unittest

from sql_common import PASSWORD, sql_server

HERE = os.path.dirname(os.path.abspath(__file__))


class PhpPreparedTest(unittest.TestCase):
    def test_mysqli_and_pdo(self):
        server = sql_server()
        try:
            env = dict(os.environ, STRATA_PORT=str(server.port), STRATA_PASSWORD=PASSWORD)
            out = subprocess.run(["php", os.path.join(HERE, "php_prepared.php")], capture_output=True, text=True,
                                 env=env, timeout=120)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            self.assertEqual(out.stdout.strip(), "ok", out.stderr)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
