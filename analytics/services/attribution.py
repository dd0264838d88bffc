"""Attribution and ROI. Each conversion's credit goes to the touches that preceded it within the campaign's window:
tracking-link clicks, recommendations and impressions (Exposure rows), and the assignment itself as the weakest touch.

Last touch (default): all credit to the latest touch. Position based: 40% first, 40% last, 20% shared by the middle
(one touch: 100%; two: 50/50). Recommendation feedback ("shown", "clicked") that names a started campaign is recorded
by the recommender as an exposure of kind "recommendation" with the recommendation id; conversions carrying that id
are credited to it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from analytics.models import Event, EventType, Forecast, ForecastPoint
from campaigns.models import Assignment, AttributionModel, Campaign, Conversion, Exposure

PLATFORM_KEY = "platform"


@dataclass(frozen=True)
class Touch:
    at: Any
    kind: str
    variant_id: int | None
    partner_id: int | None
    recommendation_id: str = ""


def _weights(n: int, model: str) -> list[float]:
    if n == 0:
        return []
    if model == AttributionModel.LAST_TOUCH or n == 1:
        return [0.0] * (n - 1) + [1.0]
    if n == 2:
        return [0.5, 0.5]
    middle = 0.2 / (n - 2)
    return [0.4] + [middle] * (n - 2) + [0.4]


@dataclass
class AttributionReport:
    model: str
    window_days: int
    conversions: int
    attributed_conversions: float
    revenue: float
    attributed_revenue: float
    cost: float
    roi: float | None
    by_variant: dict[str, dict[str, float]] = field(default_factory=dict)
    by_partner: dict[str, dict[str, float]] = field(default_factory=dict)
    by_touch_kind: dict[str, float] = field(default_factory=dict)


def campaign_attribution(
    *, campaign: Campaign, model: str | None = None, window_days: int | None = None
) -> AttributionReport:
    model = model or campaign.attribution_model
    window = timedelta(days=window_days or campaign.attribution_window_days)
    touches: dict[int, list[Touch]] = defaultdict(list)
    for row in Exposure.objects.filter(campaign=campaign).values(
        "consumer_id", "occurred_at", "kind", "variant_id", "partner_id", "recommendation_id"
    ):
        touches[row["consumer_id"]].append(
            Touch(row["occurred_at"], row["kind"], row["variant_id"], row["partner_id"], row["recommendation_id"])
        )
    for row in Assignment.objects.filter(campaign=campaign).values("consumer_id", "assigned_at", "variant_id"):
        touches[row["consumer_id"]].append(Touch(row["assigned_at"], "assignment", row["variant_id"], None))
    for items in touches.values():
        items.sort(key=lambda t: (t.at, t.kind != "assignment"))
    variant_keys = dict(campaign.variants.values_list("pk", "key"))
    partner_names = {p.pk: p.slug for p in campaign.partners.all()}
    by_variant: dict[str, dict[str, float]] = defaultdict(lambda: {"conversions": 0.0, "revenue": 0.0})
    by_partner: dict[str, dict[str, float]] = defaultdict(lambda: {"conversions": 0.0, "revenue": 0.0})
    by_kind: dict[str, float] = defaultdict(float)
    total = attributed = revenue = attributed_revenue = 0.0
    for conversion in Conversion.objects.filter(campaign=campaign).values(
        "consumer_id", "occurred_at", "value", "partner_id", "recommendation_id"
    ):
        total += 1
        value = float(conversion["value"])
        revenue += value
        start = conversion["occurred_at"] - window
        eligible = [t for t in touches.get(conversion["consumer_id"], []) if start <= t.at <= conversion["occurred_at"]]
        if conversion["recommendation_id"]:
            # A conversion that names its recommendation is credited to that touch when it was seen.
            named = [t for t in eligible if t.recommendation_id == conversion["recommendation_id"]]
            eligible = named or eligible
        if not eligible:
            continue
        attributed += 1
        attributed_revenue += value
        # Revenue belongs to the party that sold; without one, to the touch's partner, else the platform.
        seller = conversion["partner_id"]
        for touch, share in zip(eligible, _weights(len(eligible), model), strict=True):
            if share == 0:
                continue
            key = variant_keys.get(touch.variant_id, "unassigned")
            by_variant[key]["conversions"] += share
            by_variant[key]["revenue"] += share * value
            party = seller or touch.partner_id
            party_key = partner_names.get(party, PLATFORM_KEY) if party else PLATFORM_KEY
            by_partner[party_key]["conversions"] += share
            by_partner[party_key]["revenue"] += share * value
            by_kind[touch.kind] += share
    cost = float(campaign.spent)
    roi = (attributed_revenue - cost) / cost if cost > 0 else None
    return AttributionReport(
        model=model,
        window_days=window.days,
        conversions=int(total),
        attributed_conversions=attributed,
        revenue=round(revenue, 2),
        attributed_revenue=round(attributed_revenue, 2),
        cost=round(cost, 2),
        roi=None if roi is None else round(roi, 4),
        by_variant={k: {m: round(v, 4) for m, v in d.items()} for k, d in sorted(by_variant.items())},
        by_partner={k: {m: round(v, 4) for m, v in d.items()} for k, d in sorted(by_partner.items())},
        by_touch_kind={k: round(v, 4) for k, v in sorted(by_kind.items())},
    )


@dataclass(frozen=True)
class ForecastLift:
    available: bool
    message: str
    start: date | None = None
    end: date | None = None
    actual: float | None = None
    forecast: float | None = None
    lift: float | None = None
    lift_share: float | None = None


def campaign_forecast_lift(*, campaign: Campaign) -> ForecastLift:
    """Actual purchase revenue of the campaign's period against the current total-revenue demand forecast."""
    if campaign.launched_at is None:
        return ForecastLift(False, "The campaign has not run yet.")
    forecast = (
        Forecast.objects.filter(
            organization=campaign.organization,
            is_current=True,
            series_kind=Forecast.SeriesKind.TOTAL,
            metric=Forecast.Metric.REVENUE,
        )
        .order_by("-created_at")
        .first()
    )
    if forecast is None:
        return ForecastLift(False, "No forecast: run the demand forecast for total revenue to measure lift.")
    start = campaign.launched_at.date()
    end = (campaign.completed_at or campaign.ends_at or campaign.launched_at).date()
    points = ForecastPoint.objects.filter(forecast=forecast, date__gte=start, date__lte=end, predicted__isnull=False)
    predicted = sum(p.predicted for p in points)
    if not points.exists():
        return ForecastLift(False, "No forecast covers the campaign's period.", start, end)
    actual = Event.objects.filter(
        organization=campaign.organization,
        type=EventType.PURCHASE,
        occurred_at__date__gte=start,
        occurred_at__date__lte=end,
    ).aggregate(total=Sum("value"))["total"] or Decimal("0")
    actual_value = float(actual)
    lift = actual_value - predicted
    return ForecastLift(
        True,
        "",
        start,
        end,
        round(actual_value, 2),
        round(predicted, 2),
        round(lift, 2),
        round(lift / predicted, 4) if predicted else None,
    )
