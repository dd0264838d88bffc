"""Django admin for the system of record. Hashes of contact identifiers are never displayed, only whether one exists;
consent records and audit events are read-only (append-only history). Who may read and change what follows the
capability table (campaigns/admin_access.py); users, organizations and memberships are the superusers'."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaigns.admin_access import (
    AuditedAdminMixin,
    CapabilityPermissionsMixin,
    XmktModelAdmin,
    XmktTabularInline,
)
from campaigns.models import (
    AllocationChange,
    Assignment,
    AuditEvent,
    Campaign,
    CatalogItem,
    CoBranding,
    CodePool,
    ConsentPolicy,
    ConsentRecord,
    Consumer,
    Conversion,
    DataSharingAgreement,
    DataSubjectRequest,
    DiscountCode,
    ErasureTombstone,
    Exposure,
    ImpactAssessment,
    Membership,
    Offer,
    Organization,
    PartnerApiKey,
    PersonalTagDeletion,
    TaskRun,
    TrackingLink,
    User,
    Variant,
)
from campaigns.services.api_keys import api_key_revoke
from xmkt_site.roles import Capability


class ReadOnlyAdmin(XmktModelAdmin):
    """History that must not be edited from the admin: it can be read, filtered and searched only."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MembershipInline(XmktTabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, CapabilityPermissionsMixin, DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "email", "is_staff", "is_active", "last_login"]


@admin.register(Organization)
class OrganizationAdmin(XmktModelAdmin):
    list_display = ["name", "slug", "kind", "industry", "is_active", "created_at"]
    list_filter = ["kind", "industry", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(XmktModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(PartnerApiKey)
class PartnerApiKeyAdmin(XmktModelAdmin):
    """Keys are created on the partner page or with `create_api_key`, where the secret can be shown once."""

    view_capability = Capability.MANAGE_API_KEYS
    change_capability = Capability.MANAGE_API_KEYS

    list_display = ["name", "organization", "prefix", "expires_at", "revoked_at", "last_used_at", "created_at"]
    list_filter = ["organization", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "organization__name"]
    fields = ["organization", "name", "prefix", "scopes", "expires_at", "revoked_at", "last_used_at", "created_by"]
    readonly_fields = ["organization", "prefix", "scopes", "revoked_at", "last_used_at", "created_by"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset) -> None:
        keys = list(queryset.filter(revoked_at__isnull=True))
        for api_key in keys:
            api_key_revoke(api_key=api_key, by=request.user)
        message = ngettext("%(count)d key revoked.", "%(count)d keys revoked.", len(keys)) % {"count": len(keys)}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(DataSharingAgreement)
class DataSharingAgreementAdmin(XmktModelAdmin):
    view_capability = Capability.READ_PARTNERS
    change_capability = Capability.MANAGE_AGREEMENTS
    list_display = ["title", "platform", "partner", "status", "min_aggregate_size", "valid_from", "valid_until"]
    list_filter = ["status", "partner", "platform"]
    search_fields = ["title", "partner__name", "platform__name"]
    date_hierarchy = "valid_from"
    autocomplete_fields = ["platform", "partner"]
    readonly_fields = ["dp_epsilon_spent", "signed_by", "signed_at"]


@admin.register(Consumer)
class ConsumerAdmin(XmktModelAdmin):
    view_capability = Capability.MANAGE_PRIVACY
    change_capability = Capability.MANAGE_PRIVACY
    list_display = ["external_ref", "organization", "age_band", "gender", "city", "city_tier", "has_phone", "has_email"]
    list_filter = ["organization", "age_band", "gender", "city_tier"]
    search_fields = ["external_ref"]
    # The keyed hashes stay out of forms and lists: they are matching keys, not something to read or edit.
    exclude = ["phone_hash", "email_hash"]
    readonly_fields = ["organization", "external_ref"]

    @admin.display(boolean=True, description=_("phone on file"))
    def has_phone(self, consumer: Consumer) -> bool:
        return bool(consumer.phone_hash)

    @admin.display(boolean=True, description=_("e-mail on file"))
    def has_email(self, consumer: Consumer) -> bool:
        return bool(consumer.email_hash)

    def has_add_permission(self, request) -> bool:
        return False  # consumers arrive through the API and importers, which hash identifiers on arrival

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # erasure is a data-subject request: it leaves the tombstone that stops a re-import


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    view_capability = Capability.MANAGE_PRIVACY
    list_display = ["consumer", "purpose", "recipient", "granted", "policy_version", "source", "recorded_at"]
    list_filter = ["purpose", "granted", "policy_version", "source", "recipient"]
    search_fields = ["consumer__external_ref"]
    date_hierarchy = "recorded_at"
    list_select_related = ["consumer", "recipient"]


@admin.register(CatalogItem)
class CatalogItemAdmin(XmktModelAdmin):
    view_capability = Capability.READ_CAMPAIGNS
    change_capability = Capability.INGEST_DATA
    list_display = ["title", "organization", "kind", "category", "price", "currency", "active"]
    list_filter = ["organization", "kind", "active", "currency"]
    search_fields = ["title", "external_ref", "category"]


@admin.register(Campaign)
class CampaignAdmin(XmktModelAdmin):
    view_capability = Capability.READ_CAMPAIGNS
    change_capability = Capability.MANAGE_CAMPAIGNS
    list_display = ["name", "organization", "status", "starts_at", "ends_at", "budget", "currency"]
    list_filter = ["status", "organization"]
    search_fields = ["name"]
    filter_horizontal = ["partners"]
    # The status moves only through review and the state actions, which check the agreement and consent first.
    readonly_fields = ["status", "created_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    view_capability = Capability.MANAGE_PRIVACY
    list_display = ["occurred_at", "action", "actor", "api_key", "organization", "target_type", "target_id"]
    list_filter = ["action", "organization", "target_type"]
    search_fields = ["action", "target_id", "actor__username"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor", "api_key", "organization"]


@admin.register(TaskRun)
class TaskRunAdmin(ReadOnlyAdmin):
    view_capability = Capability.VIEW_JOBS
    list_display = ["pk", "task_name", "organization", "status", "progress", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "task_name", "organization"]
    search_fields = ["task_name", "celery_task_id", "message"]
    date_hierarchy = "created_at"


# --- Privacy records: handled on the Privacy pages through services; the admin reads them ------------------------


@admin.register(ConsentPolicy)
class ConsentPolicyAdmin(XmktModelAdmin):
    """A published (purpose, version) is final: records point at it. New versions can be added, none changed."""

    view_capability = Capability.MANAGE_PRIVACY
    change_capability = Capability.MANAGE_PRIVACY

    list_display = ["purpose", "version", "published_at"]
    list_filter = ["purpose"]
    search_fields = ["version"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(ReadOnlyAdmin):
    view_capability = Capability.MANAGE_PRIVACY
    list_display = ["pk", "organization", "kind", "status", "received_at", "due_at", "completed_at", "handled_by"]
    list_filter = ["kind", "status", "organization"]
    date_hierarchy = "due_at"
    # The reference hash identifies the person and the export holds their data: neither belongs in the admin.
    exclude = ["consumer_ref_hash", "export"]


@admin.register(ErasureTombstone)
class ErasureTombstoneAdmin(ReadOnlyAdmin):
    view_capability = Capability.MANAGE_PRIVACY
    list_display = ["pk", "organization", "erased_at", "request"]
    list_filter = ["organization"]
    date_hierarchy = "erased_at"
    exclude = ["ref_hash", "phone_hash", "email_hash"]


@admin.register(PersonalTagDeletion)
class PersonalTagDeletionAdmin(ReadOnlyAdmin):
    view_capability = Capability.MANAGE_PRIVACY
    list_display = ["consumer", "kind", "key", "deleted_at"]
    list_filter = ["kind"]
    search_fields = ["key", "consumer__external_ref"]


@admin.register(ImpactAssessment)
class ImpactAssessmentAdmin(ReadOnlyAdmin):
    """Generated and signed on the Privacy pages; a signed assessment is retained, so nothing is edited here."""

    view_capability = Capability.MANAGE_PRIVACY

    list_display = ["title", "organization", "status", "agreement", "campaign", "signed_at", "retain_until"]
    list_filter = ["status", "organization"]
    search_fields = ["title"]


# --- Campaign workflow: configuration is edited on the campaign pages; what running campaigns record is read-only ---


@admin.register(CoBranding)
class CoBrandingAdmin(XmktModelAdmin):
    view_capability = Capability.READ_CAMPAIGNS
    change_capability = Capability.MANAGE_CAMPAIGNS
    list_display = ["display_name", "campaign", "partner", "updated_at"]
    list_filter = ["partner"]
    search_fields = ["display_name", "campaign__name"]
    list_select_related = ["campaign", "partner"]


@admin.register(Offer)
class OfferAdmin(XmktModelAdmin):
    view_capability = Capability.READ_CAMPAIGNS
    change_capability = Capability.MANAGE_OFFERS
    list_display = ["name", "campaign", "partner", "voucher_value", "bundle_price", "unit_cost"]
    list_filter = ["partner"]
    search_fields = ["name", "campaign__name"]
    raw_id_fields = ["course", "voucher_item"]
    list_select_related = ["campaign", "partner"]


@admin.register(CodePool)
class CodePoolAdmin(XmktModelAdmin):
    view_capability = Capability.MANAGE_OFFERS
    change_capability = Capability.MANAGE_OFFERS
    list_display = ["name", "offer", "created_at"]
    search_fields = ["name", "offer__name"]


@admin.register(DiscountCode)
class DiscountCodeAdmin(ReadOnlyAdmin):
    view_capability = Capability.MANAGE_OFFERS
    list_display = ["code", "pool", "redeemed_at"]
    list_filter = ["pool", ("redeemed_at", admin.EmptyFieldListFilter)]
    search_fields = ["code"]
    exclude = ["redeemed_by", "redemption_ref"]  # who redeemed stays out of the admin


@admin.register(Variant)
class VariantAdmin(XmktModelAdmin):
    view_capability = Capability.READ_CAMPAIGNS
    change_capability = Capability.MANAGE_CAMPAIGNS
    list_display = ["key", "name", "campaign", "is_control", "channel", "weight", "position"]
    list_filter = ["channel", "is_control"]
    search_fields = ["key", "name", "campaign__name"]
    list_select_related = ["campaign"]


@admin.register(TrackingLink)
class TrackingLinkAdmin(XmktModelAdmin):
    view_capability = Capability.READ_CAMPAIGNS
    change_capability = Capability.MANAGE_CAMPAIGNS
    list_display = ["code", "campaign", "variant", "partner", "destination", "clicks"]
    list_filter = ["partner"]
    search_fields = ["code", "campaign__name"]
    readonly_fields = ["clicks"]
    list_select_related = ["campaign", "variant", "partner"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    view_capability = Capability.READ_CAMPAIGNS
    list_display = ["campaign", "variant", "consumer", "personalized", "assigned_at"]
    list_filter = ["personalized", "campaign"]
    search_fields = ["consumer__external_ref"]
    list_select_related = ["campaign", "variant", "consumer"]
    show_full_result_count = False


@admin.register(Exposure)
class ExposureAdmin(ReadOnlyAdmin):
    view_capability = Capability.READ_CAMPAIGNS
    list_display = ["campaign", "variant", "kind", "partner", "consumer", "occurred_at"]
    list_filter = ["kind", "campaign"]
    search_fields = ["external_id", "consumer__external_ref"]
    date_hierarchy = "occurred_at"
    list_select_related = ["campaign", "variant", "partner", "consumer"]
    show_full_result_count = False


@admin.register(Conversion)
class ConversionAdmin(ReadOnlyAdmin):
    view_capability = Capability.READ_CAMPAIGNS
    list_display = ["campaign", "variant", "partner", "consumer", "value", "occurred_at"]
    list_filter = ["campaign"]
    search_fields = ["external_id", "consumer__external_ref"]
    date_hierarchy = "occurred_at"
    list_select_related = ["campaign", "variant", "partner", "consumer"]
    show_full_result_count = False


@admin.register(AllocationChange)
class AllocationChangeAdmin(ReadOnlyAdmin):
    view_capability = Capability.READ_CAMPAIGNS
    list_display = ["campaign", "policy", "moved_share", "reason", "changed_at"]
    list_filter = ["policy", "campaign"]
    date_hierarchy = "changed_at"
