"""How analytics names things for its readers, in the reader's language: profile features, forecast models, series
and market-model drivers, and segments. Pages and charts both read these."""

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from analytics.models import Forecast, Segment

FEATURE_LABELS = {
    "recency_days": gettext_lazy("Days since last purchase"),
    "frequency": gettext_lazy("Orders"),
    "monetary": gettext_lazy("Net spend"),
    "tenure_days": gettext_lazy("Days since first event"),
    "avg_order_value": gettext_lazy("Average order value"),
    "refund_rate": gettext_lazy("Refund rate"),
    "views": gettext_lazy("Views"),
    "clicks": gettext_lazy("Clicks"),
    "add_to_carts": gettext_lazy("Add to carts"),
    "enrolments": gettext_lazy("Enrolments"),
    "completions": gettext_lazy("Completions"),
    "completion_rate": gettext_lazy("Completion rate"),
    "ratings": gettext_lazy("Ratings"),
    "shares": gettext_lazy("Shares"),
    "partner_event_share": gettext_lazy("Share of events on partner items"),
    "partner_spend_share": gettext_lazy("Share of spend on partner items"),
}
MODEL_LABELS = {
    "seasonal_naive": gettext_lazy("Weekly seasonal naive"),
    "dow_mean_8w": gettext_lazy("Day-of-week mean, 8 weeks"),
    "autoreg": gettext_lazy("Autoregression"),
    "sarimax": gettext_lazy("SARIMAX with weekly season and calendar"),
    "exp_smoothing": gettext_lazy("Exponential smoothing"),
    "market_model": gettext_lazy("Market model (regression)"),
    "combination": gettext_lazy("Weighted combination"),
    "zero": gettext_lazy("Zero (all-zero history)"),
    "recent_mean": gettext_lazy("Mean of the last 7 days"),
}

# Market-model coefficients (analytics.ml.forecasting.MarketModelForecaster.drivers_ and analytics.ml.calendar).
# Weekday dummies are effects against Monday (pandas day_of_week 0), so weekday_1 is Tuesday.
DRIVER_LABELS = {
    "trend_per_week": gettext_lazy("Trend per week"),
    "weekday_1": gettext_lazy("Tuesday (vs Monday)"),
    "weekday_2": gettext_lazy("Wednesday (vs Monday)"),
    "weekday_3": gettext_lazy("Thursday (vs Monday)"),
    "weekday_4": gettext_lazy("Friday (vs Monday)"),
    "weekday_5": gettext_lazy("Saturday (vs Monday)"),
    "weekday_6": gettext_lazy("Sunday (vs Monday)"),
    "cn_festival": gettext_lazy("Shopping festival (6·18, Double 11, Double 12)"),
    "cn_holiday": gettext_lazy("Chinese public holiday"),
    "uk_bank_holiday": gettext_lazy("UK bank holiday"),
    "christmas_shutdown": gettext_lazy("Christmas closure"),
}


def driver_label(name: str) -> str:
    if name in DRIVER_LABELS:
        return str(DRIVER_LABELS[name])
    if name.startswith("indicator__"):
        return _("Indicator: %(name)s") % {"name": name.removeprefix("indicator__")}
    return name


def feature_label(name: str) -> str:
    if name in FEATURE_LABELS:
        return str(FEATURE_LABELS[name])
    if name.startswith("spend_share__"):
        return _("Share of spend: %(category)s") % {"category": name.removeprefix("spend_share__")}
    return name


def segment_description(segment: Segment) -> str:
    """The segment's lead sentence in the reader's language: its share, then up to three features that set it
    apart, by their translated names (the stored description_zh/_en is what the API returns)."""
    parts = []
    for feature, z in segment.distinguishing[:3]:
        values = {
            "feature": feature_label(feature),
            "z": f"{z:+.1f}",
            "median": f"{(segment.median or {}).get(feature, 0):,.4g}",
        }
        if z > 0:
            parts.append(_("%(feature)s higher than average (z=%(z)s, median %(median)s)") % values)
        else:
            parts.append(_("%(feature)s lower than average (z=%(z)s, median %(median)s)") % values)
    share = _("%(share)s of consumers.") % {"share": f"{segment.share:.1%}"}
    chinese = is_chinese()
    details = ("；" if chinese else "; ").join(parts) if parts else _("Close to the average on every feature.")
    return share + ("" if chinese else " ") + details


SERIES_KEY_LABELS = {
    "category": gettext_lazy("Category: %(name)s"),
    "item": gettext_lazy("Item: %(name)s"),
    "campaign": gettext_lazy("Campaign: %(name)s"),
}


def series_label(kind: str, key: str = "") -> str:
    """A forecast series as readers name it: "Total", "Category: home" (类目：home)."""
    if not key:
        return str(dict(Forecast.SeriesKind.choices).get(kind, kind))
    template = SERIES_KEY_LABELS.get(kind)
    return str(template) % {"name": key} if template else f"{kind}:{key}"


def model_label(name: str) -> str:
    return str(MODEL_LABELS.get(name, name))


def is_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def segment_name(segment: Segment) -> str:
    return segment.name_zh if is_chinese() else segment.name_en
