"""A small planted world: three taste groups, each buying within its own group of items over sixty days."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from analytics.models import Event
from campaigns.models import CatalogItem, ConsentRecord, Consumer, DataPurpose
from recommender.services.serving import serving_cache_clear
from tests.factories import PlatformFactory

GROUPS = 3
ITEMS_PER_GROUP = 5
CONSUMERS = 60


@pytest.fixture(autouse=True)
def _isolated_models(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    serving_cache_clear()
    yield
    serving_cache_clear()


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


@pytest.fixture
def world(db):
    platform = PlatformFactory(slug="zhishi", name="知识星球学院")
    items, people = make_world(platform)
    return platform, items, people
