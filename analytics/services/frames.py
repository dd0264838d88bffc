"""Querysets to pandas frames at the boundary of the numeric core (analytics/ml).

One SQL statement per frame, fetched in chunks straight into columns: no model instances, no per-row dicts. Times are
converted to settings.TIME_ZONE and made naive, so a "day" here is the same local day the daily rollup counts.
"""

from collections.abc import Iterable
from datetime import datetime

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection

from analytics.models import Event, EventType
from campaigns.models import CatalogItem, Consumer, Organization

FETCH_CHUNK = 200_000


def _frame_from_sql(sql: str, params: list, columns: list[str]) -> pd.DataFrame:
    chunks: list[pd.DataFrame] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(FETCH_CHUNK)
            if not rows:
                break
            chunks.append(pd.DataFrame.from_records(rows, columns=columns))
    if not chunks:
        return pd.DataFrame({column: [] for column in columns})
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def _local_naive(values: pd.Series) -> pd.Series:
    """Aware or naive-UTC timestamps (SQLite returns strings or naive values) -> naive local time."""
    stamps = pd.to_datetime(values, utc=True, format="mixed") if len(values) else pd.to_datetime(values, utc=True)
    return stamps.dt.tz_convert(settings.TIME_ZONE).dt.tz_localize(None)


def events_frame(
    *,
    organization: Organization,
    types: Iterable[str] | None = None,
    since: datetime | None = None,
    with_category: bool = True,
) -> pd.DataFrame:
    """The organization's events in the analytics.ml.features contract: consumer_id (float, NaN for guests), type
    (categorical), value, quantity, occurred_at (naive local), order_id (purchases by one consumer at one instant,
    so invoice lines count once), category (item category, "" without one)."""
    event_table = Event._meta.db_table
    item_table = CatalogItem._meta.db_table
    columns = ["consumer_id", "type", "value", "quantity", "occurred_at"]
    select = "e.consumer_id, e.type, e.value, e.quantity, e.occurred_at"
    join = ""
    if with_category:
        select += ", COALESCE(i.category, '')"
        join = f" LEFT JOIN {item_table} i ON i.id = e.item_id"
        columns.append("category")
    where = ["e.organization_id = %s"]
    params: list = [organization.pk]
    if types is not None:
        types = list(types)
        where.append(f"e.type IN ({', '.join(['%s'] * len(types))})")
        params.extend(types)
    if since is not None:
        where.append("e.occurred_at >= %s")
        params.append(since)
    sql = f"SELECT {select} FROM {event_table} e{join} WHERE {' AND '.join(where)}"  # noqa: S608 - no user input
    frame = _frame_from_sql(sql, params, columns)
    frame["consumer_id"] = pd.to_numeric(frame["consumer_id"], errors="coerce").astype("float64")
    frame["type"] = pd.Categorical(frame["type"].astype(str), categories=list(EventType.values))
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").fillna(0.0).astype("float64")
    frame["quantity"] = pd.to_numeric(frame["quantity"], errors="coerce").fillna(1).astype("int64")
    frame["occurred_at"] = _local_naive(frame["occurred_at"])
    if with_category:
        frame["category"] = frame["category"].astype(str).replace("", "(none)").astype("category")
    if len(frame):
        consumer_key = frame["consumer_id"].fillna(-1.0).to_numpy()
        instants = frame["occurred_at"].to_numpy().astype("datetime64[s]").astype("int64")
        frame["order_id"] = pd.MultiIndex.from_arrays([consumer_key, instants]).factorize()[0]
    else:
        frame["order_id"] = np.array([], dtype="int64")
    return frame


def consumers_frame(*, organization: Organization) -> pd.DataFrame:
    """Demographics of every consumer of the organization, indexed by consumer_id (for one-hot features)."""
    rows = Consumer.objects.filter(organization=organization).values_list("pk", "age_band", "gender", "city_tier")
    frame = pd.DataFrame.from_records(
        rows.iterator(chunk_size=FETCH_CHUNK), columns=["consumer_id", "age_band", "gender", "city_tier"]
    )
    frame["city_tier"] = frame["city_tier"].astype("object").where(frame["city_tier"].notna(), "")
    return frame.set_index("consumer_id")
