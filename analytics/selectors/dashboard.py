"""Figures for the dashboard, always for one organization: the one the actor acts for."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Min, Q, Sum

from analytics.models import DailyEventRollup, EventType
from campaigns.models import Consumer, DataPurpose, DataSharingAgreement, Organization
from campaigns.selectors.consent import consent_rates as campaign_consent_rates
from xmkt_site.access import Actor

CHART_DAYS = 180
RECENT_DAYS = 30


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
class DashboardFigures:
    partners: int  # for the platform: partner organizations; for a partner: its active agreements
    consumers: int
    events_recent: int
    purchase_value_recent: Decimal
    consent_rates: list[ConsentRate]
    events: EventSeries


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
    )
