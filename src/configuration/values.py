"""The building blocks of configuration checks: each turns one value into its type or raises one ConfigError
whose sentence names the key and what is allowed. `since` fields are parsed here, for every dataset alike."""
import calendar
import re
from datetime import datetime, timedelta, timezone
from typing import Any, List, Optional

from configuration.errors import ConfigError, show as _show


def as_bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError(f"`{key}` must be true or false, not {_show(value)}.")


def as_zero_one(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return value.strip() == "1"
    raise ConfigError(f"`{key}` must be 0 (Full Load) or 1 (Incremental Update), not {_show(value)}.")


def as_int_range(value: Any, key: str, low: int, high: Optional[int] = None) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(value, float) and value.is_integer():
        value, ok = int(value), True
    if not ok or value < low or (high is not None and value > high):
        allowed = f"a whole number from {low} to {high}" if high is not None else f"a whole number of at least {low}"
        raise ConfigError(f"`{key}` must be {allowed}, not {_show(value)}.")
    return value


def as_number(value: Any, key: str, low: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
        raise ConfigError(f"`{key}` must be a number of at least {low:g}, not {_show(value)}.")
    return float(value)


def as_choice(value: Any, key: str, allowed, lower: bool = False) -> str:
    if isinstance(value, str):
        candidate = value.strip().lower() if lower else value.strip()
        if candidate in allowed:
            return candidate
    raise ConfigError(f"`{key}` must be one of {', '.join(allowed)}, not {_show(value)}.")


def single_item(value: Any, key: str, known: set, warnings: list) -> Optional[dict]:
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


def names_list(value: Any, key: str) -> List[str]:
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
