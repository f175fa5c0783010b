"""Delivery metrics as the App API serves them (customerio-api-wave2.md section 6): two different APIs.

- Version 2 (`version=2`, `res`, `start`, `end`, `tz`): campaigns and campaign actions only. Buckets start at
  `start` floored to its bucket in `tz` (we always ask for UTC). Leaving out `version=2` silently answers v1.
- Version 1 (`period`, `steps`): everything else. The window always ends at the request time, at most 24 hours,
  45 days, 12 weeks or 121 months back, in US-Eastern buckets (days from local midnight, weeks from Sunday,
  months from the 1st; daylight time honoured, which the spec leaves unsaid), the last one still open. The answer
  carries no bucket times: they are counted back from the request time.

Either way the answer is `{"metric": {"series": {name: [int, ...]}}}`, one value per bucket, oldest first, with
names Customer.io adds without notice. Link clicks (`.../metrics/links`, v1 only, `unique` true or false) answer
`{"links": [{"link": {"id", "href"}, "metric": {"series": ...}}]}`; journey funnels
(`/campaigns/{id}/journey_metrics`, `start`, `end` and `resolution` all required) answer `{"journey_metric":
{state: [int, ...]}}` without any bucket times. This module holds the facts and the calendar, no HTTP.
"""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional, Tuple
from zoneinfo import ZoneInfo

RESOLUTIONS = ("hours", "days", "weeks", "months")
V1_MAX_STEPS = {"hours": 24, "days": 45, "weeks": 12, "months": 121}
#: Buckets per v2 request: the limit is undocumented, ~1,000 is what the reference advises.
V2_MAX_BUCKETS = 1000
EASTERN = ZoneInfo("America/New_York")
UTC = timezone.utc


@dataclass(frozen=True)
class Family:
    """One metrics endpoint family and its table."""
    key: str                     # configuration name: metrics.entities
    table: str
    entity_columns: Tuple[str, ...]
    path: str                    # {placeholders} are the entity columns; + LINKS is its link-click endpoint
    version: int
    label: str                   # "campaign", for messages
    title: str = ""              # for the form's picker
    kind: str = ""               # link_metrics.entity_type
    default: bool = True         # read when `metrics.entities` names none


FAMILIES: Tuple[Family, ...] = (
    Family("campaigns", "campaign_metrics", ("campaign_id",), "/campaigns/{campaign_id}/metrics", 2, "campaign",
           "Campaigns (campaign_metrics)", "campaign"),
    Family("campaign_actions", "campaign_action_metrics", ("campaign_id", "action_id"),
           "/campaigns/{campaign_id}/actions/{action_id}/metrics", 2, "campaign action",
           "Campaign actions (campaign_action_metrics)", "campaign_action"),
    Family("newsletters", "newsletter_metrics", ("newsletter_id",), "/newsletters/{newsletter_id}/metrics", 1,
           "newsletter", "Newsletters (newsletter_metrics)", "newsletter"),
    Family("newsletter_variants", "newsletter_variant_metrics", ("newsletter_id", "content_id"),
           "/newsletters/{newsletter_id}/contents/{content_id}/metrics", 1, "newsletter variant",
           "Newsletter A/B and language variants (newsletter_variant_metrics)", "newsletter_variant", False),
    Family("broadcasts", "broadcast_metrics", ("broadcast_id",), "/broadcasts/{broadcast_id}/metrics", 1,
           "broadcast", "API-triggered broadcasts (broadcast_metrics)", "broadcast"),
    Family("broadcast_actions", "broadcast_action_metrics", ("broadcast_id", "action_id"),
           "/broadcasts/{broadcast_id}/actions/{action_id}/metrics", 1, "broadcast action",
           "Broadcast actions (broadcast_action_metrics)", "broadcast_action"),
    Family("transactional", "transactional_metrics", ("transactional_id",),
           "/transactional/{transactional_id}/metrics", 1, "transactional message",
           "Transactional messages (transactional_metrics)", "transactional"),
)
BY_KEY = {family.key: family for family in FAMILIES}
DEFAULT_FAMILIES = tuple(family.key for family in FAMILIES if family.default)

#: Link clicks of an entity: its metrics path + LINKS (v1 only), asked for all clicks and for unique ones.
LINKS = "/links"
LINK_COUNTS = (("false", False), ("true", True))
#: The link table's `sub_id` when the entity has no second id (campaigns, newsletters, broadcasts, templates).
NO_SUB_ID = "0"

#: Journey funnels: cohorts of journeys that started in a bucket, by the state they reached.
JOURNEY_PATH = "/campaigns/{campaign_id}/journey_metrics"
JOURNEY_STATES = ("started", "activated", "never_activated", "exited_early", "finished", "converted", "messaged")
#: The states in which a journey has ended: a cohort whose ended journeys add up to its `started` is closed.
JOURNEY_ENDINGS = ("never_activated", "exited_early", "finished")


def cohort_closed(funnel: dict, index: int) -> bool:
    """Whether every journey that started in bucket `index` has ended (never activated, exited early or finished),
    so its counts cannot change any more. Unknown when the answer lacks one of those states: then False."""
    def value(state):
        values = funnel.get(state)
        if not isinstance(values, list) or index >= len(values):
            return None
        item = values[index]
        return None if isinstance(item, bool) or not isinstance(item, (int, float)) else item
    started = value("started")
    ended = [value(state) for state in JOURNEY_ENDINGS]
    if started is None or any(v is None for v in ended):
        return False
    return sum(ended) >= started


# ---------------------------------------------------------------------------------------------- calendar
def floor(ts: float, resolution: str, zone=UTC) -> int:
    """The start (Unix s) of the bucket containing `ts`, in `zone`'s calendar."""
    local = datetime.fromtimestamp(ts, zone)
    if resolution == "hours":
        return int(local.replace(minute=0, second=0, microsecond=0).timestamp())
    day = local.date()
    if resolution == "weeks":
        day -= timedelta(days=(day.weekday() + 1) % 7)          # back to Sunday
    elif resolution == "months":
        day = day.replace(day=1)
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())


def following(start: int, resolution: str, zone=UTC) -> int:
    """The start of the bucket after the one starting at `start` (a day across a DST change is 23 or 25 h)."""
    if resolution == "hours":
        return start + 3600
    day = datetime.fromtimestamp(start, zone).date()
    if resolution == "days":
        day += timedelta(days=1)
    elif resolution == "weeks":
        day += timedelta(days=7)
    else:
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())


def buckets_from(start: int, count: int, resolution: str, zone=UTC) -> List[int]:
    """`count` bucket starts from the bucket of `start` on."""
    result = [floor(start, resolution, zone)]
    while len(result) < count:
        result.append(following(result[-1], resolution, zone))
    return result


def buckets_between(start: int, end: int, resolution: str, zone=UTC) -> List[int]:
    """The starts of the buckets from `start`'s bucket on that begin before `end` (at least one)."""
    result = [floor(start, resolution, zone)]
    while following(result[-1], resolution, zone) < end:
        result.append(following(result[-1], resolution, zone))
    return result


def v2_buckets(asked_start: int, body: dict, count: int, resolution: str) -> List[int]:
    """The bucket starts of a v2 answer of `count` buckets: from its `start` (the 2026 spec's answer echoes it) or,
    when it has none (the 2025 spec's answer is `metric.series` alone), from the start the request asked for; UTC
    either way, as requested."""
    first = parse_start(body.get("start")) if isinstance(body, dict) else None
    return buckets_from(asked_start if first is None else first, count, resolution)


def buckets_back(now: float, count: int, resolution: str, zone=EASTERN) -> List[int]:
    """The `count` bucket starts ending with the one that contains `now`, oldest first (v1 answers)."""
    result = [floor(now, resolution, zone)]
    while len(result) < count:
        result.append(floor(result[-1] - 1, resolution, zone))
    return result[::-1]


def windows(start: int, end: int, resolution: str, limit: int = V2_MAX_BUCKETS) -> List[Tuple[int, int]]:
    """[start, end) as requests of at most `limit` UTC buckets each, the first from `start`'s bucket on (metrics v2
    and journey funnels ask for windows; the bucket limit per request is undocumented)."""
    result, chunk = [], floor(start, resolution)
    while True:
        chunk_end = chunk
        for _ in range(limit):
            chunk_end = following(chunk_end, resolution)
            if chunk_end >= end:
                break
        result.append((chunk, min(chunk_end, end)))
        if chunk_end >= end:
            return result
        chunk = chunk_end


def v1_steps(window_start: int, now: float, resolution: str) -> Tuple[int, bool]:
    """Steps for a v1 request covering `window_start`..now, and whether v1 could not reach back that far."""
    needed, start = 1, floor(now, resolution, EASTERN)
    while start > window_start and needed < V1_MAX_STEPS[resolution]:
        start = floor(start - 1, resolution, EASTERN)
        needed += 1
    # one step cannot be asked for (it answers two)
    return max(needed, 2), start > window_start


_GO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?")


def parse_start(text) -> Optional[int]:
    """A v2 answer's `start`: documented as ISO 8601, given in Go's `2025-01-01 00:00:00 +0000 UTC` form."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return int(text)
    match = _GO_TIME.match(text.strip()) if isinstance(text, str) else None
    if not match:
        return None
    offset = match.group(3) or "+0000"
    offset = "+0000" if offset == "Z" else offset.replace(":", "")
    moment = datetime.strptime(f"{match.group(1)} {match.group(2)} {offset}", "%Y-%m-%d %H:%M:%S %z")
    return int(moment.timestamp())
