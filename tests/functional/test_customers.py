"""Customers as a process against the fake API: both methods, filters, attributes, export trouble, bad filters."""
import math

import pytest

from helpers import base_parameters
from storage import primary_key

FAST = {"CUSTOMERIO_RATE_LIMIT": "off", "CUSTOMERIO_EXPORT_POLL_SECONDS": "0.05"}
BASE_COLUMNS = ["cio_id", "devices", "email", "id", "unsubscribed"]


def run(component, method="export", filters="", attributes="", env=None, state=None, **options):
    item = {"filters": filters, "attributes": attributes, "method": method, **options}
    return component(base_parameters(customers=[item]), state=state, env={**FAST, **(env or {})})


def cio_ids(ws, predicate=lambda q: True):
    return {ws.person(q)["cio_id"] for q in range(ws.people) if predicate(q)}


def failed_with(result, *fragments):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output
    assert "customers" not in result.tables
    return result


def test_both_methods_return_all_100000_people_exactly_once(component, fake):
    ws = fake.workspace
    ws.people = 100000
    everyone = cio_ids(ws)

    api = run(component, "api")
    assert api.exit_code == 0, api.output
    searches, fetches = fake.requests("^/v1/customers$"), fake.requests("^/v1/customers/attributes$")
    assert (len(searches), len(fetches)) == (math.ceil(ws.people / 1000), math.ceil(ws.people / 100))
    assert len(fake.requests("^/v1/")) == 1100

    export = run(component, "export")
    assert export.exit_code == 0, export.output

    for result in (api, export):
        rows = result.tables["customers"]
        assert len(rows) == 100000 and {row["cio_id"] for row in rows} == everyone
        assert sum(1 for row in rows if row["id"] == "") == 5000          # email-only people are there
        assert primary_key(result.manifests["customers"]) == ["cio_id"]
    assert api.headers["customers"] == export.headers["customers"] == \
        ["Company_Name", "cio_id", "cio_subscription_preferences", "created_at", "devices", "email", "first_name",
         "id", "last_emailed", "plan", "unsubscribed"]
    api_rows = {row["cio_id"]: row for row in api.tables["customers"]}
    for row in export.tables["customers"][::997]:
        assert {**row, "devices": ""} == {**api_rows[row["cio_id"]], "devices": ""}
    downloads = fake.requests("^/files/")
    assert len(downloads) == 1 and downloads[0].authorization is None and downloads[0].status == 200
    assert "test-app-key" not in api.output + export.output


@pytest.mark.parametrize("method", ["api", "export"])
def test_filter_returns_exactly_the_matching_set(component, fake, method):
    ws = fake.workspace
    ws.people = 3000
    filters = ('{"and": [{"or": [{"segment": {"id": 1}},'
               ' {"attribute": {"field": "first_name", "operator": "exists"}}]},'
               ' {"not": {"attribute": {"field": "plan", "operator": "eq", "value": "pro"}}}]}')
    result = run(component, method, filters=filters)
    assert result.exit_code == 0, result.output
    expected = cio_ids(ws, lambda q: (q % 2 == 0 or q % 5 == 1) and not (q % 3 == 0 and q % 4 == 1))
    rows = result.tables["customers"]
    assert len(rows) == len(expected) and {row["cio_id"] for row in rows} == expected


def test_picked_segments_narrow_the_filter(component, fake):
    result = run(component, "export", filters='{"attribute": {"field": "plan", "operator": "exists"}}',
                 segment_ids=["1", "3"])
    assert result.exit_code == 0, result.output
    expected = cio_ids(fake.workspace, lambda q: q % 3 == 0 and (q % 2 == 0 or q % 4 == 0))
    assert {row["cio_id"] for row in result.tables["customers"]} == expected


@pytest.mark.parametrize("filters, predicate", [
    ("{'segment': {'id': 2}}", lambda q: q % 3 == 0),
    ("{'attribute': {'field': 'unsubscribed', 'operator': 'eq', 'value': True}}", lambda q: q % 10 == 0),
])
def test_python_dict_filter_from_old_configs_works(component, fake, filters, predicate):
    result = run(component, filters=filters)     # old configs have no method: the export, as before
    assert result.exit_code == 0, result.output
    assert {row["cio_id"] for row in result.tables["customers"]} == cio_ids(fake.workspace, predicate)
    assert fake.requests("^/v1/exports/customers$")[0].body["filters"] == \
        {"segment": {"id": 2}} if "segment" in filters else \
        {"attribute": {"field": "unsubscribed", "operator": "eq", "value": "true"}}


def test_attribute_subset_gives_only_those_plus_identifiers(component, fake):
    attributes = "plan, Company Name,\nnobody_has_it"
    api = run(component, "api", attributes=attributes)
    export = run(component, "export", attributes=attributes)
    expected = sorted(BASE_COLUMNS + ["Company_Name", "nobody_has_it", "plan"])
    assert api.headers["customers"] == export.headers["customers"] == expected
    for result in (api, export):
        rows = {row["cio_id"]: row for row in result.tables["customers"]}
        assert len(rows) == 200
        assert rows["a0000001"]["plan"] == "free" and rows["a0000003"]["Company_Name"] == "Company 2"
        assert rows["a0000001"]["unsubscribed"] == "true" and rows["a0000002"]["unsubscribed"] == "false"
    assert fake.requests("^/v1/exports/customers$")[0].body["attributes"] == \
        ["plan", "Company Name", "nobody_has_it", "unsubscribed"]


def test_columns_stay_across_runs(component, fake):
    first = run(component, "api")
    second = run(component, "api", attributes="plan", state=first.state)
    assert second.exit_code == 0, second.output
    assert second.headers["customers"] == first.headers["customers"]
    assert {row["first_name"] for row in second.tables["customers"]} == {""}


def test_empty_result_still_writes_the_table_with_its_columns(component, fake):
    result = run(component, "api", filters='{"segment": {"id": 4}}', attributes="plan")
    assert result.exit_code == 0, result.output
    assert result.tables["customers"] == [] and result.headers["customers"] == sorted(BASE_COLUMNS + ["plan"])


def test_export_pending_for_a_while_still_succeeds(component, fake):
    fake.extras["export_pending_seconds"] = 1.2
    result = run(component)
    assert result.exit_code == 0, result.output
    assert len(result.tables["customers"]) == 200
    polls = [r.at for r in fake.requests(r"^/v1/exports/\d+$")]
    gaps = [b - a for a, b in zip(polls, polls[1:])]
    assert len(polls) >= 4 and gaps[-1] > gaps[0]            # the interval grows
    assert all(r.authorization is None for r in fake.requests("^/files/"))


def test_failed_export_exits_1(component, fake):
    fake.extras.update(export_failed=True, export_pending_polls=1)
    failed_with(run(component), "reported that customers export", "failed")


def test_export_stuck_pending_past_its_timeout_exits_1(component, fake):
    fake.extras["export_pending_seconds"] = 3600
    result = run(component, export_timeout_minutes=1, env={"CUSTOMERIO_EXPORT_MINUTE_SECONDS": "0.5"})
    failed_with(result, "was still pending after 1 minute;", "raise customers.export_timeout_minutes")
    assert not fake.requests("/download$")


def test_gzip_export(component, fake):
    fake.extras["export_gzip"] = True
    result = run(component)
    assert result.exit_code == 0, result.output
    assert {row["cio_id"] for row in result.tables["customers"]} == cio_ids(fake.workspace)
    assert fake.requests("^/files/")[0].path.endswith(".csv.gz")


def test_export_without_cio_id_falls_back_to_the_api_method_and_exits_0(component, fake):
    fake.extras["export_without_cio_id"] = True
    result = run(component)
    assert result.exit_code == 0, result.output
    assert {row["cio_id"] for row in result.tables["customers"]} == cio_ids(fake.workspace)
    assert "has no cio_id column" in result.output and "reads everyone with the api method instead" in result.output
    assert len(fake.requests("^/v1/customers/attributes$")) == 2 and len(fake.requests("^/files/")) == 1


def test_flat_attribute_items_are_read_like_wrapped_ones(component, fake):
    fake.extras["customers_flat_items"] = True
    flat = run(component, "api")
    assert flat.exit_code == 0, flat.output
    rows = {row["cio_id"]: row for row in flat.tables["customers"]}
    assert set(rows) == cio_ids(fake.workspace)
    assert rows["a0000008"] == {"Company_Name": "", "cio_id": "a0000008", "cio_subscription_preferences": "",
                                "created_at": fake.workspace.attributes(7)["created_at"], "devices": "[]",
                                "email": "person7@example.com", "first_name": "", "id": "", "last_emailed": "",
                                "plan": "", "unsubscribed": "false"}


def test_missing_ids_are_counted_and_logged(component, fake):
    fake.workspace.people = 1000
    fake.extras["customers_vanished"] = lambda q: q % 100 == 42
    result = run(component, "api")
    assert result.exit_code == 0, result.output
    assert len(result.tables["customers"]) == 990
    assert "10 of the 1,000 people found by the search were missing from the /customers/attributes answers" \
        in result.output


@pytest.mark.parametrize("filters, fragment", [
    ('{"and": [\n  {"segment": {"id": 1}}\n  {"segment": {"id": 2}}\n]}', "is not valid JSON: Expecting ',' "
                                                                          "delimiter at line 3, column 3."),
    ('{"attribute": {"field": "plan", "operator": "gt", "value": "1"}}', 'unknown operator "gt"'),
])
def test_invalid_filter_exits_1_before_any_request(component, fake, filters, fragment):
    result = failed_with(run(component, "api", filters=filters), fragment)
    errors = [line for line in result.output.splitlines() if "customers.filters" in line]
    assert len(errors) == 1 and errors[0].rstrip().endswith(".")
    assert not fake.requests("^/v1/")
