"""Django (Debian python3-django, MySQLdb) against a running StrataDB: makemigrations,
migrate (Django's own introspection and DDL), then a model round trip with a transaction
that rolls back. Run by test_sql_django.py; prints "ok" or raises."""
import datetime
import decimal
import os
import sys

import django
from django.conf import settings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
settings.configure(
    INSTALLED_APPS=["shop"],
    DATABASES={"default": {"ENGINE": "django.db.backends.mysql", "NAME": "djangodb", "USER": "root",
                           "PASSWORD": os.environ["STRATA_PASSWORD"], "HOST": "127.0.0.1",
                           "PORT": os.environ["STRATA_PORT"], "OPTIONS": {"charset": "utf8mb4"}}},
    USE_TZ=False,
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    MIGRATION_MODULES={"shop": None},  # migrations made in memory (--run-syncdb), never written
)
django.setup()

import MySQLdb  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import IntegrityError, connection, transaction  # noqa: E402

from shop.models import Product  # noqa: E402

admin = MySQLdb.connect(host="127.0.0.1", port=int(os.environ["STRATA_PORT"]), user="root",
                        passwd=os.environ["STRATA_PASSWORD"])
admin.cursor().execute("CREATE DATABASE djangodb")
admin.close()

call_command("migrate", run_syncdb=True, verbosity=0)
tables = connection.introspection.table_names()
assert "shop_product" in tables, tables
with connection.cursor() as cur:
    description = {c.name: c for c in connection.introspection.get_table_description(cur, "shop_product")}
    constraints = connection.introspection.get_constraints(cur, "shop_product")
assert set(description) == {"id", "sku", "name", "price", "stock", "added", "notes"}, description
assert any(c["unique"] and c["columns"] == ["sku"] for c in constraints.values()), constraints
assert "product_name_idx" in constraints, constraints

now = datetime.datetime(2026, 12, 4, 12, 30, 45)
Product.objects.create(sku="A-1", name="Anvil", price=decimal.Decimal("99.95"), stock=3, added=now)
Product.objects.bulk_create([Product(sku=f"B-{i}", name=f"Bolt {i}", price=decimal.Decimal("0.10") * i, added=now)
                             for i in range(1, 21)])
assert Product.objects.count() == 21
anvil = Product.objects.get(sku="A-1")
assert (anvil.price, anvil.stock, anvil.added, anvil.notes) == (decimal.Decimal("99.95"), 3, now, None)
assert Product.objects.filter(name__startswith="Bolt", price__gte=decimal.Decimal("1.00")).count() == 11
updated = Product.objects.filter(sku__startswith="B-").update(stock=7)
assert updated == 20, updated
try:
    with transaction.atomic():
        Product.objects.filter(sku="A-1").update(stock=0)
        Product.objects.create(sku="A-1", name="dup", price=1, added=now)
except IntegrityError:
    pass
assert Product.objects.get(sku="A-1").stock == 3  # the atomic block rolled back whole
Product.objects.filter(stock=7).delete()
assert list(Product.objects.values_list("sku", flat=True)) == ["A-1"]
print("ok")
