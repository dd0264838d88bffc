"""Behavioural data, profiles, segments, forecasts and the clean room, one module per domain."""

from .events import DailyEventRollup, Event, EventType
from .forecasts import Forecast, ForecastPoint, MarketIndicator
from .overlap import OverlapMatchToken, OverlapQuery
from .profiles import ConsumerProfile
from .segments import Segment, SegmentMembership, SegmentRun

__all__ = [
    "ConsumerProfile",
    "DailyEventRollup",
    "Event",
    "EventType",
    "Forecast",
    "ForecastPoint",
    "MarketIndicator",
    "OverlapMatchToken",
    "OverlapQuery",
    "Segment",
    "SegmentMembership",
    "SegmentRun",
]
