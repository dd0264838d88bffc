"""Behavioural data: raw events and their daily rollup."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CatalogItem, Consumer, Organization


class EventType(models.TextChoices):
    VIEW = "view", _("View")
    CLICK = "click", _("Click")
    ADD_TO_CART = "add_to_cart", _("Add to cart")
    PURCHASE = "purchase", _("Purchase")
    REFUND = "refund", _("Refund")
    ENROLL = "enroll", _("Enrol")
    COMPLETE = "complete", _("Complete")
    RATING = "rating", _("Rating")
    SHARE = "share", _("Share")


class Event(models.Model):
    """One thing a consumer (or a guest, when consumer is empty) did with an item. Idempotent on external_id."""

    # The foreign keys carry no single-column index: the composite indexes below lead with them and serve the same
    # lookups, and every extra index slows bulk ingestion of events (measured in docs/benchmarks/ingest.md).
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="events", db_index=False)
    consumer = models.ForeignKey(
        Consumer, on_delete=models.CASCADE, null=True, blank=True, related_name="events", db_index=False
    )
    item = models.ForeignKey(
        CatalogItem, on_delete=models.PROTECT, null=True, blank=True, related_name="events", db_index=False
    )
    type = models.CharField(_("type"), max_length=16, choices=EventType.choices)
    quantity = models.IntegerField(_("quantity"), default=1)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    rating = models.SmallIntegerField(_("rating"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="events", db_index=False
    )
    external_id = models.CharField(_("external id"), max_length=128)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "external_id"], name="event_unique_external_id"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="event_rating_1_5"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "occurred_at"]),
            models.Index(fields=["consumer", "occurred_at"]),
            models.Index(fields=["item", "occurred_at"]),
            # Most events belong to no campaign; a partial index stays small and costs nothing on their insert.
            models.Index(fields=["campaign"], condition=Q(campaign__isnull=False), name="event_campaign_partial"),
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.type} {self.external_id}"


class DailyEventRollup(models.Model):
    """Per organization, day (in TIME_ZONE) and event type: counts, units and value. Rebuilt idempotently."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="daily_rollups")
    date = models.DateField(_("date"))
    type = models.CharField(_("type"), max_length=16, choices=EventType.choices)
    events = models.PositiveIntegerField(_("events"), default=0)
    units = models.BigIntegerField(_("units"), default=0)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, default=Decimal("0"))
    consumers = models.PositiveIntegerField(_("distinct consumers"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "date", "type"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "date", "type"], name="rollup_unique_org_date_type"),
        ]
        verbose_name = _("daily event rollup")
        verbose_name_plural = _("daily event rollups")

    def __str__(self) -> str:
        return f"{self.date} {self.type}"


# --- Audience profiling, segments and forecasts (issue 3) ------------------------------------------------------------


class ConsumerProfile(models.Model):
    """A consumer's behavioural features as of the last profile build. Internal: built whatever the consent, never
    shown to partners; segments used for targeting filter on personalization consent (see docs/analytics.md)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="consumer_profiles")
    consumer = models.OneToOneField(Consumer, on_delete=models.CASCADE, related_name="profile")
    recency_days = models.FloatField(_("recency (days)"), default=0.0)
    frequency = models.FloatField(_("orders"), default=0.0)
    monetary = models.FloatField(_("net spend"), default=0.0)
    tenure_days = models.FloatField(_("tenure (days)"), default=0.0)
    features = models.JSONField(_("features"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        indexes = [models.Index(fields=["organization", "computed_at"])]
        verbose_name = _("consumer profile")
        verbose_name_plural = _("consumer profiles")

    def __str__(self) -> str:
        return f"profile of consumer {self.consumer_id}"


class SegmentRun(models.Model):
    """One segmentation of an organization: how k was chosen and what the features were."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="segment_runs")
    task_run = models.ForeignKey(
        "campaigns.TaskRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    k = models.PositiveSmallIntegerField(_("number of segments"))
    silhouette = models.FloatField(_("silhouette"), null=True, blank=True)
    davies_bouldin = models.FloatField(_("Davies–Bouldin index"), null=True, blank=True)
    consumers = models.PositiveIntegerField(_("consumers profiled"), default=0)
    consented = models.PositiveIntegerField(_("consumers with personalization consent"), default=0)
    k_scores = models.JSONField(_("scores per k"), default=list, blank=True)
    feature_report = models.JSONField(_("feature selection report"), default=list, blank=True)
    pca_sample = models.JSONField(_("2-D PCA sample"), default=dict, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_current=True), name="segment_run_one_current_per_org"
            ),
        ]
        verbose_name = _("segmentation run")
        verbose_name_plural = _("segmentation runs")

    def __str__(self) -> str:
        return f"segmentation #{self.pk} ({self.k} segments)"


class Segment(models.Model):
    """A behavioural segment of one run. `key` is the stable identity across runs (matched centroids)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="segments")
    run = models.ForeignKey(SegmentRun, on_delete=models.CASCADE, related_name="segments")
    key = models.PositiveIntegerField(_("segment number"))
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_zh = models.TextField(_("description (Chinese)"), blank=True, default="")
    description_en = models.TextField(_("description (English)"), blank=True, default="")
    size = models.PositiveIntegerField(_("consumers"), default=0)
    targetable_size = models.PositiveIntegerField(_("targetable consumers"), default=0)
    share = models.FloatField(_("share"), default=0.0)
    centroid = models.JSONField(_("centroid"), default=dict, blank=True)
    median = models.JSONField(_("median"), default=dict, blank=True)
    distinguishing = models.JSONField(_("distinguishing features"), default=list, blank=True)
    kpis = models.JSONField(_("KPIs"), default=dict, blank=True)
    matched_previous = models.BooleanField(_("matched a previous segment"), default=False)
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="segment_unique_key_per_run")]
        indexes = [models.Index(fields=["organization", "is_current"])]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return f"{self.key}: {self.name_en}"

    @property
    def tag_key(self) -> str:
        """The personal-tag key a consumer deletes to leave this segment (campaigns.PersonalTagDeletion.key)."""
        return str(self.key)


class SegmentMembership(models.Model):
    """A consumer targeted through a segment: only consumers with personalization consent get a row."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="segment_memberships")
    distance = models.FloatField(_("distance to centroid"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "consumer"], name="segment_membership_unique"),
        ]
        verbose_name = _("segment membership")
        verbose_name_plural = _("segment memberships")

    def __str__(self) -> str:
        return f"consumer {self.consumer_id} in segment {self.segment_id}"


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


# --- Clean-room overlap (issue 6) --------------------------------------------------------------------------------


class OverlapMatchToken(models.Model):
    """HMAC(K_a, normalised phone or e-mail) of a platform consumer under one agreement's matching key K_a, minted
    when the raw identifier passes through on arrival (see docs/clean-room.md). Never the identifier itself; tokens
    of two agreements cannot be linked without the deployment key."""

    agreement = models.ForeignKey(
        "campaigns.DataSharingAgreement", on_delete=models.CASCADE, related_name="overlap_tokens"
    )
    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="overlap_tokens")
    token = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "consumer", "token"], name="overlap_token_unique"),
        ]
        indexes = [models.Index(fields=["agreement", "token"])]
        verbose_name = _("overlap matching token")
        verbose_name_plural = _("overlap matching tokens")

    def __str__(self) -> str:
        return f"token of consumer {self.consumer_id} under agreement {self.agreement_id}"


class OverlapQuery(models.Model):
    """One clean-room overlap a partner ran: what was released, what it cost, and a server-side set fingerprint of
    the uploaded audience (salted, truncated hashes) to refuse near-duplicate queries (difference attacks)."""

    class Mechanism(models.TextChoices):
        NONE = "none", _("Exact (suppressed below k)")
        LAPLACE = "laplace", _("Laplace noise")

    agreement = models.ForeignKey(
        "campaigns.DataSharingAgreement", on_delete=models.CASCADE, related_name="overlap_queries"
    )
    api_key = models.ForeignKey(
        "campaigns.PartnerApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        "campaigns.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    audience_size = models.PositiveIntegerField(_("audience size"))
    audience_fingerprint = models.CharField(_("audience fingerprint"), max_length=64)
    audience_set = models.JSONField(default=list, blank=True)  # salted 64-bit digests, sorted; never leaves
    breakdown = models.CharField(_("breakdown"), max_length=32, blank=True, default="")
    mechanism = models.CharField(_("mechanism"), max_length=16, choices=Mechanism.choices, default=Mechanism.NONE)
    epsilon = models.FloatField(_("ε spent"), default=0.0)
    released = models.JSONField(_("released aggregates"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("overlap query")
        verbose_name_plural = _("overlap queries")

    def __str__(self) -> str:
        return f"overlap #{self.pk} under agreement {self.agreement_id}"
