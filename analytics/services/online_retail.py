"""Importer for the UCI "Online Retail" file (../shared/data/online_retail.csv.gz; see its README).

Mapping, identical on both database paths:
- CustomerID -> Consumer(external_ref=CustomerID); an empty CustomerID is a guest checkout -> an event without consumer.
- StockCode -> CatalogItem(kind=product, external_ref=StockCode, currency GBP). Title: the first non-empty Description
  of a sale with a positive price (file order), else the first non-empty Description, else the code. Price: the most
  frequent positive UnitPrice of its sales (ties: the lowest), rounded to pence. Bookkeeping codes (postage, fees,
  discounts, manual lines) become kind=service tagged "non_product", so recommenders can leave them out.
- Each line -> Event with external_id "<InvoiceNo>-<n>", n the line's position within its invoice in file order (stable
  across re-runs and across imports of a prefix of the file). Invoices "C…" are refunds, other lines purchases;
  quantity and value are magnitudes (the type carries the direction), value = |Quantity| × UnitPrice rounded half
  up to pence.
- InvoiceDate is UK local time (Europe/London, BST in summer) and is stored as an aware instant. The file has no line
  in the hours the clocks skip or repeat, where the two paths could read a wall time differently.
- Skipped and counted: customers erased by a data-subject request (their CustomerID matches a tombstone; checked once
  per import with one set-based query): neither the consumer nor any of their lines is stored, not even as a guest
  event, and their lines contribute nothing to item titles or prices; accounting adjustments (invoices "A…") and stock
  corrections (non-cancellation lines with Quantity <= 0, all with price 0 and no customer); they are not customer
  behaviour.

Re-running creates nothing: consumers and items are matched on external_ref, events on external_id
(INSERT ... ON CONFLICT DO NOTHING). On PostgreSQL the file goes through COPY into a temporary table and three
set-based INSERT ... SELECT statements; other databases take a chunked bulk path in Python.
"""

import csv
import gzip
import io
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from analytics.models import EventType
from analytics.services.ingestion import events_bulk_write, events_insert
from campaigns.models import CatalogItem, Consumer, ErasureTombstone, Organization
from campaigns.services.ingestion import rows_insert_returning_refs
from campaigns.services.privacy import erased_refs

HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
UK = ZoneInfo("Europe/London")
CURRENCY = "GBP"
NON_PRODUCT_CODES = frozenset(
    {"POST", "DOT", "C2", "M", "m", "D", "S", "B", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS"}
)
NON_PRODUCT_TAG = "non_product"
EVENT_CHUNK = 10_000
PENNY = Decimal("0.01")

ProgressCallback = Callable[[int], None]  # called with bytes of the (compressed) file consumed so far
StageCallback = Callable[[str], None]  # called with the name of the step that starts


@dataclass
class ImportSummary:
    rows_read: int = 0
    rows_skipped: dict[str, int] = field(default_factory=dict)
    consumers_created: int = 0
    consumers_total: int = 0
    consumers_erased: int = 0  # customers of the file skipped because they were erased at their request
    items_created: int = 0
    items_total: int = 0
    events_created: int = 0
    events_existing: int = 0
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)  # where the time went (COPY path)
    method: str = ""

    @property
    def created_anything(self) -> bool:
        return bool(self.consumers_created or self.items_created or self.events_created)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


def _check_header(header: list[str] | None, path: Path) -> None:
    if header != HEADER:
        raise ValueError(f"{path.name} is not in the Online Retail format: header {header!r}, expected {HEADER!r}.")


class _ProgressReader(io.RawIOBase):
    """A binary stream over the decompressed file that reports how much of the compressed file has been read."""

    def __init__(self, path: Path, on_progress: ProgressCallback | None) -> None:
        self._raw = path.open("rb")
        self._stream: IO[bytes] = gzip.GzipFile(fileobj=self._raw) if path.suffix == ".gz" else self._raw
        self._on_progress = on_progress

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        if self._on_progress is not None:
            self._on_progress(self._raw.tell())
        return chunk

    def close(self) -> None:
        self._stream.close()
        self._raw.close()
        super().close()


def online_retail_import(
    *,
    path: Path,
    organization: Organization,
    limit: int | None = None,
    on_progress: ProgressCallback | None = None,
    on_stage: StageCallback | None = None,
    method: str = "auto",
) -> ImportSummary:
    """Import the file (or its first `limit` data rows) into the organization, all or nothing."""
    path = Path(path)
    with _open_text(path) as handle:
        _check_header(next(csv.reader(handle), None), path)
    if method == "auto":
        method = "copy" if connection.vendor == "postgresql" else "bulk"
    started = time.perf_counter()
    on_stage = on_stage or (lambda stage: None)
    with transaction.atomic():
        if method == "copy":
            summary = _import_with_copy(
                path=path, organization=organization, limit=limit, on_progress=on_progress, on_stage=on_stage
            )
        else:
            summary = _import_in_chunks(
                path=path, organization=organization, limit=limit, on_progress=on_progress, on_stage=on_stage
            )
        summary.consumers_total = Consumer.objects.filter(organization=organization).count()
        summary.items_total = CatalogItem.objects.filter(organization=organization).count()
    summary.method = method
    summary.seconds = time.perf_counter() - started
    return summary


# --- PostgreSQL: COPY + set-based SQL ------------------------------------------------------------------------------

_KEPT = "(r.invoice_no NOT LIKE 'A%%' AND r.unit_price >= 0 AND (r.invoice_no LIKE 'C%%' OR r.quantity > 0))"
_SALE = "(r.invoice_no NOT LIKE 'A%%' AND r.invoice_no NOT LIKE 'C%%' AND r.quantity > 0 AND r.unit_price > 0)"
_ADJUSTMENT = "(r.invoice_no LIKE 'A%%' OR r.unit_price < 0)"
_CUSTOMER = "nullif(btrim(r.customer_id, ' '), '')"
_DESCRIPTION = "btrim(r.description, ' ')"
_HAS_DESCRIPTION = f"{_DESCRIPTION} <> ''"
# Not a line of an erased customer; %(erased)s is the (usually empty) array of their CustomerIDs.
_LIVE = f"({_CUSTOMER} IS NULL OR NOT ({_CUSTOMER} = ANY(%(erased)s::text[])))"


def _first_description(condition: str) -> str:
    """The description of the first line (in file order) meeting the condition, as one hash aggregate: min() over
    the zero-padded line number prefixed to the text, in the C collation, instead of a sort or a self-join."""
    return f"substr(min((lpad(r.line::text, 12, '0') || {_DESCRIPTION}) COLLATE \"C\") FILTER (WHERE {condition}), 13)"


def _import_with_copy(
    *,
    path: Path,
    organization: Organization,
    limit: int | None,
    on_progress: ProgressCallback | None,
    on_stage: StageCallback,
) -> ImportSummary:
    summary = ImportSummary()
    clock = [time.perf_counter()]

    def lap(stage: str, next_stage: str) -> None:
        now = time.perf_counter()
        summary.stage_seconds[stage] = round(now - clock[0], 3)
        clock[0] = now
        on_stage(next_stage)

    on_stage("Reading")

    org = {"org": organization.pk, "non_product": sorted(NON_PRODUCT_CODES), "tag": f'["{NON_PRODUCT_TAG}"]'}
    with connection.cursor() as cursor:
        # COPY parses and types the file in one pass; `line` numbers the rows in file order. The table is dropped
        # at the end as well as on commit, so two imports inside one outer transaction do not collide.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.retail_rows")
        cursor.execute(
            "CREATE TEMP TABLE retail_rows (line bigint GENERATED ALWAYS AS IDENTITY, invoice_no text,"
            " stock_code text, description text, quantity integer, invoice_date timestamp, unit_price numeric,"
            " customer_id text, country text) ON COMMIT DROP"
        )
        copy_sql = (
            "COPY retail_rows (invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id,"
            " country) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')"
        )
        raw_cursor = cursor.cursor  # psycopg2's own cursor: Django's wrapper does not expose COPY
        with connection.wrap_database_errors:  # psycopg2's errors as Django's, e.g. DataError for a bad cell
            if limit is None:
                with _ProgressReader(path, on_progress) as stream:
                    raw_cursor.copy_expert(copy_sql, stream, size=1 << 20)
            else:
                raw_cursor.copy_expert(copy_sql, _first_rows_as_csv(path, limit, on_progress), size=1 << 20)
        lap("copy", "Consumers")
        # The consumer and item tables may have just been filled and carry stale statistics, and the temporary
        # table has none: without this the planner probes an index once per line instead of hashing once.
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")  # the window sort and hash tables stay in memory
        # Without statistics the estimates run to hundreds of millions of rows, which triggers JIT compilation that
        # costs more (over a second) than these queries do.
        cursor.execute("SET LOCAL jit = off")
        erased: list[str] = []
        if ErasureTombstone.objects.filter(organization=organization).exists():
            cursor.execute(f"SELECT DISTINCT {_CUSTOMER} FROM retail_rows r WHERE {_KEPT}", org)
            customers = [ref for (ref,) in cursor.fetchall() if ref is not None]
            erased = sorted(erased_refs(organization=organization, external_refs=customers))
        org["erased"] = erased
        summary.consumers_erased = len(erased)
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {_ADJUSTMENT}),"
            f" count(*) FILTER (WHERE NOT {_KEPT} AND NOT {_ADJUSTMENT}),"
            f" count(*) FILTER (WHERE {_KEPT} AND NOT {_LIVE}) FROM retail_rows r",
            org,
        )
        summary.rows_read, adjustments, corrections, erased_lines = cursor.fetchone()
        summary.rows_skipped = {"accounting_adjustment": adjustments, "stock_correction": corrections}
        if erased_lines:
            summary.rows_skipped["erased_consumer"] = erased_lines

        cursor.execute(
            "INSERT INTO campaigns_consumer (created_at, updated_at, organization_id, external_ref, phone_hash,"
            " email_hash, age_band, gender, city, city_tier)"
            " SELECT now(), now(), %(org)s, ref, '', '', '', 'unknown', '', NULL"
            f" FROM (SELECT DISTINCT {_CUSTOMER} AS ref FROM retail_rows r WHERE {_KEPT} AND {_LIVE}) c"
            " WHERE ref IS NOT NULL"
            ' ORDER BY ref COLLATE "C"'
            " ON CONFLICT (organization_id, external_ref) DO NOTHING",
            org,
        )
        summary.consumers_created = cursor.rowcount
        lap("consumers", "Items")

        cursor.execute(
            "WITH firsts AS (SELECT r.stock_code AS code,"
            f"   {_first_description(f'{_HAS_DESCRIPTION} AND {_SALE}')} AS sale_title,"
            f"   {_first_description(_HAS_DESCRIPTION)} AS any_title"
            f"   FROM retail_rows r WHERE {_KEPT} AND {_LIVE} GROUP BY r.stock_code),"
            " counted AS (SELECT r.stock_code AS code, r.unit_price, count(*) AS n"
            f"   FROM retail_rows r WHERE {_SALE} AND {_LIVE} GROUP BY r.stock_code, r.unit_price),"
            " prices AS (SELECT DISTINCT ON (code) code, unit_price FROM counted ORDER BY code, n DESC, unit_price)"
            " INSERT INTO campaigns_catalogitem (created_at, updated_at, organization_id, kind, external_ref, title,"
            " description, category, tags, price, currency, active)"
            " SELECT now(), now(), %(org)s,"
            " CASE WHEN f.code = ANY(%(non_product)s) THEN 'service' ELSE 'product' END, f.code,"
            " left(coalesce(f.sale_title, f.any_title, f.code), 300), '', '',"
            " CASE WHEN f.code = ANY(%(non_product)s) THEN %(tag)s::jsonb ELSE '[]'::jsonb END,"
            " round(coalesce(p.unit_price, 0), 2), 'GBP', true"
            " FROM firsts f LEFT JOIN prices p ON p.code = f.code"
            ' ORDER BY f.code COLLATE "C"'
            " ON CONFLICT (organization_id, external_ref) DO NOTHING",
            org,
        )
        summary.items_created = cursor.rowcount
        lap("items", "Events")

        with events_bulk_write(cursor=cursor, organization_id=organization.pk) as lock_refs:
            lock_refs(
                consumers_sql=f"SELECT DISTINCT {_CUSTOMER} FROM retail_rows r",
                items_sql="SELECT DISTINCT r.stock_code FROM retail_rows r",
            )
            cursor.execute(
                "INSERT INTO analytics_event (organization_id, consumer_id, item_id, type, quantity, value, currency,"
                " rating, occurred_at, campaign_id, external_id, received_at)"
                " SELECT %(org)s, c.id, i.id, CASE WHEN r.invoice_no LIKE 'C%%' THEN 'refund' ELSE 'purchase' END,"
                " abs(r.quantity), round(abs(r.quantity) * r.unit_price, 2), 'GBP', NULL,"
                " r.invoice_date AT TIME ZONE 'Europe/London', NULL, r.invoice_no || '-' || r.line_in_invoice, now()"
                ' FROM (SELECT *, row_number() OVER (PARTITION BY invoice_no COLLATE "C" ORDER BY line)'
                "   AS line_in_invoice FROM retail_rows) r"
                " JOIN campaigns_catalogitem i ON i.organization_id = %(org)s AND i.external_ref = r.stock_code"
                f" LEFT JOIN campaigns_consumer c ON c.organization_id = %(org)s AND c.external_ref = {_CUSTOMER}"
                f" WHERE {_KEPT} AND {_LIVE}"
                " ON CONFLICT (organization_id, external_id) DO NOTHING",
                org,
            )
            summary.events_created = cursor.rowcount
        lap("events", "Committing")
        cursor.execute("DROP TABLE retail_rows")
        cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
        cursor.execute("SET LOCAL work_mem TO DEFAULT")
        cursor.execute("SET LOCAL jit TO DEFAULT")
    kept = summary.rows_read - sum(summary.rows_skipped.values())
    summary.events_existing = kept - summary.events_created
    return summary


def _first_rows_as_csv(path: Path, limit: int, on_progress: ProgressCallback | None) -> io.StringIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    with _ProgressReader(path, on_progress) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as handle:
        for index, row in enumerate(csv.reader(handle)):
            if index > limit:  # index 0 is the header
                break
            writer.writerow(row)
    buffer.seek(0)
    return buffer


# --- any database: two streaming passes in Python, chunked bulk inserts -------------------------------------------


@dataclass
class _ParsedRow:
    invoice_no: str
    stock_code: str
    description: str
    quantity: int
    invoice_date: str
    unit_price: Decimal
    customer_ref: str

    @property
    def skip_reason(self) -> str | None:
        if self.invoice_no.startswith("A") or self.unit_price < 0:
            return "accounting_adjustment"
        if not self.invoice_no.startswith("C") and self.quantity <= 0:
            return "stock_correction"
        return None

    @property
    def is_sale(self) -> bool:
        return not self.invoice_no.startswith(("A", "C")) and self.quantity > 0 and self.unit_price > 0


def _parsed_rows(path: Path, limit: int | None, on_progress: ProgressCallback | None) -> Iterator[_ParsedRow]:
    with _ProgressReader(path, on_progress) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for number, row in enumerate(reader, start=1):
            if limit is not None and number > limit:
                return
            invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, _country = row
            yield _ParsedRow(
                invoice_no=invoice_no,
                stock_code=stock_code,
                description=description.strip(" "),
                quantity=int(quantity),
                invoice_date=invoice_date,
                unit_price=Decimal(unit_price),
                customer_ref=customer_id.strip(" "),
            )


def _import_in_chunks(
    *,
    path: Path,
    organization: Organization,
    limit: int | None,
    on_progress: ProgressCallback | None,
    on_stage: StageCallback,
) -> ImportSummary:
    summary = ImportSummary()
    skipped: Counter[str] = Counter()
    customers: set[str] = set()
    sale_titles: dict[str, str] = {}
    any_titles: dict[str, str] = {}
    prices: dict[str, Counter[Decimal]] = {}
    codes: set[str] = set()
    erased = _erased_customers(path=path, organization=organization, limit=limit)
    summary.consumers_erased = len(erased)
    on_stage("Scanning")
    for row in _parsed_rows(path, limit, None):  # pass 1: the dimension tables
        summary.rows_read += 1
        reason = row.skip_reason or ("erased_consumer" if row.customer_ref in erased else None)
        if reason:
            skipped[reason] += 1
            continue
        codes.add(row.stock_code)
        if row.customer_ref:
            customers.add(row.customer_ref)
        if row.description:
            any_titles.setdefault(row.stock_code, row.description)
            if row.is_sale:
                sale_titles.setdefault(row.stock_code, row.description)
        if row.is_sale:
            prices.setdefault(row.stock_code, Counter())[row.unit_price] += 1
    summary.rows_skipped = {
        "accounting_adjustment": skipped["accounting_adjustment"],
        "stock_correction": skipped["stock_correction"],
    }
    if skipped["erased_consumer"]:
        summary.rows_skipped["erased_consumer"] = skipped["erased_consumer"]

    consumers = [Consumer(organization=organization, external_ref=ref) for ref in sorted(customers)]
    summary.consumers_created = len(
        rows_insert_returning_refs(model=Consumer, objects=consumers, conflict_fields=("organization", "external_ref"))
    )
    items = [
        CatalogItem(
            organization=organization,
            kind=CatalogItem.Kind.SERVICE if code in NON_PRODUCT_CODES else CatalogItem.Kind.PRODUCT,
            external_ref=code,
            title=(sale_titles.get(code) or any_titles.get(code) or code)[:300],
            tags=[NON_PRODUCT_TAG] if code in NON_PRODUCT_CODES else [],
            price=_mode_price(prices.get(code)),
            currency=CURRENCY,
        )
        for code in sorted(codes)
    ]
    summary.items_created = len(
        rows_insert_returning_refs(model=CatalogItem, objects=items, conflict_fields=("organization", "external_ref"))
    )
    consumer_ids = dict(Consumer.objects.filter(organization=organization).values_list("external_ref", "id"))
    item_ids = dict(CatalogItem.objects.filter(organization=organization).values_list("external_ref", "id"))

    lines_in_invoice: Counter[str] = Counter()
    chunk: list[tuple] = []
    kept = 0
    on_stage("Events")
    for row in _parsed_rows(path, limit, on_progress):  # pass 2: the events
        lines_in_invoice[row.invoice_no] += 1  # counts every line, skipped or not, like the SQL window
        if row.skip_reason or row.customer_ref in erased:
            continue
        kept += 1
        quantity = abs(row.quantity)
        chunk.append(
            (
                consumer_ids.get(row.customer_ref) if row.customer_ref else None,
                item_ids[row.stock_code],
                EventType.REFUND if row.invoice_no.startswith("C") else EventType.PURCHASE,
                quantity,
                (quantity * row.unit_price).quantize(PENNY, rounding=ROUND_HALF_UP),
                CURRENCY,
                None,
                datetime.fromisoformat(row.invoice_date).replace(tzinfo=UK),
                None,
                f"{row.invoice_no}-{lines_in_invoice[row.invoice_no]}",
            )
        )
        if len(chunk) >= EVENT_CHUNK:
            summary.events_created += events_insert(organization_id=organization.pk, rows=chunk)
            chunk = []
    summary.events_created += events_insert(organization_id=organization.pk, rows=chunk)
    summary.events_existing = kept - summary.events_created
    return summary


def _erased_customers(*, path: Path, organization: Organization, limit: int | None) -> set[str]:
    """The file's CustomerIDs that were erased from the organization: a cheap extra read, only if anyone was erased."""
    if not ErasureTombstone.objects.filter(organization=organization).exists():
        return set()
    customers: set[str] = set()
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        next(reader)
        for number, row in enumerate(reader, start=1):
            if limit is not None and number > limit:
                break
            customers.add(row[6].strip(" "))
    customers.discard("")
    return erased_refs(organization=organization, external_refs=customers)


def _mode_price(counts: Counter[Decimal] | None) -> Decimal:
    if not counts:
        return Decimal("0.00")
    best = max(counts.values())
    return min(price for price, n in counts.items() if n == best).quantize(PENNY, rounding=ROUND_HALF_UP)
