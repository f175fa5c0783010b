"""One clock for a test's fake and component: moments away from any bucket boundary, and the env that moves both.

`pinned_instants` are the instants a test that depends on the time of day also runs at, so that it fails at any
hour, not only in the afternoon: across the New York day (before and after the UTC date moves on) and across both
daylight-saving changes. Tests marked `any_hour` run once on the real clock and once pinned at each (conftest.py);
the fake and the component then share the pinned clock (FakeCustomerIo.pin_clock, CUSTOMERIO_CLOCK_OFFSET). Every
instant lies ahead of the real clock, so the fake's data (dated back from its clock) is never in a run's future,
and the instants stay valid whatever the date the suite runs on.
"""
import time
from datetime import date, datetime, time as time_of_day, timedelta, timezone
from typing import Dict, Optional
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
FAST = {"CUSTOMERIO_RATE_LIMIT": "off", "CUSTOMERIO_BACKOFF_BASE": "0.01"}


def noon_eastern_after(moment: float) -> int:
    """The next 12:00 in New York after `moment`: no bucket boundary of any metrics family is near it."""
    local = datetime.fromtimestamp(moment, EASTERN)
    noon = local.replace(hour=12, minute=0, second=0, microsecond=0)
    if noon.timestamp() <= moment:
        noon += timedelta(days=1)
    return int(noon.timestamp())


def start_instant(pinned_now: Optional[int]) -> int:
    """Where a metrics test's clock begins: the pinned instant of an any_hour run, else the next noon in New York."""
    return pinned_now or noon_eastern_after(time.time())


def at(fake, instant: float) -> dict:
    """Moves the fake's clock to `instant` and returns the env that moves the component's there too."""
    offset = instant - time.time()
    fake.clock_offset = offset
    return {**FAST, "CUSTOMERIO_CLOCK_OFFSET": str(offset)}


def _local(day: date, hour: int, minute: int, fold: int = 0) -> int:
    return int(datetime.combine(day, time_of_day(hour, minute), EASTERN).replace(fold=fold).timestamp())


def _next_change(after: datetime, spring: bool) -> date:
    """The next day on which New York's clocks jump forward (spring) or back (autumn)."""
    day = after.astimezone(EASTERN).date() + timedelta(days=1)
    while True:
        start = datetime.combine(day, time_of_day(0, 0), EASTERN).utcoffset()
        end = datetime.combine(day + timedelta(days=1), time_of_day(0, 0), EASTERN).utcoffset()
        if start != end and (end > start) == spring:
            return day
        day += timedelta(days=1)


def pinned_instants(now: Optional[datetime] = None) -> Dict[str, int]:
    """name -> unix seconds, every one after `now`."""
    now = now or datetime.now(timezone.utc)
    tomorrow = now.astimezone(EASTERN).date() + timedelta(days=1)
    spring, autumn = _next_change(now, spring=True), _next_change(now, spring=False)
    return {
        "0030-eastern": _local(tomorrow, 0, 30),                             # New York and UTC on the same date
        "2030-eastern-next-utc-day": _local(tomorrow, 20, 30),              # UTC already on the next date
        "3-days-after-spring-forward-0030": _local(spring + timedelta(days=3), 0, 30),   # a 23-hour day behind
        "fall-back-0130-second-time": _local(autumn, 1, 30, fold=1),        # the repeated hour, in EST
        "3-days-after-fall-back-2330": _local(autumn + timedelta(days=3), 23, 30),       # a 25-hour day behind
    }
