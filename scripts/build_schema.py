"""Writes the parts of component_config/configSchema.json that are facts of the code or of the form conventions.

Generated here (edit everything else by hand):
- the message and activity type pickers and the metric entities: values and titles from src/customerio/;
- the `pattern` of every `since` text field: configuration.SINCE_PATTERN, the same expression the run applies;
- JSON Editor's `options.show_opt_in` on the root and on every dataset's settings object. JSON Editor (Keboola's
  renderer until March 2026) drops a property that the loaded configuration lacks unless it is required; with
  show_opt_in it keeps it on screen, unticked, and the run uses its default. Draft 7 has no per-property
  `"required": true`, and an object's `required` list would make every key mandatory for validation (RJSF, the
  Keboola CLI and its AI tools), so neither is used to keep fields visible; such flags are removed here;
- every `properties` map in `propertyOrder` order: RJSF draws properties in key order, Keboola's wrapper and JSON
  Editor by `propertyOrder`, so both orders are the same.

By hand: `title`; `description`, one plain sentence (no Markdown, no `<`, at most 160 characters); longer help in
`options.tooltip` (Markdown); `options.documentation` ({link, tooltip}) to a checked docs.customer.io page; `default`
equal to the run's default; `required` only for what the run cannot do without (today `#api_secret`).

Run `.venv/bin/python scripts/build_schema.py` after editing; a test fails while the committed schema differs from
this script's output. `--check` only says whether it would change anything.
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
    for node in settings_objects(schema):
        node.setdefault("options", {})["show_opt_in"] = True
        node["properties"] = dict(sorted(node["properties"].items(), key=lambda kv: kv[1].get("propertyOrder", 0)))
        for key, prop in node["properties"].items():
            if isinstance(prop.get("required"), bool):
                del prop["required"]
            if key == "since" and prop.get("type") == "string":
                prop["pattern"] = SINCE_PATTERN
    return schema


def settings_objects(schema: dict):
    """The root and the settings object of every dataset group (a one-item array of objects)."""
    yield schema
    for prop in schema["properties"].values():
        items = prop.get("items") or {}
        if prop.get("type") == "array" and items.get("type") == "object":
            yield items


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
