"""What the schema relies on in JSON Editor 2.17.2, the renderer Keboola used before RJSF.

- JSON Editor drops a property the loaded configuration lacks unless it is required; a draft-7 `required` list
  would make it mandatory for every validator, so the schema sets `options.show_opt_in` instead: the field stays on
  screen with its opt-in box unticked and its default greyed, the value leaves it out (the run uses the same
  default), and a user ticks the box to change it. Proven both ways: with show_opt_in and, on the same
  configuration, without it.
- options.dependencies (JSON Editor's, and Keboola's wrapper's): each controlling field shows and hides its
  dependants. Stock RJSF ignores it (test_form_rjsf.py).
"""
import pytest

from config_cases import dependencies, is_hidden, is_ui_only, objects
from form_plan import CONFIGS, NAMES, SCHEMA, WITHOUT_OPT_IN, observation, toggles, value_at

pytestmark = pytest.mark.xdist_group("browser")
TOGGLES = [(name, plan) for name in NAMES for plan in toggles(CONFIGS[name])]


@pytest.mark.parametrize("name, plan", TOGGLES, ids=[f"{name}-{plan[0]}.{plan[1]}" for name, plan in TOGGLES])
def test_each_dependency_shows_and_hides_its_field(runs, name, plan):
    path, key, control, show, hide, _ = plan
    field = f"{path}.{key}"
    run = runs["jsoneditor", name]
    assert observation(run, f"show {field}")["editors"][field]["visible"], f"{field} with {control}={show!r}"
    assert not observation(run, f"hide {field}")["editors"][field]["visible"], f"{field} with {control}={hide!r}"


@pytest.mark.parametrize("name", NAMES)
def test_a_field_the_configuration_lacks_stays_on_screen_opted_out(runs, name):
    loaded = observation(runs["jsoneditor", name], "loaded")
    checked = 0
    for path, node in objects(SCHEMA):
        config, value = value_at(CONFIGS[name], path), value_at(loaded["value"], path)
        if config is None:
            continue
        for key, prop in node["properties"].items():
            field = loaded["editors"][f"{path}.{key}"]
            if key in node.get("required", []):
                assert field["active"] and not field["opt_in"], f"{path}.{key} is required: no opt-in"
            elif is_ui_only(prop):
                continue
            elif key in config:
                assert field["active"] and (field["opt_in"] or is_hidden(prop)), f"{path}.{key} was loaded"
            else:
                assert not field["active"] and key not in value, f"{path}.{key} is not in the configuration"
                assert field["opt_in"] or not field["visible"], f"{path}.{key} is shown without an opt-in box"
                checked += 1
    assert checked or name == "every-key"


def test_without_show_opt_in_json_editor_drops_what_the_configuration_lacks(runs):
    """The same configuration without show_opt_in: every field it lacks is gone, but for those JSON Editor keeps
    because options.dependencies governs them."""
    editors = observation(runs[WITHOUT_OPT_IN], "loaded")["editors"]
    config = CONFIGS["original-1"]
    lacking = {key for key, prop in SCHEMA["properties"].items() if key not in config and not is_ui_only(prop)}
    assert lacking
    dropped = {key for key in lacking if f"root.{key}" not in editors}
    assert dropped == {key for key in lacking if not dependencies(SCHEMA["properties"][key])}
