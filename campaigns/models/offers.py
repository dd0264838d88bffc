"""What a campaign gives: bundles of a course with a partner voucher, and the pools of single-use discount codes."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xmkt_site.models import BaseModel

from .campaigns import Campaign
from .catalogue import CatalogItem
from .consumers import Consumer
from .tenancy import Organization


class Offer(BaseModel):
    """A bundle: a platform course with a partner voucher. `unit_cost` is what one redemption costs the budget."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="offers")
    name = models.CharField(_("name"), max_length=200)
    course = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    partner = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    voucher_item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    voucher_value = models.DecimalField(_("voucher value"), max_digits=12, decimal_places=2, default=Decimal("0"))
    bundle_price = models.DecimalField(_("bundle price"), max_digits=12, decimal_places=2, default=Decimal("0"))
    unit_cost = models.DecimalField(_("cost per redemption"), max_digits=12, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(voucher_value__gte=0, bundle_price__gte=0, unit_cost__gte=0), name="offer_amounts_positive"
            ),
        ]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self) -> str:
        return self.name


class CodePool(BaseModel):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="code_pools")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("discount code pool")
        verbose_name_plural = _("discount code pools")

    def __str__(self) -> str:
        return self.name


class DiscountCode(models.Model):
    """One code, redeemed at most once. The redeemer is nulled on erasure; the code stays spent."""

    pool = models.ForeignKey(CodePool, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("code"), max_length=64)
    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)
    redeemed_by = models.ForeignKey(Consumer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    redemption_ref = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "code"], name="discount_code_unique_in_pool"),
            # One reference, one code: parallel redemptions with the same reference cannot each take a code.
            models.UniqueConstraint(
                fields=["pool", "redemption_ref"],
                condition=~Q(redemption_ref=""),
                name="discount_code_unique_redemption_ref",
            ),
        ]
        indexes = [models.Index(fields=["pool", "redeemed_at"])]
        verbose_name = _("discount code")
        verbose_name_plural = _("discount codes")

    def __str__(self) -> str:
        return self.code
