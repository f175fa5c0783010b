"""component_config/configSchema.json: valid draft 7, complete, backward compatible, wired to the sync actions, and
following the form conventions of README "The configuration form" (one-sentence descriptions, Markdown tooltips,
checked documentation links, fields JSON Editor keeps on screen without making them mandatory)."""
import copy
import json
import os
import re
import subprocess
import sys

import jsonschema
import pytest

from config_cases import (ORIGINAL_CONFIGS, ROOT, SINCE_INPUTS, as_loaded, dependencies, every_key_config, is_group,
                          is_hidden, is_ui_only, load_schema, objects, options, sample_parameters, tooltip,
                          without_ui_only)
from configuration import (GROUP_KEYS, KEY_LOCATION, KNOWN_KEYS, SINCE_PATTERN,
                           ConfigError, parse_settings)
from customerio.catalog import (ACTIVITY_TYPES, LEGACY_ACTIVITY_TYPES, MESSAGE_TYPES, RETIRED_MESSAGE_TYPES,
                                is_activity_type, type_title)

SCHEMA = load_schema()
ORIGINAL = json.load(open(os.path.join(ROOT, "tests", "fixtures", "original-configSchema.json")))
COMPONENT_SOURCE = open(os.path.join(ROOT, "src", "component.py")).read()
BUILD_SCRIPT = os.path.join(ROOT, "scripts", "build_schema.py")

#: The only parts of the schema that are not draft 7: Keboola's own documented UI elements, by JSON pointer.
DRAFT7_EXCEPTIONS = {
    "/properties/test_connection": 'the Test Connection button, {"type": "button", "format": "test-connection"}: '
                                   "Keboola's UI draws it and it holds no value",
}
#: Keywords outside draft 7 the schema may use: Keboola's field order, and the renderers' options.
UI_KEYWORDS = {"propertyOrder": {"type": "integer"}, "options": {"$ref": "#/definitions/uiOptions"}}
#: `options` keys Keboola documents (connection-docs configuration-schema, examples, sync-action-examples), plus JSON
#: Editor's show_opt_in (see scripts/build_schema.py).
UI_OPTIONS = {
    "async": {"type": "object", "required": ["label", "action"]},
    "dependencies": {"type": "object", "minProperties": 1},
    "documentation": {"type": "object", "required": ["link", "tooltip"], "additionalProperties": False,
                      "properties": {"link": {"type": "string"}, "tooltip": {"type": "string"}}},
    "tooltip": {"type": "string", "minLength": 1},
    "enum_titles": {"type": "array", "items": {"type": "string"}},
    "hidden": {"type": "boolean"}, "creatable": {"type": "boolean"}, "tags": {"type": "boolean"},
    "input_height": {"type": "string"}, "show_opt_in": {"type": "boolean"},
    "collapsed": {}, "disable_collapse": {}, "enabled": {}, "grid_columns": {}, "grid_break": {}, "editor": {},
    "encryption_hint": {}, "inputAttributes": {}, "only_keys": {}, "disable_array_add": {},
    "disable_array_delete": {}, "disable_array_reorder": {},
}
#: docs.customer.io pages checked to exist (search of the stored docs, 2026-12); add a page here only once checked.
CHECKED_DOCS = {
    "https://docs.customer.io/accounts-and-workspaces/managing-credentials",
    "https://docs.customer.io/accounts-and-workspaces/data-centers/",
    "https://docs.customer.io/integrations/api/app/",
    "https://docs.customer.io/journeys/campaigns-in-customerio",
    "https://docs.customer.io/journeys/data-driven-segments",
    "https://docs.customer.io/journeys/newsletters",
    "https://docs.customer.io/journeys/api-triggered-broadcasts",
    "https://docs.customer.io/journeys/transactional-api/",
    "https://docs.customer.io/journeys/sms-keyword-opt-out",
    "https://docs.customer.io/journeys/message-statuses",
    "https://docs.customer.io/journeys/identifying-people",
    "https://docs.customer.io/journeys/filtering-logs/",
    "https://docs.customer.io/journeys/objects-create",
}


def strict_meta_schema():
    """Draft 7's meta-schema, closed: a keyword draft 7 does not define fails unless UI_KEYWORDS lists it."""
    meta = copy.deepcopy(jsonschema.Draft7Validator.META_SCHEMA)
    meta["properties"].update(UI_KEYWORDS)
    meta["additionalProperties"] = False
    meta["definitions"]["uiOptions"] = {"type": "object", "properties": UI_OPTIONS, "additionalProperties": False}
    return meta


def without_exceptions(schema):
    schema = copy.deepcopy(schema)
    for pointer in DRAFT7_EXCEPTIONS:
        *parents, last = pointer.strip("/").split("/")
        node = schema
        for part in parents:
            node = node[part]
        del node[last]
    return schema


def validator():
    """A draft-7 validator of configurations against the schema (format checks on)."""
    return jsonschema.Draft7Validator(without_exceptions(SCHEMA), format_checker=jsonschema.FormatChecker())


def walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}/{i}")


def fields(schema):
    """(JSON pointer, property schema) of every field of the root and of every dataset's settings."""
    for path, node in objects(schema):
        pointer = "" if path == "root" else f"/properties/{path.split('.')[1]}/items"
        for key, prop in node["properties"].items():
            yield f"{pointer}/properties/{key}", prop


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


def parses(config):
    try:
        parse_settings(copy.deepcopy(config))
        return True
    except ConfigError:
        return False


# ---------------------------------------------------------------------------------------------- draft 7
def test_schema_is_strict_draft_7_but_for_the_listed_keboola_elements():
    jsonschema.Draft7Validator(strict_meta_schema()).validate(without_exceptions(SCHEMA))


def test_the_exceptions_are_exactly_keboolas_ui_only_elements():
    ui_only = {pointer for pointer, prop in fields(SCHEMA) if is_ui_only(prop)}
    assert ui_only == set(DRAFT7_EXCEPTIONS)
    assert without_exceptions(SCHEMA) == without_ui_only(SCHEMA)
    with pytest.raises(jsonschema.SchemaError):  # they really are what draft 7 refuses
        jsonschema.Draft7Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("mistake", [
    {"required": True}, {"propertyOrdre": 3}, {"enum_titles": ["A"]}, {"options": {"tooltips": "x"}},
    {"options": {"documentation": {"url": "https://docs.customer.io/"}}},
], ids=["draft-3 required", "typo", "enum_titles outside options", "unknown option", "documentation without link"])
def test_the_strict_check_catches_what_draft_7_lets_through(mistake):
    schema = without_exceptions(SCHEMA)
    schema["properties"]["campaigns"].update(mistake)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(strict_meta_schema()).validate(schema)


def test_no_draft_3_required_flags_anywhere():
    assert not [path for path, node in walk(SCHEMA) if isinstance(node.get("required"), bool)]


def test_committed_schema_is_the_build_scripts_output():
    result = subprocess.run([sys.executable, BUILD_SCRIPT, "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------------------------------------- what is mandatory
def test_required_lists_exactly_what_the_run_cannot_do_without():
    """A draft-7 `required` makes a key mandatory for every validator (RJSF, Keboola's CLI and AI tools): only keys
    whose absence the run refuses belong there."""
    config = every_key_config(SCHEMA)
    for path, node in objects(SCHEMA):
        group = None if path == "root" else path.split(".")[1]
        for key, prop in node["properties"].items():
            if is_ui_only(prop):
                continue
            lacking = copy.deepcopy(config)
            del (lacking if group is None else lacking[group][0])[key]
            assert (key in node.get("required", [])) == (not parses(lacking)), f"{path}.{key}"


def test_a_configuration_with_only_the_key_is_valid():
    validator().validate({"#api_secret": "k"})
    assert parses({"#api_secret": "k"})


def test_every_settings_object_keeps_fields_a_configuration_lacks_in_json_editor():
    for path, node in objects(SCHEMA):
        assert options(node).get("show_opt_in") is True, path


def test_properties_are_in_property_order_so_every_renderer_draws_the_same_order():
    for path, node in objects(SCHEMA):
        orders = [prop.get("propertyOrder") for prop in node["properties"].values()]
        assert all(isinstance(order, int) for order in orders), path
        assert orders == sorted(orders) and len(set(orders)) == len(orders), path


def test_defaults_are_valid_values():
    for pointer, prop in fields(SCHEMA):
        if "default" in prop:
            jsonschema.Draft7Validator(prop).validate(prop["default"])


@pytest.mark.parametrize("config", ORIGINAL_CONFIGS)
def test_original_configs_stay_valid_and_parse(config):
    jsonschema.validate(config, ORIGINAL)          # they really are original configs
    validator().validate(config)
    parse_settings(config)


def test_sample_config_validates_and_parses():
    validator().validate(sample_parameters())
    parse_settings(sample_parameters())


def test_every_key_config_sets_every_key_of_the_code_and_is_valid():
    config = every_key_config(SCHEMA)
    assert KNOWN_KEYS <= set(config)
    for group, keys in GROUP_KEYS.items():
        assert keys <= set(config[group][0]), group
    loaded = without_exceptions(as_loaded(SCHEMA, config))
    jsonschema.validate(config, {**loaded, "additionalProperties": False})
    assert not parse_settings(config).warnings


def test_every_option_in_the_code_is_in_the_schema():
    properties = SCHEMA["properties"]
    assert KNOWN_KEYS <= set(properties)
    for group, keys in GROUP_KEYS.items():
        assert keys == set(properties[group]["items"]["properties"]), group
    groups = {key for key, prop in properties.items() if prop.get("type") == "array" and prop.get("maxItems") == 1}
    assert groups == set(GROUP_KEYS)


def test_every_field_has_a_title_and_a_one_sentence_description():
    """Keboola's form shows the description under the field: one plain sentence; the rest goes to the tooltip."""
    for pointer, prop in fields(SCHEMA):
        if is_ui_only(prop):
            continue
        assert prop.get("title"), pointer
        description = prop.get("description") or ""
        assert description.endswith(".") and len(description) <= 160, (pointer, description)
        assert not re.search(r"[.!?]\s", description) and "\n" not in description, (pointer, description)


def test_tooltips_are_markdown_without_html():
    """Keboola renders options.tooltip as Markdown; raw HTML (or a <placeholder>) would be dropped or injected."""
    tips = [(pointer, tooltip(prop)) for pointer, prop in fields(SCHEMA) if tooltip(prop)]
    assert len(tips) >= 30
    for pointer, tip in tips:
        assert "<" not in tip and not tip.startswith(" ") and not tip.endswith((" ", "\n")), pointer


def test_documentation_links_are_checked_customerio_pages():
    links = {pointer: options(prop)["documentation"] for pointer, prop in fields(SCHEMA)
             if "documentation" in options(prop)}
    for pointer, documentation in links.items():
        assert documentation["link"] in CHECKED_DOCS, (pointer, documentation["link"])
        assert documentation["tooltip"].startswith("Customer.io: "), pointer
    groups = {f"/properties/{key}" for key, prop in SCHEMA["properties"].items() if is_group(prop)}
    assert groups <= set(links), "every dataset group links Customer.io's documentation"
    assert "/properties/#api_secret" in links


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
    examples = re.findall(r"_[or]:[0-9]+:[a-z_]+", tooltip(types))
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
        assert "Full Load" in prop["description"] and "only" in prop["description"]


def test_field_order_follows_the_settings_they_belong_to():
    def order(group):
        props = group_items(SCHEMA)[group]["properties"]
        return [key for key in sorted(props, key=lambda k: props[k]["propertyOrder"]) if not is_hidden(props[key])]
    for group, item in group_items(SCHEMA).items():
        keys = order(group)
        if "since" in keys and "incremental_output" in keys:
            assert keys.index("since") < keys.index("incremental_output"), group
    customers = order("customers")
    assert customers.index("export_timeout_minutes") == customers.index("method") + 1


def test_the_legacy_deleted_key_is_hidden():
    deleted = group_items(SCHEMA)["activities"]["properties"]["deleted"]
    assert deleted["options"]["hidden"] is True and deleted["type"] == "boolean"


def test_an_empty_api_key_does_not_pass_the_form():
    key = SCHEMA["properties"]["#api_secret"]
    assert key["minLength"] >= 1
    with pytest.raises(jsonschema.ValidationError):
        validator().validate({"#api_secret": ""})


# ---------------------------------------------------------------------------------------------- `since`
def test_every_since_field_carries_the_parsers_pattern_and_lists_the_forms():
    found = since_fields(SCHEMA)
    assert found
    for group, prop in found:
        assert prop["pattern"] == SINCE_PATTERN, group
        assert "12 months ago" in prop["description"] and "2025-01-31" in prop["description"], group
        for form in ("`2025-01-31`", "`2025-01-31T08:00:00Z`", "`12 months ago`", "`today`", "`now`"):
            assert form in tooltip(prop), (group, form)


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
