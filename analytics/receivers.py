"""Reactions to signals of the system of record (connected in AnalyticsConfig.ready)."""

from typing import Any

from django.dispatch import receiver

from analytics.selectors.segments import segment_names
from campaigns.signals import audience_segment_names_wanted, consumer_contacts_received


@receiver(consumer_contacts_received, dispatch_uid="analytics.overlap_tokens")
def mint_overlap_tokens(sender: Any, *, organization, contacts, **kwargs) -> None:
    # Raw contacts exist only during ingestion; this is the one chance to derive the agreement-keyed matching tokens.
    from analytics.services.overlap import overlap_tokens_mint_for_contacts

    overlap_tokens_mint_for_contacts(organization=organization, contacts=contacts)


@receiver(audience_segment_names_wanted, dispatch_uid="analytics.audience_segment_names")
def name_audience_segments(sender: Any, *, organization, segment_ids, **kwargs) -> dict[int, tuple[str, str]]:
    return segment_names(organization=organization, pks=segment_ids)
