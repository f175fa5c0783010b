"""What Storage ends up holding on real workspaces: exact segment membership over several incremental runs,
numeric ids and null objects, documented headers on an empty workspace, names Storage accepts, a column cap."""
import json

import pytest

from helpers import FORMATS, base_parameters
from storage import Storage, StorageError

FAST = {"CUSTOMERIO_RATE_LIMIT": "off"}


def membership(ws):
    """{(segment_id, cio_id)} as Customer.io holds it right now."""
    return {(str(s), ws.person(ws.segment_member(s, k))["cio_id"])
            for s in ws.segment_ids() for k in range(ws.segment_size(s))}


def stored_members(storage):
    return {(row["segment_id"], row["cio_id"]) for row in storage.rows("segment_members")}


@pytest.mark.parametrize("manifest_format", FORMATS)
@pytest.mark.parametrize("keep", [False, True])
def test_segment_members_equal_the_current_membership_after_every_incremental_run(component, fake, keep):
    ws = fake.workspace
    ws.people, ws.segments = 40, 4                       # segment 4 is empty
    storage, state = Storage(), None
    parameters = base_parameters(segments=True, keep_deleted_rows=keep)

    def run():
        nonlocal state
        result = component(parameters, state=state, env=FAST)
        storage.load(result)
        state = result.state
        assert stored_members(storage) == membership(ws)
        return result

    def deleted(result):
        manifest = result.manifests["segment_members"]
        if not keep:                                     # read whole every run: replaced
            assert manifest["incremental"] is False and "delete_where_column" not in manifest
            return None
        assert manifest["delete_where_column"] == "segment_id" and manifest["delete_where_operator"] == "eq"
        return manifest["delete_where_values"]

    first = run()
    assert deleted(first) in (None, ["1", "2", "3", "4"])
    assert first.state["segments"] == {"ids": ["1", "2", "3", "4"]}

    ws.members_override = {1: [0, 2, 5, 39], 3: [1, 4, 8]}    # people leave 1 and 3, others join
    ws.removed_segments = {2}
    second = run()
    assert deleted(second) in (None, ["1", "2", "3", "4"])    # 2 was remembered and is gone
    assert not any(row["segment_id"] == "2" for row in storage.rows("segment_members"))
    gone = "1 segment no longer exists in Customer.io (2): "
    assert gone + ("its members leave Storage." if keep else "its rows and its members leave Storage.") in second.output
    assert (gone + "its rows stay in Storage (keep_deleted_rows is on).") in second.output or not keep
    stored_segments = {row["id"] for row in storage.rows("segments")}
    assert stored_segments == ({"1", "2", "3", "4"} if keep else {"1", "3", "4"})

    ws.members_override = {1: [3], 3: [], 4: [7, 9]}        # 3 empties, the empty segment gains people
    third = run()
    assert deleted(third) in (None, ["1", "3", "4"])
    assert third.state["segments"] == {"ids": ["1", "3", "4"]}
    assert stored_members(storage) == {("1", ws.person(3)["cio_id"]), ("4", ws.person(7)["cio_id"]),
                                       ("4", ws.person(9)["cio_id"])}


def test_without_delete_where_the_stored_membership_would_only_grow(component, fake):
    """The same runs loaded as a plain upsert keep people who left: why the manifest deletes first."""
    ws = fake.workspace
    ws.people, ws.segments = 20, 2
    naive = Storage()
    parameters = base_parameters(segments=True, keep_deleted_rows=True)
    first = component(parameters, env=FAST)
    ws.members_override = {1: [0]}
    second = component(parameters, state=first.state, env=FAST)
    for result in (first, second):
        manifest = dict(result.manifests["segment_members"])
        manifest.pop("delete_where_column")
        naive.load_table("segment_members", manifest, result.headers["segment_members"],
                         result.tables["segment_members"])
    assert stored_members(naive) > membership(ws)


def test_a_failed_run_deletes_nothing_and_keeps_the_state(component, fake):
    ws = fake.workspace
    ws.people, ws.segments = 20, 3
    first = component(base_parameters(segments=True), env=FAST)
    fake.force("^/v1/segments/2/membership$", 403)
    failed = component(base_parameters(segments=True), state=first.state, env=FAST)
    assert failed.exit_code == 1 and failed.state is None and not failed.manifests


def test_full_load_replaces_the_table_without_delete_where(component, fake):
    fake.workspace.people = 20
    result = component(base_parameters(segments=True, incremental_output=0), env=FAST)
    assert result.exit_code == 0, result.output
    assert "delete_where_column" not in result.manifests["segment_members"]
    assert Storage().load(result).rows("segment_members")


# ---------------------------------------------------------------------------------------------- id types, nulls
EVERYTHING = dict(campaigns=True, segments=True,
                  messages=[{"types": [], "since": "30 days ago"}],
                  customers=[{"filters": "", "attributes": "", "method": "api"}],
                  activities=[{"types": [], "mode": "PARSED_DATA"}])


def test_numeric_ids_everywhere_give_the_same_tables_values_and_state(component, fake):
    ws = fake.workspace
    ws.people, ws.cio_id_digits, ws.messages, ws.message_span_days, ws.activities = 150, True, 400, 20, 300
    as_text = component(base_parameters(**EVERYTHING), env=FAST)
    assert as_text.exit_code == 0, as_text.output
    fake.extras["numeric_ids"] = True
    as_numbers = component(base_parameters(**EVERYTHING), env=FAST)
    assert as_numbers.exit_code == 0, as_numbers.output
    assert len(as_numbers.tables["customers"]) == 150 and "had no cio_id" not in as_numbers.output
    for name, rows in as_text.tables.items():
        assert as_numbers.headers[name] == as_text.headers[name], name
        assert sorted(map(repr, as_numbers.tables[name])) == sorted(map(repr, rows)), name
    assert as_numbers.state == as_text.state
    assert not any(value.endswith(".0") for row in as_numbers.tables["segment_members"] for value in row.values())


def test_null_objects_and_null_lists_add_no_stray_columns(component, fake):
    ws = fake.workspace
    ws.messages, ws.message_span_days, ws.activities, ws.segments = 300, 10, 200, 0
    fake.extras.update(null_objects=True, null_empty_lists=True)
    parameters = base_parameters(segments=True, messages=[{"types": [], "since": "30 days ago"}],
                                 activities=[{"types": [], "mode": "SINGLE_TABLE"}])
    result = component(parameters, env=FAST)
    assert result.exit_code == 0, result.output
    for table in ("messages", "activities_all"):
        assert "customer_identifiers" not in result.headers[table]
        assert "customer_identifiers" not in result.state["tables"][table]["columns"]
        rows = result.tables[table]
        assert any(row["customer_identifiers_cio_id"] == "" for row in rows)
        assert any(row["customer_identifiers_cio_id"] for row in rows)
    assert result.tables["segments"] == [] and result.tables["segment_members"] == []


# ---------------------------------------------------------------------------------------------- documented headers
DOCUMENTED = {
    "messages": {"id", "msg_template_id", "message_template_id", "customer_identifiers_id",
                 "customer_identifiers_email", "customer_identifiers_cio_id", "metrics_sent", "metrics_delivered",
                 "metrics_opened", "metrics_clicked", "metrics_bounced", "metrics_failed", "transactional_message_id"},
    "segment_members": {"segment_id", "cio_id", "id", "email"},
    "customers": {"cio_id", "id", "email", "unsubscribed", "devices"},
    "activities_all": {"customer_id", "customer_identifiers_cio_id", "customer_identifiers_email",
                       "customer_identifiers_id", "data", "delivery_id", "delivery_type", "id", "name", "timestamp",
                       "type", "url"},
    "activity_event": {"customer_id", "customer_identifiers_cio_id", "delivery_id", "id", "name", "timestamp", "type",
                       "url"},
    "campaigns": {"id", "name", "state", "actions", "tags", "created", "updated"},
    "segments": {"id", "name", "description", "state", "type", "tags", "created_at", "updated_at"},
}


@pytest.mark.parametrize("mode, activity_table", [("SINGLE_TABLE", "activities_all"),
                                                  ("PARSED_DATA", "activity_event")])
def test_an_empty_workspace_has_every_documented_column(component, fake, mode, activity_table):
    ws = fake.workspace
    ws.people, ws.campaigns, ws.segments, ws.messages, ws.activities = 0, 0, 0, 0, 0
    parameters = base_parameters(campaigns=True, segments=True, messages=[{"types": [], "since": "30 days ago"}],
                                 customers=[{"filters": "", "attributes": "", "method": "api"}],
                                 activities=[{"types": ["event"], "mode": mode}])
    result = component(parameters, env=FAST)
    assert result.exit_code == 0, result.output
    for table, columns in DOCUMENTED.items():
        if table.startswith("activit") and table != activity_table:
            continue
        assert result.tables[table] == [], table
        assert columns <= set(result.headers[table]), (table, columns - set(result.headers[table]))


# ---------------------------------------------------------------------------------------------- names and width
def test_attribute_names_ending_in_punctuation_load_into_storage_and_stay_stable(component, fake):
    ws = fake.workspace
    ws.people = 30
    ws.extra_attributes = {"revenue ($)": "12", "Company Name ": "Acme", "x" * 70 + " !": "long", "-score-": "3"}
    storage = Storage()
    parameters = base_parameters(customers=[{"filters": "", "attributes": "", "method": "api"}])
    first = component(parameters, env=FAST)
    storage.load(first)                                   # raises StorageError on a name Storage refuses
    header = first.headers["customers"]
    assert {"revenue", "Company_Name", "x" * 64, "score"} <= set(header)
    second = component(parameters, state=first.state, env=FAST)
    storage.load(second)
    assert second.headers["customers"] == header and second.state["tables"] == first.state["tables"]


def test_remembered_columns_with_a_trailing_underscore_are_made_valid(component, fake):
    fake.workspace.people, fake.workspace.extra_attributes = 10, {"revenue ($)": "12"}
    state = {"tables": {"customers": {"columns": ["cio_id", "devices", "email", "id", "revenue_", "unsubscribed"]}}}
    result = component(base_parameters(customers=[{"filters": "", "attributes": "", "method": "api"}]), state=state,
                       env=FAST)
    assert result.exit_code == 0, result.output
    assert "revenue_" not in result.headers["customers"] and "revenue" in result.headers["customers"]
    Storage().load(result)


def test_storage_simulator_refuses_what_storage_refuses():
    storage = Storage()

    def manifest(header):
        return {"incremental": True, "has_header": True,
                "schema": [{"name": column, "primary_key": column == "id"} for column in header]}

    with pytest.raises(StorageError):
        storage.load_table("t", manifest(["id", "revenue_"]), ["id", "revenue_"], [])
    storage.load_table("t", manifest(["a", "id"]), ["a", "id"], [{"a": "1", "id": "1"}])
    with pytest.raises(StorageError):
        storage.load_table("t", manifest(["id"]), ["id"], [{"id": "2"}])


def test_five_thousand_distinct_event_keys_fit_the_column_cap_and_nothing_is_lost(component, fake):
    ws = fake.workspace
    ws.activities, ws.activity_types, ws.activity_unique_keys = 1500, 1, 4
    parameters = base_parameters(activities=[{"types": ["event"], "mode": "PARSED_DATA"}])
    first = component(parameters, env=FAST)
    assert first.exit_code == 0, first.output
    header, rows = first.headers["activity_event"], first.tables["activity_event"]
    assert len(header) == 1000 and "other_fields" in header
    assert len(first.state["tables"]["activity_event"]["columns"]) == 1000
    warnings = [line for line in first.output.splitlines() if "reached max_columns" in line]
    assert len(warnings) == 1 and "customers.attributes" in warnings[0]
    for row in rows:                                      # every event's 4 unique values: a column or other_fields
        values = {column: row[column] for column in header if column.startswith("data_uA") and row[column]}
        values.update(json.loads(row["other_fields"]) if row["other_fields"] else {})
        unique = {key: value for key, value in values.items() if key.startswith("data_uA")}
        assert len(unique) == 4
        assert all(value == "-".join(key[len("data_uA"):].split("_")) for key, value in unique.items())
    assert sum(1 for row in rows if row["other_fields"]) > 1000
    ws.activity_unique_keys = 6                           # the next run brings new keys again
    second = component(parameters, state=first.state, env=FAST)
    assert second.exit_code == 0, second.output
    assert second.headers["activity_event"] == header
    Storage().load(first).load(second)


def test_max_columns_is_validated(component):
    result = component(base_parameters(campaigns=True, max_columns=5))
    assert result.exit_code == 1 and "`max_columns` must be a whole number from 20 to 5000" in result.output
