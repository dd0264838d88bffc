"""A co-branded campaign end to end through the API only: create with two partners, review fails without an
agreement, add it, launch, sticky assignments, exposures and conversions replayed, results checked against a direct
computation, and each partner key sees its own campaign's aggregates and nothing of the other's."""

import base64
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from campaigns.models import ApiScope, Role
from tests.factories import MembershipFactory, OrganizationFactory, PlatformFactory, issue_api_key

pytestmark = pytest.mark.django_db

N_CONSUMERS = 60


def png_base64() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), (22, 119, 255)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def key_client(organization, scopes) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(organization, scopes)}")
    return client


def ok(response, expected=200):
    assert response.status_code == expected, response.content
    return response.json()


@pytest.fixture
def world(db):
    platform = PlatformFactory(slug="zhishi")
    homely = OrganizationFactory(slug="homely", name="Homely 家居")
    skyline = OrganizationFactory(slug="skyline", name="Skyline 地产", industry="real_estate")
    manager = client_for(MembershipFactory(organization=platform, role=Role.CAMPAIGN_MANAGER).user)
    admin = client_for(MembershipFactory(organization=platform, role=Role.ADMIN).user)
    return {"platform": platform, "homely": homely, "skyline": skyline, "manager": manager, "admin": admin}


def seed_consumers(admin: APIClient) -> list[str]:
    refs = [f"u{i:04d}" for i in range(N_CONSUMERS)]
    ok(admin.post("/api/v1/consumers/batch/", {"consumers": [{"external_ref": r} for r in refs]}, format="json"))
    consents = []
    for i, ref in enumerate(refs):
        # every fifth consumer refuses marketing contact and must never be assigned
        consents.append(
            {"consumer": ref, "purpose": "marketing_contact", "granted": i % 5 != 0, "policy_version": "2026-01"}
        )
    ok(admin.post("/api/v1/consents/", {"consents": consents}, format="json"), 201)
    return refs


def test_campaign_with_two_partners_runs_end_to_end_through_the_api(world):
    manager, admin = world["manager"], world["admin"]
    homely, skyline = world["homely"], world["skyline"]
    refs = seed_consumers(admin)
    now = timezone.now()

    # given a campaign with two partners, two variants, an offer and complete co-branding
    campaign = ok(
        manager.post(
            "/api/v1/campaigns/create/",
            {
                "name": "新房装修 × 家居联名",
                "partners": [homely.pk, skyline.pk],
                "starts_at": (now - timedelta(hours=1)).isoformat(),
                "ends_at": (now + timedelta(days=30)).isoformat(),
                "budget": "5000.00",
                "purposes": ["marketing_contact", "partner_sharing"],
                "data_categories": ["purchases"],
                "allowed_redirect_hosts": ["homely.example"],
            },
            format="json",
        ),
        201,
    )
    cid = campaign["id"]
    ok(manager.post(f"/api/v1/campaigns/{cid}/variants/", {"key": "control", "name": "原版", "is_control": True}), 201)
    ok(manager.post(f"/api/v1/campaigns/{cid}/variants/", {"key": "bundle", "name": "课程+代金券"}), 201)
    for partner in (homely, skyline):
        ok(
            manager.put(
                f"/api/v1/campaigns/{cid}/co-branding/{partner.pk}/",
                {
                    "display_name": partner.name,
                    "logo_base64": png_base64(),
                    "landing_copy_zh": "欢迎",
                    "landing_copy_en": "Welcome",
                },
                format="json",
            )
        )

    # when it is reviewed without any agreement, then the review fails with a reason per partner
    review = ok(manager.post(f"/api/v1/campaigns/{cid}/review/"))
    assert review["status"] == "draft"
    failed = [c for c in review["review_report"]["checks"] if not c["passed"]]
    assert {c["partner"] for c in failed if c["key"] == "agreement"} == {homely.pk, skyline.pk}
    assert all(c["reason"] for c in review["review_report"]["checks"])

    # when the admin records agreements (homely k=10, skyline k=50) the review passes
    for partner, k in ((homely, 10), (skyline, 50)):
        ok(
            admin.post(
                "/api/v1/agreements/",
                {
                    "partner": partner.pk,
                    "title": f"DSA {partner.slug}",
                    "purposes": ["marketing_contact", "partner_sharing"],
                    "data_categories": ["purchases", "segments"],
                    "min_aggregate_size": k,
                    "valid_from": (now - timedelta(days=1)).date().isoformat(),
                },
                format="json",
            ),
            201,
        )
    sharing = [
        {
            "consumer": r,
            "purpose": "partner_sharing",
            "recipient": homely.slug,
            "granted": True,
            "data_categories": ["purchases"],
            "policy_version": "2026-01",
        }
        for r in refs
    ]
    ok(admin.post("/api/v1/consents/", {"consents": sharing}, format="json"), 201)
    review = ok(manager.post(f"/api/v1/campaigns/{cid}/review/"))
    assert review["status"] == "approved", review["review_report"]
    audience = next(c for c in review["review_report"]["checks"] if c["key"] == "audience")
    assert audience["contactable"] == N_CONSUMERS - N_CONSUMERS // 5

    assert ok(manager.post(f"/api/v1/campaigns/{cid}/actions/launch/"))["status"] == "running"

    # assignments are sticky, and consumers without marketing consent are never assigned
    arms = {}
    for i, ref in enumerate(refs):
        first = ok(manager.get(f"/api/v1/campaigns/{cid}/assignment/", {"consumer": ref}))
        again = ok(manager.get(f"/api/v1/campaigns/{cid}/assignment/", {"consumer": ref}))
        assert again["variant"] == first["variant"]
        if i % 5 == 0:
            assert first["variant"] is None and first["reason"] == "not_in_audience"
        else:
            assert first["variant"] in {"control", "bundle"}
            arms[ref] = first["variant"]
    assert set(arms.values()) == {"control", "bundle"}

    # exposures and conversions, each batch posted twice
    exposures = [{"consumer": r, "external_id": f"exp-{r}"} for r in arms]
    conversions = [
        {"consumer": r, "external_id": f"order-{r}", "value": "199.00" if arms[r] == "bundle" else "99.00"}
        for j, r in enumerate(arms)
        if j % 3 == 0 or (arms[r] == "bundle" and j % 3 == 1)
    ]
    homely_key = key_client(homely, [ApiScope.CAMPAIGNS_READ, ApiScope.CAMPAIGNS_WRITE])
    for _ in range(2):
        ok(manager.post(f"/api/v1/campaigns/{cid}/exposures/", {"exposures": exposures}, format="json"))
        ok(homely_key.post(f"/api/v1/campaigns/{cid}/conversions/", {"conversions": conversions}, format="json"))
    replay = ok(homely_key.post(f"/api/v1/campaigns/{cid}/conversions/", {"conversions": conversions}, format="json"))
    assert replay == {"accepted": 0, "duplicates": len(conversions), "rejected": []}

    # results match a direct computation
    results = ok(manager.get(f"/api/v1/campaigns/{cid}/results/"))
    by_arm = {a["variant"]: a for a in results["arms"]}
    for key in ("control", "bundle"):
        members = [r for r, v in arms.items() if v == key]
        converted = [c for c in conversions if arms[c["consumer"]] == key]
        assert by_arm[key]["users"] == len(members)
        assert by_arm[key]["exposed"] == len(members)
        assert by_arm[key]["converters"] == len(converted)
        assert by_arm[key]["revenue"] == pytest.approx(sum(float(c["value"]) for c in converted))
    treatment = results["comparisons"][0]
    assert by_arm["bundle"]["conversion_rate"] == pytest.approx(
        by_arm["bundle"]["converters"] / by_arm["bundle"]["users"]
    )
    # too few users per arm for a verdict: the minimum-sample guard holds the frequentist test back
    assert treatment["enough_data"] is False and treatment["lift"] is None and treatment["significant"] is False
    assert 0.0 <= treatment["probability_to_beat_control"] <= 1.0

    # the homely key sees its campaign, with cells below k=10 suppressed; the skyline key (k=50) sees only nulls
    listed = ok(homely_key.get("/api/v1/campaigns/"))
    assert [c["id"] for c in listed] == [cid] and "budget" not in listed[0]
    partner_view = ok(homely_key.get(f"/api/v1/campaigns/{cid}/results/"))
    assert partner_view["k"] == 10
    for arm in partner_view["arms"]:
        expected_users = by_arm[arm["variant"]]["users"]
        assert arm["users"] == (expected_users if expected_users >= 10 else None)
    assert partner_view["own"]["conversions"] == len(conversions)
    skyline_key = key_client(skyline, [ApiScope.CAMPAIGNS_READ, ApiScope.CAMPAIGNS_WRITE])
    skyline_view = ok(skyline_key.get(f"/api/v1/campaigns/{cid}/results/"))
    assert skyline_view["k"] == 50
    assert skyline_view["own"] == {"conversions": None, "revenue": None}  # nothing sold by skyline, and no cell of 50
    assert skyline_view["suppressed_cells"] > 0

    # a campaign of homely's alone is invisible to skyline
    other = ok(
        manager.post("/api/v1/campaigns/create/", {"name": "仅家居", "partners": [homely.pk]}, format="json"), 201
    )
    assert skyline_key.get(f"/api/v1/campaigns/{other['id']}/results/").status_code == 404
    assert skyline_key.get(f"/api/v1/campaigns/{other['id']}/").status_code == 404
    assert [c["id"] for c in ok(skyline_key.get("/api/v1/campaigns/"))] == [cid]
    # and a partner key cannot act as the platform
    assert homely_key.post(f"/api/v1/campaigns/{cid}/actions/pause/").status_code == 403
