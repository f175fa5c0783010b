"""GET /v1/campaigns/{campaign_id}/journey_metrics (customerio-api-wave2.md section 6.1 and 6.4): cohort funnels.

`start`, `end` (integer Unix seconds) and `resolution` are all required: 400 without any of them, for a value
that is no integer, and for `start` after `end`. `resolution` takes the v2 `res` words hours|hourly|days|daily|
weeks|weekly|months|monthly (as Customer.io's own Node client types it; 400 otherwise). 404 for an unknown,
deleted or removed campaign (lifecycle). Answer: {"journey_metric": {state: [int, ...]}}, one value per bucket,
oldest first, with NO start / end / resolution echo. Position i counts the journeys that started in bucket i and
reached the state.

Choices where the reference is silent:
- buckets are UTC (the endpoint has no `tz`): the first at `start` floored to its bucket, each next one a
  resolution later, on while they start before `end` (as v2 does); more than 1,000 buckets is a 400 (the
  metrics_v2_max_buckets extra of metrics.py changes the limit for both);
- states: the seven of the spec plus `in_control_group`, which the reference does not list (Customer.io adds
  states without notice);
- per campaign n and cohort bucket [s, e), deterministic final values: started; never_activated a share of it;
  activated = started - never_activated; finished + exited_early = activated; messaged <= activated;
  converted <= finished; in_control_group <= activated;
- a cohort's journeys take JOURNEY_DAYS(n) = 1 + n % 4 days: while the bucket is open only started,
  never_activated and activated count (scaled by the elapsed fraction); after it ended the share p = min(1,
  (now - e) / duration) of finished, exited_early, messaged, converted and in_control_group has happened
  (floored). At p = 1 the cohort is closed: never_activated + exited_early + finished == started, and nothing
  changes any more. Zeros before the campaign was created and after now.
Helpers: expected_journey(fake, campaign_id, res, starts, now=None) -> {state: [...]};
cohort_closes_at(fake, campaign_id, res, start) -> when that cohort closes; STATES.
"""
from typing import Dict, List, Optional, Sequence

from fake_api.endpoints.campaign_actions import campaign_created
from fake_api.endpoints.metrics import MAX_BUCKETS, RES, SCALE, _hash, _parent, bucket_end, v2_buckets
from fake_api.server import HttpError, route

STATES = ("started", "activated", "never_activated", "exited_early", "finished", "converted", "messaged",
          "in_control_group")
LATER = ("exited_early", "finished", "converted", "messaged", "in_control_group")
DAY = 86400


def journey_days(campaign_id: int) -> int:
    return 1 + campaign_id % 4


def _final(campaign_id: int, res: str, start: int) -> Dict[str, int]:
    h = _hash("journey", campaign_id, res, start)
    started = h % (SCALE[res] // 2 + 1)
    r = [(h >> s) & 0xFF for s in (3, 7, 11, 15, 19)]
    never = started * (r[0] % 15) // 100
    activated = started - never
    finished = activated * (50 + r[1] % 45) // 100
    return {"started": started, "activated": activated, "never_activated": never,
            "exited_early": activated - finished, "finished": finished,
            "converted": finished * (r[3] % 35) // 100, "messaged": activated * (60 + r[2] % 40) // 100,
            "in_control_group": activated * (r[4] % 10) // 100}


def cohort_values(fake, campaign_id: int, res: str, start: int, now: float) -> Dict[str, int]:
    end = bucket_end(start, res, "UTC")
    if start > now or end <= campaign_created(fake.workspace, campaign_id):
        return dict.fromkeys(STATES, 0)
    values = _final(campaign_id, res, start)
    if now < end:
        share = (now - start) / (end - start)
        started, never = int(values["started"] * share), int(values["never_activated"] * share)
        return {**dict.fromkeys(STATES, 0), "started": started, "never_activated": never,
                "activated": started - never}
    progress = min(1.0, (now - end) / (journey_days(campaign_id) * DAY))
    return {state: int(value * progress) if state in LATER else value for state, value in values.items()}


def cohort_closes_at(fake, campaign_id: int, res: str, start: int) -> int:
    return bucket_end(start, res, "UTC") + journey_days(campaign_id) * DAY


def _required_int(query, name: str) -> int:
    raw = query.get(name)
    if raw in (None, ""):
        raise HttpError(400, "start, end and resolution are required")
    try:
        return int(raw)
    except ValueError:
        raise HttpError(400, f"{name} must be an integer unix timestamp")


@route("GET", "/campaigns/{campaign_id}/journey_metrics")
def journey_metrics(fake, query, body, campaign_id):
    n = _parent(fake, "campaign", campaign_id)
    start, end = _required_int(query, "start"), _required_int(query, "end")
    if query.get("resolution") in (None, ""):
        raise HttpError(400, "start, end and resolution are required")
    if query["resolution"] not in RES:
        raise HttpError(400, "resolution must be one of " + "|".join(RES))
    if start > end:
        raise HttpError(400, "start must not be after end")
    res = RES[query["resolution"]]
    starts = v2_buckets(start, end, res, "UTC", int(fake.extras.get(MAX_BUCKETS, 1000)))
    return {"journey_metric": expected_journey(fake, n, res, starts)}


def expected_journey(fake, campaign_id: int, res: str, starts: Sequence[int],
                     now: Optional[float] = None) -> Dict[str, List[int]]:
    """The `journey_metric` the route answers for these bucket starts (UTC), computed from the model."""
    now = fake.now() if now is None else now
    cohorts = [cohort_values(fake, campaign_id, RES[res], start, now) for start in starts]
    return {state: [cohort[state] for cohort in cohorts] for state in STATES}
