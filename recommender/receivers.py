"""Reactions to signals of the system of record (connected in RecommenderConfig.ready)."""

from typing import Any

from django.dispatch import receiver

from campaigns.signals import consumer_erasing


@receiver(consumer_erasing, dispatch_uid="recommender.artefacts_forget_consumer")
def forget_erased_consumer(sender: Any, *, consumer, **kwargs) -> None:
    from recommender.services.registry import artefacts_forget_consumer

    artefacts_forget_consumer(consumer=consumer)
