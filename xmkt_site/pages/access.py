"""Page plumbing every view uses: the role check, with the 403 page that names the roles a page is for."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from campaigns.models import Role
from xmkt_site.access import actor_for_request
from xmkt_site.roles import Capability, roles_with


def _roles_explanation(roles: frozenset[str]) -> str:
    """The 403 page's reason, e.g. "This page is for: Administrator, Campaign manager." in the request's language."""

    def explain() -> str:
        separator = "、" if (get_language() or "").startswith("zh") else ", "
        labels = separator.join(str(label) for value, label in Role.choices if value in roles)
        return _("This page is for: %(roles)s.") % {"roles": labels}

    return lazy(explain, str)()


def role_required(capability: Capability, *, platform_only: bool = False) -> Callable:
    """Every page goes through this: anonymous users are sent to sign in, a role without the capability (see
    xmkt_site.roles) gets the 403 page.

    The wrapped view receives the Actor as `request.actor`.
    """
    allowed = roles_with(capability)

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
