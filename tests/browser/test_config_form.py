"""The configuration form as a user meets it: configSchema.json drawn by JSON Editor in headless Chromium, as Keboola
draws it (disable_edit_json, disable_properties), loaded with each configuration of config_cases.form_configs.

For every configuration: the page raises no error; every field not governed by `options.dependencies` is in the form
(hidden legacy keys present but not shown); each dependency shows and hides its field when its controlling field is
switched, and switching back restores the value; what the form returns parses to the same Settings as the input;
JSON Editor reports no validation error; the text a user reads is the schema's text (nothing stripped as a tag), with
the pickers' titles. On the every-key configuration each `since` field is also tried with config_cases.SINCE_INPUTS.

Keboola fills an async picker's empty enum from its sync action; JSON Editor cannot, so the harness gives such a
picker the configuration's own values (config_cases.as_loaded), as Load segments would. The Test Connection button
is Keboola's own widget and holds no value: not checked here.

node form_driver.mjs does the browser work; this module decides what to check, from the schema. Screenshots:
test-artifacts/form/<configuration>.png.
"""
import copy
import json
import os
import re
import shutil
import subprocess
from datetime import datetime, timezone

import pytest

from config_cases import (ROOT, SINCE_INPUTS, as_loaded, dependencies, form_configs, is_group, is_hidden, is_ui_only,
                          load_schema, node_at, objects, other_value)
from configuration import ConfigError, parse_settings

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "form_driver.mjs")
JSONEDITOR = os.path.join(HERE, "node_modules", "@json-editor", "json-editor", "dist", "jsoneditor.js")
PLAYWRIGHT = os.path.join(HERE, "node_modules", "playwright-core")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = os.path.join(ROOT, "test-artifacts", "form")
NEW_USER_KEY = "typed-by-a-new-user"

SCHEMA = load_schema()
CONFIGS = form_configs(SCHEMA)
NOW = datetime.now(timezone.utc)


def missing_tools():
    """One sentence on what to install, or None."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (f"Chromium is missing at {CHROMIUM}: run `bash .ci/run`, or `apt-get install -y chromium`, "
                f"or set CHROMIUM to a Chromium binary.")
    if shutil.which("node") is None:
        return "Node.js is missing: run `bash .ci/run`, or `apt-get install -y nodejs npm` and then `npm ci` in " \
               "tests/browser."
    if not (os.path.isfile(JSONEDITOR) and os.path.isdir(PLAYWRIGHT)):
        return "The browser test's npm packages are missing: run `npm ci` in tests/browser (bash .ci/run does it)."
    return None


# ---------------------------------------------------------------------------------------------- the plan
def toggles(config):
    """(object path, dependent key, controlling key, showing value, hiding value, value to restore) for every
    dependency whose object is in the form for `config`."""
    plans = []
    for path, node in objects(SCHEMA):
        value = value_at(config, path)
        if value is None:
            continue
        for key, prop in node["properties"].items():
            for control, shown_by in dependencies(prop).items():
                controller = node["properties"][control]
                show = shown_by[0] if isinstance(shown_by, list) else shown_by
                restore = value.get(control, controller.get("default", False))
                plans.append((path, key, control, show, other_value(controller, shown_by), restore))
    return plans


def value_at(config, path):
    """The object at a form path (`root`, `root.messages.0`) in a configuration, or None when it has none."""
    value = config
    for part in path.split(".")[1:]:
        if part.isdigit():
            value = value[int(part)] if isinstance(value, list) and len(value) > int(part) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def since_paths(config):
    return [f"{path}.since" for path, node in objects(SCHEMA)
            if "since" in node["properties"] and value_at(config, path) is not None]


def job(name, config):
    steps = [{"op": "observe", "label": "loaded", "screenshot": f"{name}.png"}]
    for path, key, control, show, hide, restore in toggles(config):
        where = f"{path}.{control}"
        steps += [{"op": "set", "path": where, "value": show}, {"op": "observe", "label": f"show {path}.{key}"},
                  {"op": "set", "path": where, "value": hide}, {"op": "observe", "label": f"hide {path}.{key}"},
                  {"op": "set", "path": where, "value": restore}]
    if toggles(config):
        steps.append({"op": "observe", "label": "restored"})
    if name == "every-key":
        for path in since_paths(config):
            for number, (text, _) in enumerate(SINCE_INPUTS):
                steps += [{"op": "set", "path": path, "value": text},
                          {"op": "observe", "label": f"since {path} {number}", "light": True}]
    if name == "empty":  # a new user types the key and sets up every dataset group
        steps.append({"op": "set", "path": "root.#api_secret", "value": NEW_USER_KEY})
        for key, prop in SCHEMA["properties"].items():
            if is_group(prop):
                steps.append({"op": "add_row", "path": f"root.{key}"})
        steps.append({"op": "observe", "label": "filled in", "screenshot": "empty-filled-in.png"})
    return {"name": name, "schema": as_loaded(SCHEMA, config), "startval": config, "steps": steps}


@pytest.fixture(scope="module")
def runs():
    problem = missing_tools()
    if problem:
        pytest.fail(problem, pytrace=False)
    os.makedirs(SCREENSHOTS, exist_ok=True)
    request = {"chromium": CHROMIUM, "jsoneditor": JSONEDITOR, "screenshots": SCREENSHOTS,
               "jobs": [job(name, config) for name, config in CONFIGS.items()]}
    result = subprocess.run(["node", DRIVER], input=json.dumps(request), capture_output=True, text=True,
                            timeout=120, cwd=HERE)
    if result.returncode != 0:
        pytest.fail(f"form_driver.mjs failed ({result.returncode}): {result.stderr[-3000:]}", pytrace=False)
    return {run["name"]: run for run in json.loads(result.stdout)["jobs"]}


def observation(run, label):
    for seen in run["observations"]:
        if seen["label"] == label:
            return seen
    pytest.fail(f"{run['name']}: no observation {label!r}; steps that failed: {run['step_errors']}", pytrace=False)


def parsed(parameters):
    """Settings, or the ConfigError's sentence."""
    try:
        return parse_settings(copy.deepcopy(parameters), now=NOW)
    except ConfigError as error:
        return f"ConfigError: {error}"


def text(value):
    return " ".join(value.split()) if isinstance(value, str) else value


NAMES = list(CONFIGS)


# ---------------------------------------------------------------------------------------------- the checks
@pytest.mark.parametrize("name", NAMES)
def test_the_page_raises_no_error(runs, name):
    assert runs[name]["page_errors"] == []


@pytest.mark.parametrize("name", NAMES)
def test_a_user_can_take_every_step(runs, name):
    """Switching a controlling field, typing, adding a dataset's settings: each finds its field in the form."""
    assert runs[name]["step_errors"] == []


@pytest.mark.parametrize("name", NAMES)
def test_every_field_is_in_the_form(runs, name):
    seen = [observation(runs[name], "loaded")]
    if name == "empty":
        seen.append(observation(runs[name], "filled in"))
    checked = 0
    for path, node in objects(SCHEMA):
        forms = [s for s in seen if path in s["editors"]]
        if not forms:
            assert path != "root" and value_at(CONFIGS[name], path) is None, f"{path} is missing"
            continue
        editors = forms[-1]["editors"]
        for key, prop in node["properties"].items():
            if is_ui_only(prop):
                continue
            field = f"{path}.{key}"
            if is_hidden(prop):  # a legacy key: kept when the configuration has it, never shown
                assert not editors.get(field, {}).get("visible"), f"{field} is shown"
                continue
            assert field in editors, f"{field} is not in the form"
            if not dependencies(prop):
                assert editors[field]["visible"], f"{field} is not shown"
            checked += 1
    assert checked >= len(SCHEMA["properties"]) - 1


TOGGLES = [(name, plan) for name in NAMES for plan in toggles(CONFIGS[name])]


@pytest.mark.parametrize("name, plan", TOGGLES, ids=[f"{name}-{plan[0]}.{plan[1]}" for name, plan in TOGGLES])
def test_each_dependency_shows_and_hides_its_field(runs, name, plan):
    path, key, control, show, hide, _ = plan
    field = f"{path}.{key}"
    assert observation(runs[name], f"show {field}")["editors"][field]["visible"], f"{field} with {control}={show!r}"
    assert not observation(runs[name], f"hide {field}")["editors"][field]["visible"], \
        f"{field} with {control}={hide!r}"


@pytest.mark.parametrize("name", sorted({name for name, _ in TOGGLES}))
def test_switching_back_restores_what_was_loaded(runs, name):
    assert observation(runs[name], "restored")["value"] == observation(runs[name], "loaded")["value"]


@pytest.mark.parametrize("name", NAMES)
def test_what_the_form_returns_parses_to_the_same_settings(runs, name):
    value = observation(runs[name], "loaded")["value"]
    assert parsed(value) == parsed(CONFIGS[name])
    if name == "empty":
        typed = {"#api_secret": NEW_USER_KEY, **{k: [{}] for k, p in SCHEMA["properties"].items() if is_group(p)}}
        assert parsed(observation(runs[name], "filled in")["value"]) == parsed(typed)


@pytest.mark.parametrize("name", NAMES)
def test_json_editor_finds_no_validation_error(runs, name):
    errors = observation(runs[name], "loaded")["errors"]
    if name == "empty":  # no key yet: the one field a new user must fill
        assert [(e["path"], e["property"]) for e in errors] == [("root.#api_secret", "minLength")]
        assert observation(runs[name], "filled in")["errors"] == []
    else:
        assert errors == []


@pytest.mark.parametrize("name", NAMES)
def test_the_form_shows_the_schemas_text(runs, name):
    checked = 0
    for path, field in observation(runs[name], "loaded")["editors"].items():
        if path == "root" or path.split(".")[-1].isdigit():
            continue  # JSON Editor titles array items itself ("Messages 1")
        node = node_at(SCHEMA, path)
        assert text(field["title"]) == text(node.get("title")), path
        if node.get("description"):
            assert text(field["description"]) == text(node["description"]), path
            checked += 1
        titles = (node.get("options") or {}).get("enum_titles") or \
            ((node.get("items") or {}).get("options") or {}).get("enum_titles")
        if titles and field["options"] is not None:
            shown = [o["text"] for o in field["options"] if o["value"] not in ("", "undefined")]
            assert shown == titles, path
    assert checked > 0


def test_since_fields_flag_exactly_what_the_run_refuses(runs):
    run, paths = runs["every-key"], since_paths(CONFIGS["every-key"])
    assert paths
    for path in paths:
        parent, key = path.rsplit(".", 1)
        pattern = node_at(SCHEMA, path)["pattern"]
        for number, (typed, verdict) in enumerate(SINCE_INPUTS):
            seen = observation(run, f"since {path} {number}")
            held = value_at(seen["value"], parent)[key]
            if "\n" in typed:  # a text input drops line breaks as they are typed; judge what it holds
                assert held == typed.replace("\n", "")
                refused = re.fullmatch(pattern, held) is None
            else:
                assert held == typed
                refused = verdict == "syntax"
            errors = [e for e in seen["errors"] if e["path"] == path]
            assert bool(errors) == refused, (path, typed, errors)
