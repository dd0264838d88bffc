"""The import page: a CSV into the signed-in user's own organization, all or nothing, with what arrived lately."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from analytics.models import Event
from campaigns.models import CatalogItem, Consumer, Role
from tests.factories import MembershipFactory, OrganizationFactory, PlatformFactory

ITEMS_CSV = "external_ref,kind,title,price\nsofa-1,product,云朵沙发,3999\nlamp-2,product,Reading lamp,199.5\n"
CONSUMERS_CSV = "external_ref,age_band,city\nc-1,25-34,上海\nc-2,35-44,Beijing\n"
EVENTS_CSV = (
    "external_id,type,occurred_at,consumer,item,value\n"
    "e-1,view,2026-11-11T20:30:00+08:00,c-1,sofa-1,\n"
    "e-2,purchase,2026-11-11T21:00:00+08:00,c-1,sofa-1,3999\n"
    "e-3,purchase,2026-11-12T09:00:00+08:00,,lamp-2,199.5\n"
)


def signed_in(organization, role=Role.CAMPAIGN_MANAGER, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(MembershipFactory(organization=organization, role=role).user)
    return client


def upload(client: Client, kind: str, text: str, name: str = "data.csv"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("data-import"), {"kind": kind, "file": file}, follow=True)


def test_a_manager_imports_items_consumers_and_events_and_a_second_import_adds_nothing(db):
    # given a platform's campaign manager
    platform = PlatformFactory()
    client = signed_in(platform)
    # when they import the catalogue, the consumers and the events that name them
    for kind, text in (("items", ITEMS_CSV), ("consumers", CONSUMERS_CSV), ("events", EVENTS_CSV)):
        page = upload(client, kind, text).content.decode()
    # then everything is in the platform's records, with the guest purchase kept without a consumer
    assert CatalogItem.objects.filter(organization=platform).count() == 2
    assert set(Consumer.objects.filter(organization=platform).values_list("external_ref", flat=True)) == {"c-1", "c-2"}
    assert Event.objects.filter(organization=platform).count() == 3
    assert Event.objects.get(external_id="e-3").consumer is None
    assert "Events imported: 3 new, 0 updated, 0 already there (3 rows)." in page
    # and the history lists the three files, newest first
    assert page.count('data-ingest="') == 3 and page.index('data-ingest="events"') < page.index('data-ingest="items"')
    # when the events file is imported again, nothing is added and the page says so
    again = upload(client, "events", EVENTS_CSV).content.decode()
    assert Event.objects.filter(organization=platform).count() == 3
    assert "Events imported: 0 new, 0 updated, 3 already there (3 rows)." in again


def test_a_file_with_bad_rows_writes_nothing_and_lists_each_row_by_its_line(db):
    # given a catalogue whose second and third data lines are wrong
    platform = PlatformFactory()
    client = signed_in(platform)
    text = "external_ref,kind,title,price\nok-1,product,Fine,10\nbad-2,spaceship,Odd,10\nbad-3,product,,-5\n"
    # when it is imported
    response = upload(client, "items", text)
    page = response.content.decode()
    # then nothing was written, and every problem is listed with the line of the file it is on
    assert response.status_code == 200 and not CatalogItem.objects.filter(organization=platform).exists()
    assert "3 problems in the file — nothing was imported." in page
    assert 'data-line="3"' in page and 'data-line="4"' in page and 'data-line="2"' not in page
    assert "<code>kind</code>" in page and "<code>title</code>" in page and "<code>price</code>" in page


def test_files_that_cannot_be_read_or_are_too_long_are_refused_with_the_reason(db, settings):
    platform = PlatformFactory()
    client = signed_in(platform)
    # a file that is not UTF-8
    latin = SimpleUploadedFile("x.csv", "external_ref\nc-é\n".encode("latin-1"), content_type="text/csv")
    page = client.post(reverse("data-import"), {"kind": "consumers", "file": latin}).content.decode()
    assert "The CSV file must be UTF-8." in page
    # more rows than a batch holds
    settings.INGEST_MAX_ROWS = 2
    page = upload(client, "consumers", "external_ref\nc-1\nc-2\nc-3\n").content.decode()
    assert "A batch holds at most 2 rows; split it into smaller batches." in page
    # a form with no kind chosen
    page = upload(client, "", CONSUMERS_CSV).content.decode()
    assert "This field is required." in page
    assert not Consumer.objects.filter(organization=platform).exists()


def test_a_partner_user_imports_into_its_own_organization_only(db):
    # given a platform and a partner, both with a consumer c-1 of their own
    platform, partner = PlatformFactory(), OrganizationFactory()
    Consumer.objects.create(organization=platform, external_ref="c-1")
    # when the partner's user imports consumers
    upload(signed_in(partner, Role.PARTNER_USER), "consumers", CONSUMERS_CSV)
    # then they land in the partner's organization, and the platform's records are untouched
    assert set(Consumer.objects.filter(organization=partner).values_list("external_ref", flat=True)) == {"c-1", "c-2"}
    assert Consumer.objects.filter(organization=platform).count() == 1


def test_an_analyst_reads_what_arrived_but_may_not_import(db):
    # given a platform that received a file
    platform = PlatformFactory()
    upload(signed_in(platform), "items", ITEMS_CSV)
    analyst = signed_in(platform, Role.ANALYST)
    # when an analyst opens the page, then the history is there and the form is not
    page = analyst.get(reverse("data-import")).content.decode()
    assert 'data-ingest="items"' in page and 'id="import-form"' not in page
    # and posting a file anyway is refused
    assert upload(analyst, "items", ITEMS_CSV.replace("sofa-1", "sofa-9")).status_code == 403
    assert not CatalogItem.objects.filter(external_ref="sofa-9").exists()


def test_the_empty_template_of_each_kind_is_its_header_line(db):
    client = signed_in(PlatformFactory())
    response = client.get(reverse("data-import-template", args=["events"]))
    assert response["Content-Type"].startswith("text/csv")
    header = response.content.decode("utf-8-sig").strip()
    assert header.startswith("external_id,type,occurred_at,consumer,item")
    assert client.get(reverse("data-import-template", args=["secrets"])).status_code == 404


def test_the_page_reads_in_chinese(db):
    platform = PlatformFactory()
    client = signed_in(platform, language="zh-hans")
    page = upload(client, "items", ITEMS_CSV).content.decode()
    assert "导入数据" in page and "商品目录已导入：2 条新增" in page and "下载空白模板" in page


def test_a_nul_character_in_a_cell_is_a_row_error_not_a_server_error(db):
    platform = PlatformFactory()
    response = upload(signed_in(platform), "items", "external_ref,kind,title\nbad,product,So\x00fa\n")
    page = response.content.decode()
    assert response.status_code == 200 and 'data-line="2"' in page and "Text may not contain NUL characters." in page
    assert not CatalogItem.objects.filter(organization=platform).exists()


def test_the_history_lists_only_the_batches_of_ones_own_organization(db):
    # given a partner that imported its catalogue
    platform, partner = PlatformFactory(), OrganizationFactory()
    upload(signed_in(partner, Role.PARTNER_USER), "items", ITEMS_CSV)
    # when the platform's manager opens the import page, then the partner's batch is not there
    page = signed_in(platform).get(reverse("data-import")).content.decode()
    assert 'data-ingest="' not in page and "Nothing received yet" in page
