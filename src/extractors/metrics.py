"""Delivery metrics over time: one long table per family, one row per entity x bucket x metric.

Campaigns and campaign actions use metrics v2: the run asks for exactly its window (`since` on a first run, the
last run's end minus `lookback_days` later on, always up to now) in UTC buckets, at most V2_MAX_BUCKETS per
request. Newsletters, broadcasts and transactional messages only have v1, which always ends at the request
time and reaches back at most 24 hours / 45 days / 12 weeks / 121 months in US-Eastern buckets: each run asks
for the steps its window needs, and older history only accumulates in Storage by running regularly with
Incremental Update (rows are upserted by entity, resolution, period_start and metric, so re-read buckets replace
the earlier values). The bucket that contains the request time is written with `complete` false.

Action metrics are asked for every action record that sends messages (each language variant is a record), never
for a multi-language branch, whose total would count its variants twice. Newsletters that finished sending long
ago change little: with Incremental Update only those sent within the window are read, all sent ones every
full_refresh_days. An entity deleted between listing and reading (404) is skipped with a warning.
"""
import logging
import threading
import time
from typing import Dict, List, Optional
from urllib.parse import quote

from customerio import NotFoundError
from customerio.catalog import MESSAGE_TYPES
from customerio.columns import count, documented, flag, table_description, text, when
from customerio.ids import id_text
from customerio.metrics import (BY_KEY, EASTERN, UTC, V1_MAX_STEPS, V2_MAX_BUCKETS, Family, buckets_back, floor,
                                following, v1_steps, v2_buckets)
from customerio.resources import BY_TABLE
from extractors.base import Extractor, TableSpec, Walk
from extractors.reading import records

DAY = 86400
LISTS = {"campaigns": "campaigns", "campaign_actions": "campaigns", "newsletters": "newsletters",
         "broadcasts": "broadcasts", "transactional": "transactional_messages"}

log = logging.getLogger(__name__)


#: The columns of every metrics table besides the entity's ids (described in ENTITY_IDS).
BUCKET_COLUMNS = (
    text("resolution", "Length of the bucket: hours, days, weeks or months."),
    when("period_start", "the bucket starts (v1 buckets start at midnight US Eastern)"),
    text("metric", "What is counted, as Customer.io names it: sent, delivered, opened, human_opened, clicked, ..."))
VALUE_COLUMNS = (
    count("api_version", "Metrics API that answered: 1 (US-Eastern buckets) or 2 (UTC buckets)."),
    flag("complete", "true when the bucket had ended when read; false while open (its count may grow)."),
    count("value", "Count of the metric in this bucket."))
ENTITY_IDS = {column.name: column for column in documented(
    "entity", "campaign_id", "newsletter_id", "broadcast_id", "transactional_id",
    text("action_id", "Id of the campaign action (campaign_actions.id)."))}


def spec_for(family: Family) -> TableSpec:
    key = family.entity_columns + ("resolution", "period_start", "metric")
    api = "v2, UTC buckets" if family.version == 2 else "v1, US-Eastern buckets"
    return TableSpec(family.table, key, columns=tuple(ENTITY_IDS[name] for name in family.entity_columns) +
                     BUCKET_COLUMNS + VALUE_COLUMNS,
                     description=table_description(f"Delivery metrics of each {family.label} over time: one row "
                                                   "per bucket and metric", key,
                                                   f"Customer.io's App API, /v1{family.path} ({api})"))


class MetricsExtractor(Extractor):
    name = "metrics"
    order = 25

    def __init__(self, client, settings, state, run_started, knobs=None):
        super().__init__(client, settings, state, run_started, knobs)
        self.options = settings.metrics
        self.families = [BY_KEY[key] for key in self.options.entities]
        self.specs = {family.key: spec_for(family) for family in self.families}
        previous = self.state.get(self.name)
        self.previous = previous if isinstance(previous, dict) else {}
        self._lock = threading.Lock()
        self._done: Dict[str, int] = {}
        self._reach_noted = False

    def tables(self):
        return list(self.specs.values())

    def walks(self):
        if not self.settings.incremental:
            log.info("metrics: Full Load replaces the metric tables, so every run reads the whole window from "
                     "`since`.")
        for family in self.families:
            yield Walk(f"{family.label} metrics", lambda family=family: self._family(family))

    # ------------------------------------------------------------------ windows
    def _key(self, family: Family) -> str:
        return f"{family.key}:{self.options.resolution}"

    def window_start(self, family: Family) -> int:
        """Where this run's window begins for a family."""
        last = (self.previous.get(self._key(family)) or {}).get("end")
        if not self.settings.incremental or not isinstance(last, int) or isinstance(last, bool):
            return self.options.since
        return min(last, self.run_started) - self.options.lookback_days * DAY

    def _full_pass(self, family: Family) -> bool:
        last = (self.previous.get(self._key(family)) or {}).get("full_refresh")
        if not self.settings.incremental or not self.settings.full_refresh_days or not isinstance(last, int):
            return True
        return self.run_started - last >= self.settings.full_refresh_days * DAY

    def now(self) -> float:
        return time.time() + self.knobs.clock_offset

    # ------------------------------------------------------------------ entities
    def _family(self, family: Family):
        start = self.window_start(family)
        resource = BY_TABLE[LISTS[family.key]]
        parents = [record for record in records(self.client, resource, resource.path)
                   if id_text(record.get("id")) is not None]
        if family.key == "campaign_actions":
            for campaign in parents:
                campaign_id = id_text(campaign["id"])
                yield Walk(f"actions of campaign {campaign_id} for metrics",
                           lambda campaign_id=campaign_id: self._actions(family, campaign_id, start))
            return
        entities = [{family.entity_columns[0]: id_text(record["id"])} for record in self._wanted(family, parents,
                                                                                                 start)]
        yield from self._fan_out(family, entities, start)

    def _wanted(self, family: Family, parents: List[dict], start: int) -> List[dict]:
        if family.key != "newsletters":
            return parents
        sent = [record for record in parents if isinstance(record.get("sent_at"), int)]
        if self._full_pass(family):
            return sent
        recent = [record for record in sent if record["sent_at"] >= start]
        log.info("metrics: %s newsletters sent before the window are not read again (all are read every %d "
                 "days); %s drafts have no metrics.", f"{len(sent) - len(recent):,}",
                 self.settings.full_refresh_days, f"{len(parents) - len(sent):,}")
        return recent

    def _actions(self, family: Family, campaign_id: str, start: int):
        path = f"/campaigns/{quote(campaign_id, safe='')}/actions"
        try:
            actions = [record for record in records(self.client, BY_TABLE["campaign_actions"], path)
                       if record.get("type") in MESSAGE_TYPES and id_text(record.get("id")) is not None]
        except NotFoundError:
            log.warning("metrics: campaign %s disappeared while the run was going (404); its actions are skipped.",
                        campaign_id)
            return
        yield from self._fan_out(family, [{"campaign_id": campaign_id, "action_id": id_text(record["id"])}
                                          for record in actions], start)

    def _fan_out(self, family: Family, entities: List[dict], start: int):
        if family.key != "campaign_actions":
            log.info("metrics: %s %s%s to read (about %s requests).", f"{len(entities):,}", family.label,
                     "" if len(entities) == 1 else "s", f"{len(entities) * self._requests_per_entity(family, start):,}")
        for entity in entities:
            yield Walk(f"{family.label} {'/'.join(entity.values())} metrics",
                       lambda entity=entity: self._entity(family, entity, start))

    def _requests_per_entity(self, family: Family, start: int) -> int:
        if family.version == 1:
            return 1
        count = 0
        bucket = floor(start, self.options.resolution)
        while bucket < self.run_started:
            bucket = following(bucket, self.options.resolution)
            count += 1
        return max(1, -(-count // V2_MAX_BUCKETS))

    # ------------------------------------------------------------------ one entity
    def _entity(self, family: Family, entity: dict, start: int):
        path = family.path.format(**{key: quote(value, safe="") for key, value in entity.items()})
        spec = self.specs[family.key]
        try:
            if family.version == 2:
                for body, starts, asked, version in self._v2(path, start):
                    yield from self._rows(spec, entity, body, starts, asked, version)
            else:
                body, starts, asked = self._v1(family, path, start)
                yield from self._rows(spec, entity, body, starts, asked, 1)
        except NotFoundError:
            log.warning("metrics: %s %s disappeared while the run was going (404); its metrics are skipped.",
                        family.label, "/".join(entity.values()))
        self._count(family)

    def _v2(self, path: str, start: int):
        resolution, end = self.options.resolution, self.run_started
        chunk = floor(start, resolution)
        while True:
            chunk_end = chunk
            for _ in range(V2_MAX_BUCKETS):
                chunk_end = following(chunk_end, resolution)
                if chunk_end >= end:
                    break
            asked = self.now()
            body = self.client.get(path, {"version": 2, "res": resolution, "start": chunk,
                                          "end": min(chunk_end, end), "tz": "UTC"})
            yield body, v2_buckets(chunk, body, _length(body), resolution), asked, 2
            if chunk_end >= end:
                return
            chunk = chunk_end

    def _v1(self, family: Family, path: str, start: int):
        resolution = self.options.resolution
        for _ in range(3):
            asked = self.now()
            steps, short = v1_steps(start, asked, resolution)
            if short:
                self._note_reach(family)
            body = self.client.get(path, {"period": resolution, "steps": steps})
            answered = self.now()
            # The buckets are counted back from the request time: a request that straddles a bucket boundary
            # could be counted from the wrong bucket, so it is asked again.
            if floor(asked, resolution, EASTERN) == floor(answered, resolution, EASTERN):
                return body, buckets_back(asked, _length(body), resolution), asked
        return body, buckets_back(answered, _length(body), resolution), answered

    def _note_reach(self, family: Family) -> None:
        with self._lock:
            if self._reach_noted:
                return
            self._reach_noted = True
        resolution = self.options.resolution
        log.info("metrics: %s metrics (metrics v1) reach back at most %d %s; older history builds up in Storage "
                 "only by running regularly with Incremental Update.", family.label, V1_MAX_STEPS[resolution],
                 resolution)

    def _rows(self, spec: TableSpec, entity: dict, body: dict, starts: List[int], asked: float, version: int):
        zone = EASTERN if version == 1 else UTC
        for metric, values in _series(body).items():
            if not isinstance(values, list):
                continue
            for period_start, value in zip(starts, values):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue
                end = following(period_start, self.options.resolution, zone)
                yield spec, {**entity, "resolution": self.options.resolution, "period_start": period_start,
                             "metric": metric, "value": int(value), "api_version": version,
                             "complete": end <= asked}

    def _count(self, family: Family) -> None:
        with self._lock:
            self._done[family.key] = done = self._done.get(family.key, 0) + 1
        if done % 250 == 0:
            log.info("metrics: %s %s metrics read so far.", f"{done:,}", family.label)

    def new_state(self, skipped=frozenset()) -> Optional[dict]:
        state = dict(self.previous)
        for family in self.families:
            entry = {"end": self.run_started}
            previous = self.previous.get(self._key(family)) or {}
            if family.key == "newsletters":
                full = self.run_started if self._full_pass(family) else previous.get("full_refresh")
                if isinstance(full, int):
                    entry["full_refresh"] = full
            state[self._key(family)] = entry
        return dict(sorted(state.items()))


def _series(body: dict) -> dict:
    """`metric.series` of an answer: metric name -> one value per bucket (empty when the answer has none)."""
    metric = body.get("metric")
    series = metric.get("series") if isinstance(metric, dict) else None
    return series if isinstance(series, dict) else {}


def _length(body: dict) -> int:
    lengths = [len(values) for values in _series(body).values() if isinstance(values, list)]
    return max(lengths, default=0)
