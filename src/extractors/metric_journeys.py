"""Journey funnels: `journey_metrics`, one row per campaign, cohort bucket and state.

`GET /campaigns/{id}/journey_metrics` takes `start`, `end` and `resolution` (all required) and answers
`{"journey_metric": {state: [int, ...]}}`: position i counts the journeys that STARTED in bucket i and reached the
state (started, activated, never_activated, exited_early, finished, converted, messaged, and whatever Customer.io
adds). The answer echoes no bucket times and the API documents no time zone for them: the run asks for windows
that begin on a UTC bucket boundary and counts the buckets from there, in UTC.

These numbers change while the cohort's journeys are open, so the lookback window is read again every run like
the other metrics. A bucket is `complete` only once it has ended AND every journey that started in it has
ended (never_activated + exited_early + finished reach started): then none of its counts can move, as far as the
API tells; whether a conversion counted after its journey ended can still move `converted` it leaves unknown.
"""
from typing import Iterator, Tuple
from urllib.parse import quote

from customerio.columns import count, documented, flag, table_description, text, when
from customerio.metrics import JOURNEY_PATH, UTC, cohort_closed
from extractors.base import TableSpec
from extractors.metric_reads import MetricReads, bucket_columns

JOURNEY_KEY = ("campaign_id", "resolution", "period_start", "state")
JOURNEY_COLUMNS = documented("journey", "campaign_id") + bucket_columns(
    text("state", "Journey state reached: started, activated, never_activated, exited_early, finished, converted, "
                  "messaged, or any state Customer.io adds."),
    period_start=when("period_start", "the cohort's bucket starts (UTC): its journeys started in it"),
    complete=flag("complete", "true once the bucket has ended and every journey that started in it has ended, so "
                              "its counts cannot change; false before."),
    value=count("value", "Count of the journeys that started in the bucket and reached the state."))
JOURNEY_SPEC = TableSpec("journey_metrics", JOURNEY_KEY, columns=JOURNEY_COLUMNS, description=table_description(
    "One row per campaign, cohort bucket and journey state", JOURNEY_KEY,
    "Customer.io's App API, /v1/campaigns/(id)/journey_metrics (cohorts of journeys by the bucket they started in, "
    "UTC buckets)"))


def journey_rows(reads: MetricReads, campaign_id: str, start: int) -> Iterator[Tuple]:
    path = JOURNEY_PATH.format(campaign_id=quote(campaign_id, safe=""))

    def params(chunk: int, chunk_end: int) -> dict:
        return {"start": chunk, "end": chunk_end, "resolution": reads.resolution}

    for body, starts, asked in reads.windowed(path, start, params):
        funnel = body.get("journey_metric") if isinstance(body, dict) else None
        if not isinstance(funnel, dict):
            continue
        for row in reads.rows(funnel, starts, asked, UTC, "state", closed=lambda i: cohort_closed(funnel, i)):
            yield JOURNEY_SPEC, {"campaign_id": campaign_id, **row}
