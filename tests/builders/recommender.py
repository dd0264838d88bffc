"""A small planted world: three taste groups, each buying within its own group of items over sixty days; consent
records; and a partner's key client for the recommendations API."""

from datetime import timedelta

import numpy as np
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.models import Event
from campaigns.models import ApiScope, CatalogItem, ConsentRecord, Consumer, DataPurpose
from recommender.services.pipeline import pipeline_run
from tests.factories import issue_api_key

GROUPS = 3
ITEMS_PER_GROUP = 5
CONSUMERS = 60


def grant(
    consumer: Consumer, purpose: str = DataPurpose.PERSONALIZATION, *, granted: bool = True, recipient=None, when=None
) -> ConsentRecord:
    return ConsentRecord.objects.create(
        consumer=consumer,
        purpose=purpose,
        recipient=recipient,
        granted=granted,
        policy_version="2026-01",
        recorded_at=when or timezone.now(),
    )


def make_world(organization, *, prefix: str = "", consumers: int = CONSUMERS, seed: int = 7, consent: bool = True):
    """Items `{prefix}G{g}-{i}` titled by group; consumer `{prefix}c{n}` in group n % 3 buys 3 of its group's items."""
    rng = np.random.default_rng(seed)
    items = CatalogItem.objects.bulk_create(
        [
            CatalogItem(
                organization=organization,
                kind=CatalogItem.Kind.COURSE,
                external_ref=f"{prefix}G{g}-{i}",
                title=f"{prefix}Group {g} item {i}",
            )
            for g in range(GROUPS)
            for i in range(ITEMS_PER_GROUP)
        ]
    )
    people = Consumer.objects.bulk_create(
        [Consumer(organization=organization, external_ref=f"{prefix}c{n}", city="上海") for n in range(consumers)]
    )
    start = timezone.now() - timedelta(days=60)
    events = []
    for n, person in enumerate(people):
        group = n % GROUPS
        chosen = rng.choice(ITEMS_PER_GROUP, size=3, replace=False)
        for step, index in enumerate(chosen):
            events.append(
                Event(
                    organization=organization,
                    consumer=person,
                    item=items[group * ITEMS_PER_GROUP + index],
                    type="purchase",
                    occurred_at=start + timedelta(days=int(rng.integers(0, 58)), hours=step),
                    external_id=f"{prefix}e{n}-{step}",
                )
            )
    Event.objects.bulk_create(events)
    if consent:
        for person in people:
            grant(person)
    return items, people


URL = "/api/v1/recommendations/"


def key_client(organization, scopes=(ApiScope.RECOMMENDATIONS_READ,)) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(organization, list(scopes))}")
    return client


def trained(world):
    platform, items, people = world
    pipeline_run(organization=platform, target=platform)
    return platform, items, people
