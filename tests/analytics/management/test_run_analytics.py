"""Acceptance: a slice of the shared Online Retail file, imported with import_online_retail, goes through
`run_analytics --sync` and its segments and forecasts are visible through the API and on the pages."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from campaigns.models import Organization, Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

SHARED_FILE = Path(settings.BASE_DIR).parent / "shared" / "data" / "online_retail.csv.gz"
ROWS = 90_000  # December 2010 to late January 2011: enough days for a 7-day backtest


@pytest.mark.skipif(not SHARED_FILE.exists(), reason="the shared Online Retail file is not on this machine")
def test_online_retail_slice_gives_segments_and_forecasts_through_api_and_pages():
    # given the first rows of the real file, imported as the importer does it
    call_command("import_online_retail", str(SHARED_FILE), "--org", "online-retail", "--limit", str(ROWS),
                 "--no-progress", stdout=StringIO())  # fmt: skip
    organization = Organization.objects.get(slug="online-retail")

    # when the pipeline runs synchronously (all forecasting candidates, SARIMAX included)
    out = StringIO()
    call_command("run_analytics", "--org", "online-retail", "--sync", "--horizon", "7", "--top-categories", "0",
                 stdout=out)  # fmt: skip

    # then the summary names segments and forecasts
    text = out.getvalue()
    assert "segment_consumers: succeeded" in text and "forecast_demand: succeeded" in text
    # and the API of the organization's analyst returns them
    analyst = MembershipFactory(organization=organization, role=Role.ANALYST).user
    api = APIClient()
    api.force_authenticate(analyst)
    segments = api.get(reverse("api:segment-list")).json()
    assert len(segments["results"]) >= 2
    assert sum(row["size"] for row in segments["results"]) == segments["segment_run"]["consumers"] > 500
    monetary = sorted(row["kpis"]["median_monetary"] for row in segments["results"])
    assert monetary[-1] > 0
    forecasts = api.get(reverse("api:forecast-list"), {"series": "total", "metric": "revenue"}).json()["results"]
    assert len(forecasts) == 1 and forecasts[0]["chosen_model"]
    assert {row["model"] for row in forecasts[0]["backtest"]} >= {"seasonal_naive", "dow_mean_8w", "exp_smoothing"}
    assert sum(1 for point in forecasts[0]["points"] if point["predicted"] is not None) == 7
    # and the pages show them
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(analyst)
    assert segments["results"][0]["name_en"] in page.get(reverse("segment-list")).content.decode()
    assert "backtest-table" in page.get(reverse("forecast-detail", args=[forecasts[0]["id"]])).content.decode()
