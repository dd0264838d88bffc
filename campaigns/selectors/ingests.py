"""What came into an organization's records lately: every consumer, catalogue or event batch, from the API or a page."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import pgettext_lazy

from campaigns.models import AuditEvent, Organization

INGEST_ACTIONS = {
    "consumers.batch_ingest": "consumers",
    "catalog_items.batch_ingest": "items",
    "events.batch_ingest": "events",
}
KIND_LABELS = {
    "consumers": pgettext_lazy("import kind", "Consumers"),
    "items": pgettext_lazy("import kind", "Catalogue items"),
    "events": pgettext_lazy("import kind", "Events"),
}


@dataclass(frozen=True)
class IngestRecord:
    occurred_at: datetime
    kind: str  # consumers | items | events
    by: str  # the user's name or the API key's name
    via_api_key: bool
    source: str  # json | csv
    received: int
    created: int
    updated: int
    duplicates: int
    erased: int

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


def recent_ingests(*, organization: Organization, limit: int = 20) -> list[IngestRecord]:
    """The organization's latest batches, newest first, from the audit log (which every batch writes)."""
    events = (
        AuditEvent.objects.filter(organization=organization, action__in=INGEST_ACTIONS)
        .select_related("actor", "api_key")
        .order_by("-occurred_at", "-id")[:limit]
    )
    records = []
    for event in events:
        meta = event.metadata or {}
        if event.api_key is not None:
            by = event.api_key.name
        elif event.actor is not None:
            by = event.actor.get_username()
        else:
            by = ""
        records.append(
            IngestRecord(
                occurred_at=event.occurred_at,
                kind=INGEST_ACTIONS[event.action],
                by=by,
                via_api_key=event.api_key is not None,
                source=str(meta.get("source", "")),
                received=int(meta.get("received", 0)),
                created=int(meta.get("created", 0)),
                updated=int(meta.get("updated", 0)),
                duplicates=int(meta.get("duplicates", 0)),
                erased=int(meta.get("erased", 0)),
            )
        )
    return records
