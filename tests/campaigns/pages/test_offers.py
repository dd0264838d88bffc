"""Offer and code-pool pages: create and edit an offer, generate or import codes (all or nothing, bad rows listed
with their line), pool stats and spend vs budget on the detail page, and who may do it."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import Campaign, CodePool, DiscountCode, Offer, Role
from campaigns.services.offers import (
    CodeImportRejected,
    code_pool_create,
    code_redeem,
    codes_import,
    codes_import_strict,
    codes_parse,
    offer_create,
)
from tests.builders.html import text
from tests.factories import CampaignFactory, CatalogItemFactory, PlatformFactory

pytestmark = pytest.mark.django_db


def test_a_manager_creates_an_offer_bundling_a_course_with_a_partner_voucher(manager_client, campaign, homely):
    course = CatalogItemFactory(organization=campaign.organization, title="收纳整理入门")
    voucher = CatalogItemFactory(organization=homely, kind="product", title="家居代金券 50 元")
    response = manager_client.post(
        f"/campaigns/{campaign.pk}/offers/new/",
        {
            "name": "课程+代金券",
            "course": course.pk,
            "partner": homely.pk,
            "voucher_item": voucher.pk,
            "voucher_value": "50",
            "bundle_price": "199",
            "unit_cost": "30",
        },
    )
    offer = Offer.objects.get(campaign=campaign)
    assert response.status_code == 302 and response["Location"].endswith(f"/campaigns/{campaign.pk}/#offers")
    assert (offer.course, offer.partner, offer.voucher_item, offer.unit_cost) == (course, homely, voucher, 30)
    page = manager_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    row = text(page, f"tr[data-offer={offer.pk}]")
    assert "课程+代金券" in row and "收纳整理入门" in row and "¥30.00" in row


def test_a_voucher_item_of_another_organization_is_refused_with_the_reason(manager_client, campaign, homely):
    course = CatalogItemFactory(organization=campaign.organization)
    foreign = CatalogItemFactory(organization=campaign.organization, kind="product")
    response = manager_client.post(
        f"/campaigns/{campaign.pk}/offers/new/",
        {"name": "x", "course": course.pk, "partner": homely.pk, "voucher_item": foreign.pk, "unit_cost": "1"},
        follow=True,
    )
    assert not Offer.objects.filter(campaign=campaign).exists()
    assert "Select a valid choice" in response.content.decode()  # only the partners' own items are offered


def test_an_offer_is_edited_before_launch_and_frozen_after(manager_client, campaign, offer):
    url = f"/campaigns/{campaign.pk}/offers/{offer.pk}/edit/"
    assert manager_client.get(url).status_code == 200
    manager_client.post(url, {"name": "新名字", "voucher_value": "0", "bundle_price": "0", "unit_cost": "40"})
    offer.refresh_from_db()
    assert (offer.name, offer.unit_cost) == ("新名字", Decimal("40.00"))
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.RUNNING)
    manager_client.post(url, {"name": "again", "voucher_value": "0", "bundle_price": "0", "unit_cost": "1"})
    offer.refresh_from_db()
    assert offer.unit_cost == Decimal("40.00")


def test_a_pool_of_generated_codes_shows_its_stats_on_the_detail_page(manager_client, campaign, offer):
    response = manager_client.post(
        f"/campaigns/{campaign.pk}/offers/{offer.pk}/code-pools/new/",
        {"name": "第一批", "source": "generate", "generate": "120"},
    )
    pool = CodePool.objects.get(offer=offer)
    assert response.status_code == 302 and pool.codes.count() == 120
    page = manager_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert text(page, f"tr[data-pool={pool.pk}] td.pool-total") == "120"


def test_a_csv_import_with_a_header_adds_every_code(manager_client, campaign, offer):
    upload = SimpleUploadedFile("codes.csv", b"code,note\nab-1,x\nAB-2,y\n\nab_3,z\n", "text/csv")
    response = manager_client.post(
        f"/campaigns/{campaign.pk}/offers/{offer.pk}/code-pools/new/",
        {"name": "合作方券码", "source": "import", "codes_file": upload},
    )
    assert response.status_code == 302
    assert sorted(CodePool.objects.get(offer=offer).codes.values_list("code", flat=True)) == ["AB-1", "AB-2", "AB_3"]


def test_a_gbk_encoded_file_from_a_chinese_spreadsheet_is_read(manager_client, campaign, offer):
    upload = SimpleUploadedFile("券码.csv", "券码\nHOME01\nHOME02\n".encode("gbk"), "text/csv")
    manager_client.post(
        f"/campaigns/{campaign.pk}/offers/{offer.pk}/code-pools/new/",
        {"name": "GBK", "source": "import", "codes_file": upload},
    )
    assert sorted(DiscountCode.objects.filter(pool__offer=offer).values_list("code", flat=True)) == [
        "HOME01",
        "HOME02",
    ]


def test_an_import_with_bad_rows_imports_nothing_and_lists_each_line_and_reason(manager_client, campaign, offer):
    pasted = "GOOD1\nbad code!\nGOOD2\ngood1\n" + "X" * 70 + "\n"
    response = manager_client.post(
        f"/campaigns/{campaign.pk}/offers/{offer.pk}/code-pools/new/",
        {"name": "有问题的", "source": "import", "codes": pasted},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert not CodePool.objects.filter(offer=offer).exists() and not DiscountCode.objects.exists()
    assert 'data-line="2"' in page and "only letters, digits, - and _ are allowed" in page
    assert 'data-line="4"' in page and "appears twice in the file" in page and "first on line 1" in page
    assert 'data-line="5"' in page and "longer than 64 characters" in page
    assert (
        'data-line="3"' not in page
        and text(page, "#import-problems strong") == "3 rows refused — nothing was imported."
    )


def test_the_import_problems_are_listed_in_chinese_for_a_chinese_reader(sign_in, platform_org, campaign, offer):
    client = sign_in(Role.CAMPAIGN_MANAGER, platform_org)
    page = client.post(
        f"/campaigns/{campaign.pk}/offers/{offer.pk}/code-pools/new/",
        {"name": "重复", "source": "import", "codes": "A1\nA1\n"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "在文件中出现了两次" in page and "未导入任何券码" in page


def test_a_strict_import_refuses_codes_already_in_the_pool():
    campaign = CampaignFactory()
    pool = code_pool_create(offer=offer_create(campaign=campaign, name="o", by=None), name="p", by=None)
    codes_import(pool=pool, codes=["KEEP1"], by=None)
    with pytest.raises(CodeImportRejected) as refused:
        codes_import_strict(pool=pool, text="NEW1\nkeep1\n", by=None)
    assert [(p.line, p.reason) for p in refused.value.problems] == [(2, "already_in_pool")]
    assert list(pool.codes.values_list("code", flat=True)) == ["KEEP1"]


def test_parsing_reads_the_first_csv_column_and_skips_blank_lines_and_the_header():
    rows, problems = codes_parse(text='code\n"QUOTED,1",x\n\n  spaced  \n')
    assert [(p.line, p.value, p.reason) for p in problems] == [(2, "QUOTED,1", "invalid_characters")]
    assert rows == [(4, "SPACED")]


def test_pool_stats_and_spend_follow_redemptions(manager_client, campaign, offer):
    pool = code_pool_create(offer=offer, name="池", by=None)
    codes_import(pool=pool, codes=["C1", "C2", "C3"], by=None)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.RUNNING)
    pool = CodePool.objects.get(pk=pool.pk)
    code_redeem(pool=pool, consumer=None, redemption_ref="order-1")
    code_redeem(pool=pool, consumer=None, redemption_ref="order-2")
    page = manager_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    row = page[page.index(f'data-pool="{pool.pk}"') :]
    assert '<td class="num pool-total">3</td>' in row and '<td class="num pool-redeemed">2</td>' in row
    assert '<td class="num pool-remaining">1</td>' in row
    assert 'id="spent-amount">¥50.00<' in page and "Remaining ¥950.00" in text(
        page, "#spend-vs-budget"
    )  # 2 x ¥25 of ¥1,000


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PARTNER_USER])
def test_analysts_and_partners_may_not_open_the_offer_pages(sign_in, platform_org, homely, campaign, offer, role):
    client = sign_in(role, homely if role == Role.PARTNER_USER else platform_org)
    for url in (
        f"/campaigns/{campaign.pk}/offers/new/",
        f"/campaigns/{campaign.pk}/offers/{offer.pk}/edit/",
        f"/campaigns/{campaign.pk}/offers/{offer.pk}/code-pools/new/",
        f"/campaigns/{campaign.pk}/code-pools/{code_pool_create(offer=offer, name='p', by=None).pk}/add/",
    ):
        assert client.get(url).status_code == 403
        assert (
            client.post(url, {"name": "x", "source": "generate", "generate": "5", "unit_cost": "0"}).status_code == 403
        )
    assert not DiscountCode.objects.exists() and CodePool.objects.count() == 1  # only the pool made above


def test_a_manager_of_another_platform_gets_not_found(sign_in, offer, campaign):
    other = sign_in(Role.CAMPAIGN_MANAGER, PlatformFactory())
    assert other.get(f"/campaigns/{campaign.pk}/offers/{offer.pk}/code-pools/new/").status_code == 404
    assert other.post(f"/campaigns/{campaign.pk}/offers/new/", {"name": "x", "unit_cost": "0"}).status_code == 404


def test_a_large_strict_import_is_all_added_in_one_go():
    campaign = CampaignFactory()
    pool = code_pool_create(offer=offer_create(campaign=campaign, name="o", by=None), name="p", by=None)
    codes_import(pool=pool, codes=["EXISTING"], by=None)
    text = "\n".join(f"BULK-{i:05d}" for i in range(20_000))
    assert codes_import_strict(pool=pool, text=text, by=None).added == 20_000
    assert pool.codes.count() == 20_001


def test_more_codes_are_added_to_an_existing_pool_strictly(manager_client, campaign, offer):
    pool = code_pool_create(offer=offer, name="池", by=None)
    codes_import(pool=pool, codes=["OLD1", "OLD2"], by=None)
    url = f"/campaigns/{campaign.pk}/code-pools/{pool.pk}/add/"
    refused = manager_client.post(url, {"source": "import", "codes": "NEW1\nold2\n"})
    assert 'data-line="2"' in refused.content.decode() and "already in this pool" in refused.content.decode()
    assert pool.codes.count() == 2
    added = manager_client.post(url, {"source": "import", "codes": "NEW1\nNEW2\n"})
    assert added.status_code == 302 and pool.codes.count() == 4
    manager_client.post(url, {"source": "generate", "generate": "6"})
    assert pool.codes.count() == 10


def test_no_codes_are_added_once_the_campaign_has_ended(manager_client, campaign, offer):
    pool = code_pool_create(offer=offer, name="池", by=None)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.COMPLETED)
    response = manager_client.post(
        f"/campaigns/{campaign.pk}/code-pools/{pool.pk}/add/", {"source": "generate", "generate": "5"}, follow=True
    )
    assert pool.codes.count() == 0 and "The campaign has ended: no new codes." in response.content.decode()


def test_a_pool_of_another_campaign_cannot_be_topped_up_through_this_one(manager_client, campaign, platform_org):
    other = CampaignFactory(organization=platform_org)
    pool = code_pool_create(offer=offer_create(campaign=other, name="o", by=None), name="p", by=None)
    response = manager_client.post(
        f"/campaigns/{campaign.pk}/code-pools/{pool.pk}/add/", {"source": "generate", "generate": "5"}
    )
    assert response.status_code == 404 and pool.codes.count() == 0
