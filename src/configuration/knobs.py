"""Knobs for the tests, the demo and the benchmark, read from the environment once per run and handed down.

They are honoured only when CUSTOMERIO_API_URL points at something that is not Customer.io (the fake API):
against the real regions every test knob is ignored, so a stray variable can never weaken a production run.
CUSTOMERIO_WORKERS (the size of the walk pool) applies everywhere: the rate limit binds whatever its size.
"""
import os
from dataclasses import dataclass
from typing import Optional

from customerio.regions import is_customerio_host

DEFAULT_WORKERS = 8

# variable -> Knobs field, all in seconds
_SECONDS = {
    "CUSTOMERIO_BACKOFF_BASE": "backoff_base",
    "CUSTOMERIO_READ_TIMEOUT": "read_timeout",
    "CUSTOMERIO_MAX_RETRY_SECONDS": "max_retry_seconds",
    "CUSTOMERIO_EXPORT_POLL_SECONDS": "export_poll_seconds",
    "CUSTOMERIO_EXPORT_MINUTE_SECONDS": "export_minute_seconds",
    "CUSTOMERIO_CLOCK_OFFSET": "clock_offset",
}


@dataclass(frozen=True)
class Knobs:
    rate_limit: bool = True                        # CUSTOMERIO_RATE_LIMIT=off: no limiter (pipeline benchmarks)
    backoff_base: Optional[float] = None           # first retry wait
    read_timeout: Optional[float] = None
    max_retry_seconds: Optional[float] = None
    export_poll_seconds: Optional[float] = None    # first poll interval of a customers export
    export_minute_seconds: Optional[float] = None  # length of one minute of customers.export_timeout_minutes
    clock_offset: float = 0.0                      # seconds added to the run's "now" (a fake clock moved ahead)
    workers: int = DEFAULT_WORKERS

    def client_options(self) -> dict:
        """CustomerIoClient keyword arguments these knobs change (the limiter is the component's to choose)."""
        return {name: getattr(self, name) for name in ("backoff_base", "read_timeout", "max_retry_seconds")
                if getattr(self, name) is not None}


def read_knobs(base_url: str, environ=os.environ) -> Knobs:
    """The knobs in `environ` that apply to a run against `base_url`."""
    raw = environ.get("CUSTOMERIO_WORKERS", "").strip()
    workers = max(1, int(raw)) if raw.isdigit() else DEFAULT_WORKERS
    if is_customerio_host(base_url):
        return Knobs(workers=workers)
    values = {field: float(environ[variable]) for variable, field in _SECONDS.items() if environ.get(variable)}
    return Knobs(rate_limit=environ.get("CUSTOMERIO_RATE_LIMIT", "").lower() != "off", workers=workers, **values)
