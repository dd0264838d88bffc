"""Answer "what should this consumer see from that catalogue?" fast, from precomputed rows.

Per request: one statement for the consumer with their consent in force (latest record, so a withdrawal counts on
the very next call), whether events arrived since the champion was trained and the champion's precomputed rows, and
one round trip for the served list's insert; events since training add one query and re-rank with the champion's
item-item neighbours, cached in process per model version. The champion and agreement state are cached per process for
SERVING_CACHE_SECONDS so that a new champion or a suspended agreement is picked up within seconds.
"""

import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.models import Event
from campaigns.models import (
    CatalogItem,
    DataPurpose,
    DataSharingAgreement,
    Organization,
)
from recommender.error_codes import ServingErrorCode
from recommender.ml import EVENT_WEIGHTS
from recommender.models import ModelVersion, Recommendation, RecommendationLog
from xmkt_site.access import Actor
from xmkt_site.errors import NotFoundError, PermissionDeniedError

SERVING_CACHE_SECONDS = 5.0
PURCHASE_TYPES = ("purchase", "enroll")
FRESH_EVENTS_LIMIT = 50
FRESH_BLEND = 1.0  # weight of recent-interaction similarity against the precomputed (normalised) score


@dataclass(frozen=True)
class CachedItem:
    pk: int
    external_ref: str
    title: str


@dataclass
class ServingContext:
    target: Organization
    version_id: int | None = None
    version_label: str = ""
    data_until: Any = None
    artifact_path: str = ""
    popular: list[tuple[int, float]] = field(default_factory=list)
    popular_groups: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    items: dict[int, CachedItem] = field(default_factory=dict)  # popular items, active only
    loaded_at: float = 0.0


@dataclass
class ServedItem:
    item_id: int
    external_ref: str
    title: str
    score: float
    reason: str


class NonPersonalizedReason(models.TextChoices):
    """Why a served list is not personalised, from what the serving statement already read (no extra query)."""

    NO_CONSENT = "no_consent", gettext_lazy("No personalization consent in force")
    NO_MODEL = "no_model", gettext_lazy("No champion model for this catalogue yet")
    NO_HISTORY = "no_history", gettext_lazy("No personal list: no consented history when the model was trained")
    NEW_SINCE_TRAINING = (
        "new_since_training",
        gettext_lazy("No personal list yet: the consumer's history is newer than the model"),
    )
    LIST_EXHAUSTED = "list_exhausted", gettext_lazy("Everything on the personal list was bought since training")


@dataclass
class ServedList:
    recommendation_id: str  # "" when the list was not recorded (a staff preview)
    model_version: int | None
    personalized: bool
    items: list[ServedItem]
    non_personalized_reason: str | None = None  # a NonPersonalizedReason value when not personalised

    @property
    def non_personalized_reason_label(self) -> str:
        return NonPersonalizedReason(self.non_personalized_reason).label if self.non_personalized_reason else ""


_context_cache: dict[tuple[int, str], ServingContext] = {}
_neighbour_cache: dict[int, tuple[dict[int, int], np.ndarray, sp.csr_matrix] | None] = {}
_lock = threading.Lock()


def serving_cache_clear() -> None:
    with _lock:
        _context_cache.clear()
        _neighbour_cache.clear()


def active_agreement_exists(
    *, first: Organization | int, second: Organization | int, purpose: str | None = None
) -> bool:
    """An agreement between the two is in force today and, when `purpose` is given, names that purpose."""
    agreements = DataSharingAgreement.objects.between(first, second).in_force(timezone.localdate())
    if purpose is None:
        return agreements.exists()
    # Purposes are a JSON list; SQLite has no JSON containment lookup, and only a handful of agreements are in force.
    return any(purpose in (purposes or []) for purposes in agreements.values_list("purposes", flat=True))


def serving_context(*, organization_id: int, catalog_slug: str) -> ServingContext:
    key = (organization_id, catalog_slug)
    now = time.monotonic()
    cached = _context_cache.get(key)
    if cached is not None and now - cached.loaded_at < SERVING_CACHE_SECONDS:
        return cached
    target = Organization.objects.filter(slug=catalog_slug, is_active=True).first()
    if target is None:
        raise NotFoundError(_("No catalogue with this slug."), code=ServingErrorCode.CATALOG_NOT_FOUND)
    context = ServingContext(target=target, loaded_at=now)
    champion = ModelVersion.objects.filter(organization_id=organization_id, target=target, is_champion=True).first()
    if champion is not None:
        context.version_id = champion.pk
        context.version_label = champion.label
        context.data_until = champion.data_until or champion.trained_at
        context.artifact_path = champion.artifact_path
        popular = champion.popular_items or {}
        context.popular = [(int(i), float(s)) for i, s in popular.get("all", [])]
        context.popular_groups = {
            g: [(int(i), float(s)) for i, s in rows] for g, rows in popular.get("groups", {}).items()
        }
        ids = {i for i, _ in context.popular} | {i for rows in context.popular_groups.values() for i, _ in rows}
        context.items = {
            pk: CachedItem(pk, ref, title)
            for pk, ref, title in CatalogItem.objects.filter(pk__in=ids, active=True).values_list(
                "pk", "external_ref", "title"
            )
        }
    with _lock:
        _context_cache[key] = context
    return context


def champion_neighbours(*, version_id: int, artifact_path: str):
    """(item pk -> column, column -> item pk, top-k item-item weights) of a model version, loaded once per process."""
    if version_id in _neighbour_cache:
        return _neighbour_cache[version_id]
    folder = Path(settings.MEDIA_ROOT) / artifact_path
    loaded = None
    if artifact_path and (folder / "neighbours.npz").exists():
        encoders = np.load(folder / "encoders.npz")
        item_pks = np.asarray(encoders["items"], dtype=np.int64)
        loaded = (
            {int(pk): i for i, pk in enumerate(item_pks)},
            item_pks,
            sp.load_npz(folder / "neighbours.npz").tocsr(),
        )
    with _lock:
        _neighbour_cache[version_id] = loaded
    return loaded


def _reason_text(code: str, title: str | None = None) -> str:
    if code == Recommendation.Reason.BECAUSE_YOU_BOUGHT and title:
        return _("Because you bought %(title)s") % {"title": title}
    if code == Recommendation.Reason.SEGMENT:
        return _("Popular in your segment")
    return _("Popular now")


def _check_access(*, actor: Actor, consumer_org_id: int) -> None:
    """Internal roles and keys of the consumer's own organization, or a partner's key under an active agreement."""
    if actor.organization.pk == consumer_org_id:
        return
    if actor.is_api_key and active_agreement_exists(first=actor.organization, second=consumer_org_id):
        return
    raise PermissionDeniedError(_("You may not read recommendations for this organization's consumers."))


def recommendations_serve(
    *,
    actor: Actor,
    consumer_ref: str,
    catalog_slug: str,
    k: int = 10,
    consumer_org_slug: str | None = None,
    record_served_list: bool = True,
) -> ServedList:
    """The consumer's top-k of the catalogue. Recorded as a served list (feedback, attribution, retention) unless
    `record_served_list` is false: a staff preview computes the same list without counting as a serve."""
    consumer_org = actor.organization
    if consumer_org_slug and consumer_org_slug != actor.organization.slug:
        consumer_org = Organization.objects.filter(slug=consumer_org_slug).first()
        if consumer_org is None:
            raise NotFoundError(_("No organization with this slug."), code=ServingErrorCode.ORGANIZATION_NOT_FOUND)
    _check_access(actor=actor, consumer_org_id=consumer_org.pk)
    context = serving_context(organization_id=consumer_org.pk, catalog_slug=catalog_slug)
    target = context.target
    cross = target.pk != consumer_org.pk
    if cross and not active_agreement_exists(first=consumer_org, second=target):
        raise PermissionDeniedError(
            _("No active data-sharing agreement allows this catalogue for these consumers."),
            code=ServingErrorCode.OUT_OF_AGREEMENT,
        )
    consumer, rows = _consumer_with_consent_and_rows(
        organization_id=consumer_org.pk,
        external_ref=consumer_ref,
        target_id=target.pk if cross else None,
        caller_id=actor.organization.pk if actor.organization.pk != consumer_org.pk else None,
        fresh_since=context.data_until,
        catalog_id=target.pk,
        version_id=context.version_id,
    )
    # Another organization's caller gets one refusal for a ref nobody has and for a consumer who has not consented,
    # so the answer never tells it whether the consumer exists.
    if actor.organization.pk != consumer_org.pk and (
        consumer is None or (cross and not consumer.shares_with_target) or not consumer.shares_with_caller
    ):
        raise PermissionDeniedError(
            _("No consumer with this reference has consented to this sharing."),
            code=ServingErrorCode.CONSENT_REQUIRED,
        )
    if consumer is None:
        raise NotFoundError(_("No consumer with this reference."), code=ServingErrorCode.CONSUMER_NOT_FOUND)
    if cross and not consumer.shares_with_target:
        raise PermissionDeniedError(
            _("The consumer has not consented to sharing with this catalogue's organization."),
            code=ServingErrorCode.CONSENT_REQUIRED,
        )

    personalized = bool(consumer.personal)
    items: list[ServedItem] = []
    if personalized and context.version_id is not None:
        items = _personal_items(consumer=consumer, context=context, rows=rows, k=k)
    reason = None
    if not items:
        reason = _non_personalized_reason(consumer=consumer, context=context, rows=rows)
        if actor.organization.pk != consumer_org.pk and reason != NonPersonalizedReason.NO_MODEL:
            # The other causes tell of the consumer's consent or recent purchases at their organization: not for
            # another organization's caller, which learns only that the list is not personalised.
            reason = None
        items = _popular_items(consumer=consumer, context=context, k=k, use_segment=personalized)
        personalized = False
    recommendation_id = ""
    if record_served_list:
        recommendation_id = str(
            _served_list_record(
                organization_id=actor.organization.pk,
                consumer_id=consumer.pk,
                target_id=target.pk,
                version_id=context.version_id,
                personalized=personalized,
                item_ids=[item.item_id for item in items],
            )
        )
    return ServedList(recommendation_id, context.version_id, personalized, items, reason)


def _non_personalized_reason(
    *, consumer: "ServingConsumer", context: ServingContext, rows: list["PrecomputedRow"]
) -> NonPersonalizedReason:
    if not consumer.personal:
        return NonPersonalizedReason.NO_CONSENT
    if context.version_id is None:
        return NonPersonalizedReason.NO_MODEL
    if rows:
        return NonPersonalizedReason.LIST_EXHAUSTED
    return NonPersonalizedReason.NEW_SINCE_TRAINING if consumer.fresh else NonPersonalizedReason.NO_HISTORY


@dataclass(frozen=True)
class ServingConsumer:
    pk: int
    city: str
    personal: bool
    shares_with_target: bool
    shares_with_caller: bool
    fresh: bool


# The hot path in plain SQL: the ORM spent more time compiling these statements than the database running them.
# The consent subquery spells out campaigns.models.consumers.CONSENT_IN_FORCE_ORDER (the record received last wins).
_LATEST_CONSENT = (
    "(SELECT r.granted FROM campaigns_consentrecord r WHERE r.consumer_id = c.id AND r.purpose = %s AND {recipient}"
    " ORDER BY r.received_at DESC, r.recorded_at DESC, r.granted ASC, r.id DESC LIMIT 1)"
)
# The champion's precomputed rows for the consumer, joined to the consumer in the same statement (one round trip).
# They are read whatever the consent says and dropped in Python when personalisation is not allowed.
_ROWS_LATERAL = (
    " LEFT JOIN LATERAL (SELECT r.item_id, i.external_ref, i.title, r.score, r.reason, r.rank,"
    " (SELECT ri.title FROM campaigns_catalogitem ri WHERE ri.id = r.reason_item_id) AS reason_title"
    " FROM recommender_recommendation r JOIN campaigns_catalogitem i ON i.id = r.item_id"
    " WHERE r.consumer_id = c.id AND r.target_id = %s AND r.model_version_id = %s AND i.active) x ON true"
)

_ROWS_SQL = (
    "SELECT r.item_id, i.external_ref, i.title, r.score, r.reason,"
    " (SELECT ri.title FROM campaigns_catalogitem ri WHERE ri.id = r.reason_item_id)"
    " FROM recommender_recommendation r JOIN campaigns_catalogitem i ON i.id = r.item_id"
    " WHERE r.consumer_id = %s AND r.target_id = %s AND r.model_version_id = %s AND i.active = %s ORDER BY r.rank"
)

PrecomputedRow = tuple[int, str, str, float, str, str | None]  # item pk, ref, title, score, reason code, reason title


def _consumer_with_consent_and_rows(
    *,
    organization_id: int,
    external_ref: str,
    target_id: int | None,
    caller_id: int | None,
    fresh_since,
    catalog_id: int,
    version_id: int | None,
) -> tuple[ServingConsumer | None, list[PrecomputedRow]]:
    """One statement: the consumer, the latest record of each consent that matters, whether events arrived since
    the champion's training snapshot, and the champion's precomputed rows for this catalogue in rank order."""
    columns = [_LATEST_CONSENT.format(recipient="r.recipient_id IS NULL")]
    params: list[Any] = [DataPurpose.PERSONALIZATION.value]
    for recipient in (target_id, caller_id):
        if recipient is None:
            columns.append("NULL")
        else:
            columns.append(_LATEST_CONSENT.format(recipient="r.recipient_id = %s"))
            params += [DataPurpose.PARTNER_SHARING.value, recipient]
    if fresh_since is None:
        columns.append("NULL")
    else:
        columns.append(
            "EXISTS (SELECT 1 FROM analytics_event e WHERE e.consumer_id = c.id AND e.received_at > %s"
            " AND e.item_id IS NOT NULL)"
        )
        params.append(fresh_since)
    consumer_sql = (
        f"SELECT c.id, c.city, {', '.join(columns)} FROM campaigns_consumer c"
        " WHERE c.organization_id = %s AND c.external_ref = %s"
    )
    params += [organization_id, external_ref]
    if version_id is not None and connection.vendor == "postgresql":
        # MATERIALIZED: the consent subqueries run once, not once per precomputed row.
        sql = (
            f"WITH c AS MATERIALIZED ({consumer_sql})"
            " SELECT c.*, x.item_id, x.external_ref, x.title, x.score, x.reason, x.reason_title FROM c"
            f"{_ROWS_LATERAL} ORDER BY x.rank"
        )
        params += [catalog_id, version_id]
    else:
        sql = consumer_sql
    with connection.cursor() as cursor:
        _execute(cursor, sql, params)
        fetched = cursor.fetchall()
        if not fetched:
            return None, []
        pk, city, personal, target_share, caller_share, fresh = fetched[0][:6]
        rows = [tuple(row[6:]) for row in fetched if len(row) > 6 and row[6] is not None]
        if version_id is not None and sql == consumer_sql:  # no LATERAL (SQLite): a second statement
            cursor.execute(_ROWS_SQL, [pk, catalog_id, version_id, True])
            rows = [tuple(row) for row in cursor.fetchall()]
    consumer = ServingConsumer(pk, city, bool(personal), bool(target_share), bool(caller_share), bool(fresh))
    return consumer, rows


def _execute(cursor, sql: str, params: list[Any]) -> None:
    """Run a hot-path statement; on PostgreSQL as a prepared statement of the connection, planned once per connection
    instead of once per request (planning the consumer-and-rows statement costs more than running it). Prepared
    statements live as long as the database session and survive rollbacks; behind a transaction-pooling PgBouncer,
    set SERVING_PREPARED_STATEMENTS=false."""
    if connection.vendor != "postgresql" or not settings.SERVING_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    raw = connection.connection
    prepared = getattr(connection, "_xmkt_prepared_statements", None)
    if prepared is None or prepared[0] is not raw:  # a new database session: nothing prepared yet
        prepared = (raw, set())
        connection._xmkt_prepared_statements = prepared
    name = f"xmkt_serving_{zlib.crc32(sql.encode()):08x}"
    if name not in prepared[1]:
        head, *rest = sql.split("%s")
        cursor.execute(f"PREPARE {name} AS {head}" + "".join(f"${n}{part}" for n, part in enumerate(rest, start=1)))
        prepared[1].add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}", params)


def _served_list_record(
    *,
    organization_id: int,
    consumer_id: int,
    target_id: int,
    version_id: int | None,
    personalized: bool,
    item_ids: list[int],
) -> uuid.UUID:
    recommendation_id = uuid.uuid4()
    fields = {f.name: f for f in RecommendationLog._meta.concrete_fields}
    values = {
        "recommendation_id": recommendation_id,
        "organization": organization_id,
        "consumer": consumer_id,
        "target": target_id,
        "model_version": version_id,
        "personalized": personalized,
        "item_ids": item_ids,
        "served_at": timezone.now(),
    }
    columns = [fields[name].column for name in values]
    params = [fields[name].get_db_prep_save(value, connection) for name, value in values.items()]
    insert = (
        f"INSERT INTO {RecommendationLog._meta.db_table} ({', '.join(columns)})"
        f" VALUES ({', '.join(['%s'] * len(columns))})"
    )
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(insert, params)
        return recommendation_id
    # The served list is written without waiting for the WAL flush: a database crash can lose the last fraction of a
    # second of served lists (their feedback then answers 404), and every answer is faster. Both statements go in
    # one message, which PostgreSQL runs as one implicit transaction (so SET LOCAL holds for the INSERT only): one
    # round trip instead of BEGIN, the statement and COMMIT. Inside an outer transaction it simply joins it.
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL synchronous_commit TO OFF; {insert}", params)
    return recommendation_id


def _personal_items(
    *, consumer: ServingConsumer, context: ServingContext, rows: list[PrecomputedRow], k: int
) -> list[ServedItem]:
    if not rows:
        return []
    if not consumer.fresh:
        rows = rows[:k]  # nothing to re-rank: build only what is served
    served = [
        ServedItem(item_id, ref, title, float(score), _reason_text(reason, reason_title))
        for item_id, ref, title, score, reason, reason_title in rows
    ]
    if consumer.fresh:
        served = _rerank_with_fresh_events(consumer=consumer, context=context, served=served)
    return served[:k]


def _rerank_with_fresh_events(
    *, consumer: ServingConsumer, context: ServingContext, served: list[ServedItem]
) -> list[ServedItem]:
    """Events since training: drop what was bought since, and push up the neighbours of what was touched since."""
    events = list(
        Event.objects.filter(consumer_id=consumer.pk, received_at__gt=context.data_until, item__isnull=False)
        .order_by("-received_at")
        .values_list("item_id", "type", "quantity")[:FRESH_EVENTS_LIMIT]
    )
    bought = {item for item, kind, _quantity in events if kind in PURCHASE_TYPES}
    touched: dict[int, float] = {}
    for item, kind, _quantity in events:
        if kind != "refund":
            touched[item] = touched.get(item, 0.0) + EVENT_WEIGHTS.get(kind, 1.0)
    served = [s for s in served if s.item_id not in bought]
    neighbours = champion_neighbours(version_id=context.version_id, artifact_path=context.artifact_path)
    if neighbours is None or not touched:
        return served
    index, item_pks, weights = neighbours
    boost: dict[int, tuple[float, int]] = {}  # item pk -> (score, strongest fresh item pk)
    for item, weight in touched.items():
        j = index.get(item)
        if j is None:
            continue
        row = weights[j]
        for col, value in zip(row.indices, row.data, strict=True):
            pk = int(item_pks[col])
            score, best = boost.get(pk, (0.0, item))
            contribution = weight * float(value)
            boost[pk] = (score + contribution, item if contribution > score else best)
    if not boost:
        return served
    top_boost = max(score for score, _ in boost.values()) or 1.0
    top_served = max((s.score for s in served), default=1.0) or 1.0
    by_pk = {s.item_id: s for s in served}
    new_pks = [pk for pk in boost if pk not in by_pk and pk not in bought]
    titles = {
        pk: (ref, title)
        for pk, ref, title in CatalogItem.objects.filter(
            pk__in=new_pks, organization=context.target, active=True
        ).values_list("pk", "external_ref", "title")
    }
    reason_titles = dict(CatalogItem.objects.filter(pk__in=list(touched)).values_list("pk", "title"))
    ranked: list[ServedItem] = []
    for s in served:
        extra = boost.get(s.item_id, (0.0, None))[0] / top_boost
        ranked.append(
            ServedItem(s.item_id, s.external_ref, s.title, s.score / top_served + FRESH_BLEND * extra, s.reason)
        )
    for pk, (ref, title) in titles.items():
        score, source = boost[pk]
        ranked.append(
            ServedItem(
                pk,
                ref,
                title,
                FRESH_BLEND * score / top_boost,
                _reason_text(Recommendation.Reason.BECAUSE_YOU_BOUGHT, reason_titles.get(source)),
            )
        )
    ranked.sort(key=lambda s: -s.score)
    return ranked


def _popular_items(
    *, consumer: ServingConsumer, context: ServingContext, k: int, use_segment: bool
) -> list[ServedItem]:
    """Non-personalised: the catalogue's popular items (per city for consented cold-start consumers)."""
    reason = Recommendation.Reason.POPULAR
    source = context.popular
    if use_segment and consumer.city and context.popular_groups.get(consumer.city):
        source, reason = context.popular_groups[consumer.city], Recommendation.Reason.SEGMENT
    candidates = [(pk, score) for pk, score in source if pk in context.items]
    if not candidates:
        return []
    bought = set(
        Event.objects.filter(
            consumer_id=consumer.pk, type__in=PURCHASE_TYPES, item_id__in=[pk for pk, _ in candidates[: k * 3]]
        ).values_list("item_id", flat=True)
    )
    text = _reason_text(reason)
    out = []
    for pk, score in candidates:
        if pk in bought:
            continue
        item = context.items[pk]
        out.append(ServedItem(pk, item.external_ref, item.title, score, text))
        if len(out) >= k:
            break
    return out


def similar_items_serve(*, actor: Actor, item_id: int, k: int = 10) -> tuple[CatalogItem, list[ServedItem]]:
    item = CatalogItem.objects.select_related("organization").filter(pk=item_id).first()
    if item is None:
        raise NotFoundError(_("No catalogue item with this id."), code=ServingErrorCode.ITEM_NOT_FOUND)
    if item.organization_id != actor.organization.pk and not active_agreement_exists(
        first=actor.organization, second=item.organization_id
    ):
        raise NotFoundError(_("No catalogue item with this id."), code=ServingErrorCode.ITEM_NOT_FOUND)
    # The item's own organization's model first, then the caller's, then the newest of any.
    champions = sorted(
        ModelVersion.objects.filter(target_id=item.organization_id, is_champion=True),
        key=lambda v: (
            v.organization_id != item.organization_id,
            v.organization_id != actor.organization.pk,
            -v.trained_at.timestamp(),
        ),
    )
    champion = champions[0] if champions else None
    if champion is None:
        return item, []
    neighbours = champion_neighbours(version_id=champion.pk, artifact_path=champion.artifact_path)
    if neighbours is None or item.pk not in neighbours[0]:
        return item, []
    index, item_pks, weights = neighbours
    row = weights[index[item.pk]]
    order = np.argsort(-row.data, kind="stable")
    scored = [(int(item_pks[row.indices[i]]), float(row.data[i])) for i in order]
    found = {
        pk: (ref, title)
        for pk, ref, title in CatalogItem.objects.filter(
            pk__in=[pk for pk, _ in scored], organization_id=item.organization_id, active=True
        ).values_list("pk", "external_ref", "title")
    }
    text = _("Bought together with %(title)s") % {"title": item.title}
    out = [ServedItem(pk, *found[pk], score, text) for pk, score in scored if pk in found][:k]
    return item, out
