"""Who is asking: users, organizations, their memberships and roles, and the partners' API keys."""

from django.contrib.auth.models import AbstractUser
from django.db import models
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
