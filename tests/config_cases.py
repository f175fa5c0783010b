"""Configurations and inputs shared by the schema tests and the browser test, plus readers of the schema's conventions.

Everything here is derived from component_config/configSchema.json where it can be, so a new key that follows the
same conventions (a top-level boolean or number, a one-item array group of settings, a `since` text field) is
covered without editing a test. A new free-text field without a default needs an example in EXAMPLE_VALUES, a new
async picker what its sync action answers in SYNC_ACTION_ANSWERS.
"""
import copy
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_PATH = os.path.join(ROOT, "component_config", "configSchema.json")
SAMPLE_PATH = os.path.join(ROOT, "component_config", "sample-config", "config.json")
UI_ONLY_TYPES = {"button"}  # Keboola draws {"type": "button"} itself; it holds no value
#: What the sync action behind each async picker answers in the browser test, as Keboola's form fills the picker's
#: empty `enum` once the user clicks its Load button (the configuration's own values are added to it).
SYNC_ACTION_ANSWERS = {
    "list_segments": ["7", "12", "31"],
    "list_object_types": ["1", "2"],
}


def load_schema() -> dict:
    with open(SCHEMA_PATH) as handle:
        return json.load(handle)


def sample_parameters() -> dict:
    with open(SAMPLE_PATH) as handle:
        return json.load(handle)["parameters"]


# A spread of configurations written for the original component.
ORIGINAL_CONFIGS = [
    {"#api_secret": "k", "api_region": "us", "incremental_output": 1, "campaigns": True, "segments": False,
     "activities": [], "messages": [], "customers": []},
    {"#api_secret": "k", "api_region": "eu", "incremental_output": 0, "campaigns": False, "segments": True,
     "activities": [{"mode": "PARSED_DATA", "types": ["page", "event", "secondary:clicked_email"], "delete": False}],
     "messages": [{"types": ["email", "urban_airship", "push"], "incremental_output": True}],
     "customers": [{"filters": "{'segment': {'id': 7}}", "attributes": "email,plan"}]},
    {"#api_secret": "k", "api_region": "us", "incremental_output": 1, "campaigns": True, "segments": True,
     "activities": [{"mode": "SINGLE_TABLE", "types": ["stripe_event", "triggered_email"], "delete": True}],
     "messages": [{"types": [], "incremental_output": False}],
     "customers": [{"filters": "", "attributes": ""}]},
]

# Text a `since` field may hold, and what becomes of it:
#   "ok"     the run accepts it (and so does the schema's pattern);
#   "syntax" the pattern refuses it, and so does the run;
#   "date"   the right shape, but not a real or a past moment: the pattern lets it through, the run refuses it.
SINCE_INPUTS = [
    ("", "ok"), ("6 months ago", "ok"), ("12 months ago", "ok"), ("1 month ago", "ok"), ("30 days ago", "ok"),
    ("2 weeks ago", "ok"), ("90 minutes ago", "ok"), ("48 hours ago", "ok"), ("3 years ago", "ok"),
    ("1 year", "ok"), ("7 days", "ok"), ("12months", "ok"), ("  30 days ago  ", "ok"), ("today", "ok"),
    ("now", "ok"), ("2025-01-31", "ok"), ("2025-01-31T08:00", "ok"), ("2025-01-31T08:00:00Z", "ok"),
    ("2025-01-31 08:00:00", "ok"), ("2025-01-31T08:00:00.250+01:00", "ok"), ("2025-01-31T08:00:00+0100", "ok"),
    ("2025-01-31T08:00:00-05", "ok"),
    ("   ", "syntax"), ("last tuesday", "syntax"), ("12 Months ago", "syntax"), ("six months ago", "syntax"),
    ("-3 days", "syntax"), ("3 fortnights ago", "syntax"), ("ago", "syntax"), ("Today", "syntax"),
    ("yesterday", "syntax"), ("2025/01/31", "syntax"), ("31.01.2025", "syntax"), ("2025-1-31", "syntax"),
    ("20250131", "syntax"), ("2025-01-31T8:00", "syntax"), ("2025-01-31t08:00", "syntax"),
    ("2025-01-31T08:00:00z", "syntax"), ("2025-01-31T08:00:00 +01:00", "syntax"), ("12 months ago\n", "syntax"),
    ("\t30 days ago", "syntax"), ("\u0661\u0662 months ago", "syntax"),
    ("2025-02-30", "date"), ("2025-13-01", "date"), ("2025-01-31T24:00", "date"), ("2999-01-01", "date"),
    ("99999 years ago", "date"),
]

# Values for fields whose valid content the schema cannot tell (free text without a default, async pickers).
EXAMPLE_VALUES = {
    "#api_secret": "every-key-test-key",
    "filters": '{"and":[{"segment":{"id":7}},{"attribute":{"field":"plan","operator":"exists"}}]}',
    "attributes": "plan, first_name, Company Name",
    "since": "12 months ago",
    "segment_ids": ["7", "12"],
}


# ---------------------------------------------------------------------------------------------- schema conventions
def options(prop: dict) -> dict:
    return prop.get("options") or {}


def tooltip(prop: dict):
    """Keboola's `options.tooltip`: Markdown shown behind a help icon next to the field."""
    return options(prop).get("tooltip")


def dependencies(prop: dict) -> dict:
    """Keboola's (and JSON Editor's) `options.dependencies`: sibling key -> the value or values showing the field."""
    return options(prop).get("dependencies") or {}


def is_ui_only(prop: dict) -> bool:
    return prop.get("type") in UI_ONLY_TYPES


def is_hidden(prop: dict) -> bool:
    return bool(options(prop).get("hidden"))


def is_group(prop: dict) -> bool:
    """A dataset's settings: a one-item array of objects (the original component's convention)."""
    return prop.get("type") == "array" and (prop.get("items") or {}).get("type") == "object"


def objects(schema: dict):
    """(path, object schema) of the root and of every group's item, e.g. ("root.messages.0", {...})."""
    yield "root", schema
    for key, prop in schema["properties"].items():
        if is_group(prop):
            yield f"root.{key}.0", prop["items"]


def node_at(schema: dict, path: str) -> dict:
    """The schema node of a JSON Editor path such as `root.messages.0.since`."""
    node = schema
    for part in path.split(".")[1:]:
        node = node["items"] if part.isdigit() else node["properties"][part]
    return node


def as_loaded(schema: dict, config: dict) -> dict:
    """The schema as Keboola's form holds it once each async picker's sync action has answered: its empty `enum` lists
    SYNC_ACTION_ANSWERS[action] and the values `config` has there (saved values stay selectable)."""
    schema = copy.deepcopy(schema)
    _fill_async(schema, config)
    return schema


def _fill_async(node: dict, value) -> None:
    for key, prop in (node.get("properties") or {}).items():
        item_value = value.get(key) if isinstance(value, dict) else None
        items = prop.get("items") or {}
        if "async" in options(prop) and items.get("enum") == []:
            action = options(prop)["async"]["action"]
            saved = [v for v in item_value or [] if isinstance(v, str)]
            answer = SYNC_ACTION_ANSWERS.get(action, [])
            items["enum"] = answer + [v for v in saved if v not in answer]
            assert items["enum"], f"add what the sync action {action} answers to config_cases.SYNC_ACTION_ANSWERS"
        elif is_group(prop):
            _fill_async(items, (item_value or [{}])[0] if isinstance(item_value, list) else {})


def without_ui_only(schema: dict) -> dict:
    """The schema without Keboola's UI-only elements (the Test Connection button): what is left is plain draft 7."""
    schema = copy.deepcopy(schema)
    for _, node in objects(schema):
        node["properties"] = {key: prop for key, prop in node["properties"].items() if not is_ui_only(prop)}
    return schema


def other_value(prop: dict, shown_by):
    """A value of `prop` that does not satisfy the dependency value(s) `shown_by`."""
    shown = shown_by if isinstance(shown_by, list) else [shown_by]
    if prop.get("type") == "boolean":
        candidates = [False, True]
    else:
        candidates = list(prop.get("enum") or [])
    for candidate in candidates:
        if candidate not in shown:
            return candidate
    raise AssertionError(f"no value hides the fields that depend on {prop.get('title')}")


# ---------------------------------------------------------------------------------------------- configurations
def every_key_config(schema: dict) -> dict:
    """A configuration setting every key the schema has, each to a value other than its default where there is one,
    with every controlling field set so that its dependent fields show."""
    return _object_value(schema)


def _object_value(node: dict) -> dict:
    properties = node["properties"]
    controls = {}
    for prop in properties.values():
        for key, shown_by in dependencies(prop).items():
            controls[key] = shown_by[0] if isinstance(shown_by, list) else shown_by
    value = {}
    for key, prop in properties.items():
        if is_ui_only(prop):
            continue
        value[key] = controls[key] if key in controls else _value(key, prop)
    return value


def _value(key: str, prop: dict):
    kind = prop.get("type")
    if key in EXAMPLE_VALUES and _fits(EXAMPLE_VALUES[key], kind):
        return copy.deepcopy(EXAMPLE_VALUES[key])
    if is_group(prop):
        return [_object_value(prop["items"])]
    if kind == "array":
        choices = (prop.get("items") or {}).get("enum") or []
        return choices[:min(2, prop.get("maxItems", 2))]
    if kind == "boolean":
        return not prop.get("default", False)
    if prop.get("enum"):
        return next((choice for choice in prop["enum"] if choice != prop.get("default")), prop["enum"][0])
    if kind in ("integer", "number"):
        low, high = prop.get("minimum", 0), prop.get("maximum")
        default = prop.get("default", low)
        return default + 1 if high is None or default + 1 <= high else default - 1
    if kind == "string":
        return prop.get("default", "")
    raise AssertionError(f"no example value for `{key}` ({kind}): add one to EXAMPLE_VALUES")


def _fits(example, kind) -> bool:
    """An example is for the field of that name and type (customers.attributes is text, objects.attributes not)."""
    return {"string": str, "array": list}.get(kind, type(None)) is type(example)


def form_configs(schema: dict) -> dict:
    """The configurations the form is tried with, by name (also the screenshots' names)."""
    configs = {"empty": {}, "sample": sample_parameters()}
    for number, config in enumerate(ORIGINAL_CONFIGS, 1):
        configs[f"original-{number}"] = copy.deepcopy(config)
    configs["every-key"] = every_key_config(schema)
    return configs
