"""Loaders for bench/recommender_quality.py: each returns an event frame for recommender.ml.interactions.

Columns: ``user_id, item_id, event_type, timestamp, quantity`` and, where the source has them, ``rating``, ``domain``
and a per-item text table (``item_id, text``) for the content model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class LoadedData:
    events: pd.DataFrame
    item_texts: dict = field(default_factory=dict)
    item_domains: dict = field(default_factory=dict)


def load_online_retail(path: str | Path) -> LoadedData:
    """UCI Online Retail (Chen, Sain & Guo 2012): customer purchases, cancellations as refunds.

    Guest rows (no CustomerID) and non-product stock codes (postage, manual, fees: codes not starting with a digit) are
    dropped. A cancellation (invoice starting with ``C``) becomes a ``refund`` of the cancelled quantity.
    """
    raw = pd.read_csv(
        path,
        dtype={"InvoiceNo": str, "StockCode": str, "Description": str, "CustomerID": "Int64", "Country": str},
    )
    raw = raw[raw["CustomerID"].notna() & raw["StockCode"].str.match(r"^\d", na=False)]
    refund = raw["InvoiceNo"].str.startswith("C") | (raw["Quantity"] < 0)
    events = pd.DataFrame(
        {
            "user_id": raw["CustomerID"].astype("int64").astype(str).to_numpy(),
            "item_id": raw["StockCode"].str.upper().to_numpy(),
            "event_type": refund.map({True: "refund", False: "purchase"}).to_numpy(),
            "timestamp": pd.to_datetime(raw["InvoiceDate"]).to_numpy(),
            "quantity": raw["Quantity"].abs().to_numpy(),
            "country": raw["Country"].to_numpy(),
        }
    )
    texts = (
        raw.assign(item_id=raw["StockCode"].str.upper())
        .dropna(subset=["Description"])
        .groupby("item_id")["Description"]
        .agg(lambda s: s.value_counts().index[0])
    )
    return LoadedData(events.reset_index(drop=True), item_texts=texts.to_dict())


def load_movielens(directory: str | Path) -> LoadedData:
    """The ml-100k folder: ``u.data`` (tab-separated user, item, rating, unix time); ``u.item`` titles if present."""
    folder = Path(directory)
    data = pd.read_csv(
        folder / "u.data", sep="\t", header=None, names=["user_id", "item_id", "rating", "timestamp"], dtype=str
    )
    events = pd.DataFrame(
        {
            "user_id": data["user_id"].to_numpy(),
            "item_id": data["item_id"].to_numpy(),
            "event_type": "rating",
            "timestamp": pd.to_datetime(data["timestamp"].astype("int64"), unit="s").to_numpy(),
            "quantity": 1,
            "rating": data["rating"].astype(float).to_numpy(),
        }
    )
    texts: dict = {}
    item_file = folder / "u.item"
    if item_file.exists():
        items = pd.read_csv(item_file, sep="|", header=None, encoding="latin-1", dtype=str, usecols=[0, 1])
        texts = dict(zip(items[0], items[1].fillna(""), strict=True))
    return LoadedData(events, item_texts=texts)


def load_interactions(path: str | Path) -> LoadedData:
    """A CSV with ``user_id,item_id,timestamp`` and optional ``weight`` and ``domain`` columns."""
    frame = pd.read_csv(path, dtype={"user_id": str, "item_id": str})
    missing = {"user_id", "item_id", "timestamp"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
    ts = frame["timestamp"]
    timestamp = (
        pd.to_datetime(ts.astype("int64"), unit="s") if pd.api.types.is_numeric_dtype(ts) else pd.to_datetime(ts)
    )
    events = pd.DataFrame(
        {
            "user_id": frame["user_id"].to_numpy(),
            "item_id": frame["item_id"].to_numpy(),
            "event_type": "view",
            "timestamp": timestamp.to_numpy(),
            "quantity": frame["weight"].to_numpy() if "weight" in frame else 1,
        }
    )
    domains: dict = {}
    if "domain" in frame:
        events["domain"] = frame["domain"].astype(str).to_numpy()
        domains = frame.drop_duplicates("item_id").set_index("item_id")["domain"].astype(str).to_dict()
    return LoadedData(events, item_domains=domains)
