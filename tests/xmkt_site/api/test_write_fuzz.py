"""Every write endpoint under /api/v1/ (POST, PUT, PATCH, DELETE, listed from the live OpenAPI schema) answers
generated input with a 2xx, or a 4xx that carries an error code (and names the field where there is one) and leaves
every table as it was; never with a 5xx.

Bodies are either any JSON (nested dicts and lists of odd text, huge integers, NaN, booleans, nulls) or shaped like
the operation's request schema with each value either well typed or anything. Path parameters are the ids of real
rows (so the body is parsed at all) or odd ids and text. Callers are the platform's admin and a partner's key with
every scope.
"""

import json
from datetime import UTC, date, datetime, timedelta, timezone
from urllib.parse import quote, unquote

import pytest
from django.apps import apps
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from campaigns.models import ApiScope, DataPurpose, DataSubjectRequest, Role
from tests.builders.experiments import running
from tests.factories import (
    AgreementFactory,
    CodePoolFactory,
    ConsentRecordFactory,
    ConsumerFactory,
    MembershipFactory,
    OfferFactory,
    RecommendationLogFactory,
    issue_api_key,
)

EXAMPLES = 25
WRITE_METHODS = ("post", "put", "patch", "delete")
COUNTED_APPS = ("campaigns", "analytics", "recommender", "accounts")

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
ENDPOINTS = sorted(
    (method, path)
    for path, operations in SCHEMA["paths"].items()
    if path.startswith("/api/v1/")
    for method in operations
    if method in WRITE_METHODS
)

# --- strategies ----------------------------------------------------------------------------------------------------

ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "a\ud800b",
        "\udfff",
        "🙂" * 3,
        "x" * 5000,
        "9999-12-31T23:59:59-12:00",
        "0001-01-01T00:00:00+14:00",
        "NaN",
        "-1",
        "1e400",
        "<script>",
        "../../etc/passwd",
    ]
)
# Surrogates (category Cs) included: JSON can carry them as \ud800 escapes.
TEXT = st.text(st.characters(exclude_categories=()), max_size=24) | ODD_TEXT
HUGE_INTS = st.sampled_from([2**31, 2**63, -(2**63) - 1, 2**70, 10**30])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | HUGE_INTS
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
)
ANY_JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
OFFSETS = st.sampled_from([timezone(timedelta(hours=h)) for h in (-12, 0, 8, 14)])
DATETIMES = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
    st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)),
    OFFSETS,
)


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = SCHEMA["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _typed(node: dict) -> st.SearchStrategy:
    if "enum" in node:
        return st.sampled_from([v for v in node["enum"] if v is not None] or [None]) | TEXT
    kind, fmt = node.get("type"), node.get("format")
    if kind == "integer":
        low, high = node.get("minimum", -(2**31)), node.get("maximum", 2**31)
        return st.integers(min_value=int(low) - 2, max_value=int(high) + 2) | HUGE_INTS
    if kind == "number":
        return st.floats(allow_nan=True, allow_infinity=True) | st.decimals(places=3, allow_nan=False).map(str)
    if kind == "boolean":
        return st.booleans()
    if fmt == "date-time":
        return DATETIMES
    if fmt == "date":
        return st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat)
    return st.text(max_size=(node.get("maxLength") or 40) + 2) | TEXT


def shaped(node: dict, depth: int = 0) -> st.SearchStrategy:
    """Values shaped like the schema `node`: objects with its properties, lists of its items, leaves mostly well
    typed and sometimes anything."""
    node = _resolve(node)
    branches = node.get("oneOf") or node.get("anyOf") or node.get("allOf")
    if branches:
        return st.one_of([shaped(branch, depth) for branch in branches])
    if depth > 4:
        return SCALARS
    if node.get("type") == "object" or "properties" in node:
        properties = {k: v for k, v in node.get("properties", {}).items() if not _resolve(v).get("readOnly")}
        required = set(node.get("required", [])) & set(properties)
        return st.fixed_dictionaries(
            {k: shaped(v, depth + 1) for k, v in properties.items() if k in required},
            optional={k: shaped(v, depth + 1) for k, v in properties.items() if k not in required},
        ) | (ANY_JSON if depth else st.nothing())
    if node.get("type") == "array":
        return st.lists(shaped(node.get("items", {}), depth + 1), max_size=3) | SCALARS
    return st.one_of(_typed(node), _typed(node), _typed(node), SCALARS)


def body_strategy(operation: dict) -> st.SearchStrategy:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return ANY_JSON
    return st.one_of(shaped(content["application/json"]["schema"]), ANY_JSON)


# --- the world the requests land in --------------------------------------------------------------------------------


@pytest.fixture
def world(db) -> dict:
    campaign = running()
    platform, partner = campaign.organization, campaign.partners.get()
    agreement = AgreementFactory(platform=platform, partner=partner)
    consumer = ConsumerFactory(organization=platform, external_ref="fuzz-consumer")
    for purpose in (DataPurpose.MARKETING_CONTACT, DataPurpose.PERSONALIZATION):
        ConsentRecordFactory(consumer=consumer, purpose=purpose)
    ConsentRecordFactory(consumer=consumer, purpose=DataPurpose.PARTNER_SHARING, recipient=partner)
    offer = OfferFactory(campaign=campaign)
    pool = CodePoolFactory(offer=offer)
    now = datetime.now(UTC)
    request = DataSubjectRequest.objects.create(
        organization=platform,
        consumer=consumer,
        kind=DataSubjectRequest.Kind.ACCESS,
        received_at=now,
        due_at=now + timedelta(days=15),
    )
    recommendation = RecommendationLogFactory(organization=platform, consumer=consumer)
    admin = APIClient()
    admin.force_authenticate(MembershipFactory(organization=platform, role=Role.ADMIN).user)
    partner_key = APIClient()
    partner_key.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(partner, list(ApiScope.values))}")
    return {
        "callers": {"platform admin": admin, "partner key": partner_key},
        "path values": {
            "agreements/{id}": agreement.pk,
            "campaigns/{id}": campaign.pk,
            "privacy/requests/{id}": request.pk,
            "{partner_id}": partner.pk,
            "{offer_id}": offer.pk,
            "{pool_id}": pool.pk,
            "{recommendation_id}": recommendation.recommendation_id,
            "{external_ref}": consumer.external_ref,
            "{kind}": "segment",
            "{key}": "1",
            "{action}": "pause",
        },
    }


def _real_value(path: str, name: str, values: dict):
    for pattern, value in values.items():
        if f"{{{name}}}" == pattern or (pattern.endswith(f"{{{name}}}") and pattern in path):
            return value
    return 1


def path_strategy(path: str, operation: dict, values: dict) -> st.SearchStrategy:
    parameters = [p for p in operation.get("parameters", []) if p["in"] == "path"]
    choices = {}
    for parameter in parameters:
        real = _real_value(path, parameter["name"], values)
        if parameter.get("schema", {}).get("type") == "integer":
            odd = st.integers(min_value=0, max_value=2**70)
        else:
            # No "/" (a different route) and never empty (no route at all): the view itself must see the value.
            odd = st.text(st.characters(exclude_characters="/", exclude_categories=("Cs",)), min_size=1, max_size=30)
        choices[parameter["name"]] = st.one_of(st.just(real), st.just(real), st.just(real), odd)
    return st.fixed_dictionaries(choices).map(
        lambda chosen: path.format(**{k: quote(str(v), safe="") for k, v in chosen.items()})
    )


def _routed(url: str) -> bool:
    try:
        resolve(unquote(url))
    except Resolver404:
        return False
    return True


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in COUNTED_APPS and not model._meta.proxy
    }


def send(client: APIClient, method: str, url: str, body) -> object:
    # ensure_ascii writes a lone surrogate as the escape \ud800, as a client that sends one would.
    return getattr(client, method)(url, data=json.dumps(body, ensure_ascii=True), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), ENDPOINTS, ids=[f"{m.upper()} {p}" for m, p in ENDPOINTS])
def test_a_write_endpoint_answers_generated_input_with_a_2xx_or_a_coded_4xx_that_changes_nothing(method, path, world):
    operation = SCHEMA["paths"][path][method]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    )
    @given(
        caller=st.sampled_from(sorted(world["callers"])),
        url=path_strategy(path, operation, world["path values"]),
        body=body_strategy(operation),
    )
    def check(caller, url, body):
        before = row_counts()

        response = send(world["callers"][caller], method, url, body)

        assert response.status_code < 500, (caller, url, body, response.content[:2000])
        if response.status_code >= 400:
            assert row_counts() == before, (caller, url, body, response.status_code)
            if not _routed(url):
                return  # no route has this shape (a converter refused the value): Django's own 404 page
            assert response["Content-Type"] == "application/json", (caller, url, response.status_code)
            error = response.json()["error"]
            assert error["code"], (caller, url, body, error)
            assert isinstance(error.get("fields", {}), dict)

    check()
