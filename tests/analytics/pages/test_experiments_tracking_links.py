"""`/t/<code>` redirects only to the campaign's allowed hosts, counts the click and records a touch."""

import pytest

from analytics.services.experiments import assignment_get_or_create, destination_allowed, tracking_link_create
from campaigns.models import Exposure, TrackingLink
from tests.builders.experiments import contactable, running
from xmkt_site.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://shop.example/offer?x=1", True),
        ("https://m.shop.example/offer", True),
        ("https://evil.example/", False),
        ("https://shop.example.evil.test/", False),
        ("https://user@shop.example/", False),
        ("javascript:alert(1)", False),
        ("//evil.example", False),
        ("ftp://shop.example/", False),
    ],
)
def test_only_http_urls_on_allowed_hosts_may_be_destinations(url, allowed):
    campaign = running()
    assert destination_allowed(campaign=campaign, destination=url) is allowed


def test_a_link_to_another_host_cannot_be_created():
    with pytest.raises(ApplicationError):
        tracking_link_create(campaign=running(), destination="https://evil.example/", by=None)


def test_following_a_link_redirects_counts_and_records_a_click_touch(client):
    campaign = running()
    (consumer,) = contactable(campaign.organization, 1)
    assignment_get_or_create(campaign=campaign, consumer=consumer)
    link = tracking_link_create(campaign=campaign, destination="https://shop.example/sofa", by=None)
    response = client.get(f"/t/{link.code}", {"c": consumer.external_ref})
    assert response.status_code == 302 and response["Location"] == "https://shop.example/sofa"
    link.refresh_from_db()
    assert link.clicks == 1
    touch = Exposure.objects.get(campaign=campaign)
    assert touch.kind == "click" and touch.tracking_link == link and touch.variant is not None


def test_a_link_whose_host_is_no_longer_allowed_does_not_redirect(client):
    campaign = running()
    link = tracking_link_create(campaign=campaign, destination="https://shop.example/sofa", by=None)
    TrackingLink.objects.filter(pk=link.pk).update(destination="https://evil.example/")
    assert client.get(f"/t/{link.code}").status_code == 404
    assert client.get("/t/unknown").status_code == 404
