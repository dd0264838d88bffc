"""Celery adapters for the clean room."""

from typing import Any

from celery import shared_task

from analytics.services import overlap
from xmkt_site.tasks import XmktTask


@shared_task(base=XmktTask, bind=True, name="analytics.tasks.overlap.overlap_query_sets_expire", retryable=True)
def overlap_query_sets_expire(self) -> dict[str, Any]:
    """Nightly (beat): clear the stored sets of overlap queries older than OVERLAP_QUERY_RETENTION_DAYS."""
    return {"cleared": overlap.overlap_query_sets_expire()}
