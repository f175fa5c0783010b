"""component_config/configSchema.json: valid, complete, backward compatible, and wired to the sync actions."""
import copy
import json
import os
import re
import subprocess
import sys

import jsonschema
import pytest

from config_cases import (ORIGINAL_CONFIGS, ROOT, SINCE_INPUTS, as_loaded, dependencies, every_key_config, is_group,
                          is_hidden, is_ui_only, load_schema, must_be_required, objects, sample_parameters)
from configuration import (GROUP_KEYS, KEY_LOCATION, KNOWN_KEYS, SINCE_PATTERN,
                           ConfigError, parse_settings)
from customerio.catalog import (ACTIVITY_TYPES, LEGACY_ACTIVITY_TYPES, MESSAGE_TYPES, RETIRED_MESSAGE_TYPES,
                                is_activity_type, type_title)

SCHEMA = load_schema()
ORIGINAL = json.load(open(os.path.join(ROOT, "tests", "fixtures", "original-configSchema.json")))
COMPONENT_SOURCE = open(os.path.join(ROOT, "src", "component.py")).read()
BUILD_SCRIPT = os.path.join(ROOT, "scripts", "build_schema.py")


def validating_schema(schema):
    """The schema as a draft-7 validator sees it: UI-only buttons and JSON Editor's per-property
    `"required": true` (a draft-3 form that draft 7 does not allow) removed."""
    schema = copy.deepcopy(schema)
    schema["properties"] = {k: v for k, v in schema["properties"].items() if not is_ui_only(v)}
    for _, node in walk(schema):
        if isinstance(node.get("required"), bool):
            del node["required"]
    return schema


def walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}/{i}")


def schema_texts(schema):
    """(where, text) of every title, description and enum title a user reads in the form."""
    for path, node in walk(schema):
        for key in ("title", "description"):
            if isinstance(node.get(key), str):
                yield f"{path}/{key}", node[key]
        for i, title in enumerate((node.get("options") or {}).get("enum_titles") or []):
            yield f"{path}/options/enum_titles/{i}", title


def group_items(schema):
    return {key: prop["items"] for key, prop in schema["properties"].items() if is_group(prop)}


def since_fields(schema):
    """(group, property) of every `since` text field."""
    return [(group, item["properties"]["since"]) for group, item in group_items(schema).items()
            if "since" in item["properties"]]


def test_schema_is_valid_json_schema():
    jsonschema.Draft7Validator.check_schema(validating_schema(SCHEMA))


@pytest.mark.parametrize("config", ORIGINAL_CONFIGS)
def test_original_configs_stay_valid_and_parse(config):
    jsonschema.validate(config, ORIGINAL)          # they really are original configs
    jsonschema.validate(config, validating_schema(SCHEMA))
    parse_settings(config)


def test_sample_config_validates_and_parses():
    jsonschema.validate(sample_parameters(), validating_schema(SCHEMA))
    parse_settings(sample_parameters())


def test_every_key_config_sets_every_key_of_the_code_and_is_valid():
    config = every_key_config(SCHEMA)
    assert KNOWN_KEYS <= set(config)
    for group, keys in GROUP_KEYS.items():
        assert keys <= set(config[group][0]), group
    loaded = as_loaded(SCHEMA, config)
    jsonschema.validate(config, {**validating_schema(loaded), "additionalProperties": False})
    assert not parse_settings(config).warnings


def test_every_option_in_the_code_is_in_the_schema():
    properties = SCHEMA["properties"]
    assert KNOWN_KEYS <= set(properties)
    for group, keys in GROUP_KEYS.items():
        assert keys == set(properties[group]["items"]["properties"]), group
    groups = {key for key, prop in properties.items() if prop.get("type") == "array" and prop.get("maxItems") == 1}
    assert groups == set(GROUP_KEYS)


def test_every_schema_option_has_a_title_and_description():
    for path, node in walk(SCHEMA):
        if path.count("/properties/") and "type" in node and not is_ui_only(node):
            if re.search(r"/properties/[^/]+$", path):
                assert node.get("title"), path
                assert node.get("description"), path


def test_committed_schema_is_the_build_scripts_output():
    result = subprocess.run([sys.executable, BUILD_SCRIPT, "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path, node", list(objects(SCHEMA)), ids=[path for path, _ in objects(SCHEMA)])
def test_every_always_shown_field_is_required_so_json_editor_keeps_it(path, node):
    for key, prop in node["properties"].items():
        if must_be_required(prop):
            assert prop.get("required") is True, f"{path}.{key} needs \"required\": true"
        else:
            assert "required" not in prop, f"{path}.{key}: a dependent, hidden or button field must not be required"


def test_dependencies_point_at_sibling_fields_with_matching_values():
    for path, node in objects(SCHEMA):
        for key, prop in node["properties"].items():
            for control, shown_by in dependencies(prop).items():
                assert control in node["properties"], f"{path}.{key} depends on a missing {control}"
                controller = node["properties"][control]
                for value in shown_by if isinstance(shown_by, list) else [shown_by]:
                    assert value in (controller.get("enum") or [True, False]), f"{path}.{key}: {value!r}"


def test_type_pickers_offer_the_catalogue_with_its_titles():
    groups = group_items(SCHEMA)
    for group, values in (("messages", MESSAGE_TYPES + RETIRED_MESSAGE_TYPES),
                          ("activities", ACTIVITY_TYPES + LEGACY_ACTIVITY_TYPES)):
        items = groups[group]["properties"]["types"]["items"]
        assert items["enum"] == list(values)
        assert items["options"]["enum_titles"] == [type_title(v) for v in values]
    # Messages: the catalogue is the whole list. Activities: Load adds the workspace's object and relationship types.
    assert "async" not in (groups["messages"]["properties"]["types"].get("options") or {})
    activity_options = groups["activities"]["properties"]["types"]["options"]
    assert activity_options["async"] == {"label": "Load activity types", "action": "list_activity_types"}
    assert activity_options["creatable"] is True
    message_titles = dict(zip(groups["messages"]["properties"]["types"]["items"]["enum"],
                              groups["messages"]["properties"]["types"]["items"]["options"]["enum_titles"]))
    assert "retired" in message_titles["urban_airship"]
    assert message_titles["whatsapp"] == "WhatsApp" and message_titles["twilio"] == "SMS (Twilio)"


def test_no_type_title_is_a_raw_code_or_misspells_whatsapp():
    for path, text in schema_texts(SCHEMA):
        assert not re.search(r"whatsapp|Whatsapp|whatasapp", text), (path, text)
    titles = SCHEMA["properties"]["activities"]["items"]["properties"]["types"]["items"]["options"]["enum_titles"]
    assert not [title for title in titles if "_" in title]


def test_activity_types_accept_typed_object_types_and_say_how():
    types = SCHEMA["properties"]["activities"]["items"]["properties"]["types"]
    assert types["options"]["creatable"] is True
    examples = re.findall(r"_[or]:[0-9]+:[a-z_]+", types["description"])
    assert len(examples) >= 2 and all(is_activity_type(example) for example in examples)
    assert not any(example in types["items"]["enum"] for example in examples)


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


# ---------------------------------------------------------------------------------------------- what the user reads
def test_no_markup_or_placeholders_in_form_text():
    """JSON Editor strips anything that opens like an HTML tag and shows Markdown as typed (a lone > is plain text)."""
    for path, text in schema_texts(SCHEMA):
        assert not re.search(r"<|`|\*\*|\]\(", text), (path, text)


@pytest.mark.parametrize("jargon", ["upsert", "ceil(", "add one item"])
def test_form_text_uses_plain_words(jargon):
    for path, text in schema_texts(SCHEMA):
        assert jargon not in text.lower(), (path, text)


def test_one_wording_for_where_the_key_lives():
    assert KEY_LOCATION in SCHEMA["properties"]["#api_secret"]["description"]
    documents = {name: open(os.path.join(ROOT, name), encoding="utf-8").read()
                 for name in ("README.md", "component_config/configuration_description.md",
                              "component_config/configSchema.json", "src/configuration/settings.py", "src/component.py",
                              "src/customerio/errors.py")}
    for name in ("README.md", "component_config/configuration_description.md"):
        assert KEY_LOCATION in documents[name], name
    for name, text in documents.items():
        assert "API Credentials" not in text.replace(KEY_LOCATION, ""), name


def test_continue_since_last_run_warns_about_full_load_on_every_checkbox():
    checkboxes = [prop for _, node in objects(SCHEMA) for key, prop in node["properties"].items()
                  if key == "incremental_output" and prop.get("type") == "boolean"]
    assert len(checkboxes) >= 2
    for prop in checkboxes:
        assert "Full Load" in prop["description"] and "only the" in prop["description"]


def test_field_order_follows_the_settings_they_belong_to():
    def order(group):
        fields = group_items(SCHEMA)[group]["properties"]
        return [key for key in sorted(fields, key=lambda k: fields[k]["propertyOrder"]) if not is_hidden(fields[key])]
    for group, item in group_items(SCHEMA).items():
        fields = order(group)
        if "since" in fields and "incremental_output" in fields:
            assert fields.index("since") < fields.index("incremental_output"), group
    customers = order("customers")
    assert customers.index("export_timeout_minutes") == customers.index("method") + 1


def test_the_legacy_deleted_key_is_hidden():
    deleted = group_items(SCHEMA)["activities"]["properties"]["deleted"]
    assert deleted["options"]["hidden"] is True and deleted["type"] == "boolean"


def test_an_empty_api_key_does_not_pass_the_form():
    key = SCHEMA["properties"]["#api_secret"]
    assert key["minLength"] >= 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"#api_secret": ""}, validating_schema(SCHEMA))


# ---------------------------------------------------------------------------------------------- `since`
def test_every_since_field_carries_the_parsers_pattern_and_lists_the_forms():
    fields = since_fields(SCHEMA)
    assert fields
    for group, prop in fields:
        assert prop["pattern"] == SINCE_PATTERN, group
        for form in ("2025-01-31", "2025-01-31T08:00:00Z", "12 months ago", "today", "now"):
            assert form in prop["description"], (group, form)


@pytest.mark.parametrize("text, verdict", SINCE_INPUTS, ids=[repr(text) for text, _ in SINCE_INPUTS])
def test_since_pattern_and_parser_agree(text, verdict):
    for group, prop in since_fields(SCHEMA):
        # The pattern is anchored; fullmatch keeps Python from accepting a trailing newline, as JavaScript would not.
        assert (re.fullmatch(prop["pattern"], text) is not None) == (verdict != "syntax"), (group, text)
        try:
            parse_settings({"#api_secret": "k", group: [{"since": text}]})
            accepted = True
        except ConfigError as error:
            accepted = False
            assert "since" in str(error)
        assert accepted == (verdict == "ok"), (group, text)
