"""The system of record: organizations and people, agreements and consent, catalogue, campaigns, audit and jobs."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xmkt_site.models import BaseModel


class User(AbstractUser):
    """A person who signs in to the web UI. Partners' machines use PartnerApiKey instead."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Organization(BaseModel):
    class Kind(models.TextChoices):
        PLATFORM = "platform", _("Knowledge platform")
        PARTNER = "partner", _("Partner")

    class Industry(models.TextChoices):
        KNOWLEDGE = "knowledge", _("Paid knowledge")
        REAL_ESTATE = "real_estate", _("Real estate")
        HOME_FURNISHING = "home_furnishing", _("Home furnishing")
        ECOMMERCE = "ecommerce", _("E-commerce")
        TRAVEL = "travel", _("Travel")
        FINANCE = "finance", _("Finance")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, default=Industry.OTHER)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CAMPAIGN_MANAGER = "campaign_manager", _("Campaign manager")
    ANALYST = "analyst", _("Analyst")
    PRIVACY_ADMIN = "privacy_admin", _("Privacy administrator")
    PARTNER_USER = "partner_user", _("Partner user")


class Membership(BaseModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_org")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class ApiScope(models.TextChoices):
    EVENTS_WRITE = "events:write", _("Write events")
    CATALOG_WRITE = "catalog:write", _("Write catalogue items")
    CONSUMERS_WRITE = "consumers:write", _("Write consumers")
    CONSENTS_WRITE = "consents:write", _("Write consent records")
    CAMPAIGNS_READ = "campaigns:read", _("Read campaigns")
    CAMPAIGNS_WRITE = "campaigns:write", _("Write campaigns")
    RECOMMENDATIONS_READ = "recommendations:read", _("Read recommendations")
    OVERLAP_RUN = "overlap:run", _("Run clean-room overlap")


class PartnerApiKey(BaseModel):
    """A machine credential. The secret is shown once at creation; only its SHA-256 digest is kept."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    hashed_key = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner API key")
        verbose_name_plural = _("partner API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


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


class ConsentRecord(models.Model):
    """Append-only: a change of mind is a new record; the latest record per (purpose, recipient) is in force."""

    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=32, choices=DataPurpose.choices)
    recipient = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="consents_received"
    )
    data_categories = models.JSONField(_("data categories"), default=list, blank=True)
    granted = models.BooleanField(_("granted"))
    policy_version = models.CharField(_("policy version"), max_length=32)
    source = models.CharField(_("source"), max_length=64, default="api")
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(purpose=DataPurpose.PARTNER_SHARING) & Q(recipient__isnull=False))
                | (~Q(purpose=DataPurpose.PARTNER_SHARING) & Q(recipient__isnull=True)),
                name="consent_recipient_iff_partner_sharing",
            ),
        ]
        indexes = [models.Index(fields=["consumer", "purpose", "recorded_at"])]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:
        return f"{self.purpose} {'granted' if self.granted else 'withdrawn'} ({self.policy_version})"

    def save(self, *args, **kwargs) -> None:
        # Append-only is an integrity rule, not business logic: an update would rewrite the consent history.
        if self.pk is not None:
            raise ValueError("Consent records are append-only; record a new one instead.")
        super().save(*args, **kwargs)


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


class AllocationPolicy(models.TextChoices):
    FIXED_SPLIT = "fixed_split", _("Fixed split")
    THOMPSON = "thompson", _("Thompson sampling")
    UCB1 = "ucb1", _("UCB1")
    EPSILON_GREEDY = "epsilon_greedy", _("Epsilon-greedy")


class AttributionModel(models.TextChoices):
    LAST_TOUCH = "last_touch", _("Last touch")
    POSITION_BASED = "position_based", _("Position based (40/20/40)")


class Campaign(BaseModel):
    """A co-branded campaign. Its full workflow (review, variants, offers) grows in later migrations."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        SCHEDULED = "scheduled", _("Scheduled")
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="campaigns")
    partners = models.ManyToManyField(Organization, blank=True, related_name="partner_campaigns")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Issue 5: what the campaign uses, whom it reaches, how it allocates and attributes.
    purposes = models.JSONField(_("purposes"), default=list, blank=True)
    data_categories = models.JSONField(_("data categories"), default=list, blank=True)
    audience = models.JSONField(_("audience"), default=dict, blank=True)  # {"segment_ids": [...], "rules": {...}}
    allocation_policy = models.CharField(
        _("allocation policy"), max_length=16, choices=AllocationPolicy.choices, default=AllocationPolicy.FIXED_SPLIT
    )
    allocation_floor = models.FloatField(
        _("minimum share per arm"), default=0.01, validators=[MinValueValidator(0.01), MaxValueValidator(0.5)]
    )
    salt = models.CharField(max_length=32, blank=True, default="")
    arm_layout = models.JSONField(default=list, blank=True)
    frequency_cap = models.PositiveSmallIntegerField(
        _("frequency cap (running campaigns per consumer)"), default=0, help_text=_("0 means no cap")
    )
    attribution_window_days = models.PositiveSmallIntegerField(
        _("attribution window (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    attribution_model = models.CharField(
        _("attribution model"), max_length=16, choices=AttributionModel.choices, default=AttributionModel.LAST_TOUCH
    )
    allowed_redirect_hosts = models.JSONField(_("allowed redirect hosts"), default=list, blank=True)
    spent = models.DecimalField(_("spent"), max_digits=14, decimal_places=2, default=Decimal("0"))
    review_report = models.JSONField(_("review report"), default=dict, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(spent__gte=0), name="campaign_spent_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="campaign_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_not_negative"),
        ]
        indexes = [models.Index(fields=["organization", "status"])]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class AuditEvent(models.Model):
    """Who did or read what, in which organization, when. Metadata never holds raw personal data."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    api_key = models.ForeignKey(PartnerApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True, default="")
    target_id = models.CharField(_("target id"), max_length=64, blank=True, default="")
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["organization", "occurred_at"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"


class TaskRun(BaseModel):
    """One run of a background job, with the progress the Jobs page shows."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    task_name = models.CharField(_("task"), max_length=128, db_index=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="task_runs"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True, default="")
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True, default="")
    celery_task_id = models.CharField(max_length=64, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=100), name="taskrun_progress_0_100"),
        ]
        indexes = [models.Index(fields=["organization", "status"])]
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


# --- Privacy: consent policies, data-subject requests, erasure tombstones, personal tags, impact assessments --------


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


# --- Issue 5: co-branded campaigns — co-branding, offers, codes, variants, tracking --------------------------------


class CoBranding(BaseModel):
    """What one partner shows in a campaign: its display name, logo (stored in the row, validated) and landing copy."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="co_brandings")
    partner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="co_brandings")
    display_name = models.CharField(_("display name"), max_length=200, blank=True, default="")
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    logo_content_type = models.CharField(max_length=32, blank=True, default="")
    landing_copy_zh = models.TextField(_("landing copy (Chinese)"), blank=True, default="")
    landing_copy_en = models.TextField(_("landing copy (English)"), blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "partner"], name="cobranding_unique_partner")]
        verbose_name = _("co-branding")
        verbose_name_plural = _("co-brandings")

    def __str__(self) -> str:
        return self.display_name or str(self.partner_id)

    @property
    def missing(self) -> list[str]:
        fields = {
            "display_name": self.display_name,
            "logo": self.logo,
            "landing_copy_zh": self.landing_copy_zh,
            "landing_copy_en": self.landing_copy_en,
        }
        return [name for name, value in fields.items() if not value]


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
        constraints = [models.UniqueConstraint(fields=["pool", "code"], name="discount_code_unique_in_pool")]
        indexes = [models.Index(fields=["pool", "redeemed_at"])]
        verbose_name = _("discount code")
        verbose_name_plural = _("discount codes")

    def __str__(self) -> str:
        return self.code


class Variant(BaseModel):
    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        APP = "app", _("App")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")
        PARTNER = "partner", _("Partner channel")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    key = models.SlugField(_("key"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    is_control = models.BooleanField(_("control"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    creative = models.TextField(_("creative"), blank=True, default="")
    offer = models.ForeignKey(Offer, on_delete=models.SET_NULL, null=True, blank=True, related_name="variants")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    weight = models.FloatField(_("weight"), default=0.0)

    class Meta:
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="variant_unique_key"),
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(is_control=True), name="variant_one_control_per_campaign"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=1), name="variant_weight_0_1"),
        ]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")

    def __str__(self) -> str:
        return self.name


class TrackingLink(BaseModel):
    """`/t/<code>` redirects to `destination` (whose host must be allowed by the campaign) and records a click."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tracking_links")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    partner = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    code = models.CharField(_("code"), max_length=32, unique=True)
    destination = models.URLField(_("destination"), max_length=500)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        verbose_name = _("tracking link")
        verbose_name_plural = _("tracking links")

    def __str__(self) -> str:
        return self.code


class Assignment(models.Model):
    """Which arm a consumer got. Sticky: one row per (consumer, campaign), never rewritten."""

    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="campaign_assignments")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="assignments")
    personalized = models.BooleanField(default=False)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consumer", "campaign"], name="assignment_unique_consumer_campaign")
        ]
        indexes = [models.Index(fields=["campaign", "variant"])]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"consumer {self.consumer_id} → variant {self.variant_id}"


class Exposure(models.Model):
    """A touch: an impression, a tracking-link click or a recommendation shown in the campaign."""

    class Kind(models.TextChoices):
        IMPRESSION = "impression", _("Impression")
        CLICK = "click", _("Tracking-link click")
        RECOMMENDATION = "recommendation", _("Recommendation")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="exposures")
    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="campaign_exposures")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, null=True, blank=True, related_name="exposures")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.IMPRESSION)
    partner = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    tracking_link = models.ForeignKey(TrackingLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recommendation_id = models.CharField(max_length=64, blank=True, default="")
    external_id = models.CharField(_("external id"), max_length=128)
    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "external_id"], name="exposure_unique_external_id")]
        indexes = [models.Index(fields=["campaign", "consumer", "occurred_at"])]
        verbose_name = _("exposure")
        verbose_name_plural = _("exposures")

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"


class Conversion(models.Model):
    """A purchase credited to a campaign; idempotent by (campaign, external_id)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="conversions")
    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="campaign_conversions")
    variant = models.ForeignKey(Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversions")
    partner = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    recommendation_id = models.CharField(max_length=64, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, default=Decimal("0"))
    external_id = models.CharField(_("external id"), max_length=128)
    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "external_id"], name="conversion_unique_external_id"),
            models.CheckConstraint(condition=Q(value__gte=0), name="conversion_value_not_negative"),
        ]
        indexes = [models.Index(fields=["campaign", "occurred_at"])]
        verbose_name = _("conversion")
        verbose_name_plural = _("conversions")

    def __str__(self) -> str:
        return f"conversion {self.external_id}"


class AllocationChange(models.Model):
    """Every change of arm weights, with the counts it was computed from and the layout it produced."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="allocation_changes")
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)
    policy = models.CharField(_("policy"), max_length=16, choices=AllocationPolicy.choices)
    weights = models.JSONField(_("weights"), default=dict)  # variant key -> weight
    counts = models.JSONField(default=dict, blank=True)  # variant key -> {"trials", "successes"}
    layout = models.JSONField(default=list, blank=True)
    moved_share = models.FloatField(default=0.0)
    reason = models.CharField(_("reason"), max_length=64, default="reweight")

    class Meta:
        ordering = ["campaign", "changed_at", "id"]
        verbose_name = _("allocation change")
        verbose_name_plural = _("allocation changes")

    def __str__(self) -> str:
        return f"{self.reason} {self.changed_at:%Y-%m-%d %H:%M}"
