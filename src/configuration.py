"""Typed configuration: accepts every config written for the original component, validates everything up front.

Each problem a user can fix becomes one ConfigError (a UserException) whose sentence names the key and what is
allowed. Unknown keys are reported with a warning, not an error, so configs from older UIs keep working.
"""
import calendar
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, FrozenSet, List, Optional

from config_error import ConfigError, show as _show
from customerio.catalog import (ACTIVITY_TYPES, LEGACY_ACTIVITY_TYPES, MESSAGE_TYPES, RETIRED_MESSAGE_TYPES,
                                is_activity_type)
from customerio.resources import DATASETS
from people_filter import EVERYONE, parse_filter, parse_segment_ids, with_segments  # noqa: F401 - re-exported

log = logging.getLogger(__name__)

REGIONS = ("us", "eu")
ACTIVITY_MODES = ("PARSED_DATA", "SINGLE_TABLE")
CUSTOMER_METHODS = ("export", "api")
DEFAULT_MESSAGES_SINCE = "6 months ago"
#: Where Customer.io keeps App API keys, in the words of its own page; every message and doc says it this way.
KEY_LOCATION = "Account Settings > API Credentials (App API Keys)"

#: The catalogue's datasets are booleans named after them (campaigns, newsletters, workspace_settings, ...).
DATASET_KEYS = tuple(dataset.key for dataset in DATASETS)
KNOWN_KEYS = {"#api_secret", "api_region", "incremental_output", "segment_members", "max_requests_per_second",
              "max_columns", "full_refresh_days", "skip_forbidden", "messages", "customers", "activities", "objects",
              "debug"} | set(DATASET_KEYS)
FULL_REFRESH_DAYS_DEFAULT = 7
#: Datasets with settings of their own (one-item arrays), read by their own extractors.
CUSTOM_DATASETS = ("messages", "customers", "activities", "objects")
#: Columns per table: Storage and the warehouses behind it refuse very wide tables.
MAX_COLUMNS_DEFAULT, MAX_COLUMNS_RANGE = 1000, (20, 5000)
MESSAGES_KEYS = {"types", "incremental_output", "lookback_days", "since"}
CUSTOMERS_KEYS = {"filters", "segment_ids", "attributes", "method", "export_timeout_minutes"}
ACTIVITIES_KEYS = {"types", "mode", "delete", "deleted", "incremental_output", "lookback_hours"}
OBJECTS_KEYS = {"types", "attributes", "relationships"}
#: The settings keys of each dataset group (a one-item array).
GROUP_KEYS = {"messages": MESSAGES_KEYS, "customers": CUSTOMERS_KEYS, "activities": ACTIVITIES_KEYS,
              "objects": OBJECTS_KEYS}


@dataclass
class Connection:
    """What a request needs: sync actions use only this, so the rest of a half-edited form cannot fail them."""
    api_key: str
    region: str = "us"


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
class ObjectsSettings:
    types: List[str]                # object type ids; empty: every type
    attributes: bool = False        # one request per object
    relationships: bool = False     # one request (or more) per object


@dataclass
class Settings:
    api_key: str
    region: str = "us"
    incremental: bool = True
    campaigns: bool = False
    segments: bool = False
    segment_members: bool = True
    max_requests_per_second: int = 10
    max_columns: int = MAX_COLUMNS_DEFAULT
    full_refresh_days: int = FULL_REFRESH_DAYS_DEFAULT
    skip_forbidden: bool = False
    #: the catalogue datasets switched on besides campaigns and segments (newsletters, optouts, ...)
    resources: FrozenSet[str] = frozenset()
    messages: Optional[MessagesSettings] = None
    customers: Optional[CustomersSettings] = None
    activities: Optional[ActivitiesSettings] = None
    objects: Optional[ObjectsSettings] = None
    debug: bool = False
    warnings: List[str] = field(default_factory=list)

    def enabled(self, dataset: str) -> bool:
        """Whether a catalogue dataset (a configuration key) is switched on; segment_members goes with segments."""
        if dataset in ("campaigns", "segments"):
            return getattr(self, dataset)
        if dataset == "segment_members":
            return self.segments and self.segment_members
        return dataset in self.resources

    def datasets(self) -> List[str]:
        names = [key for key in DATASET_KEYS if self.enabled(key)]
        names += [name for name in CUSTOM_DATASETS if getattr(self, name) is not None]
        return names


def parse_connection(parameters: dict) -> Connection:
    """The API key and region alone, validated exactly as parse_settings validates them."""
    if not isinstance(parameters, dict):
        raise ConfigError("The configuration's `parameters` must be a JSON object.")
    return Connection(api_key=_api_key(parameters.get("#api_secret")),
                      region=_choice(parameters.get("api_region", "us") or "us", "api_region", REGIONS, lower=True))


def parse_settings(parameters: dict, now: Optional[datetime] = None) -> Settings:
    """Validate `parameters` (config.json's `parameters`) into Settings, or raise one ConfigError."""
    connection = parse_connection(parameters)
    now = now or datetime.now(timezone.utc)
    warnings = []
    unknown = sorted(set(parameters) - KNOWN_KEYS)
    if unknown:
        warnings.append(f"Ignoring unknown configuration keys: {', '.join(unknown)}.")

    settings = Settings(
        api_key=connection.api_key,
        region=connection.region,
        incremental=_zero_one(parameters.get("incremental_output", 1), "incremental_output"),
        campaigns=_bool(parameters.get("campaigns", False), "campaigns"),
        segments=_bool(parameters.get("segments", False), "segments"),
        segment_members=_bool(parameters.get("segment_members", True), "segment_members"),
        max_requests_per_second=_int_range(parameters.get("max_requests_per_second", 10),
                                           "max_requests_per_second", 1, 10),
        max_columns=_int_range(parameters.get("max_columns", MAX_COLUMNS_DEFAULT), "max_columns",
                               *MAX_COLUMNS_RANGE),
        full_refresh_days=_int_range(parameters.get("full_refresh_days", FULL_REFRESH_DAYS_DEFAULT),
                                     "full_refresh_days", 0, 365),
        skip_forbidden=_bool(parameters.get("skip_forbidden", False), "skip_forbidden"),
        resources=frozenset(key for key in DATASET_KEYS if key not in ("campaigns", "segments")
                            and _bool(parameters.get(key, False), key)),
        debug=_bool(parameters.get("debug", False), "debug"),
        warnings=warnings,
    )
    messages = _single_item(parameters.get("messages"), "messages", MESSAGES_KEYS, warnings)
    if messages is not None:
        settings.messages = _messages(messages, now, warnings)
    customers = _single_item(parameters.get("customers"), "customers", CUSTOMERS_KEYS, warnings)
    if customers is not None:
        settings.customers = _customers(customers, warnings)
    activities = _single_item(parameters.get("activities"), "activities", ACTIVITIES_KEYS, warnings)
    if activities is not None:
        settings.activities = _activities(activities)
    objects = _single_item(parameters.get("objects"), "objects", OBJECTS_KEYS, warnings)
    if objects is not None:
        settings.objects = ObjectsSettings(
            types=_object_types(objects.get("types")),
            attributes=_bool(objects.get("attributes", False), "objects.attributes"),
            relationships=_bool(objects.get("relationships", False), "objects.relationships"))
    return settings


# ---------------------------------------------------------------------------------------------- top level
TRACK_KEY = re.compile(r"^[^:\s]+:[^:\s]+$")


def _api_key(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ConfigError(f"The API key (#api_secret) is missing: paste an App API key from Customer.io "
                          f"({KEY_LOCATION}).")
    if not isinstance(value, str):
        raise ConfigError("The API key (#api_secret) must be text.")
    key = value.strip()
    if TRACK_KEY.match(key):
        raise ConfigError(f"The API key (#api_secret) looks like a Track API key (site_id:key); this component "
                          f"needs an App API key ({KEY_LOCATION}).")
    if any(ch.isspace() for ch in key):
        raise ConfigError("The API key (#api_secret) contains spaces or line breaks; paste the App API key alone.")
    return key


def _bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError(f"`{key}` must be true or false, not {_show(value)}.")


def _zero_one(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return value.strip() == "1"
    raise ConfigError(f"`{key}` must be 0 (Full Load) or 1 (Incremental Update), not {_show(value)}.")


def _int_range(value: Any, key: str, low: int, high: Optional[int] = None) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(value, float) and value.is_integer():
        value, ok = int(value), True
    if not ok or value < low or (high is not None and value > high):
        allowed = f"a whole number from {low} to {high}" if high is not None else f"a whole number of at least {low}"
        raise ConfigError(f"`{key}` must be {allowed}, not {_show(value)}.")
    return value


def _number(value: Any, key: str, low: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
        raise ConfigError(f"`{key}` must be a number of at least {low:g}, not {_show(value)}.")
    return float(value)


def _choice(value: Any, key: str, allowed, lower: bool = False) -> str:
    if isinstance(value, str):
        candidate = value.strip().lower() if lower else value.strip()
        if candidate in allowed:
            return candidate
    raise ConfigError(f"`{key}` must be one of {', '.join(allowed)}, not {_show(value)}.")


def _single_item(value: Any, key: str, known: set, warnings: list) -> Optional[dict]:
    """The original schema keeps each dataset in a one-item array; an empty array means 'not wanted'."""
    if value is None or value == [] or value == {}:
        return None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict):
        raise ConfigError(f"`{key}` must be a list with one settings object (or empty to skip {key}).")
    unknown = sorted(set(value[0]) - known)
    if unknown:
        warnings.append(f"Ignoring unknown keys in `{key}`: {', '.join(unknown)}.")
    return value[0]


def _types(value: Any, key: str) -> List[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of type names.")
    result = []
    for name in value:
        name = name.strip()
        if name and name not in result:
            result.append(name)
    return result


# ---------------------------------------------------------------------------------------------- messages
def _messages(item: dict, now: datetime, warnings: list) -> MessagesSettings:
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


#: Everything a `since` field accepts, as one regular expression that Python and the form's JavaScript read alike
#: (ASCII classes and literal spaces only). The schema's `pattern` is this text (scripts/build_schema.py), so the
#: form flags exactly the syntax the run would refuse. Empty means the field's default.
SINCE_PATTERN = (r"^( *([0-9]+ *(minute|hour|day|week|month|year)s?( +ago)?|today|now"
                 r"|[0-9]{4}-[0-9]{2}-[0-9]{2}"
                 r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?) *)?$")
SINCE_FORMS = ("a date (2025-01-31), a date and time in UTC or with an offset (2025-01-31T08:00:00Z), "
               "a number of minutes, hours, days, weeks, months or years ago (12 months ago), today, or now")
_SINCE = re.compile(SINCE_PATTERN)
_RELATIVE = re.compile(r"^([0-9]+) *(minute|hour|day|week|month|year)s?( +ago)?$")


def parse_since(text: Any, now: datetime, key: str) -> int:
    """Unix seconds from an ISO date/time or relative text such as `12 months ago`, `30 days ago`."""
    if not isinstance(text, str) or not text.strip() or not _SINCE.fullmatch(text):
        raise ConfigError(f"`{key}` must be {SINCE_FORMS}, not {_show(text)}.")
    value = text.strip()
    match = _RELATIVE.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        seconds = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}.get(unit)
        try:
            start = now - timedelta(seconds=amount * seconds) if seconds else \
                _minus_months(now, amount * (12 if unit == "year" else 1))
        except (ValueError, OverflowError):
            raise ConfigError(f"`{key}` value \"{value}\" reaches back before the year 1; give a later start.") \
                from None
        return int(start.timestamp())
    if value == "now":
        return int(now.timestamp())
    if value == "today":
        return int(now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise ConfigError(f"`{key}` value \"{value}\" is not a real date or time ({error}).") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    if parsed > now:
        raise ConfigError(f"`{key}` value \"{value}\" is in the future; give a past date.")
    return int(parsed.timestamp())


def _minus_months(moment: datetime, months: int) -> datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


# ---------------------------------------------------------------------------------------------- customers
def _customers(item: dict, warnings: list) -> CustomersSettings:
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
def _activities(item: dict) -> ActivitiesSettings:
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
