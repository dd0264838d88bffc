"""Events -> the frames the numeric core trains on, honouring consent.

Who is in a training set for (organization's consumers, target catalogue):
- only consumers of `organization` whose latest `personalization` record grants it;
- when the target is another organization's catalogue, a consumer's events on that side (the target's consumer with
  the same keyed phone hash) are joined in only under an active agreement that names the `personalization` purpose
  and if they also gave `partner_sharing`
  consent naming the target. Everyone else is served by
  popularity (non-personalised mode) and never reaches a model.
"""

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from django.utils import timezone

from analytics.models import Event
from campaigns.models import CatalogItem, Consumer, DataPurpose, Organization
from campaigns.selectors.consent import consented_consumer_ids
from recommender.services.serving import active_agreement_exists

EVENT_COLUMNS = ["user_id", "item_id", "event_type", "timestamp", "quantity"]


@dataclass
class TrainingDataset:
    organization: Organization
    target: Organization
    # user_id (Consumer pk of `organization`), item_id (CatalogItem pk), event_type, timestamp, quantity
    events: pd.DataFrame
    user_ids: list[int]  # every consented consumer (with or without events)
    item_ids: list[int]  # items of both catalogues, sorted
    item_domains: np.ndarray  # organization slug per item_ids entry
    item_active: np.ndarray  # bool per item_ids entry
    user_groups: dict[int, str] = field(default_factory=dict)  # consumer pk -> city ("" unknown)
    linked_consumers: int = 0  # consumers whose other-side events were joined in
    snapshot_at: datetime | None = None  # events received up to here are in the set

    @property
    def is_cross_domain(self) -> bool:
        return self.organization.pk != self.target.pk

    def target_mask(self) -> np.ndarray:
        return self.item_domains == self.target.slug


def training_consumer_ids(*, organization: Organization) -> list[int]:
    """Consumers of the organization whose personal data may train a model: personalization consent in force."""
    return sorted(
        Consumer.objects.filter(
            pk__in=consented_consumer_ids(organization=organization, purpose=DataPurpose.PERSONALIZATION)
        ).values_list("pk", flat=True)
    )


def linked_consumer_pairs(*, organization: Organization, target: Organization) -> dict[int, int]:
    """{target-side consumer pk: organization-side consumer pk} for people whose two records may be joined: an active
    agreement between the organizations, and the organization-side consumer's personalization consent and
    partner_sharing consent naming the target (PIPL Art. 23: the recipient is named). Matched by keyed phone hash.
    The agreement must name `personalization`: one for sharing or marketing alone does not let a model learn from the
    joined history."""
    if not active_agreement_exists(first=organization, second=target, purpose=DataPurpose.PERSONALIZATION):
        return {}
    own = (
        Consumer.objects.filter(
            pk__in=consented_consumer_ids(organization=organization, purpose=DataPurpose.PERSONALIZATION)
        )
        .filter(
            pk__in=consented_consumer_ids(
                organization=organization, purpose=DataPurpose.PARTNER_SHARING, recipient=target
            )
        )
        .exclude(phone_hash="")
    )
    own_by_hash = dict(own.values_list("phone_hash", "pk"))
    other = Consumer.objects.filter(organization=target).exclude(phone_hash="").values_list("phone_hash", "pk")
    return {pk: own_by_hash[h] for h, pk in other if h in own_by_hash}


CHUNK = 5000


def _event_frame(queryset, consumer_ids: list[int]) -> pd.DataFrame:
    """Events of these consumers, fetched in chunks of ids (a consent subquery inside the event scan would be
    evaluated per event row)."""
    rows: list[tuple] = []
    for start in range(0, len(consumer_ids), CHUNK):
        chunk = consumer_ids[start : start + CHUNK]
        rows.extend(
            queryset.filter(consumer_id__in=chunk).values_list(
                "consumer_id", "item_id", "type", "occurred_at", "quantity"
            )
        )
    frame = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    if frame.empty:
        frame = frame.astype({"user_id": "int64", "item_id": "int64", "quantity": "int64"})
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return frame


def dataset_build(*, organization: Organization, target: Organization) -> TrainingDataset:
    """The consented events of `organization`'s consumers on both catalogues, as one frame keyed by own consumer."""
    snapshot_at = timezone.now()
    user_ids = training_consumer_ids(organization=organization)
    own = _event_frame(Event.objects.filter(organization=organization, item__isnull=False).order_by(), user_ids)
    frames = [own]
    linked = 0
    if organization.pk != target.pk:
        pairs = linked_consumer_pairs(organization=organization, target=target)
        linked = len(pairs)
        if pairs:
            other = _event_frame(
                Event.objects.filter(organization=target, item__isnull=False).order_by(), sorted(pairs)
            )
            other["user_id"] = other["user_id"].map(pairs).astype("int64")
            frames.append(other)
    events = pd.concat(frames, ignore_index=True) if len(frames) > 1 else own
    organizations = [organization.pk] if organization.pk == target.pk else [organization.pk, target.pk]
    items = list(
        CatalogItem.objects.filter(organization_id__in=organizations)
        .order_by("pk")
        .values_list("pk", "organization__slug", "active")
    )
    groups: dict[int, str] = {}
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start : start + CHUNK]
        groups.update(Consumer.objects.filter(pk__in=chunk).values_list("pk", "city"))
    return TrainingDataset(
        organization=organization,
        target=target,
        events=events,
        user_ids=user_ids,
        item_ids=[pk for pk, _, _ in items],
        item_domains=np.array([slug for _, slug, _ in items], dtype=object),
        item_active=np.array([active for _, _, active in items], dtype=bool),
        user_groups=groups,
        linked_consumers=linked,
        snapshot_at=snapshot_at,
    )
