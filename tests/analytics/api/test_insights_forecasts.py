"""GET /api/v1/forecasts/?series=...: the caller's organization's current forecasts with points and backtest."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from campaigns.models import Role
from tests.factories import MembershipFactory, issue_api_key

pytestmark = pytest.mark.django_db


def test_the_api_filters_by_series_and_metric(platform, forecast_shop):
    # given an analyst
    client = APIClient()
    client.force_authenticate(MembershipFactory(organization=platform, role=Role.ANALYST).user)

    # when they ask for the total revenue series
    body = client.get(reverse("api:forecast-list"), {"series": "total", "metric": "revenue"}).json()

    # then exactly that forecast comes back with 14 future points and the backtest table
    assert [row["series"] for row in body["results"]] == ["total"]
    row = body["results"][0]
    assert row["metric"] == "revenue" and row["chosen_model"]
    assert sum(1 for point in row["points"] if point["predicted"] is not None) == 14
    assert row["backtest"][0]["mae"] is not None
    # and a category series by name
    body = client.get(reverse("api:forecast-list"), {"series": "category:home"}).json()
    assert {row["metric"] for row in body["results"]} == {"units", "orders", "revenue"}


def test_an_unknown_series_is_a_400_naming_the_parameter(platform, forecast_shop):
    client = APIClient()
    client.force_authenticate(MembershipFactory(organization=platform, role=Role.ANALYST).user)
    response = client.get(reverse("api:forecast-list"), {"series": "planet:mars"})
    assert response.status_code == 400
    assert "series" in response.json()["error"]["fields"]


def test_a_partner_key_reads_only_its_own_organizations_forecasts(platform, partner, forecast_shop):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(partner, ['campaigns:read'])}")
    assert client.get(reverse("api:forecast-list")).json()["results"] == []
