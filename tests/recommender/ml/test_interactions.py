"""Interaction matrices from event frames: weights by type, quantity, time decay, refunds; id encoders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.ml import EVENT_WEIGHTS, IdEncoder, interactions_from_events, interactions_from_pairs
from recommender.ml.interactions import quantity_factor


def events(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["user_id", "item_id", "event_type", "timestamp", "quantity"])


def test_event_types_are_ordered_view_click_cart_purchase() -> None:
    assert EVENT_WEIGHTS["view"] < EVENT_WEIGHTS["click"] < EVENT_WEIGHTS["add_to_cart"] < EVENT_WEIGHTS["purchase"]
    assert EVENT_WEIGHTS["enroll"] == EVENT_WEIGHTS["purchase"]


def test_weights_sum_per_user_item_pair() -> None:
    frame = events(
        [
            ("u1", "a", "view", "2024-01-01", 1),
            ("u1", "a", "view", "2024-01-02", 1),
            ("u1", "b", "add_to_cart", "2024-01-01", 1),
            ("u2", "b", "purchase", "2024-01-01", 1),
        ]
    )
    data = interactions_from_events(frame, quantity="none")
    dense = data.user_items.toarray()
    a, b = data.items.encode(["a", "b"])
    u1, u2 = data.users.encode(["u1", "u2"])
    assert dense[u1, a] == 2 * EVENT_WEIGHTS["view"]
    assert dense[u1, b] == EVENT_WEIGHTS["add_to_cart"]
    assert dense[u2, b] == EVENT_WEIGHTS["purchase"]
    assert dense[u2, a] == 0


def test_quantity_factor_modes() -> None:
    np.testing.assert_allclose(quantity_factor(np.array([0, 1, 3]), "log"), 1 + np.log1p([0, 1, 3]))
    np.testing.assert_allclose(quantity_factor(np.array([2, 5]), "linear"), [2, 5])
    np.testing.assert_allclose(quantity_factor(np.array([2, 5]), "none"), [1, 1])
    with pytest.raises(ValueError):
        quantity_factor(np.array([1]), "square")


def test_time_decay_halves_the_weight_every_half_life() -> None:
    frame = events([("u", "old", "purchase", "2024-01-01", 1), ("u", "new", "purchase", "2024-01-11", 1)])
    data = interactions_from_events(frame, quantity="none", half_life_days=10, reference_time="2024-01-11")
    old, new = data.items.encode(["old", "new"])
    row = data.user_items.toarray()[0]
    assert row[new] == pytest.approx(EVENT_WEIGHTS["purchase"])
    assert row[old] == pytest.approx(EVENT_WEIGHTS["purchase"] / 2)


def test_full_refund_removes_the_purchase_but_not_other_events() -> None:
    frame = events(
        [
            ("u", "a", "view", "2024-01-01", 1),
            ("u", "a", "purchase", "2024-01-02", 2),
            ("u", "a", "refund", "2024-01-03", 2),
            ("u", "b", "purchase", "2024-01-02", 1),
            ("u", "b", "refund", "2024-01-03", 1),
        ]
    )
    data = interactions_from_events(frame, quantity="none")
    a, b = data.items.encode(["a", "b"])
    row = data.user_items.toarray()[0]
    assert row[a] == EVENT_WEIGHTS["view"]
    assert row[b] == 0
    assert data.user_items.nnz == 1


def test_partial_refund_keeps_the_remaining_quantity() -> None:
    frame = events([("u", "a", "purchase", "2024-01-02", 4), ("u", "a", "refund", "2024-01-03", -3)])
    data = interactions_from_events(frame, quantity="linear")
    assert data.user_items[0, 0] == pytest.approx(EVENT_WEIGHTS["purchase"] * 1)


def test_given_item_universe_adds_empty_columns_and_drops_unknown_items() -> None:
    frame = events([("u", "a", "purchase", "2024-01-02", 1), ("u", "zzz", "purchase", "2024-01-02", 1)])
    data = interactions_from_events(frame, items=["a", "b", "c"])
    assert data.shape == (1, 3)
    assert data.user_items.nnz == 1


def test_unknown_event_type_is_an_error() -> None:
    with pytest.raises(ValueError, match="no weight"):
        interactions_from_events(events([("u", "a", "teleport", "2024-01-01", 1)]))


def test_missing_columns_are_an_error() -> None:
    with pytest.raises(ValueError, match="lack"):
        interactions_from_events(pd.DataFrame({"user_id": [1]}))


def test_pairs_with_weights() -> None:
    frame = pd.DataFrame({"user_id": [1, 1, 2], "item_id": ["x", "x", "y"], "weight": [0.5, 1.5, 3.0]})
    data = interactions_from_pairs(frame, weight_column="weight")
    x, y = data.items.encode(["x", "y"])
    dense = data.user_items.toarray()
    assert dense[0, x] == pytest.approx(2.0) and dense[1, y] == pytest.approx(3.0)


def test_id_encoder_round_trips_and_flags_unknown_ids() -> None:
    enc = IdEncoder(["c", "a", "b"])
    assert enc.encode(["a", "c"]).tolist() == [1, 0]
    assert enc.decode([2, -1]).tolist() == ["b", None]
    assert enc.encode(["a", "nope"], missing="ignore").tolist() == [1, -1]
    with pytest.raises(KeyError):
        enc.encode(["nope"])
    assert len(enc) == 3
