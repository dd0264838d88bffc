"""What an agreement allows: the purposes and data categories it names, between which two parties, until when."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xmkt_site.models import BaseModel

from .tenancy import Organization, User


class DataPurpose(models.TextChoices):
    PERSONALIZATION = "personalization", _("Personalization")
    PARTNER_SHARING = "partner_sharing", _("Sharing with a partner")
    MARKETING_CONTACT = "marketing_contact", _("Marketing contact")


class DataCategory(models.TextChoices):
    DEMOGRAPHICS = "demographics", _("Demographics")
    PURCHASES = "purchases", _("Purchases")
    BROWSING = "browsing", _("Browsing")
    LEARNING = "learning", _("Learning activity")
    SEGMENTS = "segments", _("Segments")
    CONTACT_HASHES = "contact_hashes", _("Hashed contact identifiers")


class DataSharingAgreementQuerySet(models.QuerySet):
    def in_force(self, day) -> "DataSharingAgreementQuerySet":
        """Active and valid on `day` (a date: valid_from and valid_until are both inclusive)."""
        return self.filter(status=DataSharingAgreement.Status.ACTIVE, valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )

    def between(self, first, second) -> "DataSharingAgreementQuerySet":
        """Agreements of the two organizations (instances or ids), whichever is the platform."""
        return self.filter(Q(platform=first, partner=second) | Q(platform=second, partner=first))


class DataSharingAgreement(BaseModel):
    objects = DataSharingAgreementQuerySet.as_manager()

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    platform = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="agreements_as_platform")
    partner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="agreements_as_partner")
    title = models.CharField(_("title"), max_length=200)
    purposes = models.JSONField(_("purposes"), default=list)
    data_categories = models.JSONField(_("data categories"), default=list)
    min_aggregate_size = models.PositiveIntegerField(
        _("minimum aggregate size (k)"), default=50, validators=[MinValueValidator(2)]
    )
    dp_epsilon_budget = models.FloatField(_("differential-privacy budget (ε)"), null=True, blank=True)
    dp_epsilon_spent = models.FloatField(_("ε spent"), default=0.0)
    retention_days = models.PositiveIntegerField(_("retention (days)"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    signed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(min_aggregate_size__gte=2), name="agreement_k_at_least_2"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(dp_epsilon_budget__isnull=True) | Q(dp_epsilon_budget__gt=0), name="agreement_eps_positive"
            ),
            models.CheckConstraint(condition=~Q(platform=models.F("partner")), name="agreement_two_parties"),
        ]
        indexes = [models.Index(fields=["partner", "status"])]
        verbose_name = _("data-sharing agreement")
        verbose_name_plural = _("data-sharing agreements")

    def __str__(self) -> str:
        return self.title
