"""Fault storms and the worst nights: every dataset at once against a misbehaving API, run as a process.

Each storm must end with exit 0 and tables that are complete and free of duplicates; each fatal failure with
exit 1 (or 2 for a cursor loop), one clear sentence, and no state written.
"""
import json
import re
import time

import pytest

from fake_api.endpoints import activities as fake_activities
from fake_api.endpoints import messages as fake_messages
from helpers import API_KEY, base_parameters

FAST = {"CUSTOMERIO_BACKOFF_BASE": "0.02", "CUSTOMERIO_RATE_LIMIT": "off"}
ACTIVITY_TYPES = ["event", "page", "attribute_change", "sent_email"]


def every_dataset(**overrides):
    return base_parameters(**{
        "campaigns": True, "segments": True,
        "messages": [{"types": [], "since": "90 days ago"}],
        "customers": [{"filters": "", "attributes": "", "method": "api"}],
        "activities": [{"types": ACTIVITY_TYPES, "mode": "PARSED_DATA"}],
        **overrides})


def small_workspace(fake):
    ws = fake.workspace
    ws.people, ws.segments, ws.messages, ws.message_span_days = 400, 5, 4000, 60
    ws.activities, ws.activity_types = 3000, 12
    return ws


def assert_complete(result, fake, started: int):
    """Every table holds exactly what the fake serves, each key once."""
    ws = fake.workspace
    assert result.exit_code == 0, result.output[-3000:]
    message_ids = [row["id"] for row in result.tables["messages"]]
    expected = {mid for mid, created, _ in fake_messages.expected_messages(fake, started - 90 * 86400 - 5, started)}
    assert len(message_ids) == len(set(message_ids))
    assert set(message_ids) == expected
    for kind in ACTIVITY_TYPES:
        ids = [row["id"] for row in result.tables[f"activity_{kind}"]]
        assert len(ids) == len(set(ids)) and set(ids) == set(fake_activities.expected_ids(fake, kind))
    customers = [row["cio_id"] for row in result.tables["customers"]]
    assert len(customers) == len(set(customers)) == ws.people
    members = {(row["segment_id"], row["cio_id"]) for row in result.tables["segment_members"]}
    assert len(members) == len(result.tables["segment_members"])
    assert len(members) == sum(ws.segment_size(s) for s in ws.segment_ids())
    assert len(result.tables["campaigns"]) == ws.campaigns
    assert len(result.tables["segments"]) == ws.segments
    assert result.state is not None


STORMS = {
    "20% 429 with Retry-After": dict(rate_429=0.20, retry_after="0.05"),
    "10% 5xx": dict(rate_5xx=0.10),
    "5% connection resets": dict(rate_reset=0.05),
    "truncated and invalid JSON bodies": dict(rate_truncated=0.05, rate_invalid_json=0.05),
    "responses slower than the read timeout": dict(rate_slow=0.08, slow_seconds=1.0),
    "empty pages that still carry next": dict(rate_empty_page=0.15),
}


@pytest.mark.parametrize("storm", list(STORMS), ids=list(STORMS))
def test_storm_ends_complete_and_duplicate_free(component, fake, storm):
    small_workspace(fake)
    for name, value in STORMS[storm].items():
        setattr(fake.faults, name, value)
    started = int(time.time())
    result = component(every_dataset(), env=dict(FAST, CUSTOMERIO_READ_TIMEOUT="0.4"))
    assert_complete(result, fake, started)
    retried = int(re.search(r"\(([\d,]+) retried\)", result.stdout).group(1).replace(",", ""))
    if "rate_empty_page" in STORMS[storm]:
        assert fake.extras.get("empty_pages", 0) > 0, "empty pages really were served"
    else:
        assert retried > 0, "the storm really happened and was retried"


def test_new_fields_in_the_middle_of_a_walk_add_columns_and_lose_nothing(component, fake, monkeypatch):
    small_workspace(fake)
    original = fake_messages.message

    def growing(fake_, block, g):
        record = original(fake_, block, g)
        if g % 2000 >= 1500:          # the last quarter of every 2,000: a key first seen mid-page, mid-walk
            record["tracking_consent"] = "granted"
        return record

    monkeypatch.setattr(fake_messages, "message", growing)
    fake.workspace.messages = 20000
    started = int(time.time())
    result = component(base_parameters(messages=[{"types": [], "since": "90 days ago"}]), env=FAST)
    assert result.exit_code == 0, result.output
    rows = result.tables["messages"]
    expected = {mid for mid, _, _ in fake_messages.expected_messages(fake, started - 90 * 86400 - 5, started)}
    assert {row["id"] for row in rows} == expected and len(rows) == len(expected)
    assert "tracking_consent" in result.headers["messages"]
    with_field = [row for row in rows if row["tracking_consent"] == "granted"]
    assert 0 < len(with_field) < len(rows)


def test_scale_run_100000_messages_with_10_percent_mixed_faults(component, fake):
    ws = fake.workspace
    ws.people, ws.messages, ws.message_span_days = 2000, 100000, 80
    faults = fake.faults
    faults.rate_429, faults.retry_after, faults.rate_5xx = 0.04, "0.02", 0.03
    faults.rate_reset, faults.rate_truncated, faults.rate_empty_page = 0.01, 0.01, 0.01
    started = int(time.time())
    result = component(base_parameters(messages=[{"types": [], "since": "90 days ago"}]), env=FAST)
    assert result.exit_code == 0, result.output[-2000:]
    ids = [row["id"] for row in result.tables["messages"]]
    assert len(ids) == len(set(ids)) == 100000
    expected = {mid for mid, _, _ in fake_messages.expected_messages(fake, started - 90 * 86400 - 5, started)}
    assert set(ids) == expected
    assert sum(1 for r in fake.requests("^/v1/") if r.status != 200) > 5


def test_failure_midway_leaves_state_untouched_and_the_next_run_redoes_the_work(component, fake):
    small_workspace(fake)
    first = component(every_dataset(messages=[{"types": [], "since": "90 days ago", "incremental_output": True}]),
                      env=FAST)
    assert first.exit_code == 0, first.output
    fake.force("^/v1/customers/attributes$", 500)
    failed = component(every_dataset(messages=[{"types": [], "since": "90 days ago", "incremental_output": True}]),
                       state=first.state, env=dict(FAST, CUSTOMERIO_MAX_RETRY_SECONDS="1"))
    assert failed.exit_code == 1
    assert "POST /customers/attributes" in failed.stderr and "500" in failed.stderr
    assert failed.state is None


def test_redirect_to_another_host_is_not_followed_with_the_key(component, fake):
    fake.force("^/v1/campaigns$", 302)
    result = component(base_parameters(campaigns=True))
    assert result.exit_code == 1
    assert "redirected to beta-api-eu.customer.io" in result.stderr and "region" in result.stderr
    assert len(fake.requests("^/v1/campaigns$")) == 1
    assert "Traceback" not in result.output


def test_key_never_appears_anywhere_in_a_debug_run_of_every_dataset(component, fake):
    small_workspace(fake)
    fake.faults.rate_429, fake.faults.retry_after, fake.faults.rate_5xx = 0.1, "0.02", 0.05
    parameters = every_dataset(debug=True, customers=[{"filters": "", "attributes": "", "method": "export"}])
    result = component(parameters, env=dict(FAST, CUSTOMERIO_EXPORT_POLL_SECONDS="0.05"))
    assert result.exit_code == 0, result.output[-2000:]
    assert "Starting new HTTP connection" in result.output          # debug logging was on
    assert API_KEY not in result.output
    for name in result.tables:
        with open(f"{result.data_dir}/out/tables/{name}.csv") as handle:
            assert API_KEY not in handle.read()
        assert API_KEY not in json.dumps(result.manifests[name])
    assert API_KEY not in json.dumps(result.state)
    downloads = fake.requests("^/files/")
    assert downloads and all(r.authorization is None for r in downloads)
