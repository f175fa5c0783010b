"""Sync actions run as processes, as the Keboola UI runs them, and print the JSON the UI expects."""
import json
import time

import pytest

from customerio.catalog import (ACTIVITY_TYPES, LEGACY_ACTIVITY_TYPES, OBJECT_ACTIONS, RELATIONSHIP_ACTIONS,
                                is_activity_type)
from helpers import base_parameters


def run_action(component, action, **overrides):
    started = time.monotonic()
    result = component(base_parameters(**overrides), action=action)
    return result, time.monotonic() - started


def test_test_connection_succeeds_with_one_cheap_call(component, fake):
    result, elapsed = run_action(component, "testConnection")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"status": "success"}
    assert len(fake.requests("^/v1/")) == 1
    assert elapsed < 30


@pytest.mark.parametrize("overrides, fragment", [
    ({"#api_secret": "wrong-key"}, "rejected the API key"),
    ({"#api_secret": ""}, "API key (#api_secret) is missing"),
    ({"api_region": "moon"}, "`api_region` must be one of us, eu"),
])
def test_test_connection_fails_with_one_sentence(component, overrides, fragment):
    result, _ = run_action(component, "testConnection", **overrides)
    assert result.exit_code == 1
    assert fragment in result.stderr
    assert "Traceback" not in result.output and "wrong-key" not in result.output


# A form mid-edit: everything but the key and region is wrong, and none of it is the actions' business.
HALF_EDITED = {"max_requests_per_second": 0, "customers": [{"filters": "{not json", "method": "carrier pigeon"}],
               "messages": [{"since": "last tuesday", "types": ["fax"]}], "campaigns": "yes"}


@pytest.mark.parametrize("action", ["testConnection", "list_segments"])
def test_sync_actions_read_only_the_key_and_region(component, fake, action):
    fake.workspace.segments = 2
    result, _ = run_action(component, action, **HALF_EDITED)
    assert result.exit_code == 0, result.output
    assert len(fake.requests("^/v1/segments$")) == 1


@pytest.mark.parametrize("action, sentence", [
    ("testConnection", "The connection test failed: Customer.io refused the API key for GET /segments (403"),
    ("list_segments", "Loading segments failed: Customer.io refused the API key for GET /segments (403"),
])
def test_sync_action_403_names_the_key_not_a_dataset(component, fake, action, sentence):
    fake.force("^/v1/segments$", 403)
    result, _ = run_action(component, action)
    assert result.exit_code == 1
    assert sentence in result.stderr
    assert "Account Settings > API Credentials (App API Keys)" in result.stderr
    assert "turn" not in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_list_segments_sorted_by_name(component, fake):
    fake.workspace.segments = 5
    result, _ = run_action(component, "list_segments")
    assert result.exit_code == 0, result.output
    options = json.loads(result.stdout)
    assert len(options) == 5
    names = [o["label"].rsplit(" (", 1)[0] for o in options]
    assert names == sorted(names, key=str.lower)
    assert all(o["label"].endswith(f"({o['value']})") for o in options)


def test_list_segments_with_a_bad_key(component):
    result, _ = run_action(component, "list_segments", **{"#api_secret": "nope"})
    assert result.exit_code == 1
    assert "rejected the API key" in result.stderr


def test_sync_action_gives_up_quickly_when_the_api_keeps_failing(component, fake):
    fake.force("^/v1/segments$", 503)
    result, elapsed = run_action(component, "testConnection")
    assert result.exit_code == 1
    assert "503" in result.stderr and "GET /segments" in result.stderr
    assert len(fake.requests("^/v1/segments$")) == 3
    assert elapsed < 30


def test_list_activity_types_adds_the_workspaces_object_and_relationship_types(component, fake):
    fake.workspace.object_types = 2
    fake.serve("GET", "/object_types", {"types": [{"id": "1", "name": "Companies"}, {"id": 2, "name": "Accounts"},
                                                  {"id": "custom", "name": "Not numeric"}, {"name": "No id"}]})
    result, elapsed = run_action(component, "list_activity_types", **HALF_EDITED)
    assert result.exit_code == 0, result.output
    options = json.loads(result.stdout)
    values = [o["value"] for o in options]
    labels = dict((o["value"], o["label"]) for o in options)
    catalogue = list(ACTIVITY_TYPES + LEGACY_ACTIVITY_TYPES)
    assert values[:len(catalogue)] == catalogue and labels["opened_email"] == "Opened email"
    assert labels["secondary:opened_email"] == "Opened email (secondary, older type)"
    workspace = values[len(catalogue):]
    assert workspace[:8] == [f"_o:2:{a}" for a in OBJECT_ACTIONS] + [f"_r:2:{a}" for a in RELATIONSHIP_ACTIONS]
    assert len(workspace) == 16 and all(is_activity_type(value) for value in workspace)   # Accounts, then Companies
    assert labels["_o:1:create"] == "Companies (1): create"
    assert labels["_r:1:attribute_change"] == "Companies (1) relationship: attribute change"
    assert len(fake.requests("^/v1/")) == 1 and elapsed < 30


@pytest.mark.parametrize("status", [403, 404])
def test_list_activity_types_without_object_types_answers_the_catalogue(component, fake, status):
    fake.force("^/v1/object_types$", status)
    result, _ = run_action(component, "list_activity_types")
    assert result.exit_code == 0, result.output
    assert [o["value"] for o in json.loads(result.stdout)] == list(ACTIVITY_TYPES + LEGACY_ACTIVITY_TYPES)


def test_list_activity_types_with_a_rejected_key_says_so_in_one_sentence(component):
    result, _ = run_action(component, "list_activity_types", **{"#api_secret": "nope"})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith("Customer.io rejected the API key (401).")
    assert len(result.stderr.strip().splitlines()) == 1 and "nope" not in result.output
