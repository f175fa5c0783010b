"""Activities run as a process against the fake API: both modes at volume, incremental runs, deleted people."""
import json
import math
import time
from collections import Counter

from fake_api.endpoints.activities import expected_ids, kinds
from helpers import base_parameters
from storage import primary_key

FAST = {"CUSTOMERIO_RATE_LIMIT": "off"}
FIXED_COLUMNS = {"customer_id", "data", "delivery_id", "delivery_type", "id", "name", "timestamp", "type", "url",
                 "customer_identifiers_cio_id", "customer_identifiers_email", "customer_identifiers_id"}


def activities(**options):
    options.setdefault("mode", "PARSED_DATA")
    return base_parameters(activities=[options])


def activity_requests(fake):
    return fake.requests(r"^/v1/activities$")


def pages_needed(count):
    return max(1, math.ceil(count / 100))


def all_ids(result):
    return Counter(row["id"] for rows in result.tables.values() for row in rows)


def test_parsed_data_100k_activities_of_40_types_then_only_the_new_ones(component, fake):
    ws = fake.workspace
    ws.activities, ws.activity_types = 100_000, 40
    types = list(kinds(ws))
    params = activities(types=types, incremental_output=True, lookback_hours=0)

    started = time.monotonic()
    first = component(params, env=FAST)
    first_seconds = time.monotonic() - started
    assert first.exit_code == 0, first.output
    assert sorted(first.tables) == sorted({"activity_" + t.replace(":", "_").lstrip("_") for t in types})
    ids = all_ids(first)
    assert set(ids.values()) == {1}
    expected = {t: set(expected_ids(fake, t)) for t in types}
    assert set(ids) == set().union(*expected.values())
    assert len(ids) == 96_000                      # every 25th row of activities belongs to deleted people
    for activity_type in types:
        table = "activity_" + activity_type.replace(":", "_").lstrip("_")
        assert {row["type"] for row in first.tables[table]} == {activity_type}
    first_requests = activity_requests(fake)
    assert len(first_requests) == sum(pages_needed(len(ids_of_type)) for ids_of_type in expected.values())
    assert {r.query["limit"] for r in first_requests} == {"100"}
    assert all("deleted" not in r.query for r in first_requests)
    assert first_seconds < 30
    marks = first.state["activities"]["newest_timestamp"]
    assert sorted(marks) == sorted(types)

    fake.extras["activities_added"] = 400
    fake.log.clear()
    second = component(params, state=first.state, env=FAST)
    assert second.exit_code == 0, second.output
    new_ids = set(expected_ids(fake)) - set(ids)
    assert len(new_ids) == 400
    written = all_ids(second)
    assert set(written.values()) == {1}
    assert new_ids <= set(written)
    # With no lookback only each type's previous newest activity (same second as the mark) is read again.
    assert len(set(written) - new_ids) == len(types)
    second_requests = len(activity_requests(fake))
    assert second_requests == 2 * len(types)       # page 1 holds the new ones, page 2 is wholly older: stop
    assert second_requests < 0.1 * len(first_requests)
    assert all(second.state["activities"]["newest_timestamp"][t] > marks[t] for t in types)
    print(f"\nPARSED_DATA: {len(ids):,} rows, {len(first_requests)} requests, {first_seconds:.1f} s; "
          f"second run {sum(written.values())} rows, {second_requests} requests")


def test_single_table_100k_activities_with_deleted_people(component, fake):
    ws = fake.workspace
    ws.activities, ws.activity_types = 100_000, 40
    types = list(kinds(ws))
    started = time.monotonic()
    result = component(activities(types=types, mode="SINGLE_TABLE", delete=True), env=FAST)
    seconds = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert list(result.tables) == ["activities_all"]
    rows = result.tables["activities_all"]
    ids = Counter(row["id"] for row in rows)
    assert set(ids.values()) == {1}
    assert set(ids) == {i for t in types for i in expected_ids(fake, t, deleted=True)}
    assert len(ids) == 100_000
    assert FIXED_COLUMNS <= set(result.headers["activities_all"])
    assert not any(column.startswith("data_") for column in result.headers["activities_all"])
    assert all(r.query.get("deleted") == "true" for r in activity_requests(fake))
    assert seconds < 30
    print(f"\nSINGLE_TABLE: {len(rows):,} rows, {len(activity_requests(fake))} requests, {seconds:.1f} s")


def test_single_table_keeps_data_as_json_fixed_columns_and_new_fields(component, fake):
    fake.workspace.activities, fake.workspace.activity_types = 120, 12
    fake.extras["activities_new_field"] = True
    result = component(activities(types=["event", "_o:1:create", "sent_email"], mode="SINGLE_TABLE"))
    assert result.exit_code == 0, result.output
    header = set(result.headers["activities_all"])
    assert header == FIXED_COLUMNS | {"action_id"}
    rows = {row["type"]: row for row in result.tables["activities_all"]}
    assert json.loads(rows["_o:1:create"]["data"])["attributes"]["name"].startswith("Account")
    assert rows["_o:1:create"]["customer_identifiers_email"] == "" and rows["_o:1:create"]["customer_id"] == ""
    assert json.loads(rows["sent_email"]["data"])["delivery_id"] == rows["sent_email"]["delivery_id"]
    assert rows["sent_email"]["action_id"] != ""
    assert isinstance(json.loads(rows["event"]["data"]), dict)
    assert primary_key(result.manifests["activities_all"]) == ["id"]


def test_parsed_data_flattens_nested_data_per_type(component, fake):
    fake.workspace.activities, fake.workspace.activity_types = 240, 13
    result = component(activities(types=["event", "attribute_change", "sent_email", "device_change",
                                         "secondary:opened_email", "_o:1:create"]))
    assert result.exit_code == 0, result.output
    headers = result.headers
    assert {"data_description", "data_project", "data_start", "data_plan_name", "data_plan_seats",
            "data_plan_billing_period", "data_items", "name"} <= set(headers["activity_event"])
    assert {"data_email_from", "data_email_to", "data_plan_from", "data_first_name_to"} <= \
        set(headers["activity_attribute_change"])
    assert {"data_delivery_id", "data_delivered", "data_opened", "delivery_id", "delivery_type"} <= \
        set(headers["activity_sent_email"])
    assert "data_device_attributes_app_version" in headers["activity_device_change"]
    assert "data_delivery_id" in headers["activity_secondary_opened_email"]
    assert {"data_object_id", "data_attributes_tier"} <= set(headers["activity_o_1_create"])
    for table, columns in headers.items():
        assert "data" not in columns, table
        assert {"id", "customer_id", "timestamp", "type", "customer_identifiers_email"} <= set(columns), table
        assert primary_key(result.manifests[table]) == ["id"]
    plan_rows = [row for row in result.tables["activity_event"] if row["data_plan_name"]]
    assert plan_rows and json.loads(plan_rows[0]["data_items"]) == [{"sku": "a"}, {"sku": "b"}]


def test_sticky_columns_across_runs_whose_data_differs(component, fake):
    ws = fake.workspace
    ws.activities, ws.activity_types = 2, 1                 # two events: {description, project}, {project, start}
    params = activities(types=["event"])
    first = component(params)
    assert first.exit_code == 0, first.output
    assert {"data_description", "data_start"} <= set(first.headers["activity_event"])
    assert "data_plan_name" not in first.headers["activity_event"]

    ws.activities = 0
    fake.extras["activities_added"] = 2                     # later events: {plan: {...}, items}, {}
    second = component(params, state=first.state)
    assert second.exit_code == 0, second.output
    header = second.headers["activity_event"]
    assert {"data_description", "data_project", "data_start", "data_plan_name", "data_items"} <= set(header)
    assert header == sorted(header)
    assert all(row["data_description"] == "" for row in second.tables["activity_event"])


def test_activity_headers_of_the_original_component_seed_the_tables(component, fake):
    fake.workspace.activities, fake.workspace.activity_types = 20, 12
    state = {"activity_headers": {"event": ["customer_id", "data_legacy_field", "id"],
                                  "secondary:opened_email": ["data_old_column"]}}
    result = component(activities(types=["event", "secondary:opened_email", "failed_query_collection"]),
                       state=state)
    assert result.exit_code == 0, result.output
    assert "data_legacy_field" in result.headers["activity_event"]
    assert "data_old_column" in result.headers["activity_secondary_opened_email"]
    assert "data_legacy_field" in result.state["tables"]["activity_event"]["columns"]
    assert result.state["activity_headers"] == state["activity_headers"]
    # A configured type with no activity still gets its (empty) table.
    assert result.tables["activity_failed_query_collection"] == []
    assert "activity_failed_query_collection" in result.manifests


def test_empty_types_list_reads_everything_once_into_each_types_table(component, fake):
    fake.workspace.activities, fake.workspace.activity_types = 450, 45
    result = component(activities(types=[]))
    assert result.exit_code == 0, result.output
    requests = activity_requests(fake)
    assert all("type" not in r.query for r in requests)
    assert len(requests) == pages_needed(len(list(expected_ids(fake))))
    assert len(result.tables) == 45
    for table, rows in result.tables.items():
        assert rows and {"activity_" + row["type"].replace(":", "_").lstrip("_") for row in rows} == {table}
    assert set(all_ids(result)) == set(expected_ids(fake))
    assert set(result.state["activities"]["newest_timestamp"]) == {"all"}


def test_future_dated_events_neither_stop_the_walk_nor_freeze_it(component, fake):
    fake.workspace.activities, fake.workspace.activity_types = 3000, 12
    params = activities(types=[], mode="SINGLE_TABLE", incremental_output=True, lookback_hours=0)
    first = component(params)
    assert first.exit_code == 0, first.output

    fake.extras.update(activities_future=150, activities_added=50)   # page 1 is wholly in the future
    fake.log.clear()
    second = component(params, state=first.state)
    assert second.exit_code == 0, second.output
    ids = {row["id"] for row in second.tables["activities_all"]}
    future_ids = {i for i in expected_ids(fake) if i.startswith("01F")}
    added_ids = {i for i in expected_ids(fake) if i.startswith("01N")}
    assert future_ids | added_ids <= ids
    # Pages 1-2: future and added ones; page 3 starts with the previous newest (same second as the mark,
    # so kept); page 4 is wholly older: stop. A full walk would take 33 pages.
    assert len(activity_requests(fake)) == 4
    mark = second.state["activities"]["newest_timestamp"]["all"]
    assert first.state["activities"]["newest_timestamp"]["all"] < mark <= time.time()

    fake.log.clear()
    third = component(params, state=second.state)
    assert third.exit_code == 0, third.output
    assert {row["id"] for row in third.tables["activities_all"]} == future_ids
    assert len(activity_requests(fake)) == 3                   # not frozen: stops after the future ones


def test_default_lookback_rereads_a_little_and_never_misses(component, fake):
    fake.workspace.activities, fake.workspace.activity_types = 5000, 5
    params = activities(types=["event", "page"], incremental_output=True)    # lookback 1 hour
    first = component(params)
    assert first.exit_code == 0, first.output
    fake.extras["activities_added"] = 100
    fake.log.clear()
    second = component(params, state=first.state)
    assert second.exit_code == 0, second.output
    written = all_ids(second)
    new_ids = {i for t in ("event", "page") for i in expected_ids(fake, t) if i.startswith("01N")}
    assert new_ids <= set(written)
    assert 0 < len(set(written) - new_ids) < 200
    assert len(activity_requests(fake)) == 4


def test_deleted_people_only_with_delete_or_deleted(component, fake):
    fake.workspace.activities, fake.workspace.activity_types = 600, 1
    people = fake.workspace.people

    def deleted_rows(result):
        rows = result.tables["activity_event"]
        return [r for r in rows if int(r["customer_identifiers_email"][len("person"):].split("@")[0]) >= people]

    plain = component(activities(types=["event"]))
    assert plain.exit_code == 0, plain.output
    assert deleted_rows(plain) == [] and len(plain.tables["activity_event"]) == 576
    for key in ("delete", "deleted"):
        fake.log.clear()
        result = component(activities(types=["event"], **{key: True}))
        assert result.exit_code == 0, result.output
        assert len(result.tables["activity_event"]) == 600 and len(deleted_rows(result)) == 24
        assert all(r.query.get("deleted") == "true" for r in activity_requests(fake))


def test_every_activity_once_despite_empty_pages_and_server_errors(component, fake):
    fake.workspace.activities, fake.workspace.activity_types = 3000, 12
    fake.faults.rate_empty_page = 0.2
    fake.faults.rate_5xx = 0.1
    result = component(activities(types=list(kinds(fake.workspace))),
                       env={**FAST, "CUSTOMERIO_BACKOFF_BASE": "0.01"})
    assert result.exit_code == 0, result.output
    ids = all_ids(result)
    assert set(ids.values()) == {1} and set(ids) == set(expected_ids(fake))


def test_unknown_type_exits_1_listing_valid_types(component, fake):
    result = component(activities(types=["event", "opened_emails"]))
    assert result.exit_code == 1
    assert "Unknown activity type opened_emails" in result.output and "secondary:opened_email" in result.output
    assert "Traceback" not in result.output
    assert activity_requests(fake) == []


def test_api_rejecting_a_type_exits_1(component, fake):
    fake.force(r"^/v1/activities$", 400)
    result = component(activities(types=["stripe_event"]))
    assert result.exit_code == 1
    assert "activities" in result.output and "400" in result.output
    assert "Traceback" not in result.output
