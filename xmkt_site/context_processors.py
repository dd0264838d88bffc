"""Navigation for the base layout: only the sections the current role may open."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from campaigns.models import Role
from xmkt_site.access import actor_for_request, memberships_of

_INTERNAL = {Role.ADMIN, Role.CAMPAIGN_MANAGER, Role.ANALYST, Role.PRIVACY_ADMIN}

# (url name, label, icon, roles that may open it)
NAVIGATION = [
    ("dashboard", _("Dashboard"), "speedometer", _INTERNAL | {Role.PARTNER_USER}),
    ("partner-list", _("Partners"), "people", {Role.ADMIN, Role.CAMPAIGN_MANAGER, Role.PRIVACY_ADMIN}),
    ("campaign-list", _("Campaigns"), "megaphone", _INTERNAL - {Role.PRIVACY_ADMIN} | {Role.PARTNER_USER}),
    ("segment-list", _("Segments"), "diagram", {Role.ADMIN, Role.CAMPAIGN_MANAGER, Role.ANALYST}),
    ("forecast-list", _("Forecasts"), "graph", {Role.ADMIN, Role.CAMPAIGN_MANAGER, Role.ANALYST}),
    ("recommendation-models", _("Recommendations"), "stars", {Role.ADMIN, Role.CAMPAIGN_MANAGER, Role.ANALYST}),
    ("privacy-home", _("Privacy"), "shield", {Role.ADMIN, Role.PRIVACY_ADMIN}),
    ("job-list", _("Jobs"), "gear", _INTERNAL),
]


def navigation(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    actor = actor_for_request(request)
    items = []
    for url_name, label, icon, roles in NAVIGATION:
        if actor is None or actor.role not in roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # a section whose pages are not built yet stays out of the rail
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"url": url, "label": label, "icon": icon, "active": active})
    return {
        "nav_items": items,
        "actor": actor,
        "actor_role_label": Role(actor.role).label if actor is not None and actor.role else "",
        "user_memberships": memberships_of(request.user),
    }
