"""Customer.io's people-filter language, as `customers.filters` and `customers.segment_ids` give it.

Validated here completely, so a mistake stops the run before any request with one sentence naming the place
(`customers.filters at filters.and[1]: ...`). Accepts JSON and the Python-dict text the original component
saved (`{'segment': {'id': 7}}`), which is read with literal_eval and never run as code.
"""
import ast
import copy
import json
from typing import Any, List

from configuration.errors import ConfigError, show as _show

FILTER_KEYS = ("and", "or", "not", "segment", "attribute")
FILTER_OPERATORS = ("eq", "exists")

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
