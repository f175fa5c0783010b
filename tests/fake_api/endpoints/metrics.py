"""Delivery metrics (customerio-api-wave2.md section 6): v2 for campaigns and campaign actions, v1 for the rest.

Routes: GET /campaigns/{id}/metrics, /campaigns/{id}/actions/{action_id}/metrics (v2 with `version=2`, else v1),
/broadcasts/{id}/metrics, /broadcasts/{id}/actions/{action_id}/metrics, /newsletters/{id}/metrics,
/newsletters/{id}/contents/{content_id}/metrics (a variant: 404 unless the id is one of the newsletter's
`content_ids`), /transactional/{id}/metrics (v1 only). Link clicks: metric_links.py; journey funnels:
journey_metrics.py. Every response is {"metric": {"series": {name: [int, ...]}}}, one value
per bucket, oldest first; the metric names are METRICS plus any added by add_metric_names.

Version 2 (`version=2` exactly; any other value or none SILENTLY gives version 1, whatever else is sent):
- `res` hours|days|weeks|months or the aliases hourly|daily|weekly|monthly (400 without or otherwise); the
  response echoes `res` exactly as sent (so "daily" comes back as "daily");
- `start`, `end` integer Unix seconds, both required (400), start <= end, end at most 10 years after start;
- `tz` an IANA name (400 if unknown), default UTC;
- buckets: the first starts at `start` floored to its bucket in `tz` (the hour, local midnight, the Sunday
  00:00 of its week, the 1st 00:00 of its month), each next one res later in `tz`'s calendar (a day across a
  DST change is 23 or 25 hours long), and they go on while they start before `end` (at least one). Response
  `start` / `end` are the first bucket's start and the last bucket's end in Go's time.String() form in `tz`,
  e.g. "2025-01-01 00:00:00 +0000 UTC" or "2025-03-09 00:00:00 -0500 EST"; more than 1,000 buckets is a 400
  (a choice: the limit is undocumented; `fake.extras["metrics_v2_max_buckets"]` changes it). That is the 2026
  spec's answer; the 2025 spec's has only `metric.series`: `fake.extras["metrics_v2_series_only"]` answers so.
Version 1 (`period`/`steps`):
- `period` hours|days|weeks|months (default days, 400 otherwise); `steps` maximum 24/45/12/121, default the
  maximum (12 for months), 0 = the maximum, above the maximum = the maximum, 1 = 2 periods; N steps give N
  buckets (a choice: the reference leaves N or N+1 open), the last being the current, still open one that
  contains the request time (the fake's clock, FakeCustomerIo.now());
- buckets are US Eastern, America/New_York WITH daylight time (a choice: the spec says "EST"): days start
  at local midnight, weeks at Sunday 00:00, months on the 1st; no start/end/res in the response.
- newsletter (and newsletter variant) responses add `metric.type`: the `type` filter when sent, else the
  newsletter's own type.
`type` (channel) filter: campaigns / broadcasts / their actions / newsletters accept their spec enum (400
otherwise); with it, only that channel's counts (zeros for a channel the entity does not send on); transactional
ignores it (undocumented there). An entity's channels: a campaign's or broadcast's message-action kinds, an
action's own kind (non-message kinds such as delay: all zeros), a newsletter's type, a template's content type.

Action metrics: the action id must be one of the parent's records or multi-language branch ids (404 otherwise).
For a branch id, `metric` is the sum over its variants and `language_variants` = {"<variant action id>":
{"series": {...}}} (a choice of shape); a variant or plain action id answers only `metric`.

Values are deterministic per (entity, channel, resolution, bucket start in UTC, metric): two runs agree on every
closed bucket and expected_metric_value computes them. A bucket that ends before the entity was created is all
zeros, a bucket that starts after now too; the open bucket's values are its full values scaled by the elapsed
fraction, so they grow with the clock until it closes. 404 for unknown, deleted or removed entities (lifecycle).

Switches / helpers:
- add_metric_names(fake, *names): new series appear in every response (Customer.io adds metrics unannounced).
- late_events(fake, since, amount=1): every non-empty bucket starting at or after `since` gets `amount` more
  opened / human_opened / clicked / human_clicked per channel it sends on (late opens and clicks, for
  lookback tests; a campaign on two channels gains 2 * amount).
- expected_metric_value(fake, family, entity_id, metric, res, bucket_start, action_id=None, channel=None,
  tz=None, now=None); expected_series(fake, family, entity_id, res, bucket_starts, ...) -> {metric: [..]};
  metric_names(fake); v1_buckets(now, period="days", steps=None); v2_buckets(start, end, res, tz="UTC");
  bucket_end(start, res, tz); language_variant_ids(fake, family, parent, branch_id).
  family: "campaign", "campaign_action", "newsletter", "newsletter_variant" (action_id = the content id),
  "broadcast", "broadcast_action", "transactional";
  tz defaults to UTC for the campaign families (v2) and America/New_York for the others (v1).
"""
import zlib
from datetime import datetime, timedelta
from typing import Dict, List, Optional, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fake_api.endpoints import broadcasts, lifecycle, newsletters, transactional
from fake_api.endpoints.campaign_actions import (MESSAGE_KINDS, action_index, campaign_created, campaign_exists,
                                                 message_actions, variants)
from fake_api.server import HttpError, route

METRICS = ("attempted", "bounced", "clicked", "converted", "created", "deferred", "delivered", "drafted", "failed",
           "human_clicked", "human_opened", "link_untracked", "machine_clicked", "open_untracked", "opened",
           "prefetch_opened", "replied", "sent", "spammed", "suppressed", "topic_unsubscribed",
           "tracking_consent_denied", "tracking_consent_granted", "undeliverable", "unsubscribed", "untracked")
AUTOMATION_TYPES = ("email", "webhook", "twilio", "whatsapp", "slack", "push", "in_app", "live_notification")
NEWSLETTER_TYPES = ("email", "webhook", "twilio", "push", "in_app", "inbox")
RES = {"hours": "hours", "hourly": "hours", "days": "days", "daily": "days", "weeks": "weeks", "weekly": "weeks",
       "months": "months", "monthly": "months"}
V1_MAX = {"hours": 24, "days": 45, "weeks": 12, "months": 121}
V1_DEFAULT = {"hours": 24, "days": 45, "weeks": 12, "months": 12}
EASTERN = "America/New_York"
SCALE = {"hours": 6, "days": 80, "weeks": 500, "months": 2000}
LATE_METRICS = ("opened", "human_opened", "clicked", "human_clicked")
NEW_NAMES, LATE, MAX_BUCKETS = "metrics_new_names", "metrics_late", "metrics_v2_max_buckets"
SERIES_ONLY = "metrics_v2_series_only"
TEN_YEARS_DAYS = 3653


# ---------------------------------------------------------------------- calendar
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise HttpError(400, f"unknown tz {name}")


def floor(ts: float, res: str, tz: str) -> int:
    """The start (Unix s) of the bucket of resolution `res` in `tz` that contains ts."""
    zone = _zone(tz)
    local = datetime.fromtimestamp(ts, zone)
    if res == "hours":
        return int(local.replace(minute=0, second=0, microsecond=0).timestamp())
    day = local.date()
    if res == "weeks":
        day -= timedelta(days=(day.weekday() + 1) % 7)      # back to Sunday
    elif res == "months":
        day = day.replace(day=1)
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())


def bucket_end(start: int, res: str, tz: str) -> int:
    """The start of the bucket after the one starting at `start`."""
    if res == "hours":
        return start + 3600
    zone = _zone(tz)
    day = datetime.fromtimestamp(start, zone).date()
    if res == "days":
        day += timedelta(days=1)
    elif res == "weeks":
        day += timedelta(days=7)
    else:
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp())


def bucket_before(start: int, res: str, tz: str) -> int:
    return floor(start - 1, res, tz)


def v1_buckets(now: float, period: str = "days", steps: Optional[int] = None) -> List[int]:
    """UTC starts of the v1 buckets answered at `now`, oldest first; the last contains `now`."""
    maximum = V1_MAX[period]
    if steps is None:
        steps = V1_DEFAULT[period]
    steps = maximum if steps == 0 else min(max(steps, 2), maximum)
    result = [floor(now, period, EASTERN)]
    while len(result) < steps:
        result.append(bucket_before(result[-1], period, EASTERN))
    return result[::-1]


def v2_buckets(start: int, end: int, res: str, tz: str = "UTC", limit: Optional[int] = None) -> List[int]:
    """UTC starts of the v2 buckets for [start, end) in tz (at least one)."""
    res = RES[res]
    result = [floor(start, res, tz)]
    while True:
        following = bucket_end(result[-1], res, tz)
        if following >= end:
            return result
        result.append(following)
        if limit is not None and len(result) > limit:
            raise HttpError(400, f"too many buckets: at most {limit} per request")


def go_time(ts: int, tz: str) -> str:
    """Go's time.String() form: 2025-01-01 00:00:00 +0000 UTC."""
    return datetime.fromtimestamp(ts, _zone(tz)).strftime("%Y-%m-%d %H:%M:%S %z %Z")


# ---------------------------------------------------------------------- values
def _hash(*parts) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def full_values(key: str, res: str, start: int, names: Sequence[str]) -> Dict[str, int]:
    """Every metric of one closed bucket of one entity and channel."""
    h = _hash(key, res, start)
    scale = SCALE[res]
    sent = h % (scale + 1)
    r = [(h >> s) & 0xFF for s in (3, 7, 11, 15, 19, 23)]
    delivered = sent - (sent * (r[0] % 8)) // 100
    opened = delivered * (20 + r[1] % 45) // 100
    clicked = opened * (r[2] % 40) // 100
    untracked = delivered * (r[3] % 6) // 100
    human_opened = opened - opened // 5
    human_clicked = clicked - clicked // 6
    unsubscribed = (r[4] % 3) if delivered else 0
    values = {"attempted": sent + r[5] % 2, "bounced": sent - delivered, "clicked": clicked,
              "converted": clicked // 3, "created": sent + r[5] % 3, "deferred": r[0] % 2 if sent else 0,
              "delivered": delivered, "drafted": r[1] % 2, "failed": r[2] % 2 if sent else 0,
              "human_clicked": human_clicked, "human_opened": human_opened, "link_untracked": untracked // 2,
              "machine_clicked": clicked - human_clicked, "open_untracked": untracked - untracked // 2,
              "opened": opened, "prefetch_opened": opened - human_opened, "replied": r[3] % 2 if delivered else 0,
              "sent": sent, "spammed": 1 if delivered and r[4] % 11 == 0 else 0, "suppressed": r[5] % 2,
              "topic_unsubscribed": unsubscribed // 2, "tracking_consent_denied": r[0] % 3 if delivered else 0,
              "tracking_consent_granted": r[1] % 4 if delivered else 0, "undeliverable": r[2] % 2,
              "unsubscribed": unsubscribed, "untracked": untracked}
    return {name: values[name] if name in values else _hash(key, res, start, name) % 5 for name in names}


def late_amount(fake, start: int) -> int:
    """How many late opens / clicks (late_events) a non-empty bucket starting at `start` has gained."""
    return sum(amount for since, amount in fake.extras.get(LATE, ()) if start >= since)


def bucket_values(fake, key: str, res: str, start: int, end: int, created: Optional[int], now: float,
                  names: Sequence[str], full=None) -> Dict[str, int]:
    """One bucket's values at `now`: zero before `created` and after now, its full values (`full`, default the
    delivery metrics) plus late events once closed, scaled by the elapsed fraction while open."""
    if start > now or created is None or end <= created:
        return dict.fromkeys(names, 0)
    values = (full or full_values)(key, res, start, names)
    late = late_amount(fake, start)
    if late and values.get("sent", 1):
        for name in LATE_METRICS:
            if name in values:
                values[name] += late
    if now < end:
        elapsed = now - start
        values = {name: int(value * elapsed // (end - start)) for name, value in values.items()}
    return values


def metric_names(fake) -> List[str]:
    extra = [n for n in fake.extras.get(NEW_NAMES, ()) if n not in METRICS]
    return list(METRICS) + extra


def add_metric_names(fake, *names: str) -> None:
    """New metric names appear in every series from now on."""
    current = list(fake.extras.get(NEW_NAMES, ()))
    fake.extras[NEW_NAMES] = current + [n for n in names if n not in current]


def late_events(fake, since: int, amount: int = 1) -> None:
    """Late opens and clicks: every non-empty bucket starting at or after `since` counts `amount` more."""
    fake.extras[LATE] = list(fake.extras.get(LATE, ())) + [(int(since), amount)]


# ---------------------------------------------------------------------- entities
class Entity:
    """What a metrics route reports on: channel -> series key, and when it began."""

    def __init__(self, keys: Dict[str, str], created: Optional[int]):
        self.keys = keys
        self.created = created


def _campaign_entity(fake, n: int) -> Entity:
    kinds = sorted({a.kind for a in message_actions(fake, "campaign", n)})
    return Entity({k: f"campaign:{n}:{k}" for k in kinds}, campaign_created(fake.workspace, n))


def _action_entity(fake, family: str, parent: int, action, created: int) -> Entity:
    if action.kind not in MESSAGE_KINDS:
        return Entity({}, created)
    return Entity({action.kind: f"{family}_action:{parent}:{action.id}"}, created)


def _series(fake, entity: Entity, res: str, starts: List[int], tz: str, channel: Optional[str],
            now: float) -> Dict[str, List[int]]:
    names = metric_names(fake)
    keys = [key for kind, key in entity.keys.items() if channel in (None, kind.split("#")[0])]
    series = {name: [0] * len(starts) for name in names}
    for i, start in enumerate(starts):
        end = bucket_end(start, res, tz)
        for key in keys:
            for name, value in bucket_values(fake, key, res, start, end, entity.created, now, names).items():
                series[name][i] += value
    return series


def _parent(fake, family: str, raw: str) -> int:
    ws = fake.workspace
    ident = lifecycle.parse_id(raw, family)
    exists = {"campaign": campaign_exists, "broadcast": broadcasts.exists, "newsletter": newsletters.exists,
              "transactional": transactional.exists}[family](ws, ident)
    lifecycle.require(fake, family, ident, exists, family)
    return ident


def _parent_created(fake, family: str, parent: int) -> int:
    if family == "campaign":
        return campaign_created(fake.workspace, parent)
    return broadcasts.created(fake.workspace, parent)


def _action(fake, family: str, parent: int, raw: str):
    index = action_index(fake, family, parent)
    if not raw.isdigit() or int(raw) not in index:
        raise HttpError(404, "action not found")
    return index[int(raw)]


def _entity(fake, family: str, entity_id: int, action_id=None) -> Entity:
    """The entity behind a family / id (no 404 checks: the helpers' view of the model)."""
    ws = fake.workspace
    if family == "campaign":
        return _campaign_entity(fake, entity_id)
    if family in ("campaign_action", "broadcast_action"):
        parent_family = family.split("_")[0]
        action = action_index(fake, parent_family, entity_id)[int(action_id)]
        return _action_entity(fake, parent_family, entity_id, action, _parent_created(fake, parent_family, entity_id))
    if family == "broadcast":
        kinds = sorted({a.kind for a in message_actions(fake, "broadcast", entity_id)})
        return Entity({k: f"broadcast:{entity_id}:{k}" for k in kinds}, broadcasts.created(ws, entity_id))
    if family == "newsletter":
        record = newsletters.newsletter(fake, entity_id)
        return Entity({record["type"]: f"newsletter:{entity_id}:{record['type']}"}, record["created"])
    if family == "newsletter_variant":
        record = newsletters.newsletter(fake, entity_id)
        key = f"newsletter_content:{entity_id}:{action_id}:{record['type']}"
        return Entity({record["type"]: key}, record["created"])
    kind = "email" if entity_id % 5 else "push"
    return Entity({kind: f"transactional:{entity_id}:{kind}"}, transactional.created(ws, entity_id))


# ---------------------------------------------------------------------- request handling
def _channel(query, allowed: Optional[Sequence[str]]) -> Optional[str]:
    value = query.get("type") or None
    if allowed is None:
        return None
    if value is not None and value not in allowed:
        raise HttpError(400, f"type must be one of {', '.join(allowed)}")
    return value


def _int(query, name: str) -> int:
    raw = query.get(name)
    if raw in (None, ""):
        raise HttpError(400, f"{name} is required with version=2")
    try:
        return int(raw)
    except ValueError:
        raise HttpError(400, f"{name} must be an integer unix timestamp")


def _window(fake, query, v2_allowed: bool):
    """(version, res, bucket starts, tz, extra response fields) for this request."""
    if v2_allowed and query.get("version") == "2":
        raw_res = query.get("res")
        if raw_res not in RES:
            raise HttpError(400, "res must be one of " + "|".join(RES))
        start, end = _int(query, "start"), _int(query, "end")
        if start > end:
            raise HttpError(400, "start must not be after end")
        if end - start > TEN_YEARS_DAYS * 86400:
            raise HttpError(400, "end can be at most 10 years after start")
        tz = query.get("tz") or "UTC"
        _zone(tz)
        res = RES[raw_res]
        starts = v2_buckets(start, end, res, tz, int(fake.extras.get(MAX_BUCKETS, 1000)))
        extra = {"start": go_time(starts[0], tz), "end": go_time(bucket_end(starts[-1], res, tz), tz), "res": raw_res}
        return res, starts, tz, ({} if fake.extras.get(SERIES_ONLY) else extra)
    period = query.get("period") or "days"
    if period not in V1_MAX:
        raise HttpError(400, "period must be hours, days, weeks or months")
    raw_steps = query.get("steps")
    steps = None
    if raw_steps not in (None, ""):
        if not raw_steps.isdigit():
            raise HttpError(400, "steps must be a non-negative integer")
        steps = int(raw_steps)
    return period, v1_buckets(fake.now(), period, steps), EASTERN, {}


def _answer(fake, query, entity: Entity, v2_allowed: bool, channels, variants_of=None) -> dict:
    channel = _channel(query, channels)
    res, starts, tz, extra = _window(fake, query, v2_allowed)
    now = fake.now()
    payload = dict(extra)
    payload["metric"] = {"series": _series(fake, entity, res, starts, tz, channel, now)}
    if variants_of is not None:
        payload["language_variants"] = {str(vid): {"series": _series(fake, e, res, starts, tz, channel, now)}
                                        for vid, e in variants_of}
    return payload


def _action_answer(fake, query, family: str, parent_raw: str, action_raw: str, v2_allowed: bool) -> dict:
    parent = _parent(fake, family, parent_raw)
    action = _action(fake, family, parent, action_raw)
    created = _parent_created(fake, family, parent)
    if action.language is not None:
        return _answer(fake, query, _action_entity(fake, family, parent, action, created), v2_allowed,
                       AUTOMATION_TYPES)
    present = [v for v in variants(action) if v.id in action_index(fake, family, parent)]
    parts = [(v.id, _action_entity(fake, family, parent, v, created)) for v in present]
    return _answer(fake, query, _Sum([e for _, e in parts], created), v2_allowed, AUTOMATION_TYPES, parts)


class _Sum(Entity):
    """A branch: the sum of its variants (each variant has its own series key)."""

    def __init__(self, parts: List[Entity], created: int):
        keys = {}
        for i, part in enumerate(parts):
            for kind, key in part.keys.items():
                keys[f"{kind}#{i}"] = key
        super().__init__(keys, created)


@route("GET", "/campaigns/{campaign_id}/metrics")
def campaign_metrics(fake, query, body, campaign_id):
    n = _parent(fake, "campaign", campaign_id)
    return _answer(fake, query, _campaign_entity(fake, n), True, AUTOMATION_TYPES)


@route("GET", "/campaigns/{campaign_id}/actions/{action_id}/metrics")
def campaign_action_metrics(fake, query, body, campaign_id, action_id):
    return _action_answer(fake, query, "campaign", campaign_id, action_id, True)


@route("GET", "/broadcasts/{broadcast_id}/metrics")
def broadcast_metrics(fake, query, body, broadcast_id):
    b = _parent(fake, "broadcast", broadcast_id)
    return _answer(fake, query, _entity(fake, "broadcast", b), False, AUTOMATION_TYPES)


@route("GET", "/broadcasts/{broadcast_id}/actions/{action_id}/metrics")
def broadcast_action_metrics(fake, query, body, broadcast_id, action_id):
    return _action_answer(fake, query, "broadcast", broadcast_id, action_id, False)


@route("GET", "/newsletters/{newsletter_id}/metrics")
def newsletter_metrics(fake, query, body, newsletter_id):
    n = _parent(fake, "newsletter", newsletter_id)
    payload = _answer(fake, query, _entity(fake, "newsletter", n), False, NEWSLETTER_TYPES)
    payload["metric"]["type"] = query.get("type") or newsletters.newsletter(fake, n)["type"]
    return payload


def content_of(fake, newsletter: int, raw: str) -> int:
    """A newsletter's content (variant) id from a path: 404 unless it is one of its `content_ids`."""
    if not raw.isdigit() or int(raw) not in newsletters.content_ids(fake, newsletter):
        raise HttpError(404, "content not found")
    return int(raw)


@route("GET", "/newsletters/{newsletter_id}/contents/{content_id}/metrics")
def newsletter_variant_metrics(fake, query, body, newsletter_id, content_id):
    n = _parent(fake, "newsletter", newsletter_id)
    c = content_of(fake, n, content_id)
    payload = _answer(fake, query, _entity(fake, "newsletter_variant", n, c), False, NEWSLETTER_TYPES)
    payload["metric"]["type"] = query.get("type") or newsletters.newsletter(fake, n)["type"]
    return payload


@route("GET", "/transactional/{transactional_id}/metrics")
def transactional_metrics(fake, query, body, transactional_id):
    t = _parent(fake, "transactional", transactional_id)
    return _answer(fake, query, _entity(fake, "transactional", t), False, None)


# ---------------------------------------------------------------------- test helpers
def _helper_entity(fake, family: str, entity_id: int, action_id) -> Entity:
    if family in ("campaign_action", "broadcast_action"):
        parent_family = family.split("_")[0]
        action = action_index(fake, parent_family, entity_id)[int(action_id)]
        if action.language is None:
            index = action_index(fake, parent_family, entity_id)
            created = _parent_created(fake, parent_family, entity_id)
            return _Sum([_action_entity(fake, parent_family, entity_id, v, created) for v in variants(action)
                         if v.id in index], created)
    return _entity(fake, family, entity_id, action_id)


def _default_tz(family: str) -> str:
    return "UTC" if family.startswith("campaign") else EASTERN


def expected_series(fake, family: str, entity_id: int, res: str, bucket_starts: Sequence[int], action_id=None,
                    channel: Optional[str] = None, tz: Optional[str] = None,
                    now: Optional[float] = None) -> Dict[str, List[int]]:
    """The `metric.series` the route answers for these buckets (UTC starts), computed from the model."""
    entity = _helper_entity(fake, family, entity_id, action_id)
    return _series(fake, entity, RES[res], list(bucket_starts), tz or _default_tz(family), channel,
                   fake.now() if now is None else now)


def expected_metric_value(fake, family: str, entity_id: int, metric: str, res: str, bucket_start: int,
                          action_id=None, channel: Optional[str] = None, tz: Optional[str] = None,
                          now: Optional[float] = None) -> int:
    """One value: e.g. expected_metric_value(fake, "campaign", 2, "opened", "days", t)."""
    return expected_series(fake, family, entity_id, res, [bucket_start], action_id, channel, tz, now)[metric][0]


def language_variant_ids(fake, family: str, parent: int, branch_id: int) -> List[int]:
    """The variant action ids of a multi-language branch (the keys of `language_variants`)."""
    index = action_index(fake, family, parent)
    return [v.id for v in variants(index[branch_id]) if v.id in index]
