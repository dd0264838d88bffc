"""Sticky, deterministic assignment of consumers to campaign arms.

A consumer's position on [0, 1) is a hash of the campaign salt and the consumer's pseudonymous reference, so every
web worker, retry and replica computes the same arm without coordination. The interval [0, 1) is divided into
labelled pieces (an ``ArmLayout``); the consumer gets the arm whose piece contains their position.

When weights change (bandit reallocation), ``ArmLayout.rebalance`` moves the least possible share of positions:
arms that shrink give up pieces, arms that grow receive exactly those pieces, arms whose weight is unchanged keep all
of theirs. The share of consumers that change arm is therefore the total-variation distance between the old and new
weights, which is the minimum any scheme can achieve. A stateless "cumulative weights" mapping would instead shift
every later boundary and move far more people. The price is that the layout must be stored with each weight change
(``to_json_list`` / ``from_json_list``); it stays small because adjacent pieces of one arm are merged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

_HASH_SPACE = float(2**64)
# Boundaries are floats; anything below this is treated as an empty piece produced by rounding.
_EPSILON = 1e-12


def bucket(consumer_ref: str, salt: str) -> float:
    """Uniform position in [0, 1) for a consumer in one campaign (SHA-256 of ``salt`` and ``consumer_ref``).

    The salt is per campaign so that a consumer's arms in different campaigns are independent.
    """
    digest = hashlib.sha256(f"{salt}\x1f{consumer_ref}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _HASH_SPACE


def _normalised(weights: ArrayLike) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size == 0 or np.any(w < 0) or not np.isfinite(w).all() or w.sum() <= 0:
        raise ValueError("weights must be a non-empty 1-D array of non-negative numbers with a positive sum")
    return w / w.sum()


@dataclass(frozen=True)
class ArmLayout:
    """Pieces ``(start, end, arm)`` that tile [0, 1) in order."""

    pieces: tuple[tuple[float, float, int], ...]
    n_arms: int

    @classmethod
    def from_weights(cls, weights: ArrayLike) -> ArmLayout:
        """Contiguous layout for a first allocation: arm 0 first, then arm 1, ..."""
        w = _normalised(weights)
        edges = np.concatenate([[0.0], np.cumsum(w)])
        edges[-1] = 1.0
        pieces = tuple((float(edges[a]), float(edges[a + 1]), a) for a in range(w.size))
        return cls(_merged(pieces), w.size)

    def weights(self) -> np.ndarray:
        """The share of [0, 1) each arm holds."""
        shares = np.zeros(self.n_arms)
        for start, end, arm in self.pieces:
            shares[arm] += end - start
        return shares

    def arm_at(self, position: float) -> int:
        for start, end, arm in self.pieces:
            if start <= position < end:
                return arm
        return self.pieces[-1][2]  # position rounding at exactly 1.0 can only happen through float error

    def rebalance(self, new_weights: ArrayLike) -> ArmLayout:
        """Layout for ``new_weights`` that moves only the total-variation share of positions.

        Shrinking arms release mass from the end of their last pieces; growing arms fill the released gaps in order.
        """
        target = _normalised(new_weights)
        if target.size != self.n_arms:
            raise ValueError(f"expected {self.n_arms} weights, got {target.size}")
        excess = self.weights() - target  # > 0: arm must give up that much
        kept: list[tuple[float, float, int | None]] = []
        for start, end, arm in reversed(self.pieces):
            release = min(max(excess[arm], 0.0), end - start)
            if release > _EPSILON:
                excess[arm] -= release
                # Free the tail of the piece; keep the head with its owner.
                kept.append((end - release, end, None))
                if end - release - start > _EPSILON:
                    kept.append((start, end - release, arm))
            else:
                kept.append((start, end, arm))
        kept.reverse()
        deficit = np.maximum(target - self.weights(), 0.0)
        filled: list[tuple[float, float, int]] = []
        growing = [a for a in range(self.n_arms) if deficit[a] > _EPSILON]
        for start, end, owner in kept:
            if owner is not None:
                filled.append((start, end, owner))
                continue
            cursor = start
            while end - cursor > _EPSILON and growing:
                arm = growing[0]
                take = min(deficit[arm], end - cursor)
                filled.append((cursor, cursor + take, arm))
                deficit[arm] -= take
                cursor += take
                if deficit[arm] <= _EPSILON:
                    growing.pop(0)
            if end - cursor > _EPSILON:
                # Only rounding leftovers reach this point; give them to the previous piece's arm.
                filled.append((cursor, end, filled[-1][2] if filled else 0))
        return ArmLayout(_merged(tuple((float(s), float(e), int(a)) for s, e, a in filled)), self.n_arms)

    def to_json_list(self) -> list[list[float | int]]:
        return [[start, end, arm] for start, end, arm in self.pieces]

    @classmethod
    def from_json_list(cls, pieces: Sequence[Sequence[float | int]], n_arms: int) -> ArmLayout:
        return cls(tuple((float(s), float(e), int(a)) for s, e, a in pieces), n_arms)


def _merged(pieces: tuple[tuple[float, float, int], ...]) -> tuple[tuple[float, float, int], ...]:
    merged: list[tuple[float, float, int]] = []
    for start, end, arm in pieces:
        if end - start <= _EPSILON and merged:
            merged[-1] = (merged[-1][0], end, merged[-1][2])
            continue
        if merged and merged[-1][2] == arm:
            merged[-1] = (merged[-1][0], end, arm)
        else:
            merged.append((start, end, arm))
    return tuple(merged)


def assign_arm(consumer_ref: str, salt: str, layout: ArmLayout) -> int:
    """The arm of ``consumer_ref`` in the campaign with ``salt``: same inputs, same arm, on every machine."""
    return layout.arm_at(bucket(consumer_ref, salt))


def moved_share(old: ArmLayout, new: ArmLayout) -> float:
    """Share of [0, 1) whose arm differs between two layouts (what a weight change costs in stickiness)."""
    edges = sorted({0.0, 1.0} | {p[0] for p in old.pieces + new.pieces} | {p[1] for p in old.pieces + new.pieces})
    moved = 0.0
    for left, right in zip(edges, edges[1:], strict=False):
        if right - left <= 0:
            continue
        middle = (left + right) / 2
        if old.arm_at(middle) != new.arm_at(middle):
            moved += right - left
    return moved
