"""What the browser test draws and does: one job per renderer and configuration, planned from the schema.

Each configuration of config_cases.form_configs is drawn twice: with RJSF (stock @rjsf/core with its draft-7
validator, the library Keboola's UI uses since March 2026) and with JSON Editor 2.17.2 (Keboola's renderer before
that, as Keboola set it up: no "Edit JSON", no "Properties"). On every configuration the plan switches each field
that controls another (options.dependencies) on and off and back; on the every-key configuration it types each
`since` input of config_cases.SINCE_INPUTS; on the empty one a new user types a key and sets up every dataset. Two
jobs more prove what the schema relies on: JSON Editor without show_opt_in drops the fields a configuration lacks,
and RJSF given the schema as committed refuses only Keboola's own elements.

The schema each renderer gets is the schema as Keboola's form holds it: async pickers filled as their sync action
would (config_cases.as_loaded). RJSF also gets it without the Test Connection button (`type: button`), which
Keboola's wrapper draws itself and stock RJSF cannot compile.

node form_driver.mjs does the browser work in one Chromium; screenshots land in test-artifacts/form/.
"""
import copy
import json
import os
import shutil
import subprocess

import pytest

from config_cases import (ROOT, SINCE_INPUTS, as_loaded, dependencies, form_configs, is_group, load_schema,
                          objects, other_value, without_ui_only)

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "form_driver.mjs")
JSONEDITOR = os.path.join(HERE, "node_modules", "@json-editor", "json-editor", "dist", "jsoneditor.js")
NPM_PACKAGES = [os.path.join(HERE, "node_modules", name)
                for name in ("playwright-core", "esbuild", "react", "react-dom", "@rjsf/core", "@rjsf/validator-ajv8")]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = os.path.join(ROOT, "test-artifacts", "form")
NEW_USER_KEY = "typed-by-a-new-user"
RENDERERS = ("rjsf", "jsoneditor")
#: The proofs: JSON Editor without show_opt_in, and RJSF with the committed schema as it is.
WITHOUT_OPT_IN = ("jsoneditor", "original-1 without show_opt_in")
RAW_SCHEMA = ("rjsf", "original-1 with the raw schema")

SCHEMA = load_schema()
CONFIGS = form_configs(SCHEMA)
NAMES = list(CONFIGS)


def missing_tools():
    """One sentence on what to install, or None."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (f"Chromium is missing at {CHROMIUM}: run `bash .ci/run`, or `apt-get install -y chromium`, "
                f"or set CHROMIUM to a Chromium binary.")
    if shutil.which("node") is None:
        return "Node.js is missing: run `bash .ci/run`, or `apt-get install -y nodejs npm` and then `npm ci` in " \
               "tests/browser."
    if not (os.path.isfile(JSONEDITOR) and all(os.path.isdir(package) for package in NPM_PACKAGES)):
        return "The browser test's npm packages are missing: run `make install` (npm ci in tests/browser)."
    return None


# ---------------------------------------------------------------------------------------------- reading the schema
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


def field_paths():
    """Every path a form may draw: the objects, the dataset groups and every field of each."""
    paths = ["root"]
    for path, node in objects(SCHEMA):
        if path != "root":
            paths += [path.rsplit(".", 1)[0], path]
        paths += [f"{path}.{key}" for key in node["properties"]]
    return paths


def toggles(config):
    """(object path, dependent key, controlling key, showing value, hiding value, loaded value or None) for every
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
                plans.append((path, key, control, show, other_value(controller, shown_by), value.get(control)))
    return plans


def since_paths(config):
    return [f"{path}.since" for path, node in objects(SCHEMA)
            if "since" in node["properties"] and value_at(config, path) is not None]


# ---------------------------------------------------------------------------------------------- the jobs
def steps(name, config):
    plan = [{"op": "observe", "label": "loaded"}]
    for path, key, control, show, hide, loaded in toggles(config):
        where = f"{path}.{control}"
        default = node_default(path, control)
        plan += [{"op": "set", "path": where, "value": show}, {"op": "observe", "label": f"show {path}.{key}"},
                 {"op": "set", "path": where, "value": hide}, {"op": "observe", "label": f"hide {path}.{key}"},
                 {"op": "restore", "path": where, "value": default if loaded is None else loaded,
                  "absent": loaded is None}]
    if toggles(config):
        plan.append({"op": "observe", "label": "restored"})
    if name == "every-key":
        for path in since_paths(config):
            for number, (text, _) in enumerate(SINCE_INPUTS):
                plan += [{"op": "set", "path": path, "value": text},
                         {"op": "observe", "label": f"since {path} {number}", "light": True}]
    if name == "empty":  # a new user types the key and sets up every dataset group
        plan.append({"op": "set", "path": "root.#api_secret", "value": NEW_USER_KEY})
        for key, prop in SCHEMA["properties"].items():
            if is_group(prop):
                plan.append({"op": "add_row", "path": f"root.{key}"})
        plan.append({"op": "observe", "label": "filled in"})
    return plan


def node_default(path, key):
    node = SCHEMA
    for part in path.split(".")[1:]:
        node = node["items"] if part.isdigit() else node["properties"][part]
    return node["properties"][key].get("default", False)


def job(renderer, name, config, schema=None):
    if schema is None:
        schema = as_loaded(SCHEMA, config)
        if renderer == "rjsf":
            schema = without_ui_only(schema)
    plan = steps(name, config)
    for step in plan:
        if step["op"] == "observe" and step["label"] in ("loaded", "filled in"):
            step["screenshot"] = f"{renderer}-{name}-{step['label']}.png".replace(" ", "-")
    return {"name": name, "renderer": renderer, "schema": schema, "startval": copy.deepcopy(config),
            "paths": field_paths(), "steps": plan}


def proofs():
    """JSON Editor without show_opt_in, and RJSF with the committed schema: each loads original-1 and looks."""
    config = CONFIGS["original-1"]
    without_opt_in = as_loaded(SCHEMA, config)
    for _, node in objects(without_opt_in):
        (node.get("options") or {}).pop("show_opt_in", None)
    look = [{"op": "observe", "label": "loaded"}]
    return [{**job(*WITHOUT_OPT_IN, config, without_opt_in), "steps": look},
            {**job(*RAW_SCHEMA, config, copy.deepcopy(SCHEMA)), "steps": look}]


def run_all():
    """Runs every job in one Chromium; {(renderer, name): run}."""
    jobs = [job(renderer, name, config) for renderer in RENDERERS for name, config in CONFIGS.items()] + proofs()
    os.makedirs(SCREENSHOTS, exist_ok=True)
    request = {"chromium": CHROMIUM, "jsoneditor": JSONEDITOR, "screenshots": SCREENSHOTS, "jobs": jobs}
    result = subprocess.run(["node", DRIVER], input=json.dumps(request), capture_output=True, text=True,
                            timeout=300, cwd=HERE)
    if result.returncode != 0:
        raise RuntimeError(f"form_driver.mjs failed ({result.returncode}): {result.stderr[-3000:]}")
    return {(run["renderer"], run["name"]): run for run in json.loads(result.stdout)["jobs"]}


def observation(run, label):
    for seen in run["observations"]:
        if seen["label"] == label:
            return seen
    pytest.fail(f"{run['renderer']} {run['name']}: no observation {label!r}; steps that failed: "
                f"{run['step_errors']}", pytrace=False)
