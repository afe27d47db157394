"""Perl DBI with DBD::MariaDB (Debian libdbd-mariadb-perl) against the real binary: server
prepared statements, NULLs, DECIMAL/DATETIME, transactions, errors, and CLIENT_FOUND_ROWS,
which DBD::MariaDB sets by default (tests/integration/perl_dbd_mariadb.pl)."""
import os
import subprocess
import unittest

from sql_common import PASSWORD, sql_server

HERE = os.path.dirname(os.path.abspath(__file__))


class PerlDbiTest(unittest.TestCase):
    def test_dbd_mariadb(self):
        server = sql_server()
        try:
            env = dict(os.environ, STRATA_PORT=str(server.port), STRATA_PASSWORD=PASSWORD)
            out = subprocess.run(["perl", os.path.join(HERE, "perl_dbd_mariadb.pl")], capture_output=True, text=True,
                                 env=env, timeout=120)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            self.assertEqual(out.stdout.strip(), "ok", out.stderr)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
