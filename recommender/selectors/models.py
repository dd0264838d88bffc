"""Reads for the recommendation pages: model versions, metric history, comparison, coverage, consumer preview, and
one version's report (metrics per split, parameters, the champion it competes with, its training job)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from analytics.models import Event
from campaigns.models import Consumer, DataPurpose, Organization, TaskRun
from campaigns.selectors.consent import ConsentState, consent_state
from campaigns.selectors.jobs import task_runs_visible_to
from recommender.models import ModelVersion, Recommendation
from xmkt_site.access import Actor

SORTS = {"trained_at", "-trained_at", "label", "-label", "status", "-status", "fit_seconds", "-fit_seconds"}


def model_versions_for(
    *, organization: Organization, target_slug: str = "", status: str = "", sort: str = ""
) -> QuerySet:
    versions = ModelVersion.objects.filter(organization=organization).select_related("target")
    if target_slug:
        versions = versions.filter(target__slug=target_slug)
    if status:
        versions = versions.filter(status=status)
    return versions.order_by(sort if sort in SORTS else "-trained_at", "-id")


def champions_for(*, organization: Organization) -> list[ModelVersion]:
    return list(
        ModelVersion.objects.filter(organization=organization, is_champion=True)
        .select_related("target")
        .order_by("target__name")
    )


def targets_for(*, organization: Organization) -> list[Organization]:
    ids = ModelVersion.objects.filter(organization=organization).values("target_id").distinct()
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))


def latest_comparison(*, champion: ModelVersion) -> list[ModelVersion]:
    """The candidates evaluated in the champion's training run (same trained_at), best validation NDCG first."""
    rows = list(
        ModelVersion.objects.filter(
            organization_id=champion.organization_id, target_id=champion.target_id, trained_at=champion.trained_at
        )
    )
    return sorted(rows, key=lambda v: -(v.metric("validation", "ndcg@10") or 0.0))


def metric_history(*, organization: Organization, target: Organization) -> list[ModelVersion]:
    return list(ModelVersion.objects.filter(organization=organization, target=target).order_by("trained_at", "id"))


@dataclass(frozen=True)
class Coverage:
    consumers: int
    with_lists: int
    distinct_items: int
    target_items: int

    @property
    def consumer_share(self) -> float:
        return self.with_lists / self.consumers if self.consumers else 0.0

    @property
    def item_share(self) -> float:
        return self.distinct_items / self.target_items if self.target_items else 0.0


def coverage_for(*, champion: ModelVersion) -> Coverage:
    rows = Recommendation.objects.filter(model_version=champion)
    stats = rows.aggregate(users=Count("consumer_id", distinct=True), items=Count("item_id", distinct=True))
    return Coverage(
        consumers=Consumer.objects.filter(organization_id=champion.organization_id).count(),
        with_lists=stats["users"] or 0,
        distinct_items=stats["items"] or 0,
        target_items=int((champion.data_size or {}).get("target_items", 0)),
    )


def consumer_history(*, consumer: Consumer, limit: int = 20) -> list[Event]:
    return list(
        Event.objects.filter(consumer=consumer, item__isnull=False)
        .select_related("item")
        .order_by("-occurred_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class PreviewConsent:
    """The consent records in force that decide what a consumer may be served from a catalogue (None: no record)."""

    personalization: ConsentState | None
    sharing_with: Organization | None  # the catalogue's organization when it is not the consumer's own
    sharing: ConsentState | None


def preview_consent(*, consumer: Consumer, catalog: Organization | None) -> PreviewConsent:
    states = consent_state(consumer=consumer)
    personalization = next((s for s in states if s.purpose == DataPurpose.PERSONALIZATION), None)
    sharing_with = catalog if catalog is not None and catalog.pk != consumer.organization_id else None
    sharing = None
    if sharing_with is not None:
        sharing = next(
            (
                s
                for s in states
                if s.purpose == DataPurpose.PARTNER_SHARING and s.recipient and s.recipient.pk == sharing_with.pk
            ),
            None,
        )
    return PreviewConsent(personalization, sharing_with, sharing)


# --- One model version ----------------------------------------------------------------------------------------------

# The evaluation's metrics in reading order; others that a split stores follow, cold-item variants after their base.
METRIC_ORDER = ("ndcg@10", "recall@10", "precision@10", "map@10", "hit_rate@10", "coverage", "novelty", "n_users")
COUNT_METRICS = frozenset({"n_users", "cold_users"})
COMPARED_METRICS = ("ndcg@10", "recall@10", "precision@10", "map@10", "coverage")


def model_version_get(*, organization: Organization, pk: int) -> ModelVersion:
    """404 rather than 403 for another organization's version, so its existence does not leak."""
    version = (
        ModelVersion.objects.filter(organization=organization, pk=pk).select_related("target", "training_run").first()
    )
    if version is None:
        raise Http404("No such model version.")
    return version


@dataclass(frozen=True)
class MetricRow:
    name: str
    values: tuple[float | None, ...]  # one per split of the table, in its order

    @property
    def is_count(self) -> bool:
        return self.name in COUNT_METRICS


@dataclass(frozen=True)
class MetricTable:
    splits: tuple[str, ...]  # validation, test, newcomers.validation, newcomers.test: those the version has
    rows: tuple[MetricRow, ...]


def _metric_sort_key(name: str) -> tuple[int, int, str]:
    base = name.removeprefix("cold_")
    position = METRIC_ORDER.index(base) if base in METRIC_ORDER else len(METRIC_ORDER)
    return position, int(name.startswith("cold_")), name


def version_metric_table(*, version: ModelVersion) -> MetricTable:
    """Every numeric metric any split stores, one row each; a split without that metric reads None."""
    stored = version.metrics or {}
    newcomers = stored.get("newcomers") if isinstance(stored.get("newcomers"), dict) else {}
    splits: dict[str, dict[str, Any]] = {}
    for key, values in (
        ("validation", stored.get("validation")),
        ("test", stored.get("test")),
        ("newcomers.validation", newcomers.get("validation")),
        ("newcomers.test", newcomers.get("test")),
    ):
        if isinstance(values, dict) and values:
            splits[key] = values
    names = {
        name
        for values in splits.values()
        for name, value in values.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }
    rows = tuple(
        MetricRow(name, tuple(_number(values.get(name)) for values in splits.values()))
        for name in sorted(names, key=_metric_sort_key)
    )
    return MetricTable(tuple(splits), rows)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class MetricDelta:
    name: str
    ours: float | None
    champion: float | None

    @property
    def delta(self) -> float | None:
        return None if self.ours is None or self.champion is None else self.ours - self.champion


@dataclass(frozen=True)
class ChampionComparison:
    champion: ModelVersion | None  # of the same organization and target catalogue; None before any promotion
    is_self: bool
    validation: tuple[MetricDelta, ...]

    @property
    def ndcg(self) -> MetricDelta | None:
        return next((row for row in self.validation if row.name == "ndcg@10"), None)


def champion_comparison(*, version: ModelVersion) -> ChampionComparison:
    """The version against today's champion of its target catalogue, on the validation split."""
    champion = (
        ModelVersion.objects.filter(
            organization_id=version.organization_id, target_id=version.target_id, is_champion=True
        )
        .select_related("target")
        .first()
    )
    if champion is None:
        return ChampionComparison(None, False, ())
    rows = tuple(
        MetricDelta(name, version.metric("validation", name), champion.metric("validation", name))
        for name in COMPARED_METRICS
    )
    return ChampionComparison(champion, champion.pk == version.pk, rows)


def training_run_jobs_page(*, actor: Actor, run: TaskRun | None, page_size: int) -> int | None:
    """The Jobs page number that lists `run` (newest first, as the Jobs page orders); None when it is not listed."""
    if run is None:
        return None
    runs = task_runs_visible_to(actor)
    if not runs.filter(pk=run.pk).exists():
        return None
    newer = runs.filter(Q(created_at__gt=run.created_at) | Q(created_at=run.created_at, pk__gt=run.pk)).count()
    return newer // page_size + 1


def parameter_rows(parameters: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """(name, value as text) per hyperparameter by name (jsonb keeps no order); nested settings flattened."""
    rows: list[tuple[str, str]] = []
    for name, value in sorted(parameters.items()):
        key = f"{prefix}{name}"
        if isinstance(value, dict) and value:
            rows += parameter_rows(value, prefix=f"{key} · ")
        else:
            rows.append((key, _parameter_text(value)))
    return rows


def _parameter_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | tuple):
        return ", ".join(_parameter_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return "—"
    return str(value)
