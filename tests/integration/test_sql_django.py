"""Django (Debian python3-django over MySQLdb) against the real binary: migrate (Django's
own introspection queries and DDL), introspection of the table it made, and a model round
trip: create, bulk create, filters, update, a rolled-back atomic block, delete
(tests/integration/django_app/run_django.py)."""
import os
import unittest

from sql_common import run_client_script

HERE = os.path.dirname(os.path.abspath(__file__))


class DjangoTest(unittest.TestCase):
    def test_migrate_and_model_round_trip(self):
        run_client_script(self, ["/usr/bin/python3", os.path.join(HERE, "django_app", "run_django.py")])


if __name__ == "__main__":
    unittest.main()
