"""Figures for the dashboard, always for one organization: the one the actor acts for."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Max, Min, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from analytics.models import DailyEventRollup, EventType
from analytics.selectors.experiments import partner_min_cell
from campaigns.models import (
    Assignment,
    Campaign,
    Consumer,
    Conversion,
    DataPurpose,
    DataSharingAgreement,
    Organization,
)
from campaigns.selectors.campaigns import campaigns_visible_to
from campaigns.selectors.consent import consent_rates as campaign_consent_rates
from xmkt_site.access import Actor

CHART_DAYS = 180
RECENT_DAYS = 30
CAMPAIGN_ROWS = 6
# Live campaigns first, then those about to start, then finished ones; drafts and cancelled ones stay on their page.
CAMPAIGN_STATUS_ORDER = [
    Campaign.Status.RUNNING,
    Campaign.Status.PAUSED,
    Campaign.Status.SCHEDULED,
    Campaign.Status.APPROVED,
    Campaign.Status.IN_REVIEW,
    Campaign.Status.COMPLETED,
]


@dataclass(frozen=True)
class ConsentRate:
    purpose: str
    purpose_label: str
    recipient: str  # the recipient organization's name for partner sharing, else ""
    granted: int
    consumers: int

    @property
    def rate(self) -> float:
        return self.granted / self.consumers if self.consumers else 0.0


@dataclass(frozen=True)
class EventSeries:
    dates: list[date] = field(default_factory=list)
    counts_by_type: dict[str, list[int]] = field(default_factory=dict)  # event type -> one count per date

    @property
    def is_empty(self) -> bool:
        return not self.dates


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    # The platform sees its own totals. A partner sees only what is credited to it, and None where fewer consumers
    # than its agreement's k stand behind the figure (the same rule as the partner results API).
    reached: int | None
    conversions: int | None
    revenue: Decimal | None


@dataclass(frozen=True)
class CampaignOverview:
    by_status: list[tuple[str, str, int]]  # (status, its label, campaigns), in CAMPAIGN_STATUS_ORDER, none empty
    rows: list[CampaignRow]
    suppressed: int = 0  # figures hidden from a partner because too few consumers stand behind them

    @property
    def is_empty(self) -> bool:
        return not self.rows


@dataclass(frozen=True)
class DashboardFigures:
    partners: int  # for the platform: partner organizations; for a partner: its active agreements
    consumers: int
    events_recent: int
    purchase_value_recent: Decimal
    consent_rates: list[ConsentRate]
    events: EventSeries
    campaigns: CampaignOverview = field(default_factory=lambda: CampaignOverview([], []))


def partner_count(*, actor: Actor) -> int:
    if actor.is_platform:
        return Organization.objects.filter(kind=Organization.Kind.PARTNER, is_active=True).count()
    return DataSharingAgreement.objects.filter(
        partner=actor.organization, status=DataSharingAgreement.Status.ACTIVE
    ).count()


def consent_rates(*, organization: Organization) -> list[ConsentRate]:
    """Per purpose (and per recipient for partner sharing): consumers whose record in force is a grant. The rule
    (latest record wins, no record means no consent) lives in campaigns.selectors.consent."""
    labels = dict(DataPurpose.choices)
    return [
        ConsentRate(
            purpose=row["purpose"],
            purpose_label=str(labels[row["purpose"]]),
            recipient=row["recipient"].name if row["recipient"] is not None else "",
            granted=row["granted"],
            consumers=row["total"],
        )
        for row in campaign_consent_rates(organization=organization)
    ]


def events_per_day(*, organization: Organization, days: int = CHART_DAYS) -> EventSeries:
    """Daily counts per event type from the rollup table: at most `days` days up to the latest rolled-up day, from the
    first day with data, gaps filled with zeros so the chart does not draw lines across missing days."""
    rollups = DailyEventRollup.objects.filter(organization=organization)
    bounds = rollups.aggregate(first=Min("date"), last=Max("date"))
    if bounds["last"] is None:
        return EventSeries()
    first_day = max(bounds["first"], bounds["last"] - timedelta(days=days - 1))
    dates = [first_day + timedelta(days=offset) for offset in range((bounds["last"] - first_day).days + 1)]
    position = {day: index for index, day in enumerate(dates)}
    counts: dict[str, list[int]] = {}
    for day, event_type, events in rollups.filter(date__gte=first_day).values_list("date", "type", "events"):
        counts.setdefault(event_type, [0] * len(dates))[position[day]] += events
    ordered = {event_type: counts[event_type] for event_type in EventType.values if event_type in counts}
    return EventSeries(dates=dates, counts_by_type=ordered)


def recent_totals(*, organization: Organization, today: date, days: int = RECENT_DAYS) -> tuple[int, Decimal]:
    """Events and purchase value over the last `days` days (from the rollup)."""
    recent = DailyEventRollup.objects.filter(organization=organization, date__gt=today - timedelta(days=days))
    totals = recent.aggregate(events=Sum("events"), value=Sum("value", filter=Q(type=EventType.PURCHASE)))
    return totals["events"] or 0, totals["value"] or Decimal("0")


def _status_rank() -> Case:
    return Case(
        *(When(status=status, then=Value(rank)) for rank, status in enumerate(CAMPAIGN_STATUS_ORDER)),
        output_field=IntegerField(),
    )


def _count_of(model, **filters) -> Subquery:
    rows = model.objects.filter(campaign=OuterRef("pk"), **filters).values("campaign").annotate(n=Count("id"))
    return Coalesce(Subquery(rows.values("n")[:1], output_field=IntegerField()), 0)


def campaign_overview(*, actor: Actor, rows: int = CAMPAIGN_ROWS) -> CampaignOverview:
    """The actor's campaigns that are live, coming or finished: how many per status, and the first `rows` of them
    (live first, newest start first) with consumers reached, conversions and revenue."""
    campaigns = campaigns_visible_to(organization=actor.organization).filter(status__in=CAMPAIGN_STATUS_ORDER)
    counts = dict(campaigns.values("status").annotate(n=Count("id", distinct=True)).values_list("status", "n"))
    labels = dict(Campaign.Status.choices)
    by_status = [
        (status, str(labels[status]), counts[status]) for status in CAMPAIGN_STATUS_ORDER if counts.get(status)
    ]
    listed = (
        campaigns.annotate(rank=_status_rank())
        .order_by("rank", "-starts_at", "-id")
        .distinct()
        .prefetch_related("partners")[:rows]
    )
    if actor.is_platform:
        revenue = (
            Conversion.objects.filter(campaign=OuterRef("pk"))
            .values("campaign")
            .annotate(total=Sum("value"))
            .values("total")[:1]
        )
        listed = listed.annotate(
            reached=_count_of(Assignment),
            conversion_count=_count_of(Conversion),
            revenue=Subquery(revenue),
        )
        out = [
            CampaignRow(c, c.reached, c.conversion_count, c.revenue if c.revenue is not None else Decimal("0"))
            for c in listed
        ]
        return CampaignOverview(by_status, out)
    return _partner_overview(partner=actor.organization, campaigns=list(listed), by_status=by_status)


def _partner_overview(
    *, partner: Organization, campaigns: list[Campaign], by_status: list[tuple[str, str, int]]
) -> CampaignOverview:
    """Only the conversions credited to the partner, each figure hidden when fewer consumers than the k of its
    agreement with the campaign's platform stand behind it (or no agreement is active), as partner results do."""
    rows, suppressed = [], 0
    for campaign in campaigns:
        k = partner_min_cell(campaign=campaign, partner=partner)
        own = Conversion.objects.filter(campaign=campaign, partner=partner).aggregate(
            n=Count("id"), people=Count("consumer_id", distinct=True), revenue=Sum("value")
        )
        if k is None or own["people"] < k:
            suppressed += 1
            rows.append(CampaignRow(campaign, None, None, None))
        else:
            rows.append(CampaignRow(campaign, None, own["n"], own["revenue"] or Decimal("0")))
    return CampaignOverview(by_status, rows, suppressed)


def dashboard_figures(*, actor: Actor, today: date) -> DashboardFigures:
    organization = actor.organization
    events_recent, purchase_value_recent = recent_totals(organization=organization, today=today)
    return DashboardFigures(
        partners=partner_count(actor=actor),
        consumers=Consumer.objects.filter(organization=organization).count(),
        events_recent=events_recent,
        purchase_value_recent=purchase_value_recent,
        consent_rates=consent_rates(organization=organization),
        events=events_per_day(organization=organization),
        campaigns=campaign_overview(actor=actor),
    )
