"""Shared-data access for the analytics-core tests (no database)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ONLINE_RETAIL_PATH = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "online_retail.csv.gz"


@pytest.fixture(scope="session")
def online_retail_path() -> Path:
    if not ONLINE_RETAIL_PATH.exists():
        if os.environ.get("XMKT_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"XMKT_REQUIRE_SHARED_DATA=1 but {ONLINE_RETAIL_PATH} is missing")
        pytest.skip(f"shared Online Retail data not found at {ONLINE_RETAIL_PATH} (see /work/shared/data/README.md)")
    return ONLINE_RETAIL_PATH
