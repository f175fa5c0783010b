"""Activities: events, attribute changes, deliveries and the rest of what happened to people and objects.

PARSED_DATA writes one table per type (`activity_<type>`) with `data` flattened into `data_*` columns;
SINGLE_TABLE writes every activity to `activities_all` with `data` as one JSON cell. Each type is its own
cursor walk, so types are read concurrently.

The API has no time filter and keeps only about 30 days, but it lists activities newest first. So with
"Continue since last run" each walk stops at the first page that is wholly older than the newest activity the
previous run saw (minus a lookback), and the newest timestamp per type is kept in state.
"""
import logging
import re
from typing import Dict, Optional

from customerio import PAGE_LIMITS
from customerio.columns import recipient_identifiers, table_description, text, when
from extractors.base import Extractor, TableSpec, Walk
from extractors.watermarks import Watermarks

#: State key of the walk without a type filter (an empty types list).
ALL_TYPES = "all"
#: The original component's state: {type: [flattened column names]} of each PARSED_DATA table.
LEGACY_HEADERS_KEY = "activity_headers"
#: Top-level fields every activities table has, even when no activity of this run carries them.
FIXED = (text("customer_id", "The id of the person in your workspace, if set."),
         text("data", "Details as JSON text: event data, attribute changes ({attribute: {from, to}}), delivery "
                      "details."),
         text("delivery_id", "Id of the message the activity is about (messages.id), for message activities."),
         text("delivery_type", "Channel or device of a message activity: email, ios, android, phone, ..."),
         text("id", "Id of the activity."),
         text("name", "Name of the event, page or screen, for those activities."),
         when("timestamp", "the activity happened"),
         text("type", "Activity type: event, page, attribute_change, opened_email, _o:3:create, ..."),
         text("url", "Address of the page, for page activities."))
FIXED_FIELDS = tuple(column.name for column in FIXED)
SOURCE = "Customer.io's App API, /v1/activities (it keeps about 30 days)"
SINGLE_TABLE = TableSpec("activities_all", ("id",), expand={"customer_identifiers": 1},
                         columns=FIXED + recipient_identifiers(),
                         description=table_description("Activities of every type: one row per activity (details in "
                                                       "data)", ("id",), SOURCE))
PARSED_EXPAND = {"data": None, "customer_identifiers": 1}
PARSED_COLUMNS = tuple(column for column in FIXED if column.name != "data") + recipient_identifiers()
NO_IDENTIFIERS = {"cio_id": None, "email": None, "id": None}
MAX_TABLE_NAME = 64
_NOT_NAME = re.compile(r"[^a-z0-9]+")

log = logging.getLogger(__name__)


def table_name(activity_type: str) -> str:
    """`secondary:opened_email` -> `activity_secondary_opened_email`; `_o:3:create` -> `activity_o_3_create`."""
    suffix = _NOT_NAME.sub("_", str(activity_type).lower()).strip("_") or "unknown"
    return ("activity_" + suffix)[:MAX_TABLE_NAME]


def timestamp_of(activity: dict) -> Optional[int]:
    """The activity's unix seconds, or None when it has none we can read."""
    value = activity.get("timestamp")
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value))
        except ValueError:
            return None
    return None


def shaped(activity: dict, parsed: bool) -> dict:
    """The record to write: the fixed fields always present, identifiers always expandable.

    In PARSED_DATA a missing `data` is left out, since its content lives in `data_*` columns.
    """
    record = dict.fromkeys(FIXED_FIELDS)
    record.update(activity)
    identifiers = record.get("customer_identifiers")
    if identifiers is None:
        record["customer_identifiers"] = dict(NO_IDENTIFIERS)
    elif isinstance(identifiers, dict):
        record["customer_identifiers"] = {**NO_IDENTIFIERS, **identifiers}
    if parsed and record["data"] is None:
        del record["data"]
    return record


class ActivitiesExtractor(Extractor):
    name = "activities"
    order = 20

    def __init__(self, client, settings, state, run_started, knobs=None):
        super().__init__(client, settings, state, run_started, knobs)
        self.options = settings.activities
        self.parsed = self.options.mode == "PARSED_DATA"
        self._specs: Dict[str, TableSpec] = {}
        self.marks = Watermarks(self.state.get(self.name), "newest_timestamp", run_started)

    # ------------------------------------------------------------------ tables
    def tables(self):
        if not self.parsed:
            return [SINGLE_TABLE]
        return [self._spec(activity_type) for activity_type in self.options.types]

    def seed_columns(self):
        """The original component's `activity_headers`, so tables it created keep their columns."""
        headers = self.state.get(LEGACY_HEADERS_KEY)
        if not self.parsed or not isinstance(headers, dict):
            return {}
        seeds = {}
        for activity_type, columns in headers.items():
            if isinstance(columns, list):
                seeds[table_name(activity_type)] = [c for c in columns if isinstance(c, str) and c]
        return seeds

    def _spec(self, activity_type: str) -> TableSpec:
        spec = self._specs.get(activity_type)
        if spec is None:
            spec = TableSpec(table_name(activity_type), ("id",), expand=PARSED_EXPAND, columns=PARSED_COLUMNS,
                             description=table_description(f"Activities of type {activity_type}: one row per "
                                                           "activity (details in data_* columns)", ("id",), SOURCE))
            self._specs[activity_type] = spec
        return spec

    # ------------------------------------------------------------------ walks
    def walks(self):
        if self.options.continue_since_last_run and not self.settings.incremental:
            log.warning("Activities: 'Continue since last run' with the Full Load type replaces each table with "
                        "only the activities new since the last run; choose Incremental Update to keep history.")
        for activity_type in self.options.types or [None]:
            label = f"activities ({activity_type or 'all types'})"
            yield Walk(label, lambda t=activity_type: self._walk(t))

    def _walk(self, activity_type: Optional[str]):
        key = activity_type or ALL_TYPES
        cutoff = self._cutoff(key)
        params = {}
        if activity_type:
            params["type"] = activity_type
        if self.options.deleted:
            params["deleted"] = "true"
        pages = rows = 0
        stopped = False
        # Reading ahead would spend a request past the page where an incremental walk stops.
        for page in self.client.paginate("/activities", "activities", params=params,
                                         limit=PAGE_LIMITS["activities"], read_ahead=cutoff is None):
            pages += 1
            recent_on_page = False
            for activity in page.items:
                if not isinstance(activity, dict):
                    continue
                seen = timestamp_of(activity)
                if seen is not None:
                    # A future-dated event must not move the mark past now, or later runs would skip everything.
                    seen = min(seen, self.run_started)
                    self.marks.advance(key, seen)
                    if cutoff is not None and seen < cutoff:
                        continue
                recent_on_page = True
                own_type = activity_type or activity.get("type") or "unknown"
                spec = self._spec(own_type) if self.parsed else SINGLE_TABLE
                yield spec, shaped(activity, self.parsed)
                rows += 1
            if cutoff is not None and page.items and not recent_on_page:
                stopped = True
                break
        log.info("Activities (%s): %s rows from %d pages%s.", activity_type or "all types", f"{rows:,}", pages,
                 "; stopped at the previous run's newest activity" if stopped else "")

    def _cutoff(self, key: str) -> Optional[float]:
        """Activities older than this were already written by an earlier run (None: read everything)."""
        if not self.options.continue_since_last_run:
            return None
        # A walk over all types saw every type's activities, so its mark also serves a newly listed type.
        mark = self.marks.previous.get(key, self.marks.previous.get(ALL_TYPES))
        if mark is None:
            return None
        return min(mark, self.run_started) - self.options.lookback_hours * 3600

    def new_state(self, skipped=frozenset()):
        return self.marks.state()
