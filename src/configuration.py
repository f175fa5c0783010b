"""Typed configuration: accepts every config written for the original component, validates everything up front.

Each problem a user can fix becomes one ConfigError (a UserException) whose sentence names the key and what is
allowed. Unknown keys are reported with a warning, not an error, so configs from older UIs keep working.
"""
import ast
import calendar
import copy
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, List, Optional

from keboola.component.exceptions import UserException

from customerio.catalog import (ACTIVITY_TYPES, LEGACY_ACTIVITY_TYPES, MESSAGE_TYPES, RETIRED_MESSAGE_TYPES,
                                is_activity_type)

log = logging.getLogger(__name__)

REGIONS = ("us", "eu")
ACTIVITY_MODES = ("PARSED_DATA", "SINGLE_TABLE")
CUSTOMER_METHODS = ("export", "api")
FILTER_KEYS = ("and", "or", "not", "segment", "attribute")
FILTER_OPERATORS = ("eq", "exists")
DEFAULT_MESSAGES_SINCE = "6 months ago"
#: Where Customer.io keeps App API keys, in the words of its own page; every message and doc says it this way.
KEY_LOCATION = "Account Settings > API Credentials (App API Keys)"

KNOWN_KEYS = {"#api_secret", "api_region", "incremental_output", "campaigns", "segments", "segment_members",
              "max_requests_per_second", "max_columns", "messages", "customers", "activities", "debug"}
#: Columns per table: Storage and the warehouses behind it refuse very wide tables.
MAX_COLUMNS_DEFAULT, MAX_COLUMNS_RANGE = 1000, (20, 5000)
MESSAGES_KEYS = {"types", "incremental_output", "lookback_days", "since"}
CUSTOMERS_KEYS = {"filters", "segment_ids", "attributes", "method", "export_timeout_minutes"}
ACTIVITIES_KEYS = {"types", "mode", "delete", "deleted", "incremental_output", "lookback_hours"}


class ConfigError(UserException):
    """A configuration value the user has to change."""


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
class Settings:
    api_key: str
    region: str = "us"
    incremental: bool = True
    campaigns: bool = False
    segments: bool = False
    segment_members: bool = True
    max_requests_per_second: int = 10
    max_columns: int = MAX_COLUMNS_DEFAULT
    messages: Optional[MessagesSettings] = None
    customers: Optional[CustomersSettings] = None
    activities: Optional[ActivitiesSettings] = None
    debug: bool = False
    warnings: List[str] = field(default_factory=list)

    def datasets(self) -> List[str]:
        names = [name for name in ("campaigns", "segments") if getattr(self, name)]
        names += [name for name in ("messages", "customers", "activities") if getattr(self, name) is not None]
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


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 60 else text[:57] + "..."


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


# `cio_id` is the one identifier every person has (`id exists` would drop email-only people).
EVERYONE = {"attribute": {"field": "cio_id", "operator": "exists"}}
# Customer.io documents about three levels; far deeper trees are a pasting mistake, not a real filter.
MAX_FILTER_DEPTH = 20
_ATTRIBUTE_KEYS = {"field", "operator", "value"}


def parse_filter(text: Any) -> dict:
    """A people filter from JSON text (or the original component's Python-dict text); empty means everyone."""
    if isinstance(text, dict):
        data = text
    else:
        if text is None or (isinstance(text, str) and not text.strip()):
            return copy.deepcopy(EVERYONE)
        if not isinstance(text, str):
            raise ConfigError("`customers.filters` must be JSON text such as "
                              "{\"segment\": {\"id\": 7}}.")
        data = _load_filter_text(text)
    if not isinstance(data, dict):
        raise ConfigError("`customers.filters` must be a JSON object such as {\"segment\": {\"id\": 7}}.")
    if not data:
        return copy.deepcopy(EVERYONE)
    return _check_condition(data, "filters")


def _load_filter_text(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        json_error = error
    except RecursionError:
        raise ConfigError(f"`customers.filters` is nested too deeply; keep it within {MAX_FILTER_DEPTH} "
                          f"levels.") from None
    try:
        # Configs from the original component hold Python-dict text ('single quotes', True/False/None);
        # literal_eval only ever builds literals, it never runs code.
        value = ast.literal_eval(text.strip())
        if isinstance(value, dict):
            return value
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    raise ConfigError(f"`customers.filters` is not valid JSON: {json_error.msg} at line {json_error.lineno}, "
                      f"column {json_error.colno}.")


def _check_condition(node: Any, path: str, depth: int = 1) -> dict:
    if depth > MAX_FILTER_DEPTH:
        raise ConfigError(f"`customers.filters` at {path}: the filter is nested more than {MAX_FILTER_DEPTH} "
                          f"levels deep; simplify it.")
    if not isinstance(node, dict) or len(node) != 1:
        raise ConfigError(f"`customers.filters` at {path}: each condition must be an object with exactly one of "
                          f"{', '.join(FILTER_KEYS)}.")
    (key, value), = node.items()
    if key not in FILTER_KEYS:
        raise ConfigError(f"`customers.filters` at {path}: unknown key \"{key}\"; use one of "
                          f"{', '.join(FILTER_KEYS)}.")
    where = f"{path}.{key}"
    if key in ("and", "or"):
        if not isinstance(value, list) or not value:
            raise ConfigError(f"`customers.filters` at {where}: \"{key}\" needs a non-empty list of conditions.")
        return {key: [_check_condition(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]}
    if key == "not":
        if isinstance(value, list):
            raise ConfigError(f"`customers.filters` at {where}: \"not\" takes one condition object, not a list.")
        return {key: _check_condition(value, where, depth + 1)}
    if key == "segment":
        if isinstance(value, dict) and set(value) - {"id"}:
            raise ConfigError(f"`customers.filters` at {where}: unknown key(s) "
                              f"{', '.join(sorted(map(str, set(value) - {'id'})))}; a segment condition holds only "
                              f"\"id\".")
        segment_id = value.get("id") if isinstance(value, dict) else None
        if isinstance(segment_id, str) and segment_id.strip().isdigit():
            segment_id = int(segment_id)
        if not isinstance(segment_id, int) or isinstance(segment_id, bool):
            raise ConfigError(f"`customers.filters` at {where}: a segment condition needs a numeric id, "
                              f"like {{\"segment\": {{\"id\": 7}}}}.")
        return {"segment": {"id": segment_id}}
    if not isinstance(value, dict) or not isinstance(value.get("field"), str) or not value["field"]:
        raise ConfigError(f"`customers.filters` at {where}: an attribute condition needs a \"field\".")
    unknown = set(value) - _ATTRIBUTE_KEYS
    if unknown:
        # Dropping e.g. a newsletter-style "inverse" would silently turn the condition around.
        raise ConfigError(f"`customers.filters` at {where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} "
                          f"in an attribute condition; use field, operator and value (wrap it in \"not\" to negate).")
    operator = value.get("operator")
    if operator not in FILTER_OPERATORS:
        raise ConfigError(f"`customers.filters` at {where}: unknown operator {_show(operator)}; Customer.io "
                          f"supports {' and '.join(FILTER_OPERATORS)}.")
    condition = {"field": value["field"], "operator": operator}
    if operator == "eq":
        if "value" not in value:
            raise ConfigError(f"`customers.filters` at {where}: the eq operator needs a \"value\".")
        condition["value"] = _filter_value(value["value"], where)
    return {"attribute": condition}


def _filter_value(value: Any, where: str) -> str:
    """Customer.io compares attribute values as text: JSON true/false/null/numbers become their text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise ConfigError(f"`customers.filters` at {where}: an eq value must be text, a number or true/false.")
    return str(value)


def parse_segment_ids(value: Any) -> List[int]:
    """The UI's segment picker: ids as text (or numbers); empty means no segment restriction."""
    if value is None or value == "" or value == []:
        return []
    if not isinstance(value, list):
        value = [value]
    ids = []
    for item in value:
        text = str(item).strip() if isinstance(item, (str, int)) and not isinstance(item, bool) else ""
        if not text.isdigit():
            raise ConfigError(f"`customers.segment_ids` must list segment ids such as [\"7\", \"12\"], not "
                              f"{_show(item)}.")
        if int(text) not in ids:
            ids.append(int(text))
    return ids


def with_segments(customer_filter: dict, segment_ids: List[int]) -> dict:
    """The filter AND membership of any of the picked segments."""
    if not segment_ids:
        return customer_filter
    segments = [{"segment": {"id": segment_id}} for segment_id in segment_ids]
    membership = segments[0] if len(segments) == 1 else {"or": segments}
    return membership if customer_filter == EVERYONE else {"and": [customer_filter, membership]}


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
