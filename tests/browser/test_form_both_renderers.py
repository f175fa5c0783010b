"""The configuration form as a user meets it, in RJSF (Keboola's renderer since March 2026) and in JSON Editor (before).

For every configuration of config_cases.form_configs, in both renderers: the page raises no error; every field is in
the form and shown, also when the configuration lacks it; what the form holds parses to the same Settings as the
configuration; the renderer's own validation finds nothing wrong; the text a user reads is the schema's; fields
come in propertyOrder; each `since` field flags exactly what the run refuses. What stock RJSF draws differently from
Keboola's wrapper (options.dependencies, options.hidden, enum_titles) is asserted as such, here and in
test_form_rjsf.py; the dependency semantics are tested in JSON Editor (test_form_json_editor.py).

form_plan.py plans the jobs, form_driver.mjs plays them in one Chromium (see README "The configuration form").
"""
import copy
import re
from datetime import datetime, timezone

import pytest

from config_cases import SINCE_INPUTS, dependencies, is_group, is_hidden, is_ui_only, node_at, objects
from configuration import ConfigError, parse_settings
from form_plan import (CONFIGS, NAMES, NEW_USER_KEY, RENDERERS, SCHEMA, observation, since_paths, toggles,
                       value_at)

pytestmark = pytest.mark.xdist_group("browser")  # one worker draws every form once (make test: --dist loadgroup)
NOW = datetime.now(timezone.utc)
CASES = [(renderer, name) for renderer in RENDERERS for name in NAMES]
IDS = [f"{renderer}-{name}" for renderer, name in CASES]


def parsed(parameters):
    """Settings, or the ConfigError's sentence."""
    try:
        return parse_settings(copy.deepcopy(parameters), now=NOW)
    except ConfigError as error:
        return f"ConfigError: {error}"


def text(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def seen_forms(run, name):
    seen = [observation(run, "loaded")]
    if name == "empty":
        seen.append(observation(run, "filled in"))
    return seen


@pytest.mark.parametrize("renderer, name", CASES, ids=IDS)
def test_the_page_raises_no_error(runs, renderer, name):
    assert runs[renderer, name]["page_errors"] == []


@pytest.mark.parametrize("renderer, name", CASES, ids=IDS)
def test_a_user_can_take_every_step(runs, renderer, name):
    """Switching a controlling field, typing, adding a dataset's settings: each finds its field in the form."""
    assert runs[renderer, name]["step_errors"] == []


@pytest.mark.parametrize("renderer, name", CASES, ids=IDS)
def test_every_field_is_in_the_form(runs, renderer, name):
    """Also the fields the configuration lacks (the original configurations lack most of today's keys)."""
    seen = seen_forms(runs[renderer, name], name)
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
            assert field in editors, f"{field} is not in the form"
            if renderer == "rjsf":  # stock RJSF ignores options.hidden and options.dependencies: all shown
                assert editors[field]["visible"], f"{field} is not shown"
            elif is_hidden(prop):  # a legacy key: kept when the configuration has it, never shown
                assert not editors[field]["visible"], f"{field} is shown"
            elif not dependencies(prop):
                assert editors[field]["visible"], f"{field} is not shown"
            checked += 1
    assert checked >= len(SCHEMA["properties"]) - 1


@pytest.mark.parametrize("renderer, name", CASES, ids=IDS)
def test_what_the_form_returns_parses_to_the_same_settings(runs, renderer, name):
    """RJSF fills in the schema's default for every key the configuration lacks, so this also holds each default
    to the run's own."""
    run = runs[renderer, name]
    assert parsed(observation(run, "loaded")["value"]) == parsed(CONFIGS[name])
    if name == "empty":
        typed = {"#api_secret": NEW_USER_KEY, **{k: [{}] for k, p in SCHEMA["properties"].items() if is_group(p)}}
        assert parsed(observation(run, "filled in")["value"]) == parsed(typed)


@pytest.mark.parametrize("renderer, name", [case for case in CASES if toggles(CONFIGS[case[1]])],
                         ids=[i for i, case in zip(IDS, CASES) if toggles(CONFIGS[case[1]])])
def test_switching_back_restores_what_was_loaded(runs, renderer, name):
    run = runs[renderer, name]
    assert observation(run, "restored")["value"] == observation(run, "loaded")["value"]


@pytest.mark.parametrize("renderer, name", CASES, ids=IDS)
def test_the_renderer_finds_no_validation_error(runs, renderer, name):
    errors = [(e["path"], e.get("kind")) for e in observation(runs[renderer, name], "loaded")["errors"]]
    if name == "empty":  # no key yet: the one field a new user must fill (JSON Editor holds "", RJSF nothing)
        assert errors == [("root.#api_secret", "minLength" if renderer == "jsoneditor" else "required")]
        assert observation(runs[renderer, name], "filled in")["errors"] == []
    else:
        assert errors == []


@pytest.mark.parametrize("renderer, name", CASES, ids=IDS)
def test_the_form_shows_the_schemas_text(runs, renderer, name):
    """Titles and descriptions as written. A picker shows enum_titles in JSON Editor (and in Keboola's wrapper);
    stock RJSF ignores enum_titles and shows the values themselves."""
    checked = 0
    for path, field in observation(runs[renderer, name], "loaded")["editors"].items():
        if path == "root" or path.split(".")[-1].isdigit():
            continue  # the renderers title the form and array items themselves ("Messages 1")
        node = node_at(SCHEMA, path)
        if is_ui_only(node):
            continue
        assert text(field["title"]) == text(node.get("title")), path
        if node.get("description"):
            assert text(field["description"]) == text(node["description"]), path
            checked += 1
        choices = node.get("enum") or (node.get("items") or {}).get("enum")
        titles = (node.get("options") or {}).get("enum_titles") or \
            ((node.get("items") or {}).get("options") or {}).get("enum_titles")
        if titles and field["options"] is not None:
            shown = [o["text"] for o in field["options"] if o["value"] not in ("", "undefined")]
            assert shown == (titles if renderer == "jsoneditor" else [str(choice) for choice in choices]), path
    assert checked > 0


@pytest.mark.parametrize("renderer, name", CASES, ids=IDS)
def test_fields_come_in_property_order(runs, renderer, name):
    """Keboola's wrapper and JSON Editor sort by propertyOrder; stock RJSF keeps the keys' order, which
    scripts/build_schema.py makes the same."""
    editors = observation(runs[renderer, name], "loaded")["editors"]
    for path, node in objects(SCHEMA):
        shown = [(node["properties"][key]["propertyOrder"], editors[f"{path}.{key}"]["top"])
                 for key in node["properties"] if editors.get(f"{path}.{key}", {}).get("visible")]
        tops = [top for _, top in sorted(shown)]
        assert tops == sorted(tops), path


@pytest.mark.parametrize("renderer", RENDERERS)
def test_since_fields_flag_exactly_what_the_run_refuses(runs, renderer):
    run, paths = runs[renderer, "every-key"], since_paths(CONFIGS["every-key"])
    assert paths
    for path in paths:
        parent, key = path.rsplit(".", 1)
        pattern = node_at(SCHEMA, path)["pattern"]
        for number, (typed, verdict) in enumerate(SINCE_INPUTS):
            seen = observation(run, f"since {path} {number}")
            held = value_at(seen["value"], parent).get(key)
            if "\n" in typed:  # a text input drops line breaks as they are typed; judge what it holds
                assert held == typed.replace("\n", "")
                refused = re.fullmatch(pattern, held) is None
            elif typed == "" and renderer == "rjsf":  # RJSF turns an emptied text field into no value at all
                assert held is None and parsed({"#api_secret": "k", parent.split(".")[1]: [{}]}) == \
                    parsed({"#api_secret": "k", parent.split(".")[1]: [{key: ""}]})
                refused = False
            else:
                assert held == typed
                refused = verdict == "syntax"
            errors = [e for e in seen["errors"] if e["path"] == path]
            assert bool(errors) == refused, (path, typed, errors)
