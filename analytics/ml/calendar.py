"""Built-in calendar flags used as exogenous regressors by the forecasters.

The Chinese calendar is deliberately small: shopping festivals (6·18, 双11, 双12), the fixed-date public holidays and
the Spring Festival golden week (dates listed for 2010-2035). Make-up working days and the lunar Qingming / Dragon
Boat / Mid-Autumn days are not listed; an organization that needs them passes its own flag columns as `exog`.
The UK calendar (for the Online Retail benchmark) has the bank holidays of England and Wales plus a Christmas
shutdown window.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from pandas.tseries.holiday import EasterMonday, GoodFriday

# Lunar New Year's day; the holiday week runs from the eve to the sixth day.
SPRING_FESTIVAL_DATES: tuple[str, ...] = (
    "2010-02-14", "2011-02-03", "2012-01-23", "2013-02-10", "2014-01-31", "2015-02-19", "2016-02-08",
    "2017-01-28", "2018-02-16", "2019-02-05", "2020-01-25", "2021-02-12", "2022-02-01", "2023-01-22",
    "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13", "2030-02-03",
    "2031-01-23", "2032-02-11", "2033-01-31", "2034-02-19", "2035-02-08",
)  # fmt: skip

# (month, day, length in days) of the shopping festivals and fixed-date Chinese public holidays.
CN_SHOPPING_FESTIVALS: tuple[tuple[int, int, int], ...] = ((6, 18, 1), (11, 11, 1), (12, 12, 1))
CN_FIXED_HOLIDAYS: tuple[tuple[int, int, int], ...] = ((1, 1, 1), (5, 1, 5), (10, 1, 7))

CALENDAR_REGIONS = ("CN", "UK")


def _last_monday_on_or_before(year: int, month: int, day: int) -> dt.date:
    date = dt.date(year, month, day)
    return date - dt.timedelta(days=date.weekday())


def _uk_bank_holidays(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    days: list[dt.date] = []
    easter_based = pd.DatetimeIndex([*GoodFriday.dates(start, end), *EasterMonday.dates(start, end)])
    for year in range(start.year, end.year + 1):
        new_year = dt.date(year, 1, 1)
        days.append(new_year + dt.timedelta(days=(7 - new_year.weekday()) % 7 if new_year.weekday() >= 5 else 0))
        may_first = dt.date(year, 5, 1)
        days.append(may_first + dt.timedelta(days=(7 - may_first.weekday()) % 7))  # first Monday of May
        days.append(_last_monday_on_or_before(year, 5, 31))
        days.append(_last_monday_on_or_before(year, 8, 31))
        days.extend([dt.date(year, 12, 25), dt.date(year, 12, 26)])
    return pd.DatetimeIndex(days).append(easter_based)


def _annual_windows(index: pd.DatetimeIndex, windows: tuple[tuple[int, int, int], ...]) -> np.ndarray:
    flag = np.zeros(len(index), dtype=bool)
    for year in range(index.min().year, index.max().year + 1):
        for month, day, length in windows:
            start = pd.Timestamp(year=year, month=month, day=day)
            flag |= (index >= start) & (index < start + pd.Timedelta(days=length))
    return flag


def calendar_flags(index: pd.DatetimeIndex, region: str = "CN") -> pd.DataFrame:
    """0/1 flag columns for each day of `index` (daily, normalised dates).

    CN: `cn_festival` (6·18, 双11, 双12), `cn_holiday` (New Year, Labour Day week, National Day week, Spring
    Festival week). UK: `uk_bank_holiday`, `christmas_shutdown` (24 Dec - 3 Jan, when many shops close).
    """
    index = pd.DatetimeIndex(index).normalize()
    if len(index) == 0:
        return pd.DataFrame(index=index)
    if region == "CN":
        spring_festival = np.zeros(len(index), dtype=bool)
        for new_year in pd.to_datetime(list(SPRING_FESTIVAL_DATES)):
            spring_festival |= (index >= new_year - pd.Timedelta(days=1)) & (index <= new_year + pd.Timedelta(days=5))
        flags = {
            "cn_festival": _annual_windows(index, CN_SHOPPING_FESTIVALS),
            "cn_holiday": _annual_windows(index, CN_FIXED_HOLIDAYS) | spring_festival,
        }
    elif region == "UK":
        bank_holidays = _uk_bank_holidays(index.min(), index.max())
        is_december_end = (index.month == 12) & (index.day >= 24)
        is_january_start = (index.month == 1) & (index.day <= 3)
        flags = {
            "uk_bank_holiday": index.isin(bank_holidays),
            "christmas_shutdown": is_december_end | is_january_start,
        }
    else:
        raise ValueError(f"Unknown calendar region {region!r}; expected one of {CALENDAR_REGIONS}")
    return pd.DataFrame({name: flag.astype("float64") for name, flag in flags.items()}, index=index)
