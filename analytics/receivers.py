"""Reactions to signals of the system of record (connected in AnalyticsConfig.ready)."""

from typing import Any

from django.dispatch import receiver

from campaigns.signals import consumer_contacts_received


@receiver(consumer_contacts_received, dispatch_uid="analytics.overlap_tokens")
def mint_overlap_tokens(sender: Any, *, organization, contacts, **kwargs) -> None:
    # Raw contacts exist only during ingestion; this is the one chance to derive the agreement-keyed matching tokens.
    from analytics.services.overlap import overlap_tokens_mint_for_contacts

    overlap_tokens_mint_for_contacts(organization=organization, contacts=contacts)
