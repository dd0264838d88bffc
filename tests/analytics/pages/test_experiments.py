"""The campaign results page as readers see it: local times on the weight chart, whole conversion counts, KPI cards."""

from datetime import UTC, datetime

import pytest

from campaigns.models import AllocationChange
from tests.builders.experiments import running, traffic

pytestmark = pytest.mark.django_db


@pytest.fixture
def results_page(manager_client, platform_org):
    """A running campaign whose weights changed at 06:05 UTC, with 40 + 40 users and 3 + 5 converters."""
    campaign = running(platform=platform_org)
    AllocationChange.objects.filter(campaign=campaign).update(changed_at=datetime(2026, 11, 28, 6, 5, tzinfo=UTC))
    traffic(campaign, {"control": 40, "treatment": 40}, {"control": 3, "treatment": 5})
    return manager_client.get(f"/campaigns/{campaign.pk}/results/").content.decode()


def test_the_weight_history_chart_shows_site_local_times(results_page):
    # Then the change at 06:05 UTC is drawn at 14:05 Shanghai time, with minute ticks instead of milliseconds
    assert 'id="weights-chart"' in results_page
    assert '"2026-11-28 14:05:00"' in results_page and "T06:05" not in results_page
    assert '"tickformat":"%Y-%m-%d %H:%M"' in results_page


def test_attributed_conversions_are_whole_numbers_and_kpis_are_dashboard_cards(results_page):
    # Then eight last-touch conversions credited to the platform read "8", not "8.0"
    assert '<td class="num">8</td>' in results_page and '<td class="num">8.0</td>' not in results_page
    # And the four KPI cards use the dashboard's structure
    assert 'class="card kpi"' not in results_page and results_page.count('class="card kpi-card h-100"') == 4
