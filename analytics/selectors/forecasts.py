"""Reads of demand forecasts."""

from django.db.models import QuerySet

from analytics.models import Forecast
from campaigns.models import Organization
from xmkt_site.errors import ApplicationError, NotFoundError


def forecast_list(*, organization: Organization, series: str | None = None, metric: str | None = None) -> QuerySet:
    """Current forecasts; `series` is `total` or `<kind>:<key>` (e.g. `category:Home`)."""
    forecasts = Forecast.objects.filter(organization=organization, is_current=True)
    if series:
        kind, _sep, key = series.partition(":")
        if kind not in Forecast.SeriesKind.values:
            raise ApplicationError(
                f"Unknown series {series!r}: use 'total' or '<kind>:<key>' with kind one of "
                f"{', '.join(Forecast.SeriesKind.values)}.",
                fields={"series": ["unknown series kind"]},
            )
        forecasts = forecasts.filter(series_kind=kind, series_key=key)
    if metric:
        if metric not in Forecast.Metric.values:
            raise ApplicationError(
                f"Unknown metric {metric!r}: use one of {', '.join(Forecast.Metric.values)}.",
                fields={"metric": ["unknown metric"]},
            )
        forecasts = forecasts.filter(metric=metric)
    return forecasts.order_by("series_kind", "series_key", "metric")


def forecast_get(*, organization: Organization, pk: int) -> Forecast:
    forecast = Forecast.objects.filter(organization=organization, pk=pk).first()
    if forecast is None:
        raise NotFoundError("No such forecast in your organization.")
    return forecast


def forecast_series_choices(*, organization: Organization) -> list[tuple[str, str]]:
    """(series, series) pairs of the current forecasts, total first."""
    rows = (
        Forecast.objects.filter(organization=organization, is_current=True)
        .values_list("series_kind", "series_key")
        .distinct()
        .order_by("series_kind", "series_key")
    )
    names = [kind if not key else f"{kind}:{key}" for kind, key in rows]
    return [(name, name) for name in sorted(names, key=lambda name: (name != "total", name))]
