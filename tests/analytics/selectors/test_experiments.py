"""Results from the database equal statsmodels on the same counts; SRM is flagged; partners get k-suppressed cells."""

import pytest
from statsmodels.stats.proportion import proportions_ztest

from analytics.api.experiments import results_payload
from analytics.selectors.experiments import partner_campaign_results
from tests.builders.experiments import running, traffic
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db


def test_conversion_test_equals_statsmodels_on_the_same_counts():
    campaign = running()
    traffic(campaign, {"control": 400, "treatment": 420}, {"control": 40, "treatment": 63})
    payload = results_payload(campaign)
    treatment = payload["comparisons"][0]
    z, p = proportions_ztest([63, 40], [420, 400])
    assert treatment["enough_data"] is True
    assert treatment["p_value"] == pytest.approx(p, rel=1e-9)
    assert treatment["lift"] == pytest.approx(63 / 420 - 40 / 400)
    assert payload["sample_ratio"]["mismatch"] is False
    by_arm = {a["variant"]: a for a in payload["arms"]}
    assert by_arm["treatment"]["revenue"] == pytest.approx(63 * 50)


def test_a_lopsided_split_raises_the_sample_ratio_warning():
    campaign = running()
    traffic(campaign, {"control": 300, "treatment": 500}, {"control": 30, "treatment": 50})
    assert results_payload(campaign)["sample_ratio"]["mismatch"] is True


def test_partner_cells_below_k_are_suppressed_and_counted():
    campaign = running()
    partner = campaign.partners.get()
    AgreementFactory(platform=campaign.organization, partner=partner, min_aggregate_size=30, title="k30")
    traffic(campaign, {"control": 40, "treatment": 40}, {"control": 5, "treatment": 35})
    view = partner_campaign_results(campaign=campaign, partner=partner)
    arms = {a["variant"]: a for a in view["arms"]}
    assert arms["control"]["users"] == 40 and arms["control"]["converters"] is None
    assert arms["treatment"]["converters"] == 35
    assert view["suppressed_cells"] >= 3
