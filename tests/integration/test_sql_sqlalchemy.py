"""SQLAlchemy (Debian python3-sqlalchemy, over PyMySQL) against the real binary: DDL through
create_all, reflection (columns, types, keys, indexes), ORM CRUD in transactions with a
rollback, and errors (tests/integration/sqlalchemy_client.py)."""
import os
import unittest

from sql_common import run_client_script

HERE = os.path.dirname(os.path.abspath(__file__))


class SqlAlchemyTest(unittest.TestCase):
    def test_reflection_and_orm(self):
        run_client_script(self, ["/usr/bin/python3", os.path.join(HERE, "sqlalchemy_client.py")])


if __name__ == "__main__":
    unittest.main()
