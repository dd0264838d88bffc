"""When and how much: demand forecasts, their daily points and the market indicators they can use."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Organization


class Forecast(models.Model):
    """A demand forecast of one daily series, with the backtest of every candidate and the winner explained."""

    class SeriesKind(models.TextChoices):
        TOTAL = "total", _("Total")
        CATEGORY = "category", _("Category")
        ITEM = "item", _("Item")
        CAMPAIGN = "campaign", _("Campaign")

    class Metric(models.TextChoices):
        UNITS = "units", _("Units")
        ORDERS = "orders", _("Orders")
        REVENUE = "revenue", _("Revenue")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="forecasts")
    task_run = models.ForeignKey(
        "campaigns.TaskRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    series_kind = models.CharField(_("series"), max_length=16, choices=SeriesKind.choices)
    series_key = models.CharField(_("series key"), max_length=200, blank=True, default="")
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices)
    horizon = models.PositiveSmallIntegerField(_("horizon (days)"))
    chosen_model = models.CharField(_("chosen model"), max_length=64)
    weights = models.JSONField(_("weights"), default=dict, blank=True)
    explanation = models.TextField(_("explanation"), blank=True, default="")
    backtest = models.JSONField(_("backtest"), default=list, blank=True)
    drivers = models.JSONField(_("drivers"), default=dict, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    mae = models.FloatField(_("MAE"), null=True, blank=True)
    history_days = models.PositiveIntegerField(_("days of history"), default=0)
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["series_kind", "series_key", "metric"]
        indexes = [models.Index(fields=["organization", "is_current", "series_kind"])]
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")

    def __str__(self) -> str:
        return f"{self.series_kind}:{self.series_key or '-'} {self.metric}"

    @property
    def series(self) -> str:
        """The API's series name: `total` or `<kind>:<key>`."""
        return self.series_kind if not self.series_key else f"{self.series_kind}:{self.series_key}"


class ForecastPoint(models.Model):
    """One day of a forecast: the actual (history) or the prediction with its interval (future)."""

    forecast = models.ForeignKey(Forecast, on_delete=models.CASCADE, related_name="points")
    date = models.DateField(_("date"))
    actual = models.FloatField(_("actual"), null=True, blank=True)
    predicted = models.FloatField(_("forecast"), null=True, blank=True)
    lower = models.FloatField(_("lower bound"), null=True, blank=True)
    upper = models.FloatField(_("upper bound"), null=True, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["forecast", "date"], name="forecast_point_unique_date")]
        verbose_name = _("forecast point")
        verbose_name_plural = _("forecast points")

    def __str__(self) -> str:
        return f"{self.date}: {self.predicted}"


class MarketIndicator(models.Model):
    """A dated external value (home-sales index, search interest, ...) that can enter forecasts as a regressor."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="market_indicators")
    name = models.CharField(_("name"), max_length=100)
    date = models.DateField(_("date"))
    value = models.FloatField(_("value"))

    class Meta:
        ordering = ["organization", "name", "date"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name", "date"], name="market_indicator_unique_day"),
        ]
        verbose_name = _("market indicator")
        verbose_name_plural = _("market indicators")

    def __str__(self) -> str:
        return f"{self.name} {self.date}: {self.value}"
