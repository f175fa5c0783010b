"""One clock for a test's fake and component: moments away from any bucket boundary, and the env that moves both."""
import time
from datetime import datetime, timedelta
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


def at(fake, instant: float) -> dict:
    """Moves the fake's clock to `instant` and returns the env that moves the component's there too."""
    offset = instant - time.time()
    fake.clock_offset = offset
    return {**FAST, "CUSTOMERIO_CLOCK_OFFSET": str(offset)}
