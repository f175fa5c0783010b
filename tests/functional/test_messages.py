"""Messages run as a process against the fake API: windows over 14 months, two runs, types, failures."""
import math
import time
from collections import Counter

from fake_api.endpoints.messages import (SIX_MONTHS, TYPES, add_messages, delivery_id, expected_messages,
                                         fail_after)
from helpers import base_parameters
from storage import primary_key

FAST = {"CUSTOMERIO_RATE_LIMIT": "off"}
DAY = 86400


def messages_parameters(types=(), continue_since_last_run=True, since="14 months ago", lookback_days=0, **top):
    item = {"types": list(types), "incremental_output": continue_since_last_run, "since": since,
            "lookback_days": lookback_days}
    return base_parameters(messages=[item], **top)


def window_requests(fake, since_index=0):
    """(type, start_ts, end_ts) -> number of requests, for /v1/messages requests after `since_index`."""
    counts = Counter()
    for request in fake.requests("^/v1/messages$")[since_index:]:
        counts[(request.query.get("type"), int(request.query["start_ts"]), int(request.query["end_ts"]))] += 1
    return counts


def log_lines(result, text):
    return [line for line in result.output.splitlines() if text in line]


def test_fourteen_months_in_one_run_then_only_the_new_messages(component, fake):
    fake.workspace.messages = 50_000
    fake.workspace.message_span_days = 420
    started = time.time()
    first = component(messages_parameters(), env=FAST)
    first_seconds = time.time() - started
    assert first.exit_code == 0, first.output
    rows = first.tables["messages"]
    ids = Counter(row["id"] for row in rows)
    assert len(rows) == 50_000 and len(ids) == 50_000
    assert set(ids) == {m[0] for m in expected_messages(fake, 0, 2 * 10 ** 9)}

    windows = window_requests(fake)
    spans = sorted({(start, end) for _, start, end in windows})
    assert all(kind is None for kind, _, _ in windows)
    for (_, end), (next_start, _) in zip(spans, spans[1:]):
        assert next_start == end + 1
    assert all(end - start < SIX_MONTHS for start, end in spans) and len(spans) == 8
    assert spans[0][0] < fake.workspace.now - 420 * DAY and spans[-1][1] >= fake.workspace.now
    minimal = sum(max(1, math.ceil(len(list(expected_messages(fake, start, end))) / 1000)) for start, end in spans)
    assert sum(windows.values()) == minimal
    assert all(r.query["limit"] == "1000" for r in fake.requests("^/v1/messages$"))
    assert first.state["messages"]["newest_created"]["all"] == fake.workspace.now - 60
    assert set(first.headers["messages"]) >= {"id", "metrics_sent", "metrics_delivered",
                                              "customer_identifiers_cio_id", "customer_identifiers_email",
                                              "customer_identifiers_id", "msg_template_id", "message_template_id"}
    assert "metrics" not in first.headers["messages"] and "customer_identifiers" not in first.headers["messages"]
    assert primary_key(first.manifests["messages"]) == ["id"] and first.manifests["messages"]["incremental"]

    first_requests = len(fake.requests("^/v1/messages$"))
    new_ids = add_messages(fake, 500, newest=int(time.time()))
    started = time.time()
    second = component(messages_parameters(), state=first.state, env=FAST)
    second_seconds = time.time() - started
    assert second.exit_code == 0, second.output
    second_ids = Counter(row["id"] for row in second.tables["messages"])
    assert len(second.tables["messages"]) == 500 and len(second_ids) == 500
    newest_created = max(m[1] for m in expected_messages(fake, 0, 2 * 10 ** 9))
    assert set(second_ids) == {delivery_id(g) for g in new_ids}
    second_requests = len(fake.requests("^/v1/messages$")) - first_requests
    assert second_requests <= first_requests * 0.05
    assert second.state["messages"]["newest_created"]["all"] == newest_created
    print(f"\nfirst run: {len(rows)} rows, {first_requests} requests, {first_seconds:.1f} s; "
          f"second run: {len(second_ids)} rows, {second_requests} requests, {second_seconds:.1f} s")


def test_lookback_rereads_its_window_without_duplicates(component, fake):
    fake.workspace.messages = 3_000
    fake.workspace.message_span_days = 30
    parameters = messages_parameters(since="40 days ago", lookback_days=2)
    first = component(parameters, env=FAST)
    assert first.exit_code == 0, first.output
    newest = first.state["messages"]["newest_created"]["all"]
    add_messages(fake, 40, newest=int(time.time()))
    second = component(parameters, state=first.state, env=FAST)
    assert second.exit_code == 0, second.output
    ids = Counter(row["id"] for row in second.tables["messages"])
    assert max(ids.values()) == 1
    expected = {m[0] for m in expected_messages(fake, newest + 1 - 2 * DAY, 2 * 10 ** 9)}
    assert set(ids) == expected and len(expected) > 40 + 150
    assert min(int(row["created"]) for row in second.tables["messages"]) >= newest + 1 - 2 * DAY


def test_without_continue_every_run_starts_at_since(component, fake):
    fake.workspace.messages = 400
    fake.workspace.message_span_days = 30
    parameters = messages_parameters(continue_since_last_run=False, since="60 days ago")
    first = component(parameters, env=FAST)
    second = component(parameters, state=first.state, env=FAST)
    assert second.exit_code == 0, second.output
    assert len(first.tables["messages"]) == len(second.tables["messages"]) == 400


def test_types_filter_walks_each_type_separately(component, fake):
    fake.workspace.messages = 4_000
    fake.workspace.message_span_days = 200
    result = component(messages_parameters(types=["email", "push"], since="1 year ago"), env=FAST)
    assert result.exit_code == 0, result.output
    rows = result.tables["messages"]
    assert {row["type"] for row in rows} == {"email", "push"}
    expected = {m[0] for m in expected_messages(fake, 0, 2 * 10 ** 9, {"email", "push"})}
    assert Counter(row["id"] for row in rows) == Counter(expected)
    windows = window_requests(fake)
    assert {kind for kind, _, _ in windows} == {"email", "push"}
    for kind in ("email", "push"):
        spans = sorted((start, end) for k, start, end in windows if k == kind)
        assert len(spans) == 4 and all(b[0] == a[1] + 1 for a, b in zip(spans, spans[1:]))
    assert set(result.state["messages"]["newest_created"]) == {"email", "push"}


def test_urban_airship_legacy_token_and_headers(component, fake):
    fake.workspace.messages = 200
    legacy_state = {"message_last_token": {"email": "b2xkLXRva2Vu"}, "message_headers": ["id", "legacy_column"]}
    result = component(messages_parameters(types=["email", "urban_airship"]), state=legacy_state, env=FAST)
    assert result.exit_code == 0, result.output
    assert len(log_lines(result, "urban_airship")) == 1
    assert len(log_lines(result, "message_last_token")) == 1
    assert {r.query.get("type") for r in fake.requests("^/v1/messages$")} == {"email"}
    assert all("start" not in r.query for r in fake.requests("^/v1/messages$"))
    assert {row["type"] for row in result.tables["messages"]} == {"email"}
    assert "legacy_column" in result.headers["messages"]
    assert result.state["message_last_token"] == legacy_state["message_last_token"]


def test_empty_result_still_writes_table_and_keeps_state(component, fake):
    stored = {"messages": {"newest_created": {"all": fake.workspace.now - 5 * DAY}}}
    result = component(messages_parameters(), state=stored, env=FAST)
    assert result.exit_code == 0, result.output
    assert result.tables["messages"] == [] and "id" in result.headers["messages"]
    assert primary_key(result.manifests["messages"]) == ["id"]
    assert result.state["messages"] == stored["messages"]


def test_full_load_with_continue_warns_and_has_no_primary_key(component, fake):
    fake.workspace.messages = 100
    result = component(messages_parameters(incremental_output=0), env=FAST)
    assert result.exit_code == 0, result.output
    assert len(log_lines(result, "will hold only the messages that appeared since the last run")) == 1
    assert primary_key(result.manifests["messages"]) == []
    assert result.manifests["messages"]["incremental"] is False
    assert len(result.tables["messages"]) == 100


def test_unknown_type_and_bad_since_exit_1(component, fake):
    unknown = component(messages_parameters(types=["email", "sms"]))
    assert unknown.exit_code == 1
    assert "sms" in unknown.output and all(kind in unknown.output for kind in TYPES)
    bad_since = component(messages_parameters(since="the day before yesterday"))
    assert bad_since.exit_code == 1 and "messages.since" in bad_since.output
    assert fake.requests("^/v1/messages") == []


def test_failed_run_does_not_advance_state(component, fake):
    fake.workspace.messages = 3_000
    fake.workspace.message_span_days = 300
    parameters = messages_parameters(types=["email", "push"])
    first = component(parameters, env=FAST)
    assert first.exit_code == 0, first.output
    add_messages(fake, 80, newest=int(time.time()))
    fail_after(fake, 1)   # one walk gets its page and writes rows, the other gets 403
    before = len(fake.requests("^/v1/messages$"))
    failed = component(parameters, state=first.state, env=FAST)
    assert failed.exit_code == 1 and "403" in failed.output
    assert sorted(r.status for r in fake.requests("^/v1/messages$")[before:]) == [200, 403]
    assert failed.state is None and failed.tables == {}
    fake.extras.pop("messages_fail_after")
    retried = component(parameters, state=first.state, env=FAST)
    assert retried.exit_code == 0, retried.output
    expected = {m[0] for m in expected_messages(fake, fake.workspace.now - 59, 2 * 10 ** 9, {"email", "push"})}
    assert {row["id"] for row in retried.tables["messages"]} == expected and len(expected) == 20
