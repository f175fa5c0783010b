"""The settings of the datasets that have their own (one-item arrays in the configuration): messages, customers,
activities, objects and metrics, each checked completely before any request."""
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, List

from configuration.errors import ConfigError, show as _show
from configuration.people_filter import parse_filter, parse_segment_ids, with_segments
from configuration.values import as_bool as _bool, as_choice as _choice, as_int_range as _int_range
from configuration.values import as_number as _number, names_list as _types, parse_since
from customerio.catalog import (ACTIVITY_TYPES, LEGACY_ACTIVITY_TYPES, MESSAGE_TYPES, RETIRED_MESSAGE_TYPES,
                                is_activity_type)
from customerio.metrics import DEFAULT_FAMILIES, FAMILIES, RESOLUTIONS

ACTIVITY_MODES = ("PARSED_DATA", "SINGLE_TABLE")
CUSTOMER_METHODS = ("export", "api")
DEFAULT_MESSAGES_SINCE = "6 months ago"
MESSAGES_KEYS = {"types", "incremental_output", "lookback_days", "since"}
CUSTOMERS_KEYS = {"filters", "segment_ids", "attributes", "method", "export_timeout_minutes"}
ACTIVITIES_KEYS = {"types", "mode", "delete", "deleted", "incremental_output", "lookback_hours"}
OBJECTS_KEYS = {"types", "attributes", "relationships"}
METRICS_KEYS = {"entities", "resolution", "since", "lookback_days", "links", "journeys"}
DEFAULT_METRICS_SINCE = "90 days ago"
DEFAULT_METRICS_LOOKBACK_DAYS = 35


@dataclass
class MessagesSettings:
    types: List[str]
    continue_since_last_run: bool = False
    lookback_days: int = 0
    since: int = 0          # unix seconds: where a first run (or a run after Reset State) starts


@dataclass
class CustomersSettings:
    filter: dict
    attributes: List[str]
    method: str = "export"
    export_timeout_minutes: int = 60


@dataclass
class ActivitiesSettings:
    types: List[str]
    mode: str = "PARSED_DATA"
    deleted: bool = False
    continue_since_last_run: bool = False
    lookback_hours: float = 1.0


@dataclass
class MetricsSettings:
    entities: List[str]             # metric families (campaigns, ...); the default ones when none is named
    resolution: str = "days"
    since: int = 0                  # unix seconds: where a first run (or a run after Reset State) starts
    lookback_days: int = DEFAULT_METRICS_LOOKBACK_DAYS
    links: bool = False             # link_metrics for every entity read: two requests per entity
    journeys: bool = False          # journey_metrics: one request per campaign (per 1,000 buckets)


@dataclass
class ObjectsSettings:
    types: List[str]                # object type ids; empty: every type
    attributes: bool = False        # one request per object
    relationships: bool = False     # one request (or more) per object


# ---------------------------------------------------------------------------------------------- messages
def messages_settings(item: dict, now: datetime, warnings: list) -> MessagesSettings:
    types = _types(item.get("types"), "messages.types")
    valid = MESSAGE_TYPES + RETIRED_MESSAGE_TYPES
    bad = [t for t in types if t not in valid]
    if bad:
        raise ConfigError(f"Unknown message type {', '.join(bad)} in `messages.types`; valid types are: "
                          f"{', '.join(valid)}.")
    since_text = item.get("since") or DEFAULT_MESSAGES_SINCE
    return MessagesSettings(
        types=types,
        continue_since_last_run=_bool(item.get("incremental_output", False), "messages.incremental_output"),
        lookback_days=_int_range(item.get("lookback_days", 0), "messages.lookback_days", 0),
        since=parse_since(since_text, now, "messages.since"),
    )


# ---------------------------------------------------------------------------------------------- customers
def customers_settings(item: dict, warnings: list) -> CustomersSettings:
    filters_text = item.get("filters", "")
    customer_filter = with_segments(parse_filter(filters_text), parse_segment_ids(item.get("segment_ids")))
    attributes = parse_attributes(item.get("attributes", ""), warnings)
    return CustomersSettings(
        filter=customer_filter,
        attributes=attributes,
        method=_choice(item.get("method", "export") or "export", "customers.method", CUSTOMER_METHODS, lower=True),
        export_timeout_minutes=_int_range(item.get("export_timeout_minutes", 60),
                                          "customers.export_timeout_minutes", 1, 1440),
    )


def parse_attributes(text: Any, warnings: list) -> List[str]:
    if text is None or text == "":
        return []
    if isinstance(text, str) and text.strip().startswith("["):
        try:  # a pasted JSON list such as ["plan", "first_name"]
            text = json.loads(text)
        except ValueError:
            pass
    if isinstance(text, list):
        if not all(isinstance(p, str) for p in text):
            raise ConfigError("`customers.attributes` must be a comma-separated list of attribute names.")
        parts = text
    elif isinstance(text, str):
        parts = re.split(r"[,\n]", text)
    else:
        raise ConfigError("`customers.attributes` must be a comma-separated list of attribute names.")
    names, empty = [], 0
    for part in parts:
        name = part.strip()
        if not name:
            empty += 1
        elif name not in names:
            names.append(name)
    if empty and names:
        warnings.append(f"Ignoring {empty} empty item(s) in `customers.attributes`.")
    return names


# ---------------------------------------------------------------------------------------------- activities
def activities_settings(item: dict) -> ActivitiesSettings:
    types = _types(item.get("types"), "activities.types")
    bad = [t for t in types if not is_activity_type(t)]
    if bad:
        valid = ", ".join(ACTIVITY_TYPES + LEGACY_ACTIVITY_TYPES)
        raise ConfigError(f"Unknown activity type {', '.join(bad)} in `activities.types`; valid types are: {valid}, "
                          f"and object types such as _o:<object type id>:create or _r:<object type id>:"
                          f"attribute_change.")
    # The original schema wrote `delete` but its code read `deleted`: honour either.
    deleted = False
    for key in ("delete", "deleted"):
        if key in item and item[key] is not None:
            deleted = deleted or _bool(item[key], f"activities.{key}")
    return ActivitiesSettings(
        types=types,
        mode=_choice(item.get("mode") or "PARSED_DATA", "activities.mode", ACTIVITY_MODES),
        deleted=deleted,
        continue_since_last_run=_bool(item.get("incremental_output", False), "activities.incremental_output"),
        lookback_hours=_number(item.get("lookback_hours", 1), "activities.lookback_hours", 0),
    )


# ---------------------------------------------------------------------------------------------- objects
def _object_types(value: Any) -> List[str]:
    """Object type ids as the API spells them (text of digits); the UI's picker gives them as text."""
    ids = []
    for item in _types([str(v) if isinstance(v, int) and not isinstance(v, bool) else v
                        for v in (value if isinstance(value, list) else [] if value in (None, "") else [value])],
                       "objects.types"):
        if not item.isdigit():
            raise ConfigError(f"`objects.types` must list object type ids such as [\"1\", \"2\"], not {_show(item)}.")
        ids.append(str(int(item)))
    return list(dict.fromkeys(ids))


def objects_settings(item: dict) -> ObjectsSettings:
    return ObjectsSettings(types=_object_types(item.get("types")),
                           attributes=_bool(item.get("attributes", False), "objects.attributes"),
                           relationships=_bool(item.get("relationships", False), "objects.relationships"))


# ---------------------------------------------------------------------------------------------- metrics
def metrics_settings(item: dict, now: datetime, warnings: list) -> MetricsSettings:
    valid = [family.key for family in FAMILIES]
    entities = _types(item.get("entities"), "metrics.entities")
    bad = [name for name in entities if name not in valid]
    if bad:
        raise ConfigError(f"Unknown metrics entity {', '.join(bad)} in `metrics.entities`; valid ones are: "
                          f"{', '.join(valid)} (or none for {', '.join(DEFAULT_FAMILIES)}).")
    return MetricsSettings(
        entities=entities or list(DEFAULT_FAMILIES),
        resolution=_choice(item.get("resolution") or "days", "metrics.resolution", RESOLUTIONS, lower=True),
        since=parse_since(item.get("since") or DEFAULT_METRICS_SINCE, now, "metrics.since"),
        lookback_days=_int_range(item.get("lookback_days", DEFAULT_METRICS_LOOKBACK_DAYS), "metrics.lookback_days",
                                 0, 3650),
        links=_bool(item.get("links", False), "metrics.links"),
        journeys=_bool(item.get("journeys", False), "metrics.journeys"),
    )
