"""May we use this person's data: pseudonymous consumers, their append-only consent and the policies they agreed to."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xmkt_site.models import BaseModel

from .agreements import DataPurpose
from .tenancy import Organization


class Consumer(BaseModel):
    """A pseudonymous end user of one organization. Phone and e-mail arrive raw and are stored only as keyed hashes."""

    class AgeBand(models.TextChoices):
        UNDER_18 = "<18", "<18"
        A18_24 = "18-24", "18-24"
        A25_34 = "25-34", "25-34"
        A35_44 = "35-44", "35-44"
        A45_54 = "45-54", "45-54"
        A55_PLUS = "55+", "55+"

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Unknown")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="consumers")
    external_ref = models.CharField(_("external reference"), max_length=128)
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    email_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True, default="")
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, default=Gender.UNKNOWN)
    city = models.CharField(_("city"), max_length=64, blank=True, default="")
    city_tier = models.PositiveSmallIntegerField(
        _("city tier"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_ref"], name="consumer_unique_ref_per_org"),
            models.CheckConstraint(
                condition=Q(city_tier__isnull=True) | Q(city_tier__gte=1, city_tier__lte=5), name="consumer_city_tier"
            ),
        ]
        verbose_name = _("consumer")
        verbose_name_plural = _("consumers")

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.external_ref}"


# The record in force per (consumer, purpose, recipient) is the one the server received last. The time the caller
# states (`recorded_at`) is kept as information and orders only the records received together (one batch); on a full
# tie a withdrawal wins. So a grant dated ahead cannot outlive a later withdrawal, and a backdated withdrawal counts.
CONSENT_IN_FORCE_ORDER = ("-received_at", "-recorded_at", "granted", "-id")


class ConsentRecord(models.Model):
    """Append-only: a change of mind is a new record; the one received last per (purpose, recipient) is in force."""

    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=32, choices=DataPurpose.choices)
    recipient = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="consents_received"
    )
    data_categories = models.JSONField(_("data categories"), default=list, blank=True)
    granted = models.BooleanField(_("granted"))
    policy_version = models.CharField(_("policy version"), max_length=32)
    source = models.CharField(_("source"), max_length=64, default="api")
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True, help_text=_("The time the caller states."))
    received_at = models.DateTimeField(
        _("received at"), default=timezone.now, editable=False, help_text=_("When the server stored the record.")
    )

    class Meta:
        ordering = list(CONSENT_IN_FORCE_ORDER)
        constraints = [
            models.CheckConstraint(
                condition=(Q(purpose=DataPurpose.PARTNER_SHARING) & Q(recipient__isnull=False))
                | (~Q(purpose=DataPurpose.PARTNER_SHARING) & Q(recipient__isnull=True)),
                name="consent_recipient_iff_partner_sharing",
            ),
        ]
        indexes = [models.Index(fields=["consumer", "purpose", "received_at"], name="consent_in_force_idx")]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:
        return f"{self.purpose} {'granted' if self.granted else 'withdrawn'} ({self.policy_version})"

    def save(self, *args, **kwargs) -> None:
        # Append-only is an integrity rule, not business logic: an update would rewrite the consent history.
        if self.pk is not None:
            raise ValueError("Consent records are append-only; record a new one instead.")
        super().save(*args, **kwargs)


class ConsentPolicy(BaseModel):
    """The text a consumer agreed to. A ConsentRecord names its policy version; the pair (purpose, version) is final."""

    purpose = models.CharField(_("purpose"), max_length=32, choices=DataPurpose.choices)
    version = models.CharField(_("version"), max_length=32)
    text_zh = models.TextField(_("text (Chinese)"))
    text_en = models.TextField(_("text (English)"))
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        ordering = ["purpose", "-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="consent_policy_unique_purpose_version"),
        ]
        verbose_name = _("consent policy")
        verbose_name_plural = _("consent policies")

    def __str__(self) -> str:
        return f"{self.purpose} {self.version}"
