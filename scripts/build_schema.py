"""Writes the parts of component_config/configSchema.json that are facts of the code rather than prose.

- the message and activity type pickers: values and titles from src/customerio/catalog.py;
- the `pattern` of every `since` text field: configuration.SINCE_PATTERN, the same expression the run applies;
- JSON Editor's per-property `"required": true` on every field that holds a value and is always shown: JSON Editor
  drops any other property missing from the loaded configuration, and Keboola's form gives no way to add it back.

Edit titles, descriptions and order by hand, then run `.venv/bin/python scripts/build_schema.py`; a test fails
while the committed schema differs from this script's output. `--check` only says whether it would change anything.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))

from configuration import SINCE_PATTERN  # noqa: E402
from customerio.catalog import ACTIVITY_TYPES, LEGACY_ACTIVITY_TYPES, MESSAGE_TYPES  # noqa: E402
from customerio.catalog import RETIRED_MESSAGE_TYPES, type_title  # noqa: E402
from customerio.metrics import FAMILIES, RESOLUTIONS  # noqa: E402

SCHEMA_PATH = os.path.join(ROOT, "component_config", "configSchema.json")
#: (group, field) -> the values its picker offers, in this order.
TYPE_PICKERS = {
    ("messages", "types"): MESSAGE_TYPES + RETIRED_MESSAGE_TYPES,
    ("activities", "types"): ACTIVITY_TYPES + LEGACY_ACTIVITY_TYPES,
}
UI_ONLY_TYPES = {"button"}


#: (group, field) -> (value, title) pairs of other pickers that are facts of the code.
CHOICES = {
    ("metrics", "entities"): [(family.key, family.title) for family in FAMILIES],
}


def build(schema: dict) -> dict:
    for (group, field), values in TYPE_PICKERS.items():
        items = schema["properties"][group]["items"]["properties"][field]["items"]
        items["enum"] = list(values)
        items.setdefault("options", {})["enum_titles"] = [type_title(value) for value in values]
    for (group, field), pairs in CHOICES.items():
        items = schema["properties"][group]["items"]["properties"][field]["items"]
        items["enum"] = [value for value, _ in pairs]
        items.setdefault("options", {})["enum_titles"] = [title for _, title in pairs]
    resolution = schema["properties"]["metrics"]["items"]["properties"]["resolution"]
    resolution["enum"] = list(RESOLUTIONS)
    for properties in _property_maps(schema):
        for key, prop in properties.items():
            if key == "since" and prop.get("type") == "string":
                prop["pattern"] = SINCE_PATTERN
            options = prop.get("options") or {}
            if options.get("dependencies") or options.get("hidden") or prop.get("type") in UI_ONLY_TYPES:
                prop.pop("required", None)
            else:
                prop["required"] = True
    return schema


def _property_maps(schema: dict):
    """The root's properties and those of every dataset group (a one-item array of settings objects)."""
    yield schema["properties"]
    for prop in schema["properties"].values():
        items = prop.get("items") or {}
        if prop.get("type") == "array" and items.get("type") == "object":
            yield items["properties"]


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv) -> int:
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        current = handle.read()
    built = render(build(json.loads(current)))
    if built == current:
        print("configSchema.json is up to date.")
        return 0
    if "--check" in argv:
        print("configSchema.json differs from scripts/build_schema.py's output: run the script.")
        return 1
    with open(SCHEMA_PATH, "w", encoding="utf-8") as handle:
        handle.write(built)
    print("configSchema.json rewritten.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
