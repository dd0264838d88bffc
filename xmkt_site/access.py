"""Who is asking: one Actor for a signed-in user or a partner API key, with the organization it acts for."""

from dataclasses import dataclass

from django.http import HttpRequest

from campaigns.models import Membership, Organization, PartnerApiKey, User
from xmkt_site.roles import Capability, roles_with

ACTIVE_ORGANIZATION_SESSION_KEY = "active_organization_id"


@dataclass(frozen=True)
class Actor:
    organization: Organization
    user: User | None = None
    api_key: PartnerApiKey | None = None
    role: str | None = None
    scopes: frozenset[str] = frozenset()

    @property
    def is_platform(self) -> bool:
        return self.organization.kind == Organization.Kind.PLATFORM

    @property
    def is_api_key(self) -> bool:
        return self.api_key is not None

    def has_role(self, roles: frozenset[str] | set[str]) -> bool:
        return self.role is not None and self.role in roles

    def can(self, capability: Capability) -> bool:
        """What a signed-in member's role allows (see xmkt_site.roles); an API key's scopes are checked apart."""
        return self.has_role(roles_with(capability))

    def has_scopes(self, scopes: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
        return set(scopes) <= self.scopes


def memberships_of(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, organization__is_active=True)
        .select_related("organization")
        .order_by("organization__kind", "organization__name")
    )


def actor_for_user(user: User, session: dict | None = None) -> Actor | None:
    """The user's active membership: the one chosen in the session, else the first (platform before partner)."""
    memberships = memberships_of(user)
    if not memberships:
        return None
    chosen_id = (session or {}).get(ACTIVE_ORGANIZATION_SESSION_KEY)
    membership = next((m for m in memberships if m.organization_id == chosen_id), memberships[0])
    return Actor(organization=membership.organization, user=user, role=membership.role)


def actor_for_api_key(api_key: PartnerApiKey) -> Actor:
    return Actor(organization=api_key.organization, api_key=api_key, scopes=frozenset(api_key.scopes))


def actor_for_request(request: HttpRequest) -> Actor | None:
    """Cached on the request; None for anonymous callers and users without a membership."""
    if hasattr(request, "_xmkt_actor"):
        return request._xmkt_actor
    auth = getattr(request, "auth", None)
    actor: Actor | None
    if isinstance(auth, PartnerApiKey):
        actor = actor_for_api_key(auth)
    elif getattr(request, "user", None) is not None and request.user.is_authenticated:
        actor = actor_for_user(request.user, getattr(request, "session", None))
    else:
        actor = None
    request._xmkt_actor = actor
    return actor
