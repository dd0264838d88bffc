"""CSV files uploaded on the import page: the same validation, limits and all-or-nothing write as the batch APIs."""

from typing import Any

from analytics.services.ingestion import EVENT_FIELDS, event_batch_ingest
from campaigns.models import Organization, User
from campaigns.services.ingestion import (
    CONSUMER_FIELDS,
    ITEM_FIELDS,
    BatchResult,
    batch_rows_read,
    catalog_item_batch_ingest,
    consumer_batch_ingest,
)
from xmkt_site.errors import ApplicationError

IMPORTERS = {
    "consumers": (consumer_batch_ingest, CONSUMER_FIELDS),
    "items": (catalog_item_batch_ingest, ITEM_FIELDS),
    "events": (event_batch_ingest, EVENT_FIELDS),
}


def import_columns(kind: str) -> list[tuple[str, bool]]:
    """The CSV columns a kind takes, as (name, required), in the order the API documents them."""
    _ingest, specs = IMPORTERS[kind]
    return [(name, spec.required) for name, spec in specs.items()]


def csv_upload_ingest(*, organization: Organization, kind: str, upload: Any, by: User) -> BatchResult:
    """Read the upload (UTF-8 CSV with a header line, at most INGEST_MAX_ROWS rows) and ingest it into the
    organization in one transaction. Raises ApplicationError: code invalid_file, batch_too_large, empty_batch or
    invalid_rows (with every refused row's index, file line, field and reason); nothing is written then."""
    ingest, _specs = IMPORTERS[kind]
    rows, source = batch_rows_read(data=None, key=kind, upload=upload)
    try:
        return ingest(organization=organization, rows=rows, by=by, source=source)
    except ApplicationError as error:
        # Each refused row also gets the line of the file it starts on, which is what a person fixing it looks for.
        lines = getattr(rows, "line_numbers", [])
        for problem in error.extra.get("rows", []):
            if problem["index"] < len(lines):
                problem["line"] = lines[problem["index"]]
        raise
