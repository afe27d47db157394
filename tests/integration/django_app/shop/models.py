from django.db import models


class Product(models.Model):
    sku = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    stock = models.IntegerField(default=0)
    added = models.DateTimeField()
    notes = models.TextField(blank=True, null=True)

    class Meta:
        indexes = [models.Index(fields=["name"], name="product_name_idx")]
