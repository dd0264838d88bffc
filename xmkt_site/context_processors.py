"""Navigation for the base layout: only the sections the current role may open."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from campaigns.models import Role
from xmkt_site.access import actor_for_request, memberships_of
from xmkt_site.roles import Capability

# (url name, label, icon, capability that opens it)
NAVIGATION = [
    ("dashboard", _("Dashboard"), "speedometer", Capability.VIEW_DASHBOARD),
    ("partner-list", _("Partners"), "people", Capability.READ_PARTNERS),
    ("campaign-list", _("Campaigns"), "megaphone", Capability.BROWSE_CAMPAIGNS),
    ("segment-list", _("Segments"), "diagram", Capability.READ_INSIGHTS),
    ("forecast-list", _("Forecasts"), "graph", Capability.READ_INSIGHTS),
    ("recommendation-models", _("Recommendations"), "stars", Capability.READ_MODELS),
    ("privacy-home", _("Privacy"), "shield", Capability.MANAGE_PRIVACY),
    ("job-list", _("Jobs"), "gear", Capability.VIEW_JOBS),
]


def navigation(request) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    actor = actor_for_request(request)
    items = []
    for url_name, label, icon, capability in NAVIGATION:
        if actor is None or not actor.can(capability):
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
