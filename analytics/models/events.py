"""What happened: raw behavioural events and their daily rollup."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CatalogItem, Consumer, Organization


class EventType(models.TextChoices):
    VIEW = "view", _("View")
    CLICK = "click", _("Click")
    ADD_TO_CART = "add_to_cart", _("Add to cart")
    PURCHASE = "purchase", _("Purchase")
    REFUND = "refund", _("Refund")
    ENROLL = "enroll", _("Enrol")
    COMPLETE = "complete", _("Complete")
    RATING = "rating", _("Rating")
    SHARE = "share", _("Share")


class Event(models.Model):
    """One thing a consumer (or a guest, when consumer is empty) did with an item. Idempotent on external_id."""

    # The foreign keys carry no single-column index: the composite indexes below lead with them and serve the same
    # lookups, and every extra index slows bulk ingestion of events (measured in docs/benchmarks/ingest.md).
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="events", db_index=False)
    consumer = models.ForeignKey(
        Consumer, on_delete=models.CASCADE, null=True, blank=True, related_name="events", db_index=False
    )
    item = models.ForeignKey(
        CatalogItem, on_delete=models.PROTECT, null=True, blank=True, related_name="events", db_index=False
    )
    type = models.CharField(_("type"), max_length=16, choices=EventType.choices)
    quantity = models.IntegerField(_("quantity"), default=1)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    rating = models.SmallIntegerField(_("rating"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="events", db_index=False
    )
    external_id = models.CharField(_("external id"), max_length=128)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_id"], name="event_unique_external_id"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="event_rating_1_5"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "occurred_at"]),
            models.Index(fields=["consumer", "occurred_at"]),
            models.Index(fields=["item", "occurred_at"]),
            # Most events belong to no campaign; a partial index stays small and costs nothing on their insert.
            models.Index(fields=["campaign"], condition=Q(campaign__isnull=False), name="event_campaign_partial"),
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.type} {self.external_id}"


class DailyEventRollup(models.Model):
    """Per organization, day (in TIME_ZONE) and event type: counts, units and value. Rebuilt idempotently."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="daily_rollups")
    date = models.DateField(_("date"))
    type = models.CharField(_("type"), max_length=16, choices=EventType.choices)
    events = models.PositiveIntegerField(_("events"), default=0)
    units = models.BigIntegerField(_("units"), default=0)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, default=Decimal("0"))
    consumers = models.PositiveIntegerField(_("distinct consumers"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "date", "type"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "date", "type"], name="rollup_unique_org_date_type"),
        ]
        verbose_name = _("daily event rollup")
        verbose_name_plural = _("daily event rollups")

    def __str__(self) -> str:
        return f"{self.date} {self.type}"
