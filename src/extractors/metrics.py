"""Delivery metrics over time: one long table per family, one row per entity x bucket x metric; with the options,
link clicks (metric_links.py) and journey funnels (metric_journeys.py). How windows are asked for and arrays
become rows: metric_reads.py.

Campaigns and campaign actions use metrics v2: the run asks for exactly its window (`since` on a first run, the
last run's end minus `lookback_days` later on, always up to now) in UTC buckets. Newsletters (and their
variants), broadcasts (and their actions) and transactional messages only have v1, which always ends at the
request time and reaches back at most 24 hours / 45 days / 12 weeks / 121 months in US-Eastern buckets: older
history only accumulates in Storage by running regularly with Incremental Update (rows are upserted by entity,
resolution, period_start and metric, so re-read buckets replace the earlier values).

Action metrics are asked for every action record that sends messages (each language variant is a record), never
for a multi-language branch, whose total (and `language_variants`) would count its variants twice; that holds
for campaign and broadcast actions alike. Newsletter variants are the `content_ids` of newsletters with more than
one (A/B groups or languages). Newsletters that finished sending long ago change little: with Incremental Update
only those sent within the window are read, all sent ones every full_refresh_days. An entity deleted between
listing and reading (404) is skipped with a warning. Each list (campaigns, newsletters, broadcasts) is read once
per run, whichever families need it.
"""
import logging
import threading
from typing import Dict, List, Optional
from urllib.parse import quote

from customerio import NotFoundError
from customerio.catalog import MESSAGE_TYPES
from customerio.columns import Column, count, documented, table_description, text
from customerio.ids import id_text
from customerio.metrics import BY_KEY, V1_MAX_STEPS, Family
from customerio.resources import BY_TABLE
from extractors.base import Extractor, TableSpec, Walk
from extractors.metric_journeys import JOURNEY_SPEC, journey_rows
from extractors.metric_links import LINK_SPEC, link_rows
from extractors.metric_reads import MetricReads, bucket_columns, series_of, zone_of
from extractors.reading import records

DAY = 86400
LISTS = {"campaigns": "campaigns", "campaign_actions": "campaigns", "newsletters": "newsletters",
         "newsletter_variants": "newsletters", "broadcasts": "broadcasts", "broadcast_actions": "broadcasts",
         "transactional": "transactional_messages"}
#: Families whose entities are the action records of each parent: the parent's action list.
ACTIONS = {"campaign_actions": "campaign_actions", "broadcast_actions": "broadcast_actions"}
JOURNEYS = "journeys"

log = logging.getLogger(__name__)


#: The columns of a delivery metrics table besides the entity's ids and the bucket columns.
METRIC = text("metric", "What is counted, as Customer.io names it: sent, delivered, opened, human_opened, clicked, ...")
API_VERSION = count("api_version", "Metrics API that answered: 1 (US-Eastern buckets) or 2 (UTC buckets).")
ENTITY_IDS = {column.name: column for column in documented(
    "entity", "campaign_id", "newsletter_id", "broadcast_id", "transactional_id",
    text("content_id", "Id of the newsletter variant (newsletter_contents.id, messages.content_id)."))}


def _id_column(family: Family, name: str) -> Column:
    if name != "action_id":
        return ENTITY_IDS[name]
    parent = family.entity_columns[0].split("_")[0]           # campaign or broadcast
    return text("action_id", f"Id of the {parent} action ({parent}_actions.id); each language variant has its own.")


def spec_for(family: Family) -> TableSpec:
    key = family.entity_columns + ("resolution", "period_start", "metric")
    api = "v2, UTC buckets" if family.version == 2 else "v1, US-Eastern buckets"
    return TableSpec(family.table, key, columns=tuple(_id_column(family, name) for name in family.entity_columns) +
                     bucket_columns(METRIC) + (API_VERSION,),
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
        self.reads = MetricReads(client, self.options.resolution, run_started, self.knobs.clock_offset,
                                 self._note_reach)
        self._lock = threading.Lock()
        self._list_locks = {table: threading.Lock() for table in set(LISTS.values())}
        self._lists: Dict[str, List[dict]] = {}
        self._done: Dict[str, int] = {}
        self._reach_noted = False

    def tables(self):
        extra = [LINK_SPEC] * bool(self.options.links) + [JOURNEY_SPEC] * bool(self.options.journeys)
        return list(self.specs.values()) + extra

    def walks(self):
        if not self.settings.incremental:
            log.info("metrics: Full Load replaces the metric tables, so every run reads the whole window from "
                     "`since`.")
        for family in self.families:
            yield Walk(f"{family.label} metrics", lambda family=family: self._family(family))
        if self.options.journeys:
            yield Walk("journey metrics", self._journeys)

    # ------------------------------------------------------------------ windows and state keys
    def _key(self, name: str) -> str:
        return f"{name}:{self.options.resolution}"

    def _last_end(self, name: str) -> Optional[int]:
        last = (self.previous.get(self._key(name)) or {}).get("end")
        return last if isinstance(last, int) and not isinstance(last, bool) else None

    def window_start(self, name: str) -> int:
        """Where this run's window begins for a family (or its link clicks, or the journeys)."""
        last = self._last_end(name)
        if not self.settings.incremental or last is None:
            return self.options.since
        return min(last, self.run_started) - self.options.lookback_days * DAY

    def _full_pass(self, family: Family) -> bool:
        last = (self.previous.get(self._key(family.key)) or {}).get("full_refresh")
        if not self.settings.incremental or not self.settings.full_refresh_days or not isinstance(last, int):
            return True
        if self.options.links and self._last_end(f"{family.key}:links") is None:
            return True                     # link clicks were just switched on: every entity's history
        return self.run_started - last >= self.settings.full_refresh_days * DAY

    # ------------------------------------------------------------------ entities
    def _parents(self, table: str) -> List[dict]:
        """A list's records with an id, each id once, read once per run whichever families ask."""
        with self._list_locks[table]:
            if table not in self._lists:
                resource = BY_TABLE[table]
                found = {}
                for record in records(self.client, resource, resource.path):
                    found.setdefault(id_text(record.get("id")), record)
                found.pop(None, None)
                self._lists[table] = list(found.values())
            return self._lists[table]

    def _family(self, family: Family):
        start = self.window_start(family.key)
        parents = self._parents(LISTS[family.key])
        if family.key in ACTIONS:
            for parent in parents:
                parent_id = id_text(parent["id"])
                yield Walk(f"actions of {family.label.split()[0]} {parent_id} for metrics",
                           lambda parent_id=parent_id: self._actions(family, parent_id, start))
            return
        wanted = self._wanted(family, parents, start)
        if family.key == "newsletter_variants":
            entities = [{"newsletter_id": id_text(record["id"]), "content_id": content_id}
                        for record in wanted for content_id in _variants(record)]
        else:
            entities = [{family.entity_columns[0]: id_text(record["id"])} for record in wanted]
        yield from self._fan_out(family, entities, start)

    def _wanted(self, family: Family, parents: List[dict], start: int) -> List[dict]:
        if not family.key.startswith("newsletter"):
            return parents
        sent = [record for record in parents if isinstance(record.get("sent_at"), int)]
        if self._full_pass(family):
            return sent
        recent = [record for record in sent if record["sent_at"] >= start]
        log.info("metrics: %s newsletters sent before the window are not read again for %s (all are read every "
                 "%d days); %s drafts have no metrics.", f"{len(sent) - len(recent):,}", family.table,
                 self.settings.full_refresh_days, f"{len(parents) - len(sent):,}")
        return recent

    def _actions(self, family: Family, parent_id: str, start: int):
        resource = BY_TABLE[ACTIONS[family.key]]
        parent_column = family.entity_columns[0]
        path = resource.path.format(id=quote(parent_id, safe=""))
        try:
            actions = [record for record in records(self.client, resource, path)
                       if record.get("type") in MESSAGE_TYPES and id_text(record.get("id")) is not None]
        except NotFoundError:
            log.warning("metrics: %s %s disappeared while the run was going (404); its actions are skipped.",
                        family.label.split()[0], parent_id)
            return
        yield from self._fan_out(family, [{parent_column: parent_id, "action_id": id_text(record["id"])}
                                          for record in actions], start)

    def _fan_out(self, family: Family, entities: List[dict], start: int):
        if family.key not in ACTIONS:
            per_entity = self.reads.requests_for(family.version, start) + 2 * bool(self.options.links)
            log.info("metrics: %s %s%s to read (about %s requests).", f"{len(entities):,}", family.label,
                     "" if len(entities) == 1 else "s", f"{len(entities) * per_entity:,}")
        link_start = self.window_start(f"{family.key}:links") if self.options.links else None
        for entity in entities:
            yield Walk(f"{family.label} {'/'.join(entity.values())} metrics",
                       lambda entity=entity: self._entity(family, entity, start, link_start))

    # ------------------------------------------------------------------ one entity
    def _entity(self, family: Family, entity: dict, start: int, link_start: Optional[int]):
        path = family.path.format(**{key: quote(value, safe="") for key, value in entity.items()})
        spec = self.specs[family.key]
        try:
            if family.version == 2:
                answers = self.reads.v2(path, start)
            else:
                answers = [self.reads.v1(path, start, family.label) + (1,)]
            for body, starts, asked, version in answers:
                for row in self.reads.rows(series_of(body), starts, asked, zone_of(version)):
                    yield spec, {**entity, **row, "api_version": version}
            if link_start is not None:
                yield from link_rows(self.reads, family, entity, path, link_start)
        except NotFoundError:
            log.warning("metrics: %s %s disappeared while the run was going (404); its metrics are skipped.",
                        family.label, "/".join(entity.values()))
        self._count(family.label)

    def _journeys(self):
        start = self.window_start(JOURNEYS)
        campaigns = [id_text(record["id"]) for record in self._parents("campaigns")]
        log.info("metrics: %s campaign journey funnels to read (about %s requests).", f"{len(campaigns):,}",
                 f"{len(campaigns) * self.reads.requests_for(2, start):,}")
        for campaign_id in campaigns:
            yield Walk(f"journeys of campaign {campaign_id}", lambda campaign_id=campaign_id:
                       self._journey(campaign_id, start))

    def _journey(self, campaign_id: str, start: int):
        try:
            yield from journey_rows(self.reads, campaign_id, start)
        except NotFoundError:
            log.warning("metrics: campaign %s disappeared while the run was going (404); its journey metrics are "
                        "skipped.", campaign_id)
        self._count("campaign journey")

    def _note_reach(self, label: str) -> None:
        with self._lock:
            if self._reach_noted:
                return
            self._reach_noted = True
        resolution = self.options.resolution
        log.info("metrics: %s metrics (metrics v1) reach back at most %d %s; older history builds up in Storage "
                 "only by running regularly with Incremental Update.", label, V1_MAX_STEPS[resolution], resolution)

    def _count(self, label: str) -> None:
        with self._lock:
            self._done[label] = done = self._done.get(label, 0) + 1
        if done % 250 == 0:
            log.info("metrics: %s %s metrics read so far.", f"{done:,}", label)

    def new_state(self, skipped=frozenset()) -> Optional[dict]:
        state = dict(self.previous)
        names = [family.key for family in self.families]
        names += [f"{name}:links" for name in names] * bool(self.options.links)
        names += [JOURNEYS] * bool(self.options.journeys)
        for name in names:
            entry = {"end": self.run_started}
            family = BY_KEY.get(name)
            if family is not None and family.key.startswith("newsletter"):
                previous = self.previous.get(self._key(name)) or {}
                full = self.run_started if self._full_pass(family) else previous.get("full_refresh")
                if isinstance(full, int):
                    entry["full_refresh"] = full
            state[self._key(name)] = entry
        return dict(sorted(state.items()))


def _variants(newsletter: dict) -> List[str]:
    """The content ids of a newsletter with A/B groups or languages (one content alone is the newsletter)."""
    ids = [text for text in map(id_text, newsletter.get("content_ids") or []) if text is not None]
    return list(dict.fromkeys(ids)) if len(set(ids)) > 1 else []
