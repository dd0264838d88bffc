"""A shop with two kinds of buyers, for the profile, segment and forecast tests."""

from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.utils import timezone

from analytics.models import Event
from campaigns.models import DataPurpose
from tests.factories import CatalogItemFactory, ConsentRecordFactory, ConsumerFactory

# Three quick forecasting candidates, enough for a backtest table without the slow models.
FAST_FORECASTERS = ["seasonal_naive", "dow_mean_8w", "market_model"]


def seed_shop(organization, *, consumers: int = 40, days: int = 42, seed: int = 0, consent_every: int = 2) -> list:
    """Two kinds of buyers (frequent big spenders, occasional small ones) over `days` days in two categories;
    every `consent_every`-th consumer consented to personalization."""
    rng = np.random.default_rng(seed)
    items = [
        CatalogItemFactory(organization=organization, category="home", price=Decimal("299.00")),
        CatalogItemFactory(organization=organization, category="study", price=Decimal("49.00")),
    ]
    people = [ConsumerFactory(organization=organization) for _n in range(consumers)]
    for position, person in enumerate(people):
        if position % consent_every == 0:
            ConsentRecordFactory(consumer=person, purpose=DataPurpose.PERSONALIZATION, granted=True)
    end = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    events = []
    for position, person in enumerate(people):
        big = position % 4 == 0
        for _n in range(int(rng.integers(8, 14) if big else rng.integers(1, 3))):
            item = items[0] if big else items[1]
            day = int(rng.integers(0, 10 if big else days))
            events.append(
                Event(
                    organization=organization, consumer=person, item=item, type="purchase", quantity=1,
                    value=item.price * (3 if big else 1), occurred_at=end - timedelta(days=day, minutes=position),
                    external_id=f"e-{organization.pk}-{len(events)}",
                )
            )  # fmt: skip
        events.append(
            Event(organization=organization, consumer=person, item=items[1], type="view",
                  occurred_at=end - timedelta(days=days), external_id=f"e-{organization.pk}-{len(events)}")
        )  # fmt: skip
    Event.objects.bulk_create(events)
    return people
