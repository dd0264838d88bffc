"""Offline evaluation of the cross-domain model on the consented training set: joint (both catalogues) against
single-domain and popularity, over rolling-origin temporal windows (`recommender.ml.cross_domain_eval`)."""

from typing import Any

import pandas as pd

from campaigns.models import Organization
from recommender.ml import IdEncoder
from recommender.ml.cross_domain_eval import Window, cross_domain_rolling_lift
from recommender.services.candidates import RELEVANT_EVENT_TYPES, K, interaction_matrix
from recommender.services.datasets import TrainingDataset, dataset_build

CROSS_DOMAIN_CUTS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)  # quantiles of event time: window 0 validates, 1-5 test


def cross_domain_windows(
    dataset: TrainingDataset, users: IdEncoder, items: IdEncoder, cuts: tuple[float, ...] = CROSS_DOMAIN_CUTS
) -> tuple[list[Any], list[pd.Timestamp]]:
    """One window per cut: train on the events before it, hold out the purchases/enrolments from it to the next cut
    (the last to the end) by consumers seen in training. Target-catalogue filtering happens in the evaluation."""
    events = dataset.events
    times = events["timestamp"]
    edges = [times.quantile(q) for q in cuts]
    windows = []
    for index, cut in enumerate(edges):
        train = events[times < cut]
        later = times >= cut
        if index + 1 < len(edges):
            later &= times < edges[index + 1]
        held = events[
            later & events["event_type"].isin(RELEVANT_EVENT_TYPES) & events["user_id"].isin(train["user_id"])
        ]
        windows.append(Window(interaction_matrix(train, users, items), interaction_matrix(held, users, items)))
    return windows, edges


def cross_domain_evaluate(
    *, organization: Organization, target: Organization, cuts: tuple[float, ...] = CROSS_DOMAIN_CUTS, n_boot: int = 1000
) -> dict[str, Any]:
    """Joint (both catalogues) vs single-domain vs popularity on the target catalogue, on the consented training set:
    rolling-origin temporal windows at `cuts`, settings chosen on the window before each test window
    (`recommender.ml.cross_domain_eval`). Relevant: purchases and enrolments in the target catalogue."""
    dataset = dataset_build(organization=organization, target=target)
    users, items = IdEncoder(dataset.user_ids), IdEncoder(dataset.item_ids)
    windows, edges = cross_domain_windows(dataset, users, items, cuts)
    report = cross_domain_rolling_lift(windows, dataset.item_domains, target.slug, k=K, n_boot=n_boot)
    report["data"] = {
        "users": len(dataset.user_ids),
        "linked_consumers": dataset.linked_consumers,
        "events": len(dataset.events),
        "cuts": [edge.isoformat() for edge in edges],
        "relevant": list(RELEVANT_EVENT_TYPES),
    }
    return report
