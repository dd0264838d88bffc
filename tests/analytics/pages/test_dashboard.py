"""The dashboard shows real figures of the actor's own organization."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from analytics.models import EventType
from campaigns.models import Role, TaskRun
from tests.builders.html import text, texts
from tests.factories import ConsumerFactory, DailyEventRollupFactory, OrganizationFactory, TaskRunFactory


def test_dashboard_shows_the_figures_and_the_chart(admin_client, platform_org, homely, skyline):
    # given
    ConsumerFactory.create_batch(3, organization=platform_org)
    today = timezone.localdate()
    DailyEventRollupFactory(
        organization=platform_org, date=today, type=EventType.PURCHASE, events=12_345, value=Decimal("98765.40")
    )
    DailyEventRollupFactory(organization=platform_org, date=today - timedelta(days=1), type=EventType.VIEW, events=20)
    TaskRunFactory(task_name="analytics.tasks.rollup.rollup_events", organization=platform_org, progress=40)
    # when
    response = admin_client.get(reverse("dashboard"))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-kpi="partners">2<' in body
    assert 'data-kpi="consumers">3<' in body
    assert 'data-kpi="events">12,365<' in body
    assert text(body, "[data-kpi=purchase-value]") == "¥98,765.40"
    assert 'id="events-per-day-chart"' in body
    assert "Events per day" in body
    assert "vendor/plotly/plotly.min.js" in body
    assert "Daily event rollup" in body  # the job by its name, not its Celery path


def test_dashboard_in_chinese_uses_wan_and_translated_chart_title(admin_client, platform_org):
    # given
    DailyEventRollupFactory(organization=platform_org, date=timezone.localdate(), type=EventType.VIEW, events=123_456)
    # when
    response = admin_client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    # then
    body = response.content.decode()
    assert 'data-kpi="events">12.35万<' in body
    assert "每日事件数" in body


def test_dashboard_without_events_explains_what_to_do(admin_client):
    body = admin_client.get(reverse("dashboard")).content.decode()
    assert "No events rolled up yet" in body
    assert 'id="events-per-day-chart"' not in body


def test_partner_user_sees_only_its_own_organization_figures(sign_in, platform_org, homely):
    # given consumers and events at the platform and at the partner
    ConsumerFactory.create_batch(5, organization=platform_org)
    ConsumerFactory.create_batch(2, organization=homely)
    DailyEventRollupFactory(organization=platform_org, date=timezone.localdate(), type=EventType.VIEW, events=999)
    DailyEventRollupFactory(organization=homely, date=timezone.localdate(), type=EventType.VIEW, events=17)
    TaskRunFactory(task_name="platform.secret.job", organization=platform_org)
    client = sign_in(Role.PARTNER_USER, homely)
    # when
    body = client.get(reverse("dashboard")).content.decode()
    # then
    assert 'data-kpi="consumers">2<' in body
    assert 'data-kpi="events">17<' in body
    assert "999" not in text(body, "#main-content")
    assert "platform.secret.job" not in body
    assert reverse("partner-detail", args=[homely.pk]) in body  # its own agreements and keys, one click away


def test_partner_dashboard_counts_its_active_agreements(sign_in, platform_org, homely):
    from tests.factories import AgreementFactory

    AgreementFactory(platform=platform_org, partner=homely)
    AgreementFactory(platform=platform_org, partner=homely, status="draft")
    AgreementFactory(platform=platform_org, partner=OrganizationFactory(slug="third"))
    client = sign_in(Role.PARTNER_USER, homely)
    body = client.get(reverse("dashboard")).content.decode()
    assert 'data-kpi="partners">1<' in body


def campaign_with_conversions(platform, partner, *, name, status, converters, value="10.00", credited_to=None):
    """A campaign with `converters` consumers assigned to its one arm, each converting once for `value`."""
    from campaigns.models import Assignment, Campaign, Conversion, Variant
    from tests.factories import CampaignFactory

    campaign = CampaignFactory(organization=platform, name=name, status=status, starts_at=timezone.now())
    campaign.partners.add(partner)
    arm = Variant.objects.create(campaign=campaign, key="a", name="A", is_control=True)
    for index, consumer in enumerate(ConsumerFactory.create_batch(converters, organization=platform)):
        Assignment.objects.create(consumer=consumer, campaign=campaign, variant=arm)
        Conversion.objects.create(
            campaign=campaign,
            consumer=consumer,
            variant=arm,
            partner=credited_to,
            value=Decimal(value),
            external_id=f"{name}-{index}",
            occurred_at=timezone.now(),
        )
    assert campaign.status == status and Campaign.objects.filter(pk=campaign.pk).exists()
    return campaign


def test_dashboard_lists_live_campaigns_first_with_reach_conversions_and_revenue(admin_client, platform_org, homely):
    # given a running and a completed campaign with conversions, and a draft that is not under way
    from tests.factories import CampaignFactory

    done = campaign_with_conversions(platform_org, homely, name="Spring sofas", status="completed", converters=2)
    live = campaign_with_conversions(
        platform_org, homely, name="Home course × Homely", status="running", converters=3, value="120.50"
    )
    CampaignFactory(organization=platform_org, name="Unsent draft", status="draft")
    # when the admin opens the dashboard
    body = admin_client.get(reverse("dashboard")).content.decode()
    # then both campaigns are listed, the running one first, with their own figures; the draft is not
    assert body.index(f'data-campaign="{live.pk}"') < body.index(f'data-campaign="{done.pk}"')
    assert "Unsent draft" not in body
    cells = texts(body, f"tr[data-campaign={live.pk}] td")
    assert (
        "Homely 家居" in cells
        and "3" in cells
        and text(body, f"tr[data-campaign={live.pk}] [data-figure=revenue]") == "¥361.50"
    )
    assert 'data-campaign-status="running"' in body and 'data-campaign-status="completed"' in body
    assert 'data-campaign-status="draft"' not in body


def test_partner_dashboard_shows_only_what_is_credited_to_it_above_its_agreements_k(sign_in, platform_org, homely):
    # given an agreement with k = 3, one campaign with 3 consumers converting for Homely and one with 2
    from tests.factories import AgreementFactory

    AgreementFactory(platform=platform_org, partner=homely, min_aggregate_size=3)
    enough = campaign_with_conversions(
        platform_org, homely, name="Enough", status="running", converters=3, value="50.00", credited_to=homely
    )
    few = campaign_with_conversions(
        platform_org, homely, name="Few", status="running", converters=2, value="999.00", credited_to=homely
    )
    # and a campaign of the platform with another partner
    other = OrganizationFactory(slug="other")
    campaign_with_conversions(platform_org, other, name="Not yours", status="running", converters=4)
    # when Homely's user opens the dashboard
    body = sign_in(Role.PARTNER_USER, homely).get(reverse("dashboard")).content.decode()
    # then its two campaigns are listed, the small one with its figures hidden and said so, the other's not at all
    assert "Not yours" not in body and "Consumers reached" not in body
    enough_row, few_row = f"tr[data-campaign={enough.pk}]", f"tr[data-campaign={few.pk}]"
    assert text(body, f"{enough_row} [data-figure=conversions]") == "3"
    assert text(body, f"{enough_row} [data-figure=revenue]") == "¥150.00"
    assert text(body, f"{few_row} [data-figure=conversions]") == "—" and "999" not in text(body, "#main-content")
    assert 'data-suppressed="1"' in body and "hidden in 1 campaign because" in body


def test_dashboard_campaigns_in_chinese_and_their_empty_state(admin_client, platform_org, homely):
    # given no campaign under way, the empty state says where drafts are
    empty = admin_client.get(reverse("dashboard")).content.decode()
    assert "No live or finished campaigns yet" in empty
    # when one runs and the page is read in Chinese
    campaign_with_conversions(platform_org, homely, name="跨界活动", status="running", converters=1)
    chinese = admin_client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then the section and its columns are in Chinese
    assert "跨界活动" in chinese and "触达消费者" in chinese and "全部活动" in chinese


def test_the_latest_jobs_card_polls_while_a_job_runs_and_stops_when_it_is_done(admin_client, platform_org):
    # given a running rollup
    run = TaskRunFactory(
        task_name="analytics.tasks.rollup.rollup_events",
        organization=platform_org,
        status=TaskRun.Status.RUNNING,
        progress=40,
    )
    # then the dashboard's card asks for itself again, and the card alone answers with the progress
    body = admin_client.get(reverse("dashboard")).content.decode()
    assert 'data-polling="true"' in body and f'hx-get="{reverse("dashboard-jobs")}"' in body
    card = admin_client.get(reverse("dashboard-jobs")).content.decode()
    assert card.startswith('<section class="card mt-3" id="latest-jobs"') and "40%" in texts(card, "td")
    # when it succeeds, the card stops polling
    TaskRun.objects.filter(pk=run.pk).update(status=TaskRun.Status.SUCCEEDED, progress=100)
    card = admin_client.get(reverse("dashboard-jobs")).content.decode()
    assert 'data-polling="false"' in card and "hx-get" not in card and "100%" in texts(card, "td")


def test_a_partner_user_gets_no_latest_jobs_card(sign_in, homely):
    client = sign_in(Role.PARTNER_USER, homely)
    assert client.get(reverse("dashboard-jobs")).status_code == 403
