"""The component as a process against the fake API: campaigns, segments, members, state, manifests, failures."""
import json

import pytest

from helpers import API_KEY, base_parameters
from storage import check_manifest, primary_key

FAST_RETRIES = {"CUSTOMERIO_BACKOFF_BASE": "0.02"}


def test_campaigns_segments_and_members(component, fake):
    fake.workspace.people = 60
    result = component(base_parameters(campaigns=True, segments=True))
    assert result.exit_code == 0, result.output
    ws = fake.workspace
    assert sorted(int(r["id"]) for r in result.tables["campaigns"]) == list(range(1, ws.campaigns + 1))
    assert len(result.tables["segments"]) == ws.segments
    members = result.tables["segment_members"]
    expected = {(str(s), ws.person(ws.segment_member(s, k))["cio_id"])
                for s in ws.segment_ids() for k in range(ws.segment_size(s))}
    assert {(r["segment_id"], r["cio_id"]) for r in members} == expected
    assert len(members) == len(expected)
    assert result.headers["segment_members"] == ["cio_id", "email", "id", "segment_id"]
    email_only = [r for r in members if r["id"] == ""]
    assert email_only and all(r["email"] for r in email_only)
    campaign = next(r for r in result.tables["campaigns"] if r["id"] == "1")
    assert json.loads(campaign["actions"]) == [{"id": 10, "type": "email"}, {"id": 11, "type": "email"}]
    assert json.loads(campaign["tags"]) == ["sample", "t1"]
    assert campaign["active"] == "true"
    assert "Table segment_members:" in result.stdout and "Done in" in result.stdout
    # one page per non-empty segment: membership pages hold up to 30000
    assert all(r.query["limit"] == "30000" for r in fake.requests("/membership$"))


def test_empty_segment_and_no_members_option(component, fake):
    fake.workspace.segments = 1  # the last segment is always empty: identifiers null
    result = component(base_parameters(segments=True))
    assert result.exit_code == 0, result.output
    assert result.tables["segment_members"] == [] and result.headers["segment_members"]
    result = component(base_parameters(segments=True, segment_members=False))
    assert "segment_members" not in result.tables
    assert not fake.requests("/membership$")[1:]


@pytest.mark.parametrize("incremental, keep, loaded_incrementally, key", [
    (1, False, False, ["id"]),          # read whole every run: replaced, keeping its primary key
    (1, True, True, ["id"]),
    (0, False, False, []),
])
def test_manifests_follow_the_load_type(component, incremental, keep, loaded_incrementally, key):
    result = component(base_parameters(campaigns=True, incremental_output=incremental, keep_deleted_rows=keep))
    manifest = result.manifests["campaigns"]
    assert manifest["incremental"] is loaded_incrementally
    assert primary_key(manifest) == key
    check_manifest("campaigns", manifest, result.headers["campaigns"])     # a header row, said so, all columns


def test_new_campaign_fields_appear_and_old_columns_stay(component, fake):
    first = component(base_parameters(campaigns=True))
    state = dict(first.state)
    state["tables"]["campaigns"]["columns"].append("retired_field")
    second = component(base_parameters(campaigns=True), state=state)
    assert "retired_field" in second.headers["campaigns"]
    assert all(row["retired_field"] == "" for row in second.tables["campaigns"])


def test_state_keeps_keys_it_does_not_own_and_reads_the_original_state(component):
    original_state = {"activity_headers": {"event": ["id", "data_x"]}, "message_headers": ["id"],
                      "message_last_token": {"email": "abc"}, "something_else": {"x": 1}}
    result = component(base_parameters(campaigns=True), state=original_state)
    assert result.exit_code == 0, result.output
    for key, value in original_state.items():
        assert result.state[key] == value
    assert "campaigns" in result.state["tables"]


def test_original_component_config_runs(component):
    parameters = {"#api_secret": f"  {API_KEY}\n", "api_region": "us", "incremental_output": 1,
                  "campaigns": True, "segments": True, "activities": [], "messages": [], "customers": []}
    result = component(parameters)
    assert result.exit_code == 0, result.output
    assert {"campaigns", "segments", "segment_members"} <= set(result.tables)


def test_wrong_key_exits_1_with_the_fix_and_no_traceback(component):
    result = component(base_parameters(campaigns=True, **{"#api_secret": "not-the-key"}))
    assert result.exit_code == 1
    assert "rejected the API key" in result.stderr and "App API key" in result.stderr
    assert "Traceback" not in result.output and "not-the-key" not in result.output
    assert result.state is None


@pytest.mark.parametrize("overrides, fragment", [
    ({"#api_secret": ""}, "API key (#api_secret) is missing"),
    ({"api_region": "mars"}, "`api_region` must be one of us, eu"),
    ({"campaigns": "yes"}, "`campaigns` must be true or false"),
])
def test_bad_config_exits_1_with_one_sentence(component, fake, overrides, fragment):
    result = component(base_parameters(**{"campaigns": True, **overrides}))
    assert result.exit_code == 1
    assert fragment in result.stderr
    assert "Traceback" not in result.output
    assert not fake.requests("^/v1/")


@pytest.mark.parametrize("text, fragment", [("<missing>", "config.json"), ("{not json", "config.json")])
def test_missing_or_broken_config_file_exits_1(component, text, fragment):
    result = component({}, config_text=text)
    assert result.exit_code == 1
    assert fragment in result.stderr and "Traceback" not in result.output


def test_403_names_the_dataset_and_does_not_advance_state(component, fake):
    fake.force("^/v1/campaigns$", 403)
    result = component(base_parameters(campaigns=True, segments=True), state={"keep": 1})
    assert result.exit_code == 1
    assert "lacks the scope for campaigns" in result.stderr
    assert result.state is None


def test_storm_of_429_and_5xx_still_gives_complete_tables(component, fake):
    fake.workspace.people, fake.workspace.segments = 300, 12
    fake.faults.rate_429, fake.faults.retry_after, fake.faults.rate_5xx = 0.10, "0.05", 0.05
    result = component(base_parameters(campaigns=True, segments=True), env=FAST_RETRIES)
    assert result.exit_code == 0, result.output
    ws = fake.workspace
    members = result.tables["segment_members"]
    keys = [(r["segment_id"], r["cio_id"]) for r in members]
    assert len(keys) == len(set(keys)) == sum(ws.segment_size(s) for s in ws.segment_ids())
    assert len(result.tables["segments"]) == ws.segments
    assert len(result.tables["campaigns"]) == ws.campaigns
    statuses = {r.status for r in fake.requests("^/v1/")}
    assert 429 in statuses or any(s >= 500 for s in statuses)


def test_retries_exhausted_exits_1_naming_endpoint_and_status(component, fake):
    fake.force("^/v1/segments$", 502)
    env = dict(FAST_RETRIES, CUSTOMERIO_MAX_RETRY_SECONDS="1")
    result = component(base_parameters(segments=True), env=env)
    assert result.exit_code == 1
    assert "GET /segments" in result.stderr and "502" in result.stderr
    assert "Traceback" not in result.output and result.state is None


def test_never_more_requests_per_second_than_configured(component, fake):
    fake.workspace.people, fake.workspace.segments = 40, 30
    result = component(base_parameters(segments=True, campaigns=True, max_requests_per_second=10))
    assert result.exit_code == 0, result.output
    assert len(fake.requests("^/v1/")) >= 30
    assert fake.peak_per_second() <= 10


def test_debug_run_never_prints_the_key(component, fake):
    fake.faults.rate_429, fake.faults.retry_after = 0.2, "0.05"
    result = component(base_parameters(campaigns=True, segments=True, debug=True), env=FAST_RETRIES)
    assert result.exit_code == 0, result.output
    assert "Starting new HTTP connection" in result.output  # debug logging really is on
    assert API_KEY not in result.output
    for name in result.tables:
        assert API_KEY not in open(f"{result.data_dir}/out/tables/{name}.csv").read()
    assert API_KEY not in json.dumps(result.state)


def test_cursor_loop_exits_2_with_a_clear_message(component, fake):
    from fake_api.endpoints import segments as segment_endpoints
    from fake_api.server import encode_cursor
    fake.workspace.people = 100
    original = segment_endpoints.cursor_page

    def looping(fake_, query, items_key, total, items, default_limit, max_limit, extra=None):
        page = original(fake_, query, items_key, total, items, 1, 1, extra)
        page["next"] = encode_cursor({"o": 1})  # the same cursor every time
        return page

    segment_endpoints.cursor_page = looping
    try:
        result = component(base_parameters(segments=True))
    finally:
        segment_endpoints.cursor_page = original
    assert result.exit_code == 2
    assert "same pagination cursor twice" in result.stderr
