"""Shared loader of the UCI Online Retail file for the benchmarks (never copied into the repository).

Data: Chen, Sain & Guo (2012), J. Database Marketing & Customer Strategy Management 19(3):197-208; UCI data set 352.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ONLINE_RETAIL_PATH = PROJECT_ROOT.parent / "shared" / "data" / "online_retail.csv.gz"


def load_online_retail(path: str | Path = DEFAULT_ONLINE_RETAIL_PATH) -> pd.DataFrame:
    """The raw file with parsed dates, an `is_cancellation` flag and a `line_value` (Quantity × UnitPrice) column."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"Online Retail data not found at {path}; see /work/shared/data/README.md")
    frame = pd.read_csv(
        path,
        dtype={"InvoiceNo": "string", "StockCode": "string", "Description": "string", "Country": "string"},
        parse_dates=["InvoiceDate"],
    )
    frame["is_cancellation"] = frame["InvoiceNo"].str.startswith("C").fillna(False).astype(bool)
    frame["line_value"] = frame["Quantity"] * frame["UnitPrice"]
    return frame


def online_retail_events(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows with a customer as an events frame in the analytics-core contract (docs/analytics-core.md).

    A cancellation becomes a `refund` event with a positive value; everything else is a `purchase`. Guest rows
    (no CustomerID) are dropped because features are per consumer.
    """
    with_customer = raw[raw["CustomerID"].notna()]
    is_refund = with_customer["is_cancellation"].to_numpy()
    return pd.DataFrame(
        {
            "consumer_id": with_customer["CustomerID"].astype("int64").to_numpy(),
            "item_id": with_customer["StockCode"].to_numpy(),
            "type": pd.Categorical(
                ["refund" if refund else "purchase" for refund in is_refund], categories=["purchase", "refund"]
            ),
            "quantity": with_customer["Quantity"].abs().to_numpy(),
            "value": with_customer["line_value"].abs().to_numpy(),
            "occurred_at": with_customer["InvoiceDate"].to_numpy(),
            "order_id": with_customer["InvoiceNo"].to_numpy(),
        }
    )


def online_retail_daily_revenue(raw: pd.DataFrame) -> pd.Series:
    """Daily revenue of sales invoices in GBP, cancellations EXCLUDED (not netted), reindexed daily with zeros.

    Excluding keeps the series a demand signal: cancellations arrive days later and in lumps (one reversal of
    £168k on 2011-12-09), which would make the target partly an accounting artefact.
    """
    sales = raw[~raw["is_cancellation"] & (raw["Quantity"] > 0) & (raw["UnitPrice"] > 0)]
    daily = sales.groupby(sales["InvoiceDate"].dt.normalize())["line_value"].sum()
    full_range = pd.date_range(daily.index.min(), daily.index.max(), freq="D")
    return daily.reindex(full_range, fill_value=0.0).rename("revenue")
