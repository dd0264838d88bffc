"""Partner list and detail, with agreements and API keys (created with the secret shown once, revoked)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from campaigns.models import ApiScope, AuditEvent, PartnerApiKey, Role
from campaigns.services.api_keys import api_key_create
from tests.builders.html import text, texts
from tests.factories import AgreementFactory, OrganizationFactory


def test_partner_list_shows_partners_not_the_platform(manager_client, platform_org, homely, skyline):
    body = manager_client.get(reverse("partner-list")).content.decode()
    assert "Homely 家居" in body
    assert "Skyline 地产" in body
    assert platform_org.name not in body.split('id="partner-table"')[1]


def test_partner_list_filters_by_industry_and_search(manager_client, homely, skyline):
    by_industry = manager_client.get(reverse("partner-list"), {"industry": "real_estate"}).content.decode()
    assert "Skyline 地产" in by_industry and "Homely 家居" not in by_industry
    by_search = manager_client.get(reverse("partner-list"), {"q": "home"}).content.decode()
    assert "Homely 家居" in by_search and "Skyline 地产" not in by_search


def test_partner_list_sorts_descending_by_name(manager_client, homely, skyline):
    body = manager_client.get(reverse("partner-list"), {"sort": "-name"}).content.decode()
    assert body.index("Skyline 地产") < body.index("Homely 家居")


def test_partner_list_paginates(manager_client):
    for number in range(25):
        OrganizationFactory(slug=f"p{number:02d}", name=f"Partner {number:02d}")
    first = manager_client.get(reverse("partner-list")).content.decode()
    second = manager_client.get(reverse("partner-list"), {"page": 2}).content.decode()
    listed_first, listed_second = (texts(html, "#partner-table tbody td a") for html in (first, second))
    assert "Partner 00" in listed_first and "Partner 24" not in listed_first
    assert "Partner 24" in listed_second and text(first, ".pagination [aria-current=page]") == "1 / 2"


def test_partner_list_htmx_filter_returns_only_the_table(manager_client, homely):
    response = manager_client.get(reverse("partner-list"), {"q": "homely"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div class="card" id="partner-table">')
    assert "<html" not in body


def test_partner_list_empty_state_says_what_to_do(manager_client):
    assert "No partners yet" in manager_client.get(reverse("partner-list")).content.decode()


def test_partner_detail_shows_agreements_and_keys(manager_client, platform_org, homely):
    # given
    AgreementFactory(platform=platform_org, partner=homely, title="2026 家居联名协议", min_aggregate_size=80)
    api_key_create(organization=homely, name="Order sync", scopes=[ApiScope.EVENTS_WRITE])
    # when
    body = manager_client.get(reverse("partner-detail", args=[homely.pk])).content.decode()
    # then
    assert "2026 家居联名协议" in body
    assert "Sharing with a partner" in body  # purposes shown as translated labels
    assert "80" in texts(body, "section[aria-labelledby=agreements-heading] td.num")
    assert "Order sync" in body
    assert "Write events" in body
    assert reverse("api-key-create", args=[homely.pk]) in body


def test_privacy_admin_reads_partner_detail_without_key_actions(privacy_client, homely):
    api_key_create(organization=homely, name="Order sync", scopes=[ApiScope.EVENTS_WRITE])
    body = privacy_client.get(reverse("partner-detail", args=[homely.pk])).content.decode()
    assert "Order sync" in body
    assert reverse("api-key-create", args=[homely.pk]) not in body
    assert privacy_client.get(reverse("api-key-create", args=[homely.pk])).status_code == 403


def test_partner_user_cannot_open_another_partners_detail(sign_in, homely, skyline):
    client = sign_in(Role.PARTNER_USER, homely)
    assert client.get(reverse("partner-detail", args=[skyline.pk])).status_code == 404


def test_partner_user_reads_its_own_partner_page_but_cannot_manage_keys(sign_in, homely):
    client = sign_in(Role.PARTNER_USER, homely)
    response = client.get(reverse("partner-detail", args=[homely.pk]))
    assert response.status_code == 200
    assert reverse("api-key-create", args=[homely.pk]) not in response.content.decode()
    assert client.post(reverse("api-key-create", args=[homely.pk]), {"name": "x"}).status_code == 403


def test_platform_organization_is_not_a_partner_detail(manager_client, platform_org):
    assert manager_client.get(reverse("partner-detail", args=[platform_org.pk])).status_code == 404


def test_created_api_key_secret_is_shown_exactly_once(manager_client, homely):
    # when a manager creates a key
    response = manager_client.post(
        reverse("api-key-create", args=[homely.pk]),
        {"name": "Order sync", "scopes": [ApiScope.EVENTS_WRITE, ApiScope.CATALOG_WRITE]},
    )
    # then the next page shows the secret
    assert response.status_code == 302
    api_key = PartnerApiKey.objects.get(organization=homely)
    assert response["Location"] == reverse("api-key-issued", args=[homely.pk, api_key.pk])
    first = manager_client.get(response["Location"])
    secret = first.content.decode().split("data-secret>")[1].split("<")[0]
    assert secret.startswith(f"xmkt_{api_key.prefix}.")
    assert first["Cache-Control"] == "no-store"
    assert sorted(api_key.scopes) == [ApiScope.CATALOG_WRITE, ApiScope.EVENTS_WRITE]
    assert api_key.created_by == manager_client.user
    # and never again: not on a reload, not on the partner page
    again = manager_client.get(response["Location"]).content.decode()
    assert secret not in again
    assert "no longer available" in again
    assert secret not in manager_client.get(reverse("partner-detail", args=[homely.pk])).content.decode()
    # and the key works against the API
    ping = manager_client.get("/api/v1/ping/", HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert ping.status_code == 200


def test_api_key_form_rejects_missing_scopes_and_past_expiry(manager_client, homely):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = manager_client.post(
        reverse("api-key-create", args=[homely.pk]), {"name": "Order sync", "expires_on": yesterday}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required." in body
    assert "Choose today or a later day." in body
    assert not PartnerApiKey.objects.exists()


def test_api_key_with_expiry_day_expires_at_the_end_of_that_day(manager_client, homely):
    day = timezone.localdate() + timedelta(days=30)
    manager_client.post(
        reverse("api-key-create", args=[homely.pk]),
        {"name": "Short lived", "scopes": [ApiScope.EVENTS_WRITE], "expires_on": day.isoformat()},
    )
    expires_at = timezone.localtime(PartnerApiKey.objects.get().expires_at)
    assert (expires_at.date(), expires_at.hour, expires_at.minute) == (day, 23, 59)


def test_revoking_a_key_asks_for_confirmation_then_revokes(manager_client, homely):
    # given
    api_key = api_key_create(organization=homely, name="Order sync", scopes=[ApiScope.EVENTS_WRITE]).api_key
    url = reverse("api-key-revoke", args=[homely.pk, api_key.pk])
    # when the manager opens the confirmation
    confirm = manager_client.get(url)
    api_key.refresh_from_db()
    assert confirm.status_code == 200 and api_key.revoked_at is None
    # and confirms
    response = manager_client.post(url)
    # then
    api_key.refresh_from_db()
    assert response.status_code == 302
    assert api_key.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_key.revoke", actor=manager_client.user).exists()
    assert "Revoked" in manager_client.get(reverse("partner-detail", args=[homely.pk])).content.decode()


def test_key_of_another_partner_cannot_be_revoked_through_this_partner(manager_client, homely, skyline):
    api_key = api_key_create(organization=skyline, name="Skyline sync", scopes=[ApiScope.EVENTS_WRITE]).api_key
    response = manager_client.post(reverse("api-key-revoke", args=[homely.pk, api_key.pk]))
    api_key.refresh_from_db()
    assert response.status_code == 404
    assert api_key.revoked_at is None


def test_partner_list_exports_the_filtered_partners_as_csv(manager_client, homely, skyline):
    response = manager_client.get(reverse("partner-list"), {"industry": "real_estate", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[0] == "Name,Slug,Industry,State,Active agreements,Active API keys"
    assert rows[1:] == ["Skyline 地产,skyline,Real estate,Active,0,0"]


def test_partner_csv_export_does_not_let_a_name_run_as_a_formula(manager_client):
    OrganizationFactory(slug="evil", name="=HYPERLINK(1)")
    rows = manager_client.get(reverse("partner-list"), {"export": "csv"}).content.decode("utf-8-sig").splitlines()
    assert rows[1].startswith("'=HYPERLINK(1)")


def test_partner_list_htmx_table_carries_the_export_link_for_its_filters(manager_client, homely):
    body = manager_client.get(reverse("partner-list"), {"q": "homely"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'href="?q=homely&amp;export=csv"' in body


def test_partner_detail_shows_what_the_partner_sent_and_the_campaigns_it_is_in(manager_client, platform_org, homely):
    # given Homely (with an agreement in force) sent a catalogue batch through its key, holds two items (one inactive)
    # and a consumer, and is in two of the platform's campaigns; another partner is in a third
    from campaigns.models import CatalogItem, Consumer
    from campaigns.services.ingestion import catalog_item_batch_ingest
    from tests.factories import CampaignFactory

    AgreementFactory(platform=platform_org, partner=homely)
    key = api_key_create(organization=homely, name="目录同步", scopes=[ApiScope.CATALOG_WRITE]).api_key
    rows = [
        {"external_ref": "sofa", "kind": "product", "title": "Sofa"},
        {"external_ref": "lamp", "kind": "product", "title": "Lamp", "active": "false"},
    ]
    catalog_item_batch_ingest(organization=homely, rows=rows, api_key=key)
    Consumer.objects.create(organization=homely, external_ref="h-1")
    for status in ("running", "draft"):
        CampaignFactory(organization=platform_org, status=status).partners.add(homely)
    CampaignFactory(organization=platform_org, status="running").partners.add(OrganizationFactory(slug="elsewhere"))
    # when a manager opens Homely's page
    body = manager_client.get(reverse("partner-detail", args=[homely.pk])).content.decode()
    # then the counts, the campaigns by status with a link to them, and the batch with its key are there
    assert CatalogItem.objects.filter(organization=homely).count() == 2
    assert 'data-kpi="catalog-items">2<' in body and "1 active" in texts(body, ".kpi-note")
    assert 'data-kpi="partner-consumers">1<' in body
    assert 'data-campaign-status="running"' in body and 'data-campaign-status="draft"' in body
    assert f'href="/campaigns/?partner={homely.pk}"' in body
    assert 'data-ingest="items"' in body and "API key “目录同步”" in body


def test_the_campaign_list_filters_by_partner_for_the_platform_only(manager_client, sign_in, platform_org, homely):
    # given two campaigns, one with Homely
    from tests.factories import CampaignFactory

    with_homely = CampaignFactory(organization=platform_org, name="With Homely")
    with_homely.partners.add(homely)
    CampaignFactory(organization=platform_org, name="Without partner")
    # when the manager follows the partner page's link
    body = manager_client.get(reverse("campaign-list"), {"partner": homely.pk}).content.decode()
    # then only Homely's campaign is listed, under a visible partner filter
    assert "With Homely" in body and "Without partner" not in body
    assert f'data-filter-partner="{homely.pk}"' in body and "Partner: Homely 家居" in body
    # and the filter is the platform's: a partner's own user (who sees only its own campaigns anyway) gets no filter
    partner_body = (
        sign_in(Role.PARTNER_USER, homely).get(reverse("campaign-list"), {"partner": homely.pk}).content.decode()
    )
    assert "data-filter-partner" not in partner_body and "With Homely" in partner_body
    # and a value that only looks like a number is ignored, not a server error
    odd = manager_client.get(reverse("campaign-list"), {"partner": "²"})
    assert odd.status_code == 200 and "Without partner" in odd.content.decode()


def test_a_platform_without_an_agreement_sees_no_data_activity_of_the_partner(sign_in, platform_org, homely):
    # given Homely sent a batch and has an agreement with the platform, but not with a second platform
    from campaigns.services.ingestion import consumer_batch_ingest
    from tests.factories import PlatformFactory

    AgreementFactory(platform=platform_org, partner=homely)
    consumer_batch_ingest(organization=homely, rows=[{"external_ref": "h-1"}])
    stranger = sign_in(Role.CAMPAIGN_MANAGER, PlatformFactory(slug="other-platform"))
    # when a manager of the other platform opens Homely's page
    body = stranger.get(reverse("partner-detail", args=[homely.pk])).content.decode()
    # then volumes and batches are not shown, and the page says why; the agreed platform still sees them
    assert "data-activity-hidden" in body and 'data-ingest="consumers"' not in body
    assert 'data-kpi="partner-consumers"' not in body
    agreed = (
        sign_in(Role.CAMPAIGN_MANAGER, platform_org).get(reverse("partner-detail", args=[homely.pk])).content.decode()
    )
    assert 'data-ingest="consumers"' in agreed and 'data-kpi="partner-consumers">1<' in agreed
