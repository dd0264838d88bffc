"""Consumer profiles: behavioural features per consumer (analytics.ml.features), stored for segmentation and pages.

Profiles are internal working data of the organization that holds the events, so every consumer with events gets
one whatever their consent; consent is applied where profiles are *used* for targeting (segment memberships,
docs/analytics.md). Rebuilt whole and idempotently: a rerun replaces the organization's rows in one transaction.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.ml.features import build_consumer_features
from analytics.models import ConsumerProfile
from analytics.services.frames import consumers_frame, events_frame
from campaigns.models import Organization

WRITE_BATCH = 5_000
Progress = Callable[[int, str], None]


def _no_progress(percent: int, message: str) -> None:
    return None


def profile_features_compute(*, organization: Organization, progress: Progress = _no_progress) -> pd.DataFrame:
    """The feature frame (index consumer_id) of every consumer of the organization with at least one event."""
    progress(5, _("Reading events"))
    events = events_frame(organization=organization)
    events = events[events["consumer_id"].notna()]
    if events.empty:
        return pd.DataFrame()
    progress(35, _("Computing consumer features"))
    consumers = consumers_frame(organization=organization)
    seen = pd.Index(events["consumer_id"].unique().astype("int64"))
    events = events.assign(consumer_id=events["consumer_id"].astype("int64"))
    features = build_consumer_features(events, consumers.loc[consumers.index.intersection(seen)])
    features.index = features.index.astype("int64")
    return features


def profiles_build(*, organization: Organization, progress: Progress = _no_progress) -> dict[str, Any]:
    """Recompute and replace the organization's ConsumerProfile rows. An organization without consumer events gets
    no profiles and a message saying so (not an error)."""
    features = profile_features_compute(organization=organization, progress=progress)
    if features.empty:
        with transaction.atomic():
            deleted, _by_model = ConsumerProfile.objects.filter(organization=organization).delete()
        return {
            "organization": organization.slug,
            "profiles": 0,
            "skipped": "no_events",
            "message": _("No consumer events in %(organization)s yet: nothing to profile. Import or send events first.")
            % {"organization": organization.name},
        }
    progress(60, _("Writing %(count)s profiles") % {"count": len(features)})
    now = timezone.now()
    rounded = features.astype("float64").round(4)
    ids = rounded.index.to_numpy()
    columns = list(rounded.columns)
    matrix = rounded.to_numpy()
    rfm = {
        name: rounded[name].to_numpy() if name in rounded else np.zeros(len(rounded))
        for name in ("recency_days", "frequency", "monetary", "tenure_days")
    }
    with transaction.atomic():
        ConsumerProfile.objects.filter(organization=organization).delete()
        for start in range(0, len(ids), WRITE_BATCH):
            stop = min(start + WRITE_BATCH, len(ids))
            ConsumerProfile.objects.bulk_create(
                [
                    ConsumerProfile(
                        organization=organization,
                        consumer_id=int(ids[row]),
                        recency_days=float(rfm["recency_days"][row]),
                        frequency=float(rfm["frequency"][row]),
                        monetary=float(rfm["monetary"][row]),
                        tenure_days=float(rfm["tenure_days"][row]),
                        features=dict(zip(columns, matrix[row].tolist(), strict=True)),
                        computed_at=now,
                    )
                    for row in range(start, stop)
                ],
                batch_size=WRITE_BATCH,
            )
            progress(60 + int(38 * stop / len(ids)), _("Writing %(count)s profiles") % {"count": len(ids)})
    return {
        "organization": organization.slug,
        "profiles": len(ids),
        "features": len(columns),
        "message": _("Built %(count)s consumer profiles with %(features)s features")
        % {"count": len(ids), "features": len(columns)},
    }


def profile_frame(*, organization: Organization) -> pd.DataFrame:
    """The stored profiles as a feature frame (index consumer_id), for segmentation."""
    rows = ConsumerProfile.objects.filter(organization=organization).values_list("consumer_id", "features")
    ids: list[int] = []
    records: list[dict] = []
    for consumer_id, features in rows.iterator(chunk_size=WRITE_BATCH):
        ids.append(consumer_id)
        records.append(features)
    frame = pd.DataFrame.from_records(records, index=pd.Index(ids, name="consumer_id", dtype="int64"))
    return frame.fillna(0.0).astype("float64") if not frame.empty else frame
