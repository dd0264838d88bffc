"""The partner portal reads the same partner-safe figures as the API: conversions the partner reported itself cannot
lift a hidden cell of its campaign page into view."""

import re

import pytest

from analytics.services.experiments import conversions_record
from campaigns.models import Assignment, Conversion, DataPurpose, Role
from tests.builders.experiments import running, traffic
from tests.factories import AgreementFactory, ConsentRecordFactory

pytestmark = pytest.mark.django_db


def arm_cells(page: str, name: str) -> list[str]:
    """The text of each cell of the arm's row in the partner's arms table."""
    table = page.split('id="partner-arms"', 1)[1].split("</table>", 1)[0]
    row = next(r for r in table.split("<tr>") if f"<td>{name}</td>" in r)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_conversions_the_partner_reported_cannot_unhide_its_converters_cell(sign_in, platform_org, homely):
    # given 120 users per arm, 41 treatment converters and k = 50: the treatment's converters are hidden
    campaign = running(platform=platform_org)
    campaign.partners.set([homely])
    AgreementFactory(platform=platform_org, partner=homely, min_aggregate_size=50, title="k=50")
    traffic(campaign, {"control": 120, "treatment": 120}, {"control": 60, "treatment": 41})
    client = sign_in(Role.PARTNER_USER, homely)
    assert arm_cells(client.get(f"/partner/campaigns/{campaign.pk}/").content.decode(), "Treatment")[2] == "hidden"
    # when the partner reports conversions for 70 treatment non-buyers who share with it
    bought = set(Conversion.objects.values_list("consumer_id", flat=True))
    targets = [
        a.consumer
        for a in Assignment.objects.filter(campaign=campaign, variant__key="treatment").select_related("consumer")
        if a.consumer_id not in bought
    ][:70]
    for consumer in targets:
        ConsentRecordFactory(consumer=consumer, purpose=DataPurpose.PARTNER_SHARING, recipient=homely)
    items = [{"consumer": c.external_ref, "external_id": f"pad-{i}", "value": "0"} for i, c in enumerate(targets)]
    assert conversions_record(campaign=campaign, items=items, partner=homely).accepted == 70
    # then its page still hides the converters, the rate and the revenue of that arm
    cells = arm_cells(client.get(f"/partner/campaigns/{campaign.pk}/").content.decode(), "Treatment")
    assert cells[1:] == ["120", "hidden", "hidden", "hidden"]
