"""component_config/configSchema.json: valid, complete, backward compatible, and wired to the sync actions."""
import copy
import json
import os
import re

import jsonschema
import pytest

from configuration import (ACTIVITIES_KEYS, CUSTOMERS_KEYS, KNOWN_KEYS, MESSAGES_KEYS, parse_settings)
from customerio.catalog import ACTIVITY_TYPES, LEGACY_ACTIVITY_TYPES, MESSAGE_TYPES, RETIRED_MESSAGE_TYPES

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SCHEMA = json.load(open(os.path.join(ROOT, "component_config", "configSchema.json")))
ORIGINAL = json.load(open(os.path.join(ROOT, "tests", "fixtures", "original-configSchema.json")))
SAMPLE = json.load(open(os.path.join(ROOT, "component_config", "sample-config", "config.json")))
COMPONENT_SOURCE = open(os.path.join(ROOT, "src", "component.py")).read()
UI_ONLY_TYPES = {"button"}  # Keboola's UI renders {"type": "button"}; plain JSON Schema has no such type


def validating_schema(schema):
    """The schema as a validator sees it: UI-only button properties removed."""
    schema = copy.deepcopy(schema)
    schema["properties"] = {k: v for k, v in schema["properties"].items() if v.get("type") not in UI_ONLY_TYPES}
    return schema


def walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}/{i}")


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


def test_schema_is_valid_json_schema():
    jsonschema.Draft7Validator.check_schema(validating_schema(SCHEMA))


@pytest.mark.parametrize("config", ORIGINAL_CONFIGS)
def test_original_configs_stay_valid_and_parse(config):
    jsonschema.validate(config, ORIGINAL)          # they really are original configs
    jsonschema.validate(config, validating_schema(SCHEMA))
    parse_settings(config)


def test_sample_config_validates_and_parses():
    jsonschema.validate(SAMPLE["parameters"], validating_schema(SCHEMA))
    parse_settings(SAMPLE["parameters"])


def test_every_option_in_the_code_is_in_the_schema():
    properties = SCHEMA["properties"]
    assert KNOWN_KEYS <= set(properties)
    assert MESSAGES_KEYS == set(properties["messages"]["items"]["properties"])
    assert CUSTOMERS_KEYS == set(properties["customers"]["items"]["properties"])
    assert ACTIVITIES_KEYS - {"deleted"} == set(properties["activities"]["items"]["properties"])


def test_every_schema_option_has_a_title_and_description():
    for path, node in walk(SCHEMA):
        if path.count("/properties/") and "type" in node and node.get("type") not in UI_ONLY_TYPES:
            if re.search(r"/properties/[^/]+$", path):
                assert node.get("title"), path
                assert node.get("description"), path


def test_type_enums_match_the_catalog():
    items = SCHEMA["properties"]
    activity_enum = items["activities"]["items"]["properties"]["types"]["items"]["enum"]
    message_enum = items["messages"]["items"]["properties"]["types"]["items"]["enum"]
    assert set(activity_enum) == set(ACTIVITY_TYPES + LEGACY_ACTIVITY_TYPES)
    assert set(message_enum) == set(MESSAGE_TYPES + RETIRED_MESSAGE_TYPES)


def test_async_actions_and_sync_actions_match_both_ways():
    in_schema = {node["options"]["async"]["action"] for _, node in walk(SCHEMA)
                 if isinstance(node.get("options"), dict) and "async" in node["options"]}
    if any(node.get("format") == "test-connection" for _, node in walk(SCHEMA)):
        in_schema.add("testConnection")
    in_code = set(re.findall(r'@sync_action\("([^"]+)"\)', COMPONENT_SOURCE))
    assert in_schema == in_code


def test_mode_specific_options_only_show_when_relevant():
    properties = SCHEMA["properties"]
    assert properties["segment_members"]["options"]["dependencies"] == {"segments": True}
    customers = properties["customers"]["items"]["properties"]
    assert customers["export_timeout_minutes"]["options"]["dependencies"] == {"method": "export"}
    assert properties["messages"]["items"]["properties"]["lookback_days"]["options"]["dependencies"] == \
        {"incremental_output": True}
