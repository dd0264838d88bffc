"""The clean room: per-agreement matching tokens and the overlap queries partners ran."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Consumer


class OverlapMatchToken(models.Model):
    """HMAC(K_a, normalised phone or e-mail) of a platform consumer under one agreement's matching key K_a, minted
    when the raw identifier passes through on arrival (see docs/clean-room.md). Never the identifier itself; tokens
    of two agreements cannot be linked without the deployment key."""

    agreement = models.ForeignKey(
        "campaigns.DataSharingAgreement", on_delete=models.CASCADE, related_name="overlap_tokens"
    )
    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="overlap_tokens")
    token = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "consumer", "token"], name="overlap_token_unique"),
        ]
        indexes = [models.Index(fields=["agreement", "token"])]
        verbose_name = _("overlap matching token")
        verbose_name_plural = _("overlap matching tokens")

    def __str__(self) -> str:
        return f"token of consumer {self.consumer_id} under agreement {self.agreement_id}"


class OverlapQuery(models.Model):
    """One clean-room overlap a partner ran: what was released, what it cost, and, for the difference check, the
    matched people as salted, truncated digests and a fingerprint of the upload. Both sets never leave and are
    cleared after OVERLAP_QUERY_RETENTION_DAYS (`sets_expired_at`); the released aggregates stay."""

    class Mechanism(models.TextChoices):
        NONE = "none", _("Exact (suppressed below k)")
        LAPLACE = "laplace", _("Laplace noise")

    agreement = models.ForeignKey(
        "campaigns.DataSharingAgreement", on_delete=models.CASCADE, related_name="overlap_queries"
    )
    api_key = models.ForeignKey(
        "campaigns.PartnerApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        "campaigns.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    audience_size = models.PositiveIntegerField(_("audience size"))
    audience_fingerprint = models.CharField(_("audience fingerprint"), max_length=64, blank=True)
    matched_set = models.JSONField(default=list, blank=True)  # salted 64-bit digests of matched consumers, sorted
    matched_size = models.PositiveIntegerField(_("matched people"), default=0)  # lets SQL skip sets k or more apart
    sets_expired_at = models.DateTimeField(_("stored sets cleared"), null=True, blank=True)
    breakdown = models.CharField(_("breakdown"), max_length=32, blank=True, default="")
    mechanism = models.CharField(_("mechanism"), max_length=16, choices=Mechanism.choices, default=Mechanism.NONE)
    epsilon = models.FloatField(_("ε spent"), default=0.0)
    released = models.JSONField(_("released aggregates"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["agreement", "created_at"], name="overlap_query_agreement_time")]
        verbose_name = _("overlap query")
        verbose_name_plural = _("overlap queries")

    def __str__(self) -> str:
        return f"overlap #{self.pk} under agreement {self.agreement_id}"
