"""Behavioural segments from the stored consumer profiles, with identities kept across reruns.

Consent and tags: every profiled consumer is clustered (sizes and centroids describe the whole population), but a
SegmentMembership row, the thing campaigns target and exports list, exists only for consumers whose latest
personalization consent is a grant and who have not deleted that segment's tag (campaigns.PersonalTagDeletion,
kind "segment", key = the segment's stable number). A rerun replaces the memberships, so a withdrawal or a tag
deletion takes effect at the next run at the latest.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from analytics.ml.segmentation import SegmentModel
from analytics.ml.selection import FeatureSelector, pca_2d
from analytics.models import Segment, SegmentMembership, SegmentRun
from analytics.services.profiles import profile_frame
from campaigns.models import DataPurpose, Organization, PersonalTagDeletion, TaskRun
from campaigns.selectors.consent import consented_consumer_ids
from campaigns.selectors.privacy import deleted_personal_tag_pairs

Progress = Callable[[int, str], None]
# Behavioural columns that may drive the clustering (in order of preference for the correlation filter).
# Demographics and per-category spend shares describe segments but would split them along lines nobody targets by.
# refund_rate is left out: it is zero for most consumers, so it split Online Retail into "ever refunded" (106) and
# everyone else (silhouette 0.90, meaningless); without it the same data gives frequent high-value buyers (median
# spend 1,937) apart from occasional ones (337). Monetary comes first so the correlation filter keeps it.
CLUSTER_FEATURES = (
    "monetary", "recency_days", "frequency", "avg_order_value", "tenure_days",
    "views", "clicks", "add_to_carts", "enrolments", "completions", "completion_rate", "ratings", "shares",
    "partner_event_share", "partner_spend_share",
)  # fmt: skip
MIN_CONSUMERS = 10
PCA_SAMPLE = 1_500
WRITE_BATCH = 5_000


def _no_progress(percent: int, message: str) -> None:
    return None


def _skipped(organization: Organization, reason: str, message: str) -> dict[str, Any]:
    return {"organization": organization.slug, "segments": 0, "skipped": reason, "message": message}


def _previous_centroids(previous: list[Segment], columns: list[str], fallback: pd.Series) -> pd.DataFrame | None:
    if not previous:
        return None
    frame = pd.DataFrame({segment.key: segment.centroid for segment in previous}).T.reindex(columns=columns)
    # A feature the previous run did not use is taken at the population median, so matching ignores it.
    return frame.fillna(fallback).astype("float64")


def _kpis(members: pd.DataFrame, consented_members: int) -> dict[str, float]:
    def median(column: str) -> float:
        return round(float(members[column].median()), 2) if column in members and len(members) else 0.0

    orders = float(members["frequency"].sum()) if "frequency" in members else 0.0
    revenue = float(members["monetary"].sum()) if "monetary" in members else 0.0
    return {
        "median_monetary": median("monetary"),
        "median_frequency": median("frequency"),
        "median_recency_days": median("recency_days"),
        "revenue": round(revenue, 2),
        "orders": orders,
        "revenue_per_consumer": round(revenue / len(members), 2) if len(members) else 0.0,
        "buyer_share": round(float((members["frequency"] > 0).mean()), 4) if "frequency" in members else 0.0,
        "consented_share": round(consented_members / len(members), 4) if len(members) else 0.0,
    }


def segments_build(
    *,
    organization: Organization,
    task_run: TaskRun | None = None,
    random_state: int = 0,
    k_range: tuple[int, int] = (2, 8),
    progress: Progress = _no_progress,
) -> dict[str, Any]:
    """Cluster the organization's profiles into a new current SegmentRun, matching the previous current segments so
    that a segment keeps its number (and meaning) across runs."""
    progress(5, _("Reading consumer profiles"))
    features = profile_frame(organization=organization)
    if len(features) < MIN_CONSUMERS:
        return _skipped(
            organization,
            "too_few_consumers",
            _(
                "%(count)s profiled consumers are too few to segment (at least %(minimum)s are needed). Build profiles "
                "from more events first."
            )
            % {"count": len(features), "minimum": MIN_CONSUMERS},
        )
    candidates = features[[column for column in CLUSTER_FEATURES if column in features.columns]]
    selector = FeatureSelector().fit(candidates)
    if len(selector.kept_features_) < 1:
        return _skipped(
            organization,
            "constant_features",
            _(
                "Every behavioural feature is the same for all consumers: nothing sets "
                "anyone apart, so there are no segments to find."
            ),
        )
    X = selector.transform(candidates)
    if X.shape[1] == 1:  # K-means and the 2-D view need two columns; tenure is the natural companion
        extra = next(column for column in candidates.columns if column not in X.columns)
        X = candidates[[X.columns[0], extra]]
    report = (
        [
            {
                "feature": str(row.Index),
                "kept": bool(row.kept),
                "reason": str(row.reason or ""),
                "score": None if pd.isna(row.score) else float(row.score),
            }
            for row in selector.report().itertuples()
        ]
        if hasattr(selector, "report")
        else []
    )

    previous_run = SegmentRun.objects.filter(organization=organization, is_current=True).first()
    previous = list(previous_run.segments.all()) if previous_run else []
    previous_centroids = _previous_centroids(previous, list(X.columns), X.median())

    progress(20, _("Clustering %(count)s consumers") % {"count": len(X)})
    high = max(k_range[0], min(k_range[1], len(X) - 1))
    model = SegmentModel(k_range=(k_range[0], high), random_state=random_state).fit(
        X, previous_centroids=previous_centroids
    )
    labels = pd.Series(model.labels_, index=X.index)
    chosen = model.k_scores_[model.k_scores_["k"] == model.n_clusters_] if len(model.k_scores_) else None
    silhouette = float(chosen["silhouette"].iloc[0]) if chosen is not None and len(chosen) else None
    davies_bouldin = float(chosen["davies_bouldin"].iloc[0]) if chosen is not None and len(chosen) else None

    progress(60, _("Drawing the 2-D view"))
    scaled = pd.DataFrame(model.scaler_.transform(X), index=X.index)
    coordinates, explained = pca_2d(scaled, sample_size=PCA_SAMPLE, random_state=random_state)
    pca_sample = {
        "x": coordinates["pc1"].round(3).tolist(),
        "y": coordinates["pc2"].round(3).tolist(),
        "segment": labels.loc[coordinates.index].astype(int).tolist(),
        "explained": [round(float(value), 4) for value in explained],
    }

    progress(70, _("Applying consent and deleted tags"))
    consented = set(
        consented_consumer_ids(organization=organization, purpose=DataPurpose.PERSONALIZATION).values_list(
            "pk", flat=True
        )
    )
    deleted = set(deleted_personal_tag_pairs(organization=organization, kind=PersonalTagDeletion.Kind.SEGMENT))
    is_consented = labels.index.isin(list(consented))
    targetable = [
        (int(consumer_id), int(label))
        for consumer_id, label, allowed in zip(labels.index, labels.to_numpy(), is_consented, strict=True)
        if allowed and (int(consumer_id), str(int(label))) not in deleted
    ]

    progress(80, _("Writing segments"))
    with transaction.atomic():
        SegmentRun.objects.filter(organization=organization, is_current=True).update(is_current=False)
        Segment.objects.filter(organization=organization, is_current=True).update(is_current=False)
        # Old memberships go: only the current run is targeted, and erasure has less to find.
        SegmentMembership.objects.filter(segment__organization=organization).delete()
        run = SegmentRun(
            organization=organization,
            task_run=task_run,
            k=model.n_clusters_,
            silhouette=silhouette,
            davies_bouldin=davies_bouldin,
            consumers=len(X),
            consented=int(is_consented.sum()),
            k_scores=model.k_scores_.round(4).to_dict(orient="records"),
            feature_report=report,
            pca_sample=pca_sample,
            is_current=True,
        )
        run.full_clean()
        run.save()
        targetable_by_label: dict[int, int] = {}
        for _consumer, label in targetable:
            targetable_by_label[label] = targetable_by_label.get(label, 0) + 1
        segments = {}
        for profile in model.profiles_:
            members = features.loc[labels.index[labels.to_numpy() == profile.label]]
            segment = Segment(
                organization=organization,
                run=run,
                key=profile.label,
                name_zh=profile.name_zh[:200],
                name_en=profile.name_en[:200],
                description_zh=profile.description_zh,
                description_en=profile.description_en,
                size=profile.size,
                targetable_size=targetable_by_label.get(profile.label, 0),
                share=profile.share,
                centroid=profile.centroid,
                median={key: value for key, value in profile.median.items() if np.isfinite(value)},
                distinguishing=[[feature, z] for feature, z in profile.distinguishing],
                kpis=_kpis(members, int(members.index.isin(list(consented)).sum())),
                matched_previous=profile.matched_previous,
                is_current=True,
            )
            segment.full_clean()
            segments[profile.label] = segment
        Segment.objects.bulk_create(segments.values())
        for start in range(0, len(targetable), WRITE_BATCH):
            SegmentMembership.objects.bulk_create(
                [
                    SegmentMembership(segment=segments[label], consumer_id=consumer_id)
                    for consumer_id, label in targetable[start : start + WRITE_BATCH]
                ]
            )
    chinese = (get_language() or "").startswith("zh")  # the message is stored in the language the job runs in
    summary = ", ".join(
        f"{segment.name_zh if chinese else segment.name_en} ({segment.size})" for segment in segments.values()
    )
    return {
        "organization": organization.slug,
        "segment_run": run.pk,
        "segments": len(segments),
        "k": model.n_clusters_,
        "silhouette": silhouette,
        "consumers": len(X),
        "memberships": len(targetable),
        "message": _("%(count)s segments over %(consumers)s consumers: %(summary)s")
        % {"count": len(segments), "consumers": len(X), "summary": summary},
    }


def segment_memberships_remove_deleted_tag(*, organization: Organization, consumer_id: int, key: str) -> int:
    """Drop a consumer from the current segment whose tag they deleted (called by the tags API; the next run keeps
    them out through deleted_personal_tag_pairs)."""
    deleted, _by_model = SegmentMembership.objects.filter(
        segment__organization=organization, segment__is_current=True, segment__key=int(key), consumer_id=consumer_id
    ).delete()
    return deleted
