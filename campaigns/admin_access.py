"""The Django admin follows the product's capability table (xmkt_site/roles.py), and every change made there is audited.

A staff user's rights in the admin are those of its role in the platform organization, never Django's per-model
permissions: a privacy administrator may read agreements there as on the partner pages, but only the admin role may
change them, as in the API. Partner memberships give no admin rights (the admin shows every tenant's rows). Superusers
are the deployment's operators and hold the admin role's capabilities; models no capability covers (users,
organizations, memberships) are theirs alone.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from campaigns.models import Organization
from campaigns.services.audit import audit_record
from xmkt_site.roles import ROLES_WITH, Capability
from xmkt_site.sign_in_limits import client_address

ADMIN_ROLE_CAPABILITIES = frozenset(capability for capability, roles in ROLES_WITH.items() if "admin" in roles)


def admin_capabilities(request: HttpRequest) -> frozenset[Capability]:
    """What the signed-in user may do in the admin: the capabilities of its roles in active platform organizations."""
    cached = getattr(request, "_xmkt_admin_capabilities", None)
    if cached is not None:
        return cached
    user = request.user
    if not (user.is_active and user.is_staff):
        capabilities: frozenset[Capability] = frozenset()
    elif user.is_superuser:
        capabilities = ADMIN_ROLE_CAPABILITIES
    else:
        roles = set(
            user.memberships.filter(
                organization__kind=Organization.Kind.PLATFORM, organization__is_active=True
            ).values_list("role", flat=True)
        )
        capabilities = frozenset(capability for capability, allowed in ROLES_WITH.items() if roles & allowed)
    request._xmkt_admin_capabilities = capabilities
    return capabilities


class CapabilityPermissionsMixin:
    """Admin permissions from the capability table.

    `view_capability` lets a role list and open the rows; `change_capability` lets it add, change and delete them
    (subclasses may still refuse any of these for everyone, as read-only history does). Neither set: superusers only.
    """

    view_capability: Capability | None = None
    change_capability: Capability | None = None

    def _holds(self, request: HttpRequest, capability: Capability | None) -> bool:
        if capability is None:
            return bool(request.user.is_active and request.user.is_staff and request.user.is_superuser)
        return capability in admin_capabilities(request)

    def _may_change(self, request: HttpRequest) -> bool:
        if self.change_capability is None and self.view_capability is not None:
            return False  # readable by a role, changeable by nobody's role: not by the operator either
        return self._holds(request, self.change_capability)

    def has_view_permission(self, request, obj=None) -> bool:
        if self.view_capability is None and self.change_capability is None:
            return self._holds(request, None)
        return self._holds(request, self.view_capability) or self._may_change(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may_change(request)

    def has_add_permission(self, request, *args) -> bool:
        return self._may_change(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may_change(request)

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)


def _organization_of(obj: Any) -> Organization | None:
    if isinstance(obj, Organization):
        return obj if obj.pk is not None else None
    for name in ("organization", "platform"):
        value = getattr(obj, name, None)
        if isinstance(value, Organization):
            return value
    return None


def _changed_fields(message: Any) -> list[dict[str, Any]]:
    """The admin's change message without object names (they may name a person): verbs, models and field names."""
    if not isinstance(message, list):
        return []
    summary = []
    for entry in message:
        for verb, detail in entry.items():
            item: dict[str, Any] = {"verb": verb}
            if isinstance(detail, dict):
                if "name" in detail:
                    item["model"] = str(detail["name"])
                if "fields" in detail:
                    item["fields"] = [str(field) for field in detail["fields"]]
            summary.append(item)
    return summary


class AuditedAdminMixin:
    """Every add, change and delete in the admin becomes an AuditEvent naming the user, the object and the fields."""

    def _audit(self, request: HttpRequest, obj: Any, verb: str, metadata: dict[str, Any]) -> None:
        organization = _organization_of(obj)
        if verb == "delete" and isinstance(obj, Organization):
            organization = None  # the event outlives the organization it deletes
        audit_record(
            action=f"admin.{verb}",
            user=request.user,
            organization=organization,
            target=obj,
            metadata={"model": obj._meta.label_lower, **metadata},
            ip_address=client_address(request),
        )

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._audit(request, obj, "add", {"changes": _changed_fields(message)})
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._audit(request, obj, "change", {"changes": _changed_fields(message)})
        return entry

    def log_deletions(self, request, queryset):
        objects = list(queryset)
        entries = super().log_deletions(request, objects)
        for obj in objects:
            self._audit(request, obj, "delete", {})
        return entries


class XmktModelAdmin(AuditedAdminMixin, CapabilityPermissionsMixin, admin.ModelAdmin):
    """The base of every ModelAdmin in the project."""


class XmktTabularInline(CapabilityPermissionsMixin, admin.TabularInline):
    """Inline rows follow the same capability table; their changes are audited with the parent's change."""
