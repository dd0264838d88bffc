"""Data-subject requests, what erasure leaves behind, deleted personal tags and impact assessments."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xmkt_site.models import BaseModel

from .agreements import DataSharingAgreement
from .campaigns import Campaign
from .consumers import Consumer
from .tenancy import Organization, User


class DataSubjectRequest(BaseModel):
    """A consumer's request to see (access) or delete (erasure) what the organization holds about them.

    `consumer_ref_hash` is the keyed hash of the consumer's external_ref, so the request stays identifiable while it
    is open; an erasure clears it (the tombstone keeps the hash instead, and points back at this request).
    """

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access")
        ERASURE = "erasure", _("Erasure")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="data_subject_requests")
    consumer = models.ForeignKey(
        Consumer, on_delete=models.SET_NULL, null=True, blank=True, related_name="data_subject_requests"
    )
    consumer_ref_hash = models.CharField(max_length=64, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("due at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    export = models.JSONField(_("export"), null=True, blank=True)
    handled_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    notes = models.TextField(_("notes"), blank=True, default="")

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(due_at__gte=models.F("received_at")), name="dsr_due_after_received"),
            models.CheckConstraint(
                condition=Q(status__in=["completed", "rejected"], completed_at__isnull=False)
                | (~Q(status__in=["completed", "rejected"]) & Q(completed_at__isnull=True)),
                name="dsr_completed_at_iff_closed",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "due_at"])]
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.IN_PROGRESS)


class ErasureTombstone(models.Model):
    """What is left of an erased consumer: keyed hashes only, so that a later import can recognise and skip them."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="erasure_tombstones")
    ref_hash = models.CharField(max_length=64)
    phone_hash = models.CharField(max_length=64, blank=True, default="")
    email_hash = models.CharField(max_length=64, blank=True, default="")
    erased_at = models.DateTimeField(_("erased at"))
    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="tombstones"
    )

    class Meta:
        ordering = ["-erased_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref_hash"], name="tombstone_unique_ref_per_org"),
        ]
        indexes = [
            models.Index(fields=["organization", "phone_hash"], name="tombstone_org_phone"),
            models.Index(fields=["organization", "email_hash"], name="tombstone_org_email"),
        ]
        verbose_name = _("erasure tombstone")
        verbose_name_plural = _("erasure tombstones")

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.ref_hash[:12]}…"


class PersonalTagDeletion(models.Model):
    """A personal tag (segment, interest topic) the consumer deleted; later runs must not assign it again."""

    class Kind(models.TextChoices):
        SEGMENT = "segment", _("Segment")
        TOPIC = "topic", _("Interest topic")

    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="tag_deletions")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(_("tag"), max_length=128)
    deleted_at = models.DateTimeField(_("deleted at"))

    class Meta:
        ordering = ["-deleted_at"]
        constraints = [
            models.UniqueConstraint(fields=["consumer", "kind", "key"], name="tag_deletion_unique"),
        ]
        verbose_name = _("deleted personal tag")
        verbose_name_plural = _("deleted personal tags")

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


IMPACT_ASSESSMENT_MIN_RETENTION_YEARS = 3


class ImpactAssessment(BaseModel):
    """A personal-information impact assessment (PIPL Arts. 55-56, GDPR Art. 35) of an agreement or a campaign.

    The content is generated from the subject's settings and frozen when signed; a signed assessment is kept at least
    three years (PIPL Art. 56), which `retain_until` records and the services enforce.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="impact_assessments")
    agreement = models.ForeignKey(
        DataSharingAgreement, on_delete=models.PROTECT, null=True, blank=True, related_name="impact_assessments"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="impact_assessments"
    )
    title = models.CharField(_("title"), max_length=300)
    content = models.JSONField(_("content"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    signed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    retain_until = models.DateField(_("retain until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement__isnull=False) | Q(campaign__isnull=False), name="pia_has_subject"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", signed_at__isnull=True)
                | Q(status="signed", signed_at__isnull=False, retain_until__isnull=False),
                name="pia_signed_has_date_and_retention",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]
        verbose_name = _("impact assessment")
        verbose_name_plural = _("impact assessments")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.signed_at is not None and self.retain_until is not None:
            signed_on = timezone.localdate(self.signed_at)
            minimum = add_years(signed_on, IMPACT_ASSESSMENT_MIN_RETENTION_YEARS)
            if self.retain_until < minimum:
                raise ValidationError(
                    {"retain_until": _("A signed impact assessment must be kept at least three years.")}
                )


def add_years(day, years: int):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none: the next day keeps the full term
        return day.replace(year=day.year + years, month=3, day=1)
