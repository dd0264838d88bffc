"""Segment and forecast pages through Django's test client: roles, content, export, run button, empty states."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from analytics.labels import feature_label
from analytics.models import Segment, SegmentMembership
from analytics.services.forecasts import forecasts_build
from analytics.services.profiles import profiles_build
from analytics.services.segments import segments_build
from campaigns.models import AuditEvent, DataPurpose, Role, TaskRun
from tests.builders.html import text
from tests.builders.shop import seed_shop
from tests.factories import ConsentRecordFactory, MembershipFactory

pytestmark = pytest.mark.django_db
FAST = ["seasonal_naive", "dow_mean_8w", "market_model"]


def signed_in(organization, role: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(MembershipFactory(organization=organization, role=role).user)
    return client


@pytest.fixture
def analysed(platform):
    people = seed_shop(platform)
    profiles_build(organization=platform)
    segments_build(organization=platform)
    forecasts_build(organization=platform, horizon=14, top_categories=1, candidates=FAST)
    return people


def test_the_segment_list_shows_every_segment_with_size_and_charts(platform, analysed):
    response = signed_in(platform, Role.ANALYST).get(reverse("segment-list"))
    html = response.content.decode()
    assert response.status_code == 200
    for segment in Segment.objects.filter(organization=platform, is_current=True):
        assert segment.name_en in html
        assert f'data-segment-key="{segment.key}"' in html
    assert 'id="segment-centroid-chart"' in html and 'id="segment-pca-chart"' in html


def test_the_segment_list_in_chinese_uses_the_chinese_names(platform, analysed):
    html = signed_in(platform, Role.ANALYST, "zh-hans").get(reverse("segment-list")).content.decode()
    segment = Segment.objects.filter(organization=platform, is_current=True).first()
    assert segment.name_zh in html and "分群" in text(html, "h1")
    assert '<th scope="col" class="num">占比</th>' in html  # the proportion column, not 分享 (the share event)


def test_the_segment_detail_explains_the_segment(platform, analysed):
    segment = Segment.objects.filter(organization=platform, is_current=True).exclude(distinguishing=[]).first()
    html = signed_in(platform, Role.CAMPAIGN_MANAGER).get(reverse("segment-detail", args=[segment.pk])).content.decode()
    lead = html.split("data-description>")[1].split("</p>")[0]
    assert lead.startswith(f"{segment.share:.1%} of consumers.")
    for feature, _z in segment.distinguishing[:3]:
        assert feature_label(feature) in lead and f"{feature} " not in lead
    assert 'id="segment-distinguishing-chart"' in html and 'id="centroid-table"' in html


def test_the_segment_lead_in_chinese_names_features_in_chinese_with_chinese_punctuation(platform, analysed):
    # Given a segment set apart by some features
    segment = Segment.objects.filter(organization=platform, is_current=True).exclude(distinguishing=[]).first()
    # When a Chinese reader opens it
    html = (
        signed_in(platform, Role.ANALYST, "zh-hans").get(reverse("segment-detail", args=[segment.pk])).content.decode()
    )
    # Then the lead names no internal feature key and reads as a Chinese sentence
    lead = html.split("data-description>")[1].split("</p>")[0]
    assert lead.startswith(f"占全部消费者的 {segment.share:.1%}。") and "平均（z=" in lead
    assert not any(feature in lead for feature, _z in segment.distinguishing[:3] if not feature.startswith("spend_"))


def test_the_member_export_lists_consented_refs_only_and_is_audited(platform, analysed):
    # given a segment with members, one of whom withdrew consent after the run
    segment = Segment.objects.filter(organization=platform, is_current=True, targetable_size__gt=1).first()
    memberships = list(SegmentMembership.objects.filter(segment=segment).select_related("consumer"))
    withdrawn = memberships[0].consumer
    ConsentRecordFactory(consumer=withdrawn, purpose=DataPurpose.PERSONALIZATION, granted=False)

    # when an analyst exports the members
    response = signed_in(platform, Role.ANALYST).get(reverse("segment-export", args=[segment.pk]))

    # then the CSV holds the pseudonymous refs of the consenting members only, and the export is audited
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "external_ref,segment_key"
    refs = {line.split(",")[0] for line in lines[1:]}
    assert refs == {m.consumer.external_ref for m in memberships[1:]}
    audit = AuditEvent.objects.get(action="segment.export")
    assert audit.metadata == {"members": len(memberships) - 1}


def test_member_refs_a_spreadsheet_would_run_are_exported_as_text(platform, analysed):
    # given two members whose refs start like a formula, one of them behind a tab
    segment = Segment.objects.filter(organization=platform, is_current=True, targetable_size__gt=1).first()
    memberships = SegmentMembership.objects.filter(segment=segment).select_related("consumer")
    first, second = [membership.consumer for membership in memberships][:2]
    first.external_ref, second.external_ref = "=HYPERLINK(1)", "\t=1"
    first.save(update_fields=["external_ref"])
    second.save(update_fields=["external_ref"])

    # when an analyst exports the members
    response = signed_in(platform, Role.ANALYST).get(reverse("segment-export", args=[segment.pk]))

    # then both refs are quoted as text
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {"'=HYPERLINK(1)", "'\t=1"} <= {row[0] for row in rows[1:]}


def test_pages_refuse_privacy_admins_and_partner_users(platform, partner, analysed):
    assert signed_in(platform, Role.PRIVACY_ADMIN).get(reverse("segment-list")).status_code == 403
    assert signed_in(partner, Role.PARTNER_USER).get(reverse("forecast-list")).status_code == 403


def test_another_organizations_segment_is_a_404(platform, partner, analysed):
    segment = Segment.objects.filter(organization=platform).first()
    client = signed_in(partner, Role.ADMIN)
    assert client.get(reverse("segment-detail", args=[segment.pk])).status_code == 404
    assert client.get(reverse("segment-export", args=[segment.pk])).status_code == 404


def test_empty_states_offer_to_run_the_pipeline(platform):
    client = signed_in(platform, Role.ANALYST)
    segments_html = client.get(reverse("segment-list")).content.decode()
    forecasts_html = client.get(reverse("forecast-list")).content.decode()
    assert "No segments yet — run the analytics pipeline" in segments_html
    assert "No forecasts yet — run the analytics pipeline" in forecasts_html
    assert reverse("analytics-run") in segments_html


def test_the_run_button_queues_the_pipeline(platform, django_capture_on_commit_callbacks, settings):
    # given an empty organization (so the eager chain finishes at once)
    client = signed_in(platform, Role.CAMPAIGN_MANAGER)

    # when the manager presses "Run analytics"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analytics-run"), {"next": reverse("forecast-list")})

    # then three jobs were created and ran, and the page returns where it was
    assert response.status_code == 302 and response.url == reverse("forecast-list")
    assert TaskRun.objects.filter(organization=platform, task_name__startswith="analytics.tasks.").count() == 3


def test_the_forecast_pages_show_the_chart_backtest_and_winner(platform, analysed):
    client = signed_in(platform, Role.ANALYST)
    html = client.get(reverse("forecast-list")).content.decode()
    assert 'data-series="total"' in html and 'id="forecast-chart"' in html
    filtered = client.get(reverse("forecast-list"), {"series": "total", "metric": "units"}).content.decode()
    assert 'data-metric="units"' in filtered and 'data-metric="revenue"' not in filtered.split("forecast-table")[1]
    from analytics.models import Forecast

    forecast = Forecast.objects.get(organization=platform, series_kind="total", metric="revenue")
    detail = client.get(reverse("forecast-detail", args=[forecast.pk])).content.decode()
    assert 'id="backtest-table"' in detail and "data-chosen" in detail
    assert "lowest backtest error" in detail
    assert 'id="forecast-drivers-chart"' in detail
    # the drivers are named for readers, not by their coefficient keys
    assert "Trend per week" in detail and "trend_per_week" not in detail and '"weekday_1"' not in detail


def test_forecast_pages_in_chinese_name_the_series_and_group_digits(platform, analysed):
    # Given a category forecast whose backtest error is in the thousands
    from analytics.models import Forecast

    forecast = Forecast.objects.filter(organization=platform, series_kind="category", is_current=True).first()
    Forecast.objects.filter(pk=forecast.pk).update(mae=3104.4)
    client = signed_in(platform, Role.ANALYST, "zh-hans")
    # When a Chinese reader opens the list and the forecast
    listing = client.get(reverse("forecast-list")).content.decode()
    detail = client.get(reverse("forecast-detail", args=[forecast.pk])).content.decode()
    # Then the series reads "类目：<name>" with a full-width colon, and the MAE has thousands separators everywhere
    assert f'aria-current="page">类目：{forecast.series_key}</li>' in detail
    assert f">类目：{forecast.series_key}</a>" in listing and ">3,104.40</td>" in listing
    assert 'data-kpi="mae">3,104.40<' in detail
    # And the backtest explanation of the total ends with a Chinese full stop
    total = Forecast.objects.get(organization=platform, series_kind="total", metric="revenue")
    total_detail = client.get(reverse("forecast-detail", args=[total.pk])).content.decode()
    explanation = total_detail.split("data-explanation>")[1].split("</p>")[0]
    assert explanation.endswith("。") and not explanation.endswith(".")
