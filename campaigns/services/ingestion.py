"""Batch ingestion of consumers and catalogue items, and the row-validation toolkit the event ingestion reuses.

A batch is up to settings.INGEST_MAX_ROWS rows (JSON objects or CSV lines) named by the models' field names. Rows are
validated in plain Python (a DRF serializer per row is far too slow for 10,000 rows), every bad row is reported at
once, and a batch commits whole or not at all. Rows are matched on (organization, external_ref): a new ref is created,
an existing one whose supplied attributes differ is updated, an identical one is counted as a duplicate. A row naming a
consumer erased by a data-subject request (its ref, phone or e-mail matches a tombstone) is dropped and counted as
`erased`: never stored, never an error (the sender cannot know about the erasure).

Validators here mirror the models' field limits and database constraints, so the bulk paths skip per-row full_clean();
the constraints in the database remain the last line of defence.
"""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.error_codes import IngestionErrorCode
from campaigns.models import CatalogItem, Consumer, Organization, PartnerApiKey, User
from campaigns.services.audit import audit_record
from campaigns.services.identity import hash_email, hash_phone
from campaigns.services.privacy import erased_contact_hashes, erased_refs
from campaigns.signals import consumer_contacts_received
from xmkt_site.errors import ApplicationError
from xmkt_site.event_times import event_time_problem

MAX_REPORTED_ROW_ERRORS = 1000
MISSING = object()


# --- reading a batch -------------------------------------------------------------------------------------------------


def batch_rows_read(*, data: Any, key: str, upload: Any = None) -> tuple[list[Any], str]:
    """The rows of a request: `{key: [...]}` JSON or a CSV upload with a header line. Returns (rows, source)."""
    max_rows = settings.INGEST_MAX_ROWS
    if upload is not None:
        rows = _csv_rows(upload, max_rows=max_rows)
        source = "csv"
    else:
        rows = data.get(key, MISSING) if isinstance(data, dict) else MISSING
        source = "json"
        if rows is MISSING:
            raise ApplicationError(
                _("Send {%(key)s: [...]} as JSON or a CSV file in the field 'file'.") % {"key": repr(key)},
                fields={key: [_("This field is required.")]},
            )
        if not isinstance(rows, list):
            raise ApplicationError(
                _("'%(key)s' must be a list of rows.") % {"key": key}, fields={key: [_("Expected a list.")]}
            )
    if len(rows) > max_rows:
        raise ApplicationError(
            _("A batch holds at most %(max)d rows; split it into smaller batches.") % {"max": max_rows},
            code=IngestionErrorCode.BATCH_TOO_LARGE,
            fields={key: [_("At most %(max)d rows.") % {"max": max_rows}]},
            extra={"max_rows": max_rows, "received": len(rows) if source == "json" else f">{max_rows}"},
        )
    if not rows:
        raise ApplicationError(
            _("The batch is empty."), code=IngestionErrorCode.EMPTY_BATCH, fields={key: [_("No rows.")]}
        )
    return rows, source


class CsvRows(list):
    """The rows of a CSV file, with the file line each one starts on (blank lines are skipped and a quoted cell may
    span lines, so the row index alone does not give it)."""

    def __init__(self) -> None:
        super().__init__()
        self.line_numbers: list[int] = []


def _csv_rows(upload: Any, *, max_rows: int) -> CsvRows:
    """Read line by line and stop one row past the limit, so an oversized upload is refused without loading it."""
    stream = getattr(upload, "file", upload)  # the underlying binary file of a Django upload
    stream.seek(0)
    handle = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    rows = CsvRows()
    try:
        reader = csv.DictReader(handle)
        if not reader.fieldnames:
            raise ApplicationError(
                _("The CSV file has no header line."),
                code=IngestionErrorCode.INVALID_FILE,
                fields={"file": [_("Empty.")]},
            )
        for row in reader:
            if len(rows) > max_rows:  # one past the limit is enough to refuse the batch
                break
            # Empty cells mean "not given"; a line with more cells than the header puts the extras under None.
            rows.append({k: v for k, v in row.items() if v not in ("", None) or k is None})
            rows.line_numbers.append(_first_line_of_row(reader.line_num, row))
    except UnicodeDecodeError as exc:
        raise ApplicationError(
            _("The CSV file must be UTF-8."), code=IngestionErrorCode.INVALID_FILE, fields={"file": [_("Not UTF-8.")]}
        ) from exc
    except csv.Error as exc:
        raise ApplicationError(
            _("The CSV file could not be read."), code=IngestionErrorCode.INVALID_FILE, fields={"file": [str(exc)]}
        ) from exc
    finally:
        handle.detach()  # leave the upload open for Django to clean up
    return rows


def _first_line_of_row(last_line: int, row: dict[Any, Any]) -> int:
    """The reader's line_num is the last physical line of the row; line breaks inside quoted cells push it past the
    line the row starts on."""
    cells = [v for value in row.values() for v in (value if isinstance(value, list) else [value]) if v]
    return last_line - sum(cell.count("\n") for cell in cells)


# --- row validation --------------------------------------------------------------------------------------------------


@dataclass
class RowErrors:
    """Every problem of a batch, reported together; the list is capped, the count is not."""

    items: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    def add(self, index: int, field_name: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_REPORTED_ROW_ERRORS:
            self.items.append({"index": index, "field": field_name, "message": str(message)})

    def raise_if_any(self, *, received: int) -> None:
        if not self.count:
            return
        bad_rows = len({e["index"] for e in self.items})
        raise ApplicationError(
            _("%(errors)d problems in the batch; nothing was written. Fix the rows listed and send the batch again.")
            % {"errors": self.count},
            code=IngestionErrorCode.INVALID_ROWS,
            extra={
                "rows": self.items,
                "error_count": self.count,
                "truncated": self.count > len(self.items),
                "received": received,
                "bad_rows_listed": bad_rows,
            },
        )


Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class FieldSpec:
    parse: Parser
    required: bool = False


def text(max_length: int, *, strip: bool = True) -> Parser:
    def parse(value: Any) -> str:
        if not isinstance(value, str):
            if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
                raise ValueError(_("Expected text."))
            value = str(value)
        if strip:
            value = value.strip()
        if "\x00" in value:  # PostgreSQL text cannot hold it: refused here rather than failing the whole write
            raise ValueError(_("Text may not contain NUL characters."))
        if len(value) > max_length:
            raise ValueError(_("At most %(n)d characters.") % {"n": max_length})
        return value

    return parse


def ref(max_length: int = 128) -> Parser:
    base = text(max_length)

    def parse(value: Any) -> str:
        value = base(value)
        if not value:
            raise ValueError(_("This field may not be blank."))
        return value

    return parse


def choice(choices: Iterable[str]) -> Parser:
    allowed = frozenset(choices)
    listed = ", ".join(sorted(allowed))

    def parse(value: Any) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(_("Must be one of: %(choices)s.") % {"choices": listed})
        return value

    return parse


def integer(*, min_value: int | None = None, max_value: int | None = None) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError(_("Expected a whole number."))
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str):
            try:
                number = int(value.strip())
            except ValueError:
                raise ValueError(_("Expected a whole number.")) from None
        else:
            raise ValueError(_("Expected a whole number."))
        if min_value is not None and number < min_value:
            raise ValueError(_("Must be at least %(n)d.") % {"n": min_value})
        if max_value is not None and number > max_value:
            raise ValueError(_("Must be at most %(n)d.") % {"n": max_value})
        return number

    return parse


def decimal(*, max_digits: int, decimal_places: int, min_value: Decimal | None = Decimal("0")) -> Parser:
    limit = Decimal(10) ** (max_digits - decimal_places)

    def parse(value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
            raise ValueError(_("Expected a number."))
        try:
            number = Decimal(value.strip() if isinstance(value, str) else str(value))
        except InvalidOperation:
            raise ValueError(_("Expected a number.")) from None
        if not number.is_finite():
            raise ValueError(_("Expected a number."))
        if number.as_tuple().exponent < -decimal_places and number != number.quantize(
            Decimal(1).scaleb(-decimal_places)
        ):
            raise ValueError(_("At most %(n)d decimal places.") % {"n": decimal_places})
        if min_value is not None and number < min_value:
            raise ValueError(_("Must not be negative.") if min_value == 0 else _("Too small."))
        if abs(number) >= limit:
            raise ValueError(_("Too large."))
        return number

    return parse


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "1", "yes", "y", "t"}:
            return True
        if lowered in {"false", "0", "no", "n", "f"}:
            return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(_("Expected true or false."))


def aware_datetime(value: Any) -> datetime:
    """ISO 8601; a value without an offset is read in settings.TIME_ZONE."""
    if not isinstance(value, str):
        raise ValueError(_("Expected an ISO 8601 date-time, e.g. 2026-11-11T20:00:00+08:00."))
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(_("Expected an ISO 8601 date-time, e.g. 2026-11-11T20:00:00+08:00.")) from None
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    return moment


def event_time(value: Any) -> datetime:
    """An aware_datetime inside the event-time window (settings.EVENT_TIME_MIN to now + EVENT_TIME_MAX_AHEAD_HOURS)."""
    moment = aware_datetime(value)
    problem = event_time_problem(moment)
    if problem is not None:
        raise ValueError(problem)
    return moment


def currency(value: Any) -> str:
    if not isinstance(value, str) or len(value.strip()) != 3 or not value.strip().isalpha():
        raise ValueError(_("Expected a three-letter currency code such as CNY."))
    return value.strip().upper()


def tag_list(value: Any) -> list[str]:
    """A JSON list of strings, or in CSV one cell with tags separated by '|'."""
    if isinstance(value, str):
        value = [t for t in (part.strip() for part in value.split("|")) if t]
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise ValueError(_("Expected a list of text tags."))
    if len(value) > 50 or any(len(t) > 64 for t in value):
        raise ValueError(_("At most 50 tags of 64 characters."))
    if any("\x00" in t for t in value):
        raise ValueError(_("Text may not contain NUL characters."))
    return value


def rows_validate(rows: Sequence[Any], specs: dict[str, FieldSpec], errors: RowErrors) -> list[dict[str, Any] | None]:
    """Each row becomes a dict of parsed values (only the fields it supplied), or None when it has errors."""
    cleaned: list[dict[str, Any] | None] = []
    required = [name for name, spec in specs.items() if spec.required]
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.add(index, "", _("Expected an object with field names."))
            cleaned.append(None)
            continue
        out: dict[str, Any] = {}
        ok = True
        for name, value in row.items():
            spec = specs.get(name)
            if spec is None:
                errors.add(index, str(name), _("Unknown field."))
                ok = False
                continue
            if value is None or value == "":
                continue
            try:
                out[name] = spec.parse(value)
            except ValueError as exc:
                errors.add(index, name, str(exc))
                ok = False
        for name in required:
            if name not in out and (row.get(name) is None or row.get(name) == ""):
                errors.add(index, name, _("This field is required."))
                ok = False
        cleaned.append(out if ok else None)
    return cleaned


# --- writing ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchResult:
    received: int
    created: int
    duplicates: int
    updated: int = 0
    erased: int = 0  # rows naming a consumer erased by a data-subject request: skipped, not stored

    def as_dict(self) -> dict[str, int]:
        out = {
            "received": self.received,
            "created": self.created,
            "updated": self.updated,
            "duplicates": self.duplicates,
        }
        if self.erased:  # only when it happened, so the common answer keeps its established shape
            out["erased"] = self.erased
        return out


def _max_rows_per_statement(n_columns: int) -> int:
    # SQLite allows 32,766 bound parameters, PostgreSQL 65,535: stay under the smaller.
    return max(1, 30_000 // n_columns)


def rows_insert_returning_refs(
    *, model: type[models.Model], objects: Sequence[models.Model], conflict_fields: Sequence[str]
) -> set[str]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING external_ref; the refs this statement really created.

    A row that another transaction inserted first is skipped instead of failing the batch (the unique constraint
    settles the race), and its ref is missing from the result so that the caller can treat it as existing."""
    if not objects:
        return set()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    conflict = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in conflict_fields)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    created: set[str] = set()
    step = _max_rows_per_statement(len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), step):
            chunk = objects[start : start + step]
            params: list[Any] = []
            for obj in chunk:
                params.extend(f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(chunk))} "
                f"ON CONFLICT ({conflict}) DO NOTHING RETURNING external_ref",
                params,
            )
            created.update(row[0] for row in cursor.fetchall())
    return created


def _upsert_by_external_ref(
    *, model: type[models.Model], organization: Organization, rows: list[dict[str, Any]]
) -> tuple[int, int, int]:
    """(created, updated, duplicates) for rows already validated and unique by external_ref within the batch."""
    by_ref = {row["external_ref"]: row for row in rows}

    def locked_existing(refs: Iterable[str]) -> dict[str, models.Model]:
        # FOR UPDATE: a concurrent batch changing the same refs waits for us instead of losing an update.
        query = (
            model.objects.select_for_update()
            .filter(organization=organization, external_ref__in=list(refs))
            .order_by("external_ref")
        )
        return {obj.external_ref: obj for obj in query}

    existing = locked_existing(by_ref)
    # In key order, like every writer here: two batches sharing refs then wait for each other instead of deadlocking.
    new_objects = [model(organization=organization, **by_ref[ref]) for ref in sorted(by_ref) if ref not in existing]
    created_refs = rows_insert_returning_refs(
        model=model, objects=new_objects, conflict_fields=("organization", "external_ref")
    )
    raced = {obj.external_ref for obj in new_objects} - created_refs
    if raced:  # inserted by a concurrent batch after our read: compare with what it wrote
        existing.update(locked_existing(raced))

    changed: list[models.Model] = []
    changed_fields: set[str] = set()
    duplicates = 0
    for ref, row in by_ref.items():
        if ref in created_refs:
            continue
        obj = existing[ref]
        differing = [name for name, value in row.items() if getattr(obj, name) != value]
        if differing:
            for name in differing:
                setattr(obj, name, row[name])
            changed.append(obj)
            changed_fields.update(differing)
        else:
            duplicates += 1
    if changed:
        now = timezone.now()
        for obj in changed:
            obj.updated_at = now
        changed.sort(key=lambda obj: obj.pk)
        model.objects.bulk_update(changed, [*sorted(changed_fields), "updated_at"], batch_size=1000)
    return len(created_refs), len(changed), duplicates


def _dedupe_within_batch(cleaned: list[dict[str, Any] | None], errors: RowErrors) -> tuple[list[dict[str, Any]], int]:
    """Repeated refs: an identical repeat is a duplicate, a conflicting one is a row error."""
    first: dict[str, dict[str, Any]] = {}
    duplicates = 0
    for index, row in enumerate(cleaned):
        if row is None:
            continue
        seen = first.get(row["external_ref"])
        if seen is None:
            first[row["external_ref"]] = row
        elif seen == row:
            duplicates += 1
        else:
            errors.add(index, "external_ref", _("This external_ref appears earlier in the batch with other values."))
    return list(first.values()), duplicates


def _repeats_of_kept(cleaned: list[dict[str, Any] | None], *, kept_refs: set[str]) -> int:
    """How many valid rows repeat an earlier row whose ref is kept."""
    seen: set[str] = set()
    repeats = 0
    for row in cleaned:
        if row is None or row["external_ref"] not in kept_refs:
            continue
        if row["external_ref"] in seen:
            repeats += 1
        seen.add(row["external_ref"])
    return repeats


CONSUMER_FIELDS: dict[str, FieldSpec] = {
    "external_ref": FieldSpec(ref(128), required=True),
    "phone": FieldSpec(text(64)),
    "email": FieldSpec(text(254)),
    "age_band": FieldSpec(choice(Consumer.AgeBand.values)),
    "gender": FieldSpec(choice(Consumer.Gender.values)),
    "city": FieldSpec(text(64)),
    "city_tier": FieldSpec(integer(min_value=1, max_value=5)),
}

ITEM_FIELDS: dict[str, FieldSpec] = {
    "external_ref": FieldSpec(ref(128), required=True),
    "kind": FieldSpec(choice(CatalogItem.Kind.values), required=True),
    "title": FieldSpec(ref(300), required=True),
    "description": FieldSpec(text(10_000)),
    "category": FieldSpec(text(100)),
    "tags": FieldSpec(tag_list),
    "price": FieldSpec(decimal(max_digits=12, decimal_places=2)),
    "currency": FieldSpec(currency),
    "active": FieldSpec(boolean),
}


def _hash_identifiers(row: dict[str, Any], index: int, errors: RowErrors) -> None:
    """Replace raw phone/email by their keyed hashes in place; the raw values go no further than this function."""
    phone = row.pop("phone", None)
    email = row.pop("email", None)
    if phone is not None:
        digest = hash_phone(phone)
        if not digest:
            errors.add(index, "phone", _("Expected a phone number with digits."))
        row["phone_hash"] = digest
    if email is not None:
        if "@" not in email:
            errors.add(index, "email", _("Expected an e-mail address."))
        row["email_hash"] = hash_email(email)


def _drop_erased_consumers(
    *, organization: Organization, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """The rows whose ref, phone hash or e-mail hash is not tombstoned, and how many were dropped (two queries)."""
    refs = erased_refs(organization=organization, external_refs=(row["external_ref"] for row in rows))
    contacts = erased_contact_hashes(
        organization=organization,
        phone_hashes=(row["phone_hash"] for row in rows if row.get("phone_hash")),
        email_hashes=(row["email_hash"] for row in rows if row.get("email_hash")),
    )
    if not refs and not contacts:
        return rows, 0
    kept = [
        row
        for row in rows
        if row["external_ref"] not in refs
        and row.get("phone_hash", "") not in contacts
        and row.get("email_hash", "") not in contacts
    ]
    return kept, len(rows) - len(kept)


def _reference_batch_ingest(
    *,
    model: type[Consumer] | type[CatalogItem],
    specs: dict[str, FieldSpec],
    action: str,
    organization: Organization,
    rows: Sequence[Any],
    by: User | None,
    api_key: PartnerApiKey | None,
    source: str,
    prepare: Callable[[dict[str, Any], int, RowErrors], None] | None = None,
    skip_erased: bool = False,
    after_store: Callable[[set[str]], None] | None = None,
) -> BatchResult:
    """Validate every row, then create, update or count as duplicate by external_ref, in one transaction."""
    errors = RowErrors()
    cleaned = rows_validate(rows, specs, errors)
    if prepare is not None:
        for index, row in enumerate(cleaned):
            if row is not None:
                prepare(row, index, errors)
    unique_rows, repeated = _dedupe_within_batch(cleaned, errors)
    errors.raise_if_any(received=len(rows))
    with transaction.atomic():
        erased = 0
        if skip_erased:
            unique_rows, erased = _drop_erased_consumers(organization=organization, rows=unique_rows)
            # A repeat of an erased row within the batch is erased too, not a duplicate of something stored.
            if erased:
                repeated = _repeats_of_kept(cleaned, kept_refs={row["external_ref"] for row in unique_rows})
                erased = len([r for r in cleaned if r is not None]) - len(unique_rows) - repeated
        created, updated, duplicates = _upsert_by_external_ref(model=model, organization=organization, rows=unique_rows)
        if after_store is not None:
            after_store({row["external_ref"] for row in unique_rows})
        result = BatchResult(
            received=len(rows), created=created, updated=updated, duplicates=duplicates + repeated, erased=erased
        )
        audit_record(
            action=action,
            user=by,
            api_key=api_key,
            organization=organization,
            metadata={**result.as_dict(), "source": source},
        )
    return result


def consumer_batch_ingest(
    *,
    organization: Organization,
    rows: Sequence[Any],
    by: User | None = None,
    api_key: PartnerApiKey | None = None,
    source: str = "json",
) -> BatchResult:
    raw_contacts: dict[str, tuple[str, str]] = {}

    def keep_contacts_then_hash(row: dict[str, Any], index: int, errors: RowErrors) -> None:
        if row.get("phone") or row.get("email"):
            raw_contacts[row["external_ref"]] = (row.get("phone") or "", row.get("email") or "")
        _hash_identifiers(row, index, errors)

    def announce_contacts(stored_refs: set[str]) -> None:
        contacts = [(ref, *raw_contacts[ref]) for ref in sorted(stored_refs & raw_contacts.keys())]
        if contacts:
            consumer_contacts_received.send(sender=Consumer, organization=organization, contacts=contacts)

    return _reference_batch_ingest(
        model=Consumer,
        specs=CONSUMER_FIELDS,
        action="consumers.batch_ingest",
        organization=organization,
        rows=rows,
        by=by,
        api_key=api_key,
        source=source,
        prepare=keep_contacts_then_hash,
        skip_erased=True,
        after_store=announce_contacts,
    )


def catalog_item_batch_ingest(
    *,
    organization: Organization,
    rows: Sequence[Any],
    by: User | None = None,
    api_key: PartnerApiKey | None = None,
    source: str = "json",
) -> BatchResult:
    return _reference_batch_ingest(
        model=CatalogItem,
        specs=ITEM_FIELDS,
        action="catalog_items.batch_ingest",
        organization=organization,
        rows=rows,
        by=by,
        api_key=api_key,
        source=source,
    )
