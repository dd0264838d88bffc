"""GET /api/v1/segments/ and /api/v1/segments/{id}/: full detail for the platform, agreement-allowed aggregates for
partners (sizes below the minimum cell size suppressed and counted), never member lists."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from analytics.models import Segment, SegmentMembership
from analytics.services.profiles import profiles_build
from analytics.services.segments import segments_build
from campaigns.models import DataPurpose, Role
from tests.builders.shop import seed_shop
from tests.factories import AgreementFactory, ConsentRecordFactory, MembershipFactory, issue_api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def segmented(platform):
    people = seed_shop(platform)
    profiles_build(organization=platform)
    segments_build(organization=platform)
    return people


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_analyst_lists_the_current_segments_with_profiles(platform, segmented):
    # given an analyst of the platform
    analyst = MembershipFactory(organization=platform, role=Role.ANALYST).user

    # when they list segments
    response = client_for(analyst).get(reverse("api:segment-list"))

    # then every current segment comes with size, names, centroid and KPIs, and no member list
    assert response.status_code == 200
    body = response.json()
    assert body["segment_run"]["k"] == len(body["results"]) >= 2
    assert sum(row["size"] for row in body["results"]) == len(segmented)
    first = body["results"][0]
    assert first["name_zh"] and first["name_en"] and first["centroid"] and first["kpis"]["median_monetary"] >= 0
    assert "members" not in first and "consumers" not in first


def test_segment_detail_answers_404_for_another_organizations_segment(platform, segmented, partner):
    # given a manager of a partner organization and the platform's segment
    segment = Segment.objects.filter(organization=platform).first()
    other = MembershipFactory(organization=partner, role=Role.ADMIN).user
    own = MembershipFactory(organization=platform, role=Role.CAMPAIGN_MANAGER).user

    # then the platform's own manager reads it and the partner's admin sees no full detail
    assert client_for(own).get(reverse("api:segment-detail", args=[segment.pk])).json()["key"] == segment.key
    response = client_for(other).get(reverse("api:segment-detail", args=[segment.pk]))
    assert response.status_code == 404


def test_a_partner_key_sees_sizes_only_above_the_agreements_minimum_cell_size(platform, partner, segmented):
    # given an agreement with k=3 and sharing consent to the partner from the members of one segment only
    AgreementFactory(platform=platform, partner=partner, min_aggregate_size=3)
    segments = list(Segment.objects.filter(organization=platform, is_current=True))
    shared = segments[0]
    for membership in SegmentMembership.objects.filter(segment=shared).select_related("consumer"):
        ConsentRecordFactory(
            consumer=membership.consumer,
            purpose=DataPurpose.PARTNER_SHARING,
            recipient=partner,
            data_categories=["segments"],
        )
    expected = SegmentMembership.objects.filter(segment=shared).count()
    assert expected >= 3
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(partner, ['campaigns:read'])}")

    # when the partner's machine lists segments
    body = client.get(reverse("api:segment-list")).json()

    # then the shared segment shows its consented size, the others are suppressed and counted as such
    by_key = {row["key"]: row for row in body["results"]}
    assert by_key[shared.key] == {**by_key[shared.key], "size": expected, "suppressed": False, "min_cell_size": 3}
    assert all(row["size"] is None and row["suppressed"] for key, row in by_key.items() if key != shared.key)
    assert body["suppressed"] == len(segments) - 1
    assert "centroid" not in by_key[shared.key]
    # and the detail endpoint gives the same aggregate
    detail = client.get(reverse("api:segment-detail", args=[shared.pk])).json()
    assert detail["size"] == expected


def test_a_partner_without_an_agreement_sees_no_segments(platform, partner, segmented):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(partner, ['campaigns:read'])}")
    body = client.get(reverse("api:segment-list")).json()
    assert body["results"] == [] and body["suppressed"] == 0


def test_a_key_without_campaigns_read_is_refused(platform, partner, segmented):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(partner, ['events:write'])}")
    assert client.get(reverse("api:segment-list")).status_code == 403


def test_a_privacy_admin_may_not_read_segments(platform, segmented):
    privacy = MembershipFactory(organization=platform, role=Role.PRIVACY_ADMIN).user
    assert client_for(privacy).get(reverse("api:segment-list")).status_code == 403
