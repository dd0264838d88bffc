"""The instants an event, exposure or conversion may claim to have happened at.

A time far in the past or future is never a real observation, and it is costly: one event in year 1 or 9999 stretches
every daily series of its organization (rollups, forecasts) over millennia and stalls the shared queue, and some such
times cannot even be converted to UTC. Every input path checks its times against this one window.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


def event_time_window() -> tuple[datetime, datetime]:
    """(earliest, latest): midnight of settings.EVENT_TIME_MIN in TIME_ZONE, and now + EVENT_TIME_MAX_AHEAD_HOURS."""
    earliest = timezone.make_aware(datetime.combine(settings.EVENT_TIME_MIN, time.min))
    latest = timezone.now() + timedelta(hours=settings.EVENT_TIME_MAX_AHEAD_HOURS)
    return earliest, latest


def event_time_problem(moment: datetime) -> str | None:
    """Why an aware `moment` is refused, or None. Aware datetimes compare without conversion, so a value whose UTC
    equivalent lies outside datetime's range is still compared (and refused) safely."""
    earliest, latest = event_time_window()
    if earliest <= moment <= latest:
        return None
    return _("Must be between %(earliest)s and %(hours)d hours from now.") % {
        "earliest": settings.EVENT_TIME_MIN.isoformat(),
        "hours": settings.EVENT_TIME_MAX_AHEAD_HOURS,
    }
