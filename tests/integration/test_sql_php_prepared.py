"""Prepared statements through a second, independent implementation of the binary protocol:
PHP's mysqlnd (mysqli and PDO with server-side prepares), running php_prepared.php against
the real binary. Covers parameter and row encodings, long data, NULLs, a cursor, metadata at
prepare time and errors."""
import os
import unittest

from sql_common import run_client_script

HERE = os.path.dirname(os.path.abspath(__file__))


class PhpPreparedTest(unittest.TestCase):
    def test_mysqli_and_pdo(self):
        run_client_script(self, ["php", os.path.join(HERE, "php_prepared.php")])


if __name__ == "__main__":
    unittest.main()
