"""What stock RJSF (@rjsf/core with @rjsf/validator-ajv8) makes of the schema, stated rather than glossed over.

Keboola's UI wraps RJSF and adds its own elements: the Test Connection button (`type: button`), async pickers
filled by a sync action (`options.async` with `enum: []`), options.dependencies, options.hidden, enum_titles,
propertyOrder, tooltips and documentation links. Stock RJSF knows none of them; this module says what it does
instead, so that a passing RJSF test is not mistaken for Keboola's exact behaviour:

- given the schema as committed, RJSF's validator refuses it for Keboola's elements and nothing else: the button's
  type and the async pickers' empty enums (draft 7 allows an empty enum, ajv's meta-schema does not);
- it shows every field, dependants and the hidden legacy key included, and the values of a picker, not its titles;
- it fills in the schema's default for every key a configuration lacks (so nothing it draws is missing);
- its only console warnings are for Keboola's formats it does not know (checkbox, select, textarea).
"""
import re

import pytest

from config_cases import dependencies, is_hidden, objects, options
from form_plan import CONFIGS, NAMES, RAW_SCHEMA, SCHEMA, observation, toggles, value_at

pytestmark = pytest.mark.xdist_group("browser")
#: Formats Keboola documents for its form that ajv does not know.
KEBOOLA_FORMATS = {"checkbox", "select", "textarea"}


def keboola_elements():
    """JSON pointers (ajv's `data/...` form) of what only Keboola's wrapper understands."""
    found = []
    for path, node in objects(SCHEMA):
        pointer = "data" if path == "root" else f"data/properties/{path.split('.')[1]}/items"
        for key, prop in node["properties"].items():
            if prop.get("type") == "button":
                found.append(f"{pointer}/properties/{key}/type")
            if "async" in options(prop) and prop["items"].get("enum") == []:
                found.append(f"{pointer}/properties/{key}/items/enum")
    return found


def test_stock_rjsf_refuses_the_committed_schema_only_for_keboolas_own_elements(runs):
    errors = observation(runs[RAW_SCHEMA], "loaded")["errors"]
    assert len(errors) == 1 and errors[0]["message"].startswith("schema is invalid: ")
    complaints = errors[0]["message"][len("schema is invalid: "):].split(", ")
    elements = keboola_elements()
    assert "data/properties/test_connection/type" in elements
    for complaint in complaints:
        where = complaint.split(" ")[0]
        assert any(element.startswith(where) for element in elements), complaint
    for element in elements:  # and each of them is refused
        assert any(complaint.startswith(element + " ") for complaint in complaints), element


@pytest.mark.parametrize("name", NAMES)
def test_stock_rjsf_fills_every_default_the_configuration_lacks(runs, name):
    value = observation(runs["rjsf", name], "loaded")["value"]
    for path, node in objects(SCHEMA):
        config, held = value_at(CONFIGS[name], path), value_at(value, path)
        if config is None:
            continue
        for key, prop in node["properties"].items():
            if "default" in prop:
                assert held.get(key) == config.get(key, prop["default"]), f"{path}.{key}"


@pytest.mark.parametrize("name", [name for name in NAMES if toggles(CONFIGS[name])])
def test_stock_rjsf_ignores_options_dependencies(runs, name):
    """Both states of every controlling field show the dependent field: hiding it is Keboola's wrapper's doing."""
    run = runs["rjsf", name]
    for path, key, control, show, hide, _ in toggles(CONFIGS[name]):
        field = f"{path}.{key}"
        assert dependencies(objects_node(path)["properties"][key])
        assert observation(run, f"show {field}")["editors"][field]["visible"]
        assert observation(run, f"hide {field}")["editors"][field]["visible"]


def test_stock_rjsf_ignores_options_hidden(runs):
    editors = observation(runs["rjsf", "every-key"], "loaded")["editors"]
    hidden = [f"{path}.{key}" for path, node in objects(SCHEMA) for key, prop in node["properties"].items()
              if is_hidden(prop)]
    assert hidden and all(editors[field]["visible"] for field in hidden)


@pytest.mark.parametrize("name", NAMES)
def test_stock_rjsf_warns_only_about_keboolas_formats(runs, name):
    warnings = runs["rjsf", name]["page_warnings"]
    assert warnings
    for warning in warnings:
        found = re.match(r'unknown format "([^"]+)" ignored in schema', warning)
        assert found and found.group(1) in KEBOOLA_FORMATS, warning


def objects_node(path):
    return dict(objects(SCHEMA))[path]
