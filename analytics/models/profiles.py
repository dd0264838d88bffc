"""Each consumer's behavioural features, as of the last profile build."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Consumer, Organization


class ConsumerProfile(models.Model):
    """A consumer's behavioural features as of the last profile build. Internal: built whatever the consent, never
    shown to partners; segments used for targeting filter on personalization consent (see docs/analytics.md)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="consumer_profiles")
    consumer = models.OneToOneField(Consumer, on_delete=models.CASCADE, related_name="profile")
    recency_days = models.FloatField(_("recency (days)"), default=0.0)
    frequency = models.FloatField(_("orders"), default=0.0)
    monetary = models.FloatField(_("net spend"), default=0.0)
    tenure_days = models.FloatField(_("tenure (days)"), default=0.0)
    features = models.JSONField(_("features"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        indexes = [models.Index(fields=["organization", "computed_at"])]
        verbose_name = _("consumer profile")
        verbose_name_plural = _("consumer profiles")

    def __str__(self) -> str:
        return f"profile of consumer {self.consumer_id}"
