"""Every API view declares who may call it: `allowed_roles` for web users (`roles_with(Capability.X)` from
xmkt_site.roles), `required_scopes` for partner keys. A view that declares neither is closed."""

from rest_framework.permissions import BasePermission

from xmkt_site.access import actor_for_request


class HasRoleOrScope(BasePermission):
    message = "Your role or API key scopes do not allow this operation."

    def has_permission(self, request, view) -> bool:
        actor = actor_for_request(request)
        if actor is None:
            return False
        if actor.is_api_key:
            required = getattr(view, "required_scopes", None)
            return required is not None and actor.has_scopes(required)
        allowed = getattr(view, "allowed_roles", None)
        return allowed is not None and actor.has_role(allowed)
