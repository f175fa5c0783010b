"""Asking the metrics endpoints for a window and turning their arrays into rows: shared by every metrics table.

- v2 (campaigns and campaign actions): the run's window in UTC buckets, at most V2_MAX_BUCKETS per request;
- v1 (everything else, link clicks included): the steps the window needs, counted back from the request time in
  US-Eastern buckets; a request that straddles a bucket boundary is asked again, since its buckets would be
  counted from the wrong one;
- windows without any bucket times in the answer (journey funnels): UTC buckets from the asked start.

Every row carries the same bucket columns: `resolution`, `period_start` (UTC seconds), `complete` (the bucket
had ended when it was asked for, and `closed` says nothing against it) and `value`, next to the column that names
what is counted (`metric`, `state`).
"""
import time
from typing import Callable, Dict, Iterator, List, Optional, Tuple

from customerio.columns import Column, count, flag, text, when
from customerio.metrics import (EASTERN, UTC, buckets_back, buckets_between, floor, following, v1_steps, v2_buckets,
                                windows)

RESOLUTION = text("resolution", "Length of the bucket: hours, days, weeks or months.")
PERIOD_START = when("period_start", "the bucket starts (v1 buckets start at midnight US Eastern)")
COMPLETE = flag("complete", "true when the bucket had ended when read; false while open (its count may grow).")
VALUE = count("value", "Count of the metric in this bucket.")


def bucket_columns(name: Column, period_start: Column = PERIOD_START, complete: Column = COMPLETE,
                   value: Column = VALUE) -> Tuple[Column, ...]:
    """The documented bucket columns of a metrics table, `name` being the column that names what is counted."""
    return RESOLUTION, period_start, name, complete, value


class MetricReads:
    def __init__(self, client, resolution: str, run_started: int, clock_offset: float = 0.0,
                 on_short_reach: Optional[Callable[[str], None]] = None):
        self.client = client
        self.resolution = resolution
        self.run_started = run_started
        self.clock_offset = clock_offset
        self.on_short_reach = on_short_reach or (lambda label: None)

    def now(self) -> float:
        return time.time() + self.clock_offset

    # ------------------------------------------------------------------ requests
    def v2(self, path: str, start: int):
        """(answer, bucket starts, asked at, api version) per window of the run."""
        resolution = self.resolution
        for chunk, chunk_end in windows(start, self.run_started, resolution):
            asked = self.now()
            body = self.client.get(path, {"version": 2, "res": resolution, "start": chunk, "end": chunk_end,
                                          "tz": "UTC"})
            yield body, v2_buckets(chunk, body, length(series_of(body)), resolution), asked, 2

    def v1(self, path: str, start: int, label: str, params: Optional[dict] = None,
           count: Optional[Callable[[dict], int]] = None) -> Tuple[dict, List[int], float]:
        """(answer, bucket starts, asked at) of one v1 request reaching back to `start` (or as far as v1 can)."""
        resolution = self.resolution
        count = count or (lambda body: length(series_of(body)))
        for _ in range(3):
            asked = self.now()
            steps, short = v1_steps(start, asked, resolution)
            if short:
                self.on_short_reach(label)
            body = self.client.get(path, {"period": resolution, "steps": steps, **(params or {})})
            answered = self.now()
            if floor(asked, resolution, EASTERN) == floor(answered, resolution, EASTERN):
                return body, buckets_back(asked, count(body), resolution), asked
        return body, buckets_back(answered, count(body), resolution), answered

    def windowed(self, path: str, start: int, params: Callable[[int, int], dict]):
        """(answer, bucket starts of the asked window, asked at) per window of the run, for endpoints that echo no
        bucket times: UTC buckets from the asked start."""
        for chunk, chunk_end in windows(start, self.run_started, self.resolution):
            asked = self.now()
            body = self.client.get(path, params(chunk, chunk_end))
            yield body, buckets_between(chunk, chunk_end, self.resolution), asked

    def requests_for(self, version: int, start: int) -> int:
        return 1 if version == 1 else len(windows(start, self.run_started, self.resolution))

    # ------------------------------------------------------------------ rows
    def rows(self, series: Dict[str, list], starts: List[int], asked: float, zone, name_column: str = "metric",
             closed: Optional[Callable[[int], bool]] = None) -> Iterator[dict]:
        """One row per name and bucket: {name_column, resolution, period_start, complete, value}; values that
        are no numbers give no row."""
        ends = [following(period_start, self.resolution, zone) <= asked for period_start in starts]
        if closed is not None:
            ends = [ended and closed(i) for i, ended in enumerate(ends)]
        for name, values in series.items():
            if not isinstance(values, list):
                continue
            for i, (period_start, value) in enumerate(zip(starts, values)):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue
                yield {name_column: name, "resolution": self.resolution, "period_start": period_start,
                       "complete": ends[i], "value": int(value)}


def zone_of(version: int):
    """The calendar of an answer's buckets: US Eastern for v1, UTC for v2."""
    return EASTERN if version == 1 else UTC


def series_of(body, key: str = "metric") -> dict:
    """`metric.series` of an answer (or of one link): metric name -> one value per bucket; empty when absent."""
    metric = body.get(key) if isinstance(body, dict) else None
    series = metric.get("series") if isinstance(metric, dict) else None
    return series if isinstance(series, dict) else {}


def length(series: dict) -> int:
    return max((len(values) for values in series.values() if isinstance(values, list)), default=0)
