"""A consumer's personal tags: the segment and interest topics used to personalise for them (PIPL Art. 24, the
algorithmic recommendation rules Art. 17). Listing reads current assignments; deleting records a
`PersonalTagDeletion` (the pipelines leave it out of later runs) and removes the current assignment now."""

from dataclasses import dataclass

from django.db import transaction

from analytics.models import ConsumerProfile, SegmentMembership
from campaigns.models import Consumer, PartnerApiKey, PersonalTagDeletion, User
from campaigns.services.privacy import personal_tag_delete

TOPIC_PREFIX = "topic_"
# A topic counts as a tag of the consumer when it carries at least this share of their interest profile.
TOPIC_TAG_MIN_WEIGHT = 0.2


@dataclass(frozen=True)
class PersonalTag:
    kind: str
    key: str
    name_zh: str
    name_en: str
    weight: float | None = None


def _segment_tags(consumer: Consumer) -> list[PersonalTag]:
    memberships = SegmentMembership.objects.filter(consumer=consumer, segment__is_current=True).select_related(
        "segment"
    )
    return [
        PersonalTag(
            kind=PersonalTagDeletion.Kind.SEGMENT,
            key=m.segment.tag_key,
            name_zh=m.segment.name_zh,
            name_en=m.segment.name_en,
        )
        for m in memberships
    ]


def _topic_tags(consumer: Consumer) -> list[PersonalTag]:
    """Interest topics from the profile's `topic_<n>` features (empty until the topic pipeline writes them)."""
    profile = ConsumerProfile.objects.filter(consumer=consumer).only("features").first()
    if profile is None:
        return []
    tags = []
    for name, value in sorted((profile.features or {}).items()):
        if name.startswith(TOPIC_PREFIX) and isinstance(value, int | float) and value >= TOPIC_TAG_MIN_WEIGHT:
            label = name.replace("_", " ")
            tags.append(
                PersonalTag(kind=PersonalTagDeletion.Kind.TOPIC, key=name, name_zh=label, name_en=label, weight=value)
            )
    return tags


def personal_tags_of(*, consumer: Consumer) -> list[PersonalTag]:
    """The tags in use for the consumer now, minus the ones they deleted."""
    deleted = set(PersonalTagDeletion.objects.filter(consumer=consumer).values_list("kind", "key"))
    return [t for t in [*_segment_tags(consumer), *_topic_tags(consumer)] if (t.kind, t.key) not in deleted]


def personal_tag_remove(
    *, consumer: Consumer, kind: str, key: str, by: User | None = None, api_key: PartnerApiKey | None = None
) -> PersonalTagDeletion:
    """Delete a tag: record the deletion (later runs skip it) and drop the current segment assignment at once."""
    with transaction.atomic():
        deletion = personal_tag_delete(consumer=consumer, kind=kind, key=key, by=by, api_key=api_key)
        if kind == PersonalTagDeletion.Kind.SEGMENT and deletion.key.isdigit():
            SegmentMembership.objects.filter(
                consumer=consumer, segment__is_current=True, segment__key=int(deletion.key)
            ).delete()
    return deletion
