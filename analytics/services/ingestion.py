"""Batch ingestion of events: validated in plain Python, references resolved with one query each, inserted in bulk.

An event is identified by (organization, external_id): the first write wins, an identical replay is counted as a
duplicate, and a repeat with other values (in the batch or against the stored event) is a row error.
The unique constraint settles concurrent replays (INSERT ... ON CONFLICT DO NOTHING), so two identical batches sent at
the same time create each event once. An event naming a consumer erased by a data-subject request is skipped and
counted as `erased` (the tombstones are asked once per batch, and only about refs that match no consumer).
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.models import Event, EventType
from analytics.services.rollup import rollup_enqueue
from campaigns.models import Campaign, CatalogItem, Consumer, Organization, PartnerApiKey, User
from campaigns.services.audit import audit_record
from campaigns.services.ingestion import (
    BatchResult,
    FieldSpec,
    RowErrors,
    choice,
    currency,
    decimal,
    event_time,
    integer,
    ref,
    rows_validate,
)
from campaigns.services.privacy import erased_refs
from xmkt_site.error_codes import ErrorCode
from xmkt_site.errors import ConflictError

EVENT_FIELDS: dict[str, FieldSpec] = {
    "external_id": FieldSpec(ref(128), required=True),
    "type": FieldSpec(choice(EventType.values), required=True),
    "occurred_at": FieldSpec(event_time, required=True),
    "consumer": FieldSpec(ref(128)),  # the consumer's external_ref; absent for a guest
    "item": FieldSpec(ref(128)),  # the catalogue item's external_ref
    "quantity": FieldSpec(integer(min_value=0, max_value=2_147_483_647)),
    "value": FieldSpec(decimal(max_digits=14, decimal_places=2)),
    "currency": FieldSpec(currency),
    "rating": FieldSpec(integer(min_value=1, max_value=5)),
    "campaign": FieldSpec(integer(min_value=1, max_value=2**63 - 1)),  # a campaign id of, or shared with, the org
}

# Column order of the bulk insert; the organization and received_at are the same for the whole batch.
_COLUMNS = (
    "organization_id",
    "consumer_id",
    "item_id",
    "type",
    "quantity",
    "value",
    "currency",
    "rating",
    "occurred_at",
    "campaign_id",
    "external_id",
    "received_at",
)
# What an event's sender chose: every column but the organization and the time of receipt, in _COLUMNS order.
_PAYLOAD_COLUMNS = _COLUMNS[1:-1]


def _ids_by_ref(
    model: type[Consumer] | type[CatalogItem], organization: Organization, refs: set[str]
) -> dict[str, int]:
    if not refs:
        return {}
    if connection.vendor == "postgresql":
        # One array parameter instead of 10,000 placeholders: cheaper to build, send and plan.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT external_ref, id FROM {model._meta.db_table} WHERE organization_id = %s"
                " AND external_ref = ANY(%s::varchar[])",
                [organization.pk, _pg_array(refs)],
            )
            return dict(cursor.fetchall())
    return dict(
        model.objects.filter(organization=organization, external_ref__in=list(refs)).values_list("external_ref", "id")
    )


def _pg_array(values: Any) -> str:
    """A PostgreSQL array literal; several times faster than letting psycopg2 adapt 10,000 Python objects."""
    return (
        "{"
        + ",".join(
            "NULL" if v is None else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values
        )
        + "}"
    )


def _campaign_ids(organization: Organization, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        Campaign.objects.filter(Q(organization=organization) | Q(partners=organization), id__in=list(ids))
        .values_list("id", flat=True)
        .distinct()
    )


def _may_skip_row_triggers(cursor: Any) -> bool:
    """Whether this PostgreSQL role may set session_replication_role (a superuser, or GRANT SET ON PARAMETER)."""
    cached = getattr(connection, "_xmkt_may_skip_row_triggers", None)
    if cached is None:
        if connection.pg_version >= 150000:
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        cached = bool(row and row[0])
        connection._xmkt_may_skip_row_triggers = cached
    return cached


@contextmanager
def events_bulk_write(*, cursor: Any, organization_id: int) -> Iterator[Callable[..., None]]:
    """Batched foreign-key checks for a bulk insert of events on PostgreSQL.

    PostgreSQL checks each foreign key with a trigger per inserted row (a locking lookup per row and key): for a
    10,000-row batch that is 30,000 lookups and most of the insert's time. The caller locks every referenced row once
    (FOR KEY SHARE, exactly the lock those triggers take) through the function this yields, and the insert then runs
    with row triggers off (session_replication_role = replica, transaction-local), which needs a superuser or
    `GRANT SET ON PARAMETER session_replication_role TO <role>` (PostgreSQL 15+). Without that privilege the locks are
    taken anyway and the triggers run as usual. Event ids come from lookups in the same organization, made in this
    transaction and locked, so the guarantee the triggers give holds either way.
    """

    def lock_refs(
        *,
        consumer_ids: Sequence[int] = (),
        item_ids: Sequence[int] = (),
        campaign_ids: Sequence[int] = (),
        consumers_sql: str = "",
        items_sql: str = "",
    ) -> None:
        cursor.execute("SELECT 1 FROM campaigns_organization WHERE id = %s FOR KEY SHARE", [organization_id])
        for table, ids in (
            ("campaigns_consumer", consumer_ids),
            ("campaigns_catalogitem", item_ids),
            ("campaigns_campaign", campaign_ids),
        ):
            if ids:
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE id = ANY(%s::bigint[]) FOR KEY SHARE) x",
                    [_pg_array(ids)],
                )
        for table, subquery in (("campaigns_consumer", consumers_sql), ("campaigns_catalogitem", items_sql)):
            if subquery:
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE organization_id = %s"
                    f" AND external_ref IN ({subquery}) FOR KEY SHARE) x",
                    [organization_id],
                )
        if skip:
            cursor.execute("SET LOCAL session_replication_role = replica")
            state["replica"] = True

    skip = connection.vendor == "postgresql" and _may_skip_row_triggers(cursor)
    state = {"replica": False}
    yield lock_refs
    # Only on success: after an error the transaction (or savepoint) rolls back and takes the SET LOCAL with it.
    if state["replica"]:
        cursor.execute("SET LOCAL session_replication_role = origin")


def events_insert(*, organization_id: int, rows: list[tuple]) -> int:
    """Insert event tuples in _COLUMNS order (without organization and received_at); returns how many were new."""
    if not rows:
        return 0
    now = timezone.now()
    table = connection.ops.quote_name(Event._meta.db_table)
    columns = ", ".join(_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement of parallel arrays: far cheaper to send and plan than 10,000 VALUES tuples.
            arrays = [_pg_array(column) for column in zip(*rows, strict=True)]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                "SELECT %s, u.* , %s FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::integer[], "
                "%s::numeric[], %s::varchar[], %s::smallint[], %s::timestamptz[], %s::bigint[], %s::varchar[]) AS u "
                "ON CONFLICT (organization_id, external_id) DO NOTHING",
                [organization_id, now, *arrays],
            )
            return cursor.rowcount
        placeholders = ", ".join(["%s"] * len(_COLUMNS))
        adapt_moment = connection.ops.adapt_datetimefield_value
        received_at = adapt_moment(now)
        before = connection.connection.total_changes
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT (organization_id, external_id) "
            "DO NOTHING",
            [
                (organization_id, *row[:4], str(row[4]), row[5], row[6], adapt_moment(row[7]), *row[8:], received_at)
                for row in rows
            ],
        )
        return connection.connection.total_changes - before


def event_batch_ingest(
    *,
    organization: Organization,
    rows: Sequence[Any],
    by: User | None = None,
    api_key: PartnerApiKey | None = None,
    source: str = "json",
) -> BatchResult:
    errors = RowErrors()
    cleaned = rows_validate(rows, EVENT_FIELDS, errors)

    consumer_refs = {row["consumer"] for row in cleaned if row is not None and "consumer" in row}
    item_refs = {row["item"] for row in cleaned if row is not None and "item" in row}
    campaign_ids = {row["campaign"] for row in cleaned if row is not None and "campaign" in row}
    # Only the caller's organization is searched, so another organization's ref is simply unknown.
    consumer_ids = _ids_by_ref(Consumer, organization, consumer_refs)
    item_ids = _ids_by_ref(CatalogItem, organization, item_refs)
    known_campaigns = _campaign_ids(organization, campaign_ids)
    # An erased consumer has no row left, so only the refs that matched nobody can be erased: one query, or none.
    unknown_refs = consumer_refs - consumer_ids.keys()
    erased = erased_refs(organization=organization, external_refs=unknown_refs) if unknown_refs else set()

    tuples: list[tuple] = []
    first_index: dict[str, int] = {}  # external_id -> index of the row whose tuple is kept
    kept: dict[str, tuple] = {}
    repeated = 0
    skipped_erased = 0
    zero = Decimal("0")
    for index, row in enumerate(cleaned):
        if row is None:
            continue
        consumer_id = item_id = None
        if "consumer" in row:
            consumer_id = consumer_ids.get(row["consumer"])
            if consumer_id is None and row["consumer"] in erased:
                skipped_erased += 1  # never stored, not even as a guest event; not the sender's error
                continue
            if consumer_id is None:
                errors.add(index, "consumer", _("Unknown consumer reference in this organization."))
        if "item" in row:
            item_id = item_ids.get(row["item"])
            if item_id is None:
                errors.add(index, "item", _("Unknown catalogue item reference in this organization."))
        campaign_id = row.get("campaign")
        if campaign_id is not None and campaign_id not in known_campaigns:
            errors.add(index, "campaign", _("Unknown campaign for this organization."))
        rating = row.get("rating")
        if rating is not None and row["type"] != EventType.RATING:
            errors.add(index, "rating", _("Only rating events carry a rating."))
        external_id = row["external_id"]
        event = (
            consumer_id,
            item_id,
            row["type"],
            row.get("quantity", 1),
            row.get("value", zero),
            row.get("currency", "CNY"),
            rating,
            row["occurred_at"],
            campaign_id,
            external_id,
        )
        if external_id in kept:
            if kept[external_id] == event:  # an identical repeat: a duplicate, as it would be across batches
                repeated += 1
            else:
                errors.add(index, "external_id", _("This external_id appears earlier in the batch with other values."))
            continue
        kept[external_id] = event
        first_index[external_id] = index
        tuples.append(event)
    errors.raise_if_any(received=len(rows))
    # In external_id order: two overlapping batches then wait on each other's keys instead of deadlocking.
    tuples.sort(key=lambda t: t[9])

    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with (
                    connection.cursor() as cursor,
                    events_bulk_write(cursor=cursor, organization_id=organization.pk) as lock_refs,
                ):
                    lock_refs(
                        consumer_ids=sorted({t[0] for t in tuples if t[0] is not None}),
                        item_ids=sorted({t[1] for t in tuples if t[1] is not None}),
                        campaign_ids=sorted({t[8] for t in tuples if t[8] is not None}),
                    )
                    created = events_insert(organization_id=organization.pk, rows=tuples)
            else:
                created = events_insert(organization_id=organization.pk, rows=tuples)
            if created < len(tuples):
                # Some external_ids were stored before (or by a concurrent batch, whose commit the insert waited
                # for): a replay must carry the same event, or it is refused rather than silently dropped.
                _refuse_changed_replays(organization=organization, kept=kept, first_index=first_index, errors=errors)
                errors.raise_if_any(received=len(rows))
            result = BatchResult(
                received=len(rows),
                created=created,
                duplicates=len(rows) - created - skipped_erased,
                erased=skipped_erased,
            )
            audit_record(
                action="events.batch_ingest",
                user=by,
                api_key=api_key,
                organization=organization,
                metadata={**result.as_dict(), "source": source},
            )
            if created:
                earliest = min(t[7] for t in tuples)
                _enqueue_rollup(organization=organization, by=by, since=timezone.localtime(earliest).date())
    except IntegrityError as exc:
        # A consumer, item or campaign deleted between our lookup and the commit; a retry reports it as unknown.
        raise ConflictError(_("The batch raced with a deletion; send it again."), code=ErrorCode.CONFLICT) from exc
    return result


def _refuse_changed_replays(
    *, organization: Organization, kept: dict[str, tuple], first_index: dict[str, int], errors: RowErrors
) -> None:
    """A row error for every event of the batch whose external_id is stored with other values."""
    stored = Event.objects.filter(organization=organization, external_id__in=list(kept)).values_list(*_PAYLOAD_COLUMNS)
    for event in stored:
        if kept[event[9]] != tuple(event):
            errors.add(
                first_index[event[9]],
                "external_id",
                _("An event with this external_id is already stored with other values."),
            )


def _enqueue_rollup(*, organization: Organization, by: User | None, since: date) -> None:
    """Refresh the daily rollup from the earliest day this batch touched, once the batch has committed."""
    rollup_enqueue(organization=organization, by=by, since=since)
