"""What organizations sell: courses, products, listings and services."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xmkt_site.models import BaseModel

from .tenancy import Organization


class CatalogItem(BaseModel):
    class Kind(models.TextChoices):
        COURSE = "course", _("Course")
        PRODUCT = "product", _("Product")
        LISTING = "listing", _("Listing")
        SERVICE = "service", _("Service")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="catalog_items")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    external_ref = models.CharField(_("external reference"), max_length=128)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, default="")
    category = models.CharField(_("category"), max_length=100, blank=True, default="")
    tags = models.JSONField(_("tags"), default=list, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_ref"], name="item_unique_ref_per_org"),
            models.CheckConstraint(condition=Q(price__gte=0), name="item_price_not_negative"),
        ]
        indexes = [models.Index(fields=["organization", "category"])]
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")

    def __str__(self) -> str:
        return self.title
