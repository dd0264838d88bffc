"""From event frames to the users x items matrix every model fits on, plus the id encoders.

An event frame has columns ``user_id, item_id, event_type, timestamp`` and optionally ``quantity``. Weights:

    weight = EVENT_WEIGHTS[event_type] * quantity_factor(quantity) * 0.5 ** (age_days / half_life_days)

summed per (user, item). A ``refund`` removes the purchase it undoes: the refunded quantity is subtracted from the
(user, item) purchase quantity, and a pair whose purchases are all refunded loses its purchase weight entirely.
Pairs whose weight ends at or below zero are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

#: view < click < add_to_cart < enroll / purchase. Refunds are handled apart (they remove purchases).
EVENT_WEIGHTS: dict[str, float] = {
    "view": 1.0,
    "click": 2.0,
    "share": 2.0,
    "add_to_cart": 4.0,
    "rating": 4.0,
    "enroll": 8.0,
    "purchase": 8.0,
    "complete": 8.0,
}
PURCHASE_TYPES = frozenset({"purchase", "enroll"})
REFUND = "refund"


class IdEncoder:
    """Maps external ids to contiguous indices 0..n-1 and back, in the order first given (sorted when built)."""

    def __init__(self, ids: Iterable) -> None:
        self.ids_ = pd.Index(pd.unique(pd.Series(list(ids), dtype=object)))
        if self.ids_.has_duplicates:  # pragma: no cover - pd.unique guarantees this
            raise ValueError("duplicate ids")

    def __len__(self) -> int:
        return len(self.ids_)

    def encode(self, ids: Iterable, *, missing: str = "error") -> np.ndarray:
        """Indices of ``ids``; unknown ids raise (``missing="error"``) or map to -1 (``missing="ignore"``)."""
        idx = self.ids_.get_indexer(pd.Index(list(ids) if not isinstance(ids, pd.Series) else ids, dtype=object))
        if missing == "error" and (idx < 0).any():
            raise KeyError(f"{int((idx < 0).sum())} unknown id(s)")
        return idx.astype(np.int64)

    def decode(self, indices: Iterable[int]) -> np.ndarray:
        arr = np.asarray(list(indices) if not isinstance(indices, np.ndarray) else indices, dtype=np.int64)
        out = np.empty(arr.shape, dtype=object)
        valid = arr >= 0
        out[valid] = np.asarray(self.ids_, dtype=object)[arr[valid]]
        out[~valid] = None
        return out


@dataclass
class InteractionData:
    """The matrix and the encoders that give its rows and columns meaning."""

    user_items: sp.csr_matrix
    users: IdEncoder
    items: IdEncoder

    @property
    def shape(self) -> tuple[int, int]:
        return self.user_items.shape


def quantity_factor(quantity: np.ndarray, mode: str) -> np.ndarray:
    q = np.clip(np.asarray(quantity, dtype=np.float64), 0, None)
    if mode == "none":
        return np.ones_like(q)
    if mode == "log":
        return 1.0 + np.log1p(q)
    if mode == "linear":
        return q
    raise ValueError("quantity must be 'none', 'log' or 'linear'")


def interactions_from_events(
    events: pd.DataFrame,
    *,
    users: Iterable | IdEncoder | None = None,
    items: Iterable | IdEncoder | None = None,
    event_weights: Mapping[str, float] | None = None,
    quantity: str = "log",
    half_life_days: float | None = None,
    reference_time: pd.Timestamp | str | None = None,
) -> InteractionData:
    """Build the weighted users x items CSR matrix from an event frame.

    users / items: the id universe (an :class:`IdEncoder` or ids). Defaults to the ids in the frame, sorted. Events of
        ids outside a given universe are dropped (e.g. test items unknown to training). Giving ``items`` lets catalogue
        items without any event exist as columns (content and cold-start scoring need them).
    half_life_days: exponential time decay; ``None`` for none. Age is measured from ``reference_time`` (default: the
        latest event).
    """
    required = {"user_id", "item_id", "event_type", "timestamp"}
    missing = required - set(events.columns)
    if missing:
        raise ValueError(f"events lack column(s): {sorted(missing)}")
    weights_by_type = dict(EVENT_WEIGHTS if event_weights is None else event_weights)
    frame = events.loc[:, [c for c in ("user_id", "item_id", "event_type", "timestamp", "quantity") if c in events]]
    frame = frame.copy()
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    if "quantity" not in frame:
        frame["quantity"] = 1
    frame["quantity"] = frame["quantity"].abs()

    user_enc = (
        users
        if isinstance(users, IdEncoder)
        else IdEncoder(sorted(pd.unique(frame["user_id"]).tolist()) if users is None else users)
    )
    item_enc = (
        items
        if isinstance(items, IdEncoder)
        else IdEncoder(sorted(pd.unique(frame["item_id"]).tolist()) if items is None else items)
    )
    frame["u"] = user_enc.encode(frame["user_id"], missing="ignore")
    frame["i"] = item_enc.encode(frame["item_id"], missing="ignore")
    frame = frame[(frame["u"] >= 0) & (frame["i"] >= 0)]

    ref = pd.Timestamp(reference_time) if reference_time is not None else frame["timestamp"].max()
    if half_life_days is not None and len(frame):
        age_days = (ref - frame["timestamp"]).dt.total_seconds().to_numpy() / 86400.0
        decay = 0.5 ** (np.clip(age_days, 0, None) / float(half_life_days))
    else:
        decay = np.ones(len(frame))
    frame["decay"] = decay

    is_refund = frame["event_type"].to_numpy() == REFUND
    is_purchase = frame["event_type"].isin(PURCHASE_TYPES).to_numpy()
    unknown = set(frame.loc[~is_refund, "event_type"].unique()) - set(weights_by_type)
    if unknown:
        raise ValueError(f"no weight for event type(s) {sorted(unknown)}")

    # Non-purchase events: summed as they are.
    other = frame[~is_refund & ~is_purchase]
    other_w = (
        other["event_type"].map(weights_by_type).to_numpy(dtype=np.float64)
        * quantity_factor(other["quantity"], quantity)
        * other["decay"].to_numpy()
    )
    parts = [pd.DataFrame({"u": other["u"].to_numpy(), "i": other["i"].to_numpy(), "w": other_w})]

    # Purchases net of refunds, per (user, item). The surviving share of quantity keeps each purchase's own decay.
    bought = frame[is_purchase]
    if len(bought):
        bought = bought.assign(
            base=bought["event_type"].map(weights_by_type).to_numpy(dtype=np.float64), q=bought["quantity"]
        )
        refunded = frame[is_refund].groupby(["u", "i"])["quantity"].sum().rename("refunded")
        per_pair = bought.groupby(["u", "i"])["q"].sum().rename("bought")
        net = pd.concat([per_pair, refunded], axis=1).fillna(0)
        net["keep"] = np.clip(net["bought"] - net["refunded"], 0, None) / net["bought"].where(net["bought"] > 0, 1)
        bought = bought.join(net["keep"], on=["u", "i"])
        kept_q = bought["q"] * bought["keep"]
        w = bought["base"].to_numpy() * quantity_factor(kept_q, quantity) * bought["decay"].to_numpy()
        w = np.where(bought["keep"].to_numpy() > 0, w, 0.0)
        parts.append(pd.DataFrame({"u": bought["u"].to_numpy(), "i": bought["i"].to_numpy(), "w": w}))

    allw = pd.concat(parts, ignore_index=True)
    allw = allw[allw["w"] > 0]
    matrix = sp.csr_matrix(
        (allw["w"].to_numpy(dtype=np.float64), (allw["u"].to_numpy(), allw["i"].to_numpy())),
        shape=(len(user_enc), len(item_enc)),
    )
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    return InteractionData(matrix, user_enc, item_enc)


def interactions_from_pairs(
    frame: pd.DataFrame,
    *,
    users: Iterable | IdEncoder | None = None,
    items: Iterable | IdEncoder | None = None,
    weight_column: str | None = None,
) -> InteractionData:
    """A matrix from plain ``user_id, item_id[, weight]`` rows (weights summed; 1 per row without a weight column)."""
    return interactions_from_events(
        frame.assign(
            event_type="view",
            timestamp=pd.Timestamp(0),
            quantity=frame[weight_column] if weight_column else 1,
        ),
        users=users,
        items=items,
        event_weights={"view": 1.0},
        quantity="linear" if weight_column else "none",
    )


def binarize(user_items: sp.spmatrix) -> sp.csr_matrix:
    """A copy with every stored weight set to 1."""
    out = sp.csr_matrix(user_items, dtype=np.float64, copy=True)
    out.eliminate_zeros()
    out.data[:] = 1.0
    return out


def target_newcomers(user_items: sp.spmatrix, target_mask: np.ndarray) -> np.ndarray:
    """Rows with history, none of it in the target catalogue (`target_mask` over the columns): the users new to the
    catalogue a model serves."""
    history = (sp.csr_matrix(user_items) > 0).astype(np.float64)
    in_target = np.asarray(history @ target_mask.astype(np.float64)).ravel() > 0
    with_history = np.diff(history.indptr) > 0
    return np.flatnonzero(with_history & ~in_target)
