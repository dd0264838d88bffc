"""The permission matrix, from the code: every route in the URL conf × every role and every key scope.

Expectations come from what the views declare (`allowed_roles` / `required_scopes` on API views, the roles given to
`xmkt_site.pages.access.role_required` on pages) and a short list of deliberately public routes. A route the test cannot
classify, or a path parameter it cannot fill, fails the test with its name: new routes are covered or fail, never
skipped. Cross-organization: partner A's people and keys ask for partner B's and the platform's objects (filled into
the path) and must never get a 2xx/3xx answer containing B's marked data.
"""

import inspect
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.views import APIView

from campaigns.models import (
    ApiScope,
    DataSubjectRequest,
    ImpactAssessment,
    Role,
    TaskRun,
)
from tests.factories import (
    AgreementFactory,
    CampaignFactory,
    CatalogItemFactory,
    CodePoolFactory,
    ConsumerFactory,
    ForecastFactory,
    MembershipFactory,
    ModelVersionFactory,
    OfferFactory,
    OrganizationFactory,
    PlatformFactory,
    SegmentFactory,
    TaskRunFactory,
    issue_api_key,
)

MARK = "VICTIM-MARK"
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "permission-matrix.txt"
LAST_MATRIX = ""
ROLES = [Role.ADMIN, Role.CAMPAIGN_MANAGER, Role.ANALYST, Role.PRIVACY_ADMIN, Role.PARTNER_USER]
SCOPES = list(ApiScope.values)
METHODS = ("get", "post", "put", "patch", "delete")

# Routes that are public on purpose, with the reason. Everything else must declare roles or scopes.
PUBLIC = {
    "schema": "the OpenAPI description holds no data",
    "swagger-ui": "API documentation page",
    "set_language": "language switch",
    "login": "sign-in form",
    "logout": "sign-out",
    "tracking-link": "campaign tracking redirect; unknown codes answer 404",
}


@dataclass
class Route:
    pattern: str
    name: str
    callback: object
    params: list[tuple[str, str]]  # (converter, name)
    kind: str = ""  # api | page | public | admin
    methods: list[str] = field(default_factory=list)
    allowed_roles: frozenset | None = None
    required_scopes: tuple | None = None
    platform_only: bool = False


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if getattr(entry, "app_name", None) == "admin":
                yield Route(prefix + str(entry.pattern), "admin", None, [], kind="admin", methods=["get"])
                continue
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            params = re.findall(r"<(?:(\w+):)?(\w+)>", pattern)
            yield Route(pattern, entry.name or "", entry.callback, [(c or "str", n) for c, n in params])


def _page_roles(callback) -> tuple[frozenset, bool] | None:
    """The roles given to role_required, found in the closure of the decorator chain."""
    fn = callback
    while fn is not None:
        nonlocals = inspect.getclosurevars(fn).nonlocals if inspect.isfunction(fn) else {}
        if isinstance(nonlocals.get("allowed"), frozenset) and "platform_only" in nonlocals:
            return nonlocals["allowed"], bool(nonlocals["platform_only"])
        fn = getattr(fn, "__wrapped__", None)
    return None


def _classify(route: Route) -> None:
    view_class = getattr(route.callback, "view_class", None)
    if route.kind == "admin":
        return
    if route.name in PUBLIC:
        route.kind = "public"
        route.methods = ["get"]
        return
    if view_class is not None and issubclass(view_class, APIView):
        route.kind = "api"
        route.methods = [m for m in METHODS if hasattr(view_class, m)]
        route.allowed_roles = getattr(view_class, "allowed_roles", None)
        route.required_scopes = getattr(view_class, "required_scopes", None)
        return
    found = _page_roles(route.callback)
    if found is not None:
        route.kind = "page"
        route.allowed_roles, route.platform_only = found
        route.methods = ["post"] if _requires_post(route.callback) else ["get"]
        return
    raise AssertionError(
        f"Route {route.pattern!r} ({route.name}) is neither an API view with allowed_roles/required_scopes, nor a "
        "page behind xmkt_site.pages.access.role_required, nor listed in PUBLIC: classify it in "
        "test_permission_matrix.py."
    )


def _requires_post(callback) -> bool:
    fn = callback
    while fn is not None:
        nonlocals = inspect.getclosurevars(fn).nonlocals if inspect.isfunction(fn) else {}
        if nonlocals.get("request_method_list") == ["POST"]:
            return True
        fn = getattr(fn, "__wrapped__", None)
    return False


@dataclass
class Actor:
    label: str
    client: Client
    organization: str  # platform | a | anon
    role: str | None = None
    scopes: frozenset = frozenset()

    @property
    def is_key(self) -> bool:
        return self.role is None and self.organization != "anon"


@pytest.fixture
def world(db):
    platform = PlatformFactory(slug="plat", name="Platform")
    a = OrganizationFactory(slug="org-a", name="Partner A")
    b = OrganizationFactory(slug="org-b", name=f"{MARK} Partner B")
    consumer = ConsumerFactory(organization=b, external_ref=f"{MARK.lower()}-ref")
    campaign = CampaignFactory(organization=b, name=f"{MARK} campaign")
    CampaignFactory(organization=platform, name=f"{MARK} platform campaign")
    segment = SegmentFactory(organization=b, run__k=1, key=1, name_zh=MARK, name_en=MARK)
    agreement = AgreementFactory(platform=platform, partner=b, title=f"{MARK} agreement")
    item = CatalogItemFactory(organization=b, title=f"{MARK} item")
    now = timezone.now()
    dsr = DataSubjectRequest.objects.create(
        organization=b, consumer=consumer, kind="access", received_at=now, due_at=now, notes=MARK
    )
    offer = OfferFactory(campaign=campaign, name=f"{MARK} offer", partner=b)
    pool = CodePoolFactory(offer=offer, name=f"{MARK} pool")
    forecast = ForecastFactory(organization=b, explanation=MARK)
    assessment = ImpactAssessment.objects.create(organization=b, agreement=agreement, title=f"{MARK} assessment")
    model_version = ModelVersionFactory(organization=b, label=f"{MARK} model", trained_at=now)
    job = TaskRunFactory(organization=b, status=TaskRun.Status.FAILED, error=MARK)
    issue_api_key(b, [ApiScope.CAMPAIGNS_READ])
    key_b = b.api_keys.get()
    victims = {
        "campaigns": campaign.pk,
        "segments": segment.pk,
        "agreements": agreement.pk,
        "items": item.pk,
        "privacy/requests": dsr.pk,
        "partners": b.pk,
        "api-keys": key_b.pk,
        "co-branding": b.pk,
        "logo": b.pk,
        "offers": offer.pk,
        "code-pools": pool.pk,
        "forecasts": forecast.pk,
        "assessments": assessment.pk,
        "jobs": job.pk,
        "models": model_version.pk,
    }
    actors = [Actor("anonymous", Client(), "anon")]
    for org_label, org in (("platform", platform), ("a", a)):
        for role in ROLES:
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            client.force_login(MembershipFactory(organization=org, role=role).user)
            actors.append(Actor(f"{org_label}:{role}", client, org_label, role=role))
        for scope in SCOPES:
            secret = issue_api_key(org, [scope])
            actors.append(
                Actor(f"{org_label}:key[{scope}]", Client(HTTP_AUTHORIZATION=f"Api-Key {secret}"), org_label,
                      scopes=frozenset({scope}))
            )  # fmt: skip
    return {"actors": actors, "victims": victims, "consumer_ref": consumer.external_ref}


def _fill(route: Route, world) -> str:
    """The route's URL with every parameter filled by partner B's object of the right kind (or a harmless value)."""
    url = "/" + route.pattern
    for converter, name in route.params:
        segment = re.search(r"([\w/-]+?)/<(?:\w+:)?" + name + ">", route.pattern)
        resource = segment.group(1).rsplit("/", 1)[-1] if segment else ""
        if segment and segment.group(1).endswith("privacy/requests"):
            resource = "privacy/requests"
        if converter == "int":
            key = {"offer_id": "offers", "pool_id": "code-pools", "key_pk": "api-keys", "partner_id": "partners"}.get(
                name, resource
            )
            value = world["victims"].get(key)
            if value is None:
                raise AssertionError(f"Cannot fill <{converter}:{name}> of {route.pattern!r}: add it to _fill().")
        elif converter == "uuid":
            value = uuid.uuid4()
        elif name == "external_ref":
            value = world["consumer_ref"]
        elif name in {"action", "kind"}:
            value = "segment" if name == "kind" else "launch"
        elif name in {"key", "code"}:
            value = "1"
        else:
            raise AssertionError(f"Cannot fill <{converter}:{name}> of {route.pattern!r}: add it to _fill().")
        url = re.sub(r"<(?:\w+:)?" + name + ">", str(value), url, count=1)
    return url


def _expected_allowed(route: Route, actor: Actor) -> bool | None:
    """True/False from the declarations; None when the route does not apply to the actor (keys on pages)."""
    if route.kind == "public":
        return True
    if route.kind == "admin":
        return False  # nobody here is staff
    if actor.organization == "anon":
        return False
    if route.kind == "api":
        if actor.is_key:
            return route.required_scopes is not None and set(route.required_scopes) <= actor.scopes
        return route.allowed_roles is not None and actor.role in route.allowed_roles
    # page
    if actor.is_key:
        return False  # keys never open pages
    if route.platform_only and actor.organization != "platform":
        return False
    return actor.role in route.allowed_roles


def _symbol(allowed: bool) -> str:
    return "✓" if allowed else "·"


def test_every_route_obeys_roles_scopes_and_tenants(world):
    routes = list(_walk(get_resolver()))
    for route in routes:
        _classify(route)
    actors = world["actors"]
    failures: list[str] = []
    rows: list[tuple[str, list[str]]] = []

    for route in routes:
        for method in route.methods:
            url = "/admin/" if route.kind == "admin" else _fill(route, world)
            cells = []
            for actor in actors:
                expected = _expected_allowed(route, actor)
                if route.kind in {"public", "admin"} and actor.label != "anonymous" and actor.role != Role.ADMIN:
                    cells.append(" ")  # public routes: ask anonymous and one admin, that is enough
                    continue
                if route.kind == "page" and actor.is_key and SCOPES[0] not in actor.scopes:
                    cells.append(" ")  # keys never open pages: one key per organization shows it
                    continue
                response = getattr(actor.client, method)(url, content_type="application/json") if method != "get" \
                    else actor.client.get(url)  # fmt: skip
                status = response.status_code
                body = b"" if getattr(response, "streaming", False) else response.content
                where = f"{method.upper()} {url} as {actor.label}"
                if status >= 500:
                    failures.append(f"{where}: server error {status}")
                if route.kind == "admin":
                    if status not in (302, 403):
                        failures.append(f"{where}: the admin answered {status} to a non-staff caller")
                elif expected is False:
                    refused = {401, 403, 404}
                    if route.kind == "page" or (
                        route.kind == "api" and not actor.is_key and actor.organization == "anon"
                    ):
                        refused = refused | {302}
                    # A redirect refuses only when it sends the caller to sign in; any other is a success.
                    if status not in refused or (status == 302 and not _to_sign_in(response)):
                        failures.append(f"{where}: expected a refusal, got {status}")
                if actor.organization == "a" and status < 400 and MARK.encode() in body:
                    failures.append(f"{where}: partner A received another organization's data ({status})")
                cells.append(_symbol(status not in (401, 403) and not (status == 302 and _to_sign_in(response))))
            rows.append((f"{method.upper():6} /{route.pattern}", cells))

    # Every operation in the OpenAPI schema is one of the routes walked above.
    schema = SchemaGenerator().get_schema(request=None, public=True)
    walked = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", "/" + r.pattern).replace("{pk}", "{id}") for r in routes}
    missing = [p for p in schema["paths"] if p not in walked]
    if missing:
        failures.append(f"schema paths not walked: {missing}")

    _write_matrix(rows, actors)
    assert not failures, "\n".join(failures)


def _to_sign_in(response) -> bool:
    return response.status_code == 302 and response.get("Location", "").startswith(reverse("login"))


def _write_matrix(rows, actors) -> None:
    header = [a.label for a in actors]
    width = max(len(r[0]) for r in rows)
    lines = [
        "Permission matrix. ✓ passed the role/scope check (may still be 404 for another organization's object);",
        "· refused or sent to sign in; blank: not asked. Columns:",
    ]
    lines += [f"  {i:2}: {label}" for i, label in enumerate(header)]
    lines.append(" " * width + " | " + " ".join(f"{i:>2}" for i in range(len(header))))
    lines += [f"{name:<{width}} | " + " ".join(f"{c:>2}" for c in cells) for name, cells in rows]
    text = "\n".join(lines)
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(text + "\n", encoding="utf-8")
    global LAST_MATRIX  # read by tests/conftest.py's terminal summary, so the table is in every test log
    LAST_MATRIX = text
