"""Reads for "how did the served lists do?": lists served through the API and the feedback they received."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from campaigns.models import Organization
from recommender.models import ModelVersion, RecommendationFeedback, RecommendationLog

SERVED_LIST_DAYS = 30


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class ServedListStats:
    """Served lists of one model version (None: served while no model served the catalogue, or a deleted one)."""

    version: ModelVersion | None
    lists: int
    personalised: int
    shown: int  # lists with feedback of any kind: a click or a conversion means the list was shown
    clicked: int
    converted: int

    @property
    def personalised_share(self) -> float | None:
        return _share(self.personalised, self.lists)

    @property
    def click_through_rate(self) -> float | None:
        return _share(self.clicked, self.shown)

    @property
    def conversion_rate(self) -> float | None:
        return _share(self.converted, self.shown)


@dataclass
class ServedListsOfCatalogue:
    target: Organization
    versions: list[ServedListStats] = field(default_factory=list)


def served_list_stats(
    *, organization: Organization, days: int = SERVED_LIST_DAYS, now: datetime | None = None
) -> list[ServedListsOfCatalogue]:
    """The lists served to `organization` (the API caller) in the last `days`, per target catalogue and model version:
    how many, how many personalised, and how many received shown / clicked / converted feedback. One grouped query
    (feedback joined and counted per distinct list), then the versions and catalogues it names. Staff previews are not
    served lists and do not count."""
    since = (now or timezone.now()) - timedelta(days=days)
    kind = RecommendationFeedback.Kind
    grouped = list(
        RecommendationLog.objects.filter(organization=organization, served_at__gte=since)
        .order_by()
        .values("target_id", "model_version_id")
        .annotate(
            lists=Count("id", distinct=True),
            personalised=Count("id", filter=Q(personalized=True), distinct=True),
            shown=Count("feedback__served_id", distinct=True),
            clicked=Count("feedback__served_id", filter=Q(feedback__kind=kind.CLICKED), distinct=True),
            converted=Count("feedback__served_id", filter=Q(feedback__kind=kind.CONVERTED), distinct=True),
        )
    )
    versions = ModelVersion.objects.in_bulk([row["model_version_id"] for row in grouped if row["model_version_id"]])
    targets = Organization.objects.in_bulk([row["target_id"] for row in grouped])
    catalogues: dict[int, ServedListsOfCatalogue] = {}
    for row in grouped:
        catalogue = catalogues.setdefault(row["target_id"], ServedListsOfCatalogue(targets[row["target_id"]]))
        catalogue.versions.append(
            ServedListStats(
                version=versions.get(row["model_version_id"]),
                lists=row["lists"],
                personalised=row["personalised"],
                shown=row["shown"],
                clicked=row["clicked"],
                converted=row["converted"],
            )
        )
    for catalogue in catalogues.values():
        # The champion first, then newer versions before older ones, lists served without a model last.
        catalogue.versions.sort(
            key=lambda s: (
                s.version is None,
                not (s.version and s.version.is_champion),
                -(s.version.trained_at.timestamp() if s.version else 0.0),
                -(s.version.pk if s.version else 0),
            )
        )
    return sorted(catalogues.values(), key=lambda c: (c.target.pk != organization.pk, c.target.name))
