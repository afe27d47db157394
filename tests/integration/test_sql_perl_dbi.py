"""Perl DBI with DBD::MariaDB (Debian libdbd-mariadb-perl) against the real binary: server
prepared statements, NULLs, DECIMAL/DATETIME, transactions, errors, and CLIENT_FOUND_ROWS,
which DBD::MariaDB sets by default (tests/integration/perl_dbd_mariadb.pl)."""
import os
import unittest

from sql_common import run_client_script

HERE = os.path.dirname(os.path.abspath(__file__))


class PerlDbiTest(unittest.TestCase):
    def test_dbd_mariadb(self):
        run_client_script(self, ["perl", os.path.join(HERE, "perl_dbd_mariadb.pl")])


if __name__ == "__main__":
    unittest.main()
