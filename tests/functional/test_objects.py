"""Objects as a process against the fake: types, objects once each, attributes as columns, related people,
replacement per type, objects deleted mid-run and between runs, and the object type picker."""
import json

import pytest

from fake_api.endpoints import lifecycle, objects
from helpers import FORMATS, base_parameters
from storage import Storage

FAST = {"CUSTOMERIO_RATE_LIMIT": "off"}


def run(component, state=None, **options):
    item = {"types": [], "attributes": False, "relationships": False, **options}
    return component(base_parameters(objects=[item]), state=state, env=FAST)


def test_every_object_of_every_type_exactly_once_in_few_requests(component, fake):
    fake.workspace.objects = 2500
    result = run(component)
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in result.tables["object_types"]] == ["1", "2"]
    rows = result.tables["objects"]
    keys = [(row["object_type_id"], row["object_id"]) for row in rows]
    expected = [(t, item["object_id"]) for t in ("1", "2") for item in objects.expected_objects(fake, t)]
    assert len(keys) == len(set(keys)) and sorted(keys) == sorted(expected)      # pages repeat objects
    posts = fake.requests("^/v1/objects$", "POST")
    assert len(posts) == 3 + 2 and {r.query["limit"] for r in posts} == {"1000"}
    assert all(r.body["filter"]["and"][0]["object_attribute"]["type_id"] == r.body["object_type_id"] for r in posts)
    assert result.manifests["objects"]["incremental"] is False            # read whole: replaced
    assert "delete_where_column" not in result.manifests["objects"]
    assert not fake.requests("/attributes$") and "object_relationships" not in result.tables


def test_attributes_and_relationships_cost_one_request_per_object(component, fake):
    fake.workspace.objects, fake.workspace.people = 40, 100
    result = run(component, types=["1"], attributes=True, relationships=True)
    assert result.exit_code == 0, result.output
    rows = {row["object_id"]: row for row in result.tables["objects"]}
    assert set(rows) == {item["object_id"] for item in objects.expected_objects(fake, "1")}
    sample = objects.expected_object_attributes(fake, "1", "company-0003")["attributes"]
    assert {key: rows["company-0003"][key] for key in sample} == {k: str(v) for k, v in sample.items()}
    assert len(fake.requests("/attributes$")) == 40
    related = {(r["object_id"], r["cio_id"]) for r in result.tables["object_relationships"]}
    expected = {(oid, p["identifiers"]["cio_id"]) for oid in rows
                for p in objects.expected_object_relationships(fake, "1", oid)}
    assert related == expected and len(result.tables["object_relationships"]) == len(expected)
    assert {r.path.split("/")[3] for r in fake.requests("/relationships$")} == {"1"}
    assert not any(r["object_type_id"] == "2" for r in result.tables["objects"])


@pytest.mark.parametrize("manifest_format", FORMATS)
def test_deleted_objects_leave_storage_and_mid_run_deletions_are_counted(component, fake):
    fake.workspace.objects = 30
    storage = Storage()
    first = run(component, attributes=True)
    storage.load(first)
    lifecycle.remove(fake, "object", ("1", "company-0004"))
    lifecycle.delete_between(fake, "object", ("2", "account-0002"))
    second = run(component, state=first.state, attributes=True)
    storage.load(second)
    stored = {(r["object_type_id"], r["object_id"]) for r in storage.rows("objects")}
    assert ("1", "company-0004") not in stored and ("2", "account-0002") not in stored
    assert len(stored) == len(first.tables["objects"]) - 2
    assert "1 objects of type 2 were deleted while the run read them (404)" in second.output


def test_an_unknown_object_type_is_reported(component, fake):
    result = run(component, types=["9"])
    assert result.exit_code == 0, result.output
    assert "object type 9 does not exist in this workspace (it has 1, 2)" in result.output
    assert result.tables["objects"] == [] and not fake.requests("^/v1/objects$")


def test_the_object_type_picker_lists_the_workspace_types(component, fake):
    result = component(base_parameters(objects=[{"types": ["x"]}]), action="list_object_types")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"value": "2", "label": "Accounts (2)"},
                                         {"value": "1", "label": "Companies (1)"}]


def test_objects_of_a_type_no_longer_selected_or_deleted_leave_storage(component, fake):
    fake.workspace.objects = 12
    storage = Storage()
    first = run(component, relationships=True)
    storage.load(first)
    second = run(component, state=first.state, types=["2"], relationships=True)
    storage.load(second)
    assert {row["object_type_id"] for row in storage.rows("objects")} == {"2"}
    assert {row["object_type_id"] for row in storage.rows("object_relationships")} == {"2"}
    relationships = len([r for r in first.tables["object_relationships"] if r["object_type_id"] == "1"])
    assert f"objects: object type 1 is no longer selected (types): its 12 objects and {relationships:,} " \
           f"relationships leave Storage." in second.output
    lifecycle.remove(fake, "object_type", 2)
    third = run(component, state=second.state, types=["2"], relationships=True)
    storage.load(third)
    assert storage.rows("objects") == [] and [row["id"] for row in storage.rows("object_types")] == ["1"]
    assert "object type 2 no longer exists in Customer.io: its 6 objects and " in third.output
    assert third.state["objects"] == {"types": {}}
