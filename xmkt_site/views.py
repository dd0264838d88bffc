"""Cross-cutting page plumbing: role checks for every page, sign-in, and the organization switch."""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.models import Role
from xmkt_site.access import ACTIVE_ORGANIZATION_SESSION_KEY, actor_for_request, memberships_of

ALL_PAGE_ROLES = frozenset(Role.values)
MANAGE_PARTNER_ROLES = frozenset({Role.ADMIN, Role.CAMPAIGN_MANAGER})
READ_PARTNER_ROLES = MANAGE_PARTNER_ROLES | {Role.PRIVACY_ADMIN}
JOB_START_ROLES = frozenset({Role.ADMIN, Role.CAMPAIGN_MANAGER, Role.ANALYST})


def _roles_explanation(roles: frozenset[str]) -> str:
    """The 403 page's reason, e.g. "This page is for: Administrator, Campaign manager." in the request's language."""

    def explain() -> str:
        separator = "、" if (get_language() or "").startswith("zh") else ", "
        labels = separator.join(str(label) for value, label in Role.choices if value in roles)
        return _("This page is for: %(roles)s.") % {"roles": labels}

    return lazy(explain, str)()


def role_required(roles: Iterable[str], *, platform_only: bool = False) -> Callable:
    """Every page goes through this: anonymous users are sent to sign in, the wrong role gets the 403 page.

    The wrapped view receives the Actor as `request.actor`.
    """
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = actor_for_request(request)
            if actor is None:
                raise PermissionDenied(gettext_lazy("Your account is not a member of any organization yet."))
            if platform_only and not actor.is_platform:
                raise PermissionDenied(gettext_lazy("This page is for the platform's staff."))
            if actor.role not in allowed:
                raise PermissionDenied(_roles_explanation(allowed))
            request.actor = actor
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@require_POST
@role_required(ALL_PAGE_ROLES)
def organization_switch(request: HttpRequest) -> HttpResponseRedirect:
    """Act for another organization the user belongs to; the choice lives in the session."""
    try:
        organization_id = int(request.POST.get("organization", ""))
    except ValueError:
        organization_id = None
    membership = next((m for m in memberships_of(request.user) if m.organization_id == organization_id), None)
    if membership is None:
        raise PermissionDenied(gettext_lazy("You are not a member of that organization."))
    request.session[ACTIVE_ORGANIZATION_SESSION_KEY] = membership.organization_id
    messages.success(request, _("You now act for %(organization)s.") % {"organization": membership.organization.name})
    # The page we came from may not be open to the new role, so always land on the dashboard.
    return redirect("dashboard")
