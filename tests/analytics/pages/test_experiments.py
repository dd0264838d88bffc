"""The campaign pages analytics serves: review from the detail page, results (arms, charts, local times on the weight
chart, whole conversion counts, KPI cards) and the partner portal."""

from datetime import UTC, datetime

import pytest

from analytics.services.experiments import assignment_get_or_create, conversions_record
from campaigns.models import AllocationChange, Role
from tests.builders.experiments import contactable, running, traffic
from tests.builders.html import texts
from tests.factories import AgreementFactory, CampaignFactory

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


def test_review_from_the_detail_page_shows_each_failed_check_with_its_reason(manager_client, platform_org, homely):
    campaign = CampaignFactory(organization=platform_org)
    campaign.partners.add(homely)
    response = manager_client.post(f"/campaigns/{campaign.pk}/review/", follow=True)
    page = response.content.decode()
    assert 'data-passed="false"' in page and "No active data-sharing agreement with Homely" in page


def test_results_show_arms_and_charts_after_traffic(manager_client, platform_org):
    campaign = running(platform=platform_org)
    for index, consumer in enumerate(contactable(platform_org, 30)):
        assignment_get_or_create(campaign=campaign, consumer=consumer)
        if index % 3 == 0:
            conversions_record(
                campaign=campaign, items=[{"consumer": consumer.external_ref, "external_id": f"o{index}"}]
            )
    page = manager_client.get(f"/campaigns/{campaign.pk}/results/").content.decode()
    assert 'id="conversions-chart"' in page and 'id="posterior-chart"' in page and 'id="weights-chart"' in page
    assert 'id="kpi-assigned">30<' in page
    assert "No forecast for this period" in page


def test_an_analyst_may_read_results_but_not_act(analyst_client, platform_org):
    campaign = running(platform=platform_org)
    assert analyst_client.get(f"/campaigns/{campaign.pk}/results/").status_code == 200
    assert analyst_client.post(f"/campaigns/{campaign.pk}/action/pause/").status_code == 403


def test_the_partner_portal_shows_only_own_campaigns_with_small_cells_hidden(sign_in, platform_org, homely, skyline):
    campaign = running(platform=platform_org)
    campaign.partners.set([homely])
    AgreementFactory(platform=platform_org, partner=homely, min_aggregate_size=5)
    for consumer in contactable(platform_org, 8):
        assignment_get_or_create(campaign=campaign, consumer=consumer)
    other = CampaignFactory(organization=platform_org, name="仅 Skyline")
    other.partners.add(skyline)
    client = sign_in(Role.PARTNER_USER, homely)
    listing = client.get("/partner/campaigns/").content.decode()
    assert campaign.name in listing and "仅 Skyline" not in listing
    page = client.get(f"/partner/campaigns/{campaign.pk}/").content.decode()
    assert "hidden" in texts(page, "td.num") and 'id="threshold-note"' in page
    assert client.get(f"/partner/campaigns/{other.pk}/").status_code == 404
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 403
