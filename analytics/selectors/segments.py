"""Reads of segments: the current ones of an organization, their trend, sampled scatter, members for export, and
what a partner may see of them (sizes above the agreement's minimum cell size only)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from analytics.models import Segment, SegmentMembership, SegmentRun
from campaigns.models import DataPurpose, DataSharingAgreement, Organization
from campaigns.selectors.consent import consented_consumer_ids
from xmkt_site.access import Actor
from xmkt_site.errors import NotFoundError


def segment_run_current(*, organization: Organization) -> SegmentRun | None:
    return SegmentRun.objects.filter(organization=organization, is_current=True).first()


def segment_list(*, organization: Organization) -> QuerySet:
    return Segment.objects.filter(organization=organization, is_current=True).select_related("run").order_by("key")


def segment_get(*, organization: Organization, pk: int) -> Segment:
    segment = Segment.objects.filter(organization=organization, pk=pk).select_related("run").first()
    if segment is None:
        raise NotFoundError("No such segment in your organization.")
    return segment


def segment_names(*, organization: Organization, pks: list[int]) -> dict[int, tuple[str, str]]:
    """{segment id: (Chinese name, English name)} for the organization's segments among `pks`, current or not."""
    rows = Segment.objects.filter(organization=organization, pk__in=pks).values_list("pk", "name_zh", "name_en")
    return {pk: (name_zh, name_en) for pk, name_zh, name_en in rows}


def segment_current_for(*, organization: Organization, pk: int) -> Segment | None:
    """The current segment with the same stable number as segment `pk` (which may belong to an earlier run): what a
    campaign audience that names `pk` targets today. None when that behaviour no longer forms a segment."""
    key = Segment.objects.filter(organization=organization, pk=pk).values_list("key", flat=True).first()
    if key is None:
        return None
    return Segment.objects.filter(organization=organization, is_current=True, key=key).first()


def segment_size_history(*, organization: Organization, keys: list[int], runs: int = 10) -> dict[int, list[dict]]:
    """Per segment number: size in each of the last `runs` segmentation runs, oldest first (the "trend")."""
    recent = list(SegmentRun.objects.filter(organization=organization).order_by("-created_at", "-id")[:runs])
    rows = Segment.objects.filter(run__in=recent, key__in=keys).values_list("key", "run__created_at", "size")
    history: dict[int, list[dict]] = {key: [] for key in keys}
    for key, created_at, size in sorted(rows, key=lambda row: row[1]):
        history[key].append({"at": created_at, "size": size})
    return history


def segment_member_refs(*, segment: Segment) -> QuerySet:
    """(external_ref, distance) of the segment's members: consented consumers only (memberships exist only for them),
    re-checked against consent in force now, so a withdrawal since the run is honoured at export."""
    consented = consented_consumer_ids(organization=segment.organization, purpose=DataPurpose.PERSONALIZATION)
    return (
        SegmentMembership.objects.filter(segment=segment, consumer_id__in=consented)
        .order_by("consumer__external_ref")
        .values_list("consumer__external_ref", flat=True)
    )


@dataclass(frozen=True)
class PartnerSegmentView:
    """A platform segment as a partner may see it: the size only when at least the agreement's k, else suppressed."""

    segment: Segment
    size: int | None
    suppressed: bool
    min_cell_size: int


def partner_visible_agreements(*, partner: Organization, today: date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return DataSharingAgreement.objects.filter(
        partner=partner, status=DataSharingAgreement.Status.ACTIVE, valid_from__lte=today
    ).exclude(valid_until__lt=today)


def segments_for_partner(*, partner: Organization) -> tuple[list[PartnerSegmentView], int]:
    """The current segments of every platform with an active agreement with the partner. A segment's size counts
    only its members who consented to sharing with this partner; below the agreement's minimum cell size it is
    suppressed (and counted in the second return value). Never a member list."""
    views: list[PartnerSegmentView] = []
    suppressed = 0
    for agreement in partner_visible_agreements(partner=partner).select_related("platform"):
        sharing = consented_consumer_ids(
            organization=agreement.platform, purpose=DataPurpose.PARTNER_SHARING, recipient=partner
        )
        k = max(1, agreement.min_aggregate_size)
        for segment in segment_list(organization=agreement.platform):
            size = SegmentMembership.objects.filter(segment=segment, consumer_id__in=sharing).count()
            hidden = size < k
            suppressed += int(hidden)
            views.append(
                PartnerSegmentView(segment=segment, size=None if hidden else size, suppressed=hidden, min_cell_size=k)
            )
    return views, suppressed


def segments_visible_to(*, actor: Actor) -> QuerySet:
    """Segments whose full detail the actor may read: its own organization's."""
    return segment_list(organization=actor.organization)
