"""Messages extractor without a process: windows, start points, state, records; and the fake's 6-month rule."""
import logging
from datetime import datetime, timezone

import pytest

from configuration import ConfigError, MessagesSettings, Settings, parse_settings
from customerio import PAGE_LIMITS, Page
from customerio.catalog import MESSAGE_TYPES
from extractors import extractor_classes
from extractors.messages import DAY, MESSAGES, WINDOW_DAYS, MessagesExtractor, windows
from fake_api import FakeCustomerIo, HttpError, Workspace
from fake_api.endpoints import messages as fake_messages
from output.cells import flatten

RUN_STARTED = 1_800_000_000
SINCE = RUN_STARTED - 400 * DAY


class RecordingClient:
    """Serves `records` filtered like the API (type, inclusive created window), one page per request."""

    def __init__(self, records=()):
        self.records = list(records)
        self.calls = []

    def paginate(self, path, items_key, *, params=None, limit=None, method="GET", json_body=None):
        self.calls.append((path, dict(params or {}), limit))
        params = params or {}
        items = [dict(r, customer_identifiers=dict(r.get("customer_identifiers") or {})) for r in self.records
                 if params["start_ts"] <= r["created"] <= params["end_ts"]
                 and params.get("type") in (None, r.get("type"))]
        yield Page(items, {items_key: items, "next": ""})


def settings(types=(), continue_since_last_run=False, lookback_days=0, since=SINCE, incremental=True):
    return Settings(api_key="key", incremental=incremental,
                    messages=MessagesSettings(types=list(types), continue_since_last_run=continue_since_last_run,
                                              lookback_days=lookback_days, since=since))


def extractor(client=None, state=None, **options):
    return MessagesExtractor(client or RecordingClient(), settings(**options), state or {}, RUN_STARTED)


def run_all(ex):
    rows = []
    for walk in ex.walks():
        for table, record in walk.run():
            assert table == MESSAGES
            rows.append(record)
    return rows


def message(created, kind="email", **extra):
    record = {"id": f"m{created}-{kind}", "created": created, "type": kind,
              "customer_identifiers": {"id": "1", "email": "a@example.com", "cio_id": "a1"}}
    record.update(extra)
    return record


# ---------------------------------------------------------------------------------------------- windows
def test_windows_cover_the_range_back_to_back_without_overlap():
    spans = windows(SINCE, RUN_STARTED)
    assert spans[0][0] == SINCE and spans[-1][1] == RUN_STARTED
    for (_, end), (next_start, _) in zip(spans, spans[1:]):
        assert next_start == end + 1
    assert all(end - start + 1 <= WINDOW_DAYS * DAY for start, end in spans)
    assert len(spans) == 3


def test_windows_edges():
    size = WINDOW_DAYS * DAY
    assert windows(100, 100) == [(100, 100)]
    assert windows(101, 100) == []
    assert windows(0, size - 1) == [(0, size - 1)]
    assert windows(0, size) == [(0, (size + 1) // 2 - 1), ((size + 1) // 2, size)]


@pytest.mark.parametrize("days, pieces, count", [(175, 4, 4), (175, 8, 8), (400, 8, 8), (400, 1, 3), (1000, 8, 8),
                                                 (2000, 8, 12), (3, 8, 3), (1, 8, 1), (0.5, 8, 1)])
def test_long_ranges_are_cut_into_enough_windows_of_at_least_a_day(days, pieces, count):
    end = SINCE + int(days * DAY) - 1
    spans = windows(SINCE, end, pieces)
    assert len(spans) == count
    assert spans[0][0] == SINCE and spans[-1][1] == end
    assert all(b[0] == a[1] + 1 for a, b in zip(spans, spans[1:]))
    assert all(DAY <= e - s + 1 <= WINDOW_DAYS * DAY for s, e in spans) or count == 1
    lengths = {e - s + 1 for s, e in spans}
    assert max(lengths) - min(lengths) <= 1


@pytest.mark.parametrize("types, per_type", [([], 8), (["email"], 8), (["email", "push"], 4),
                                             (["email", "push", "slack"], 3), (list(MESSAGE_TYPES), 1)])
def test_about_eight_walks_run_at_once_on_a_long_range(types, per_type):
    walks = list(extractor(types=types, since=RUN_STARTED - 175 * DAY).walks())
    assert len(walks) == per_type * max(len(types), 1)


def test_a_daily_incremental_run_stays_one_window():
    state = {"messages": {"newest_created": {"all": RUN_STARTED - 20 * 3600}}}
    assert len(list(extractor(state=state, continue_since_last_run=True).walks())) == 1


def test_window_is_within_the_apis_six_months():
    assert WINDOW_DAYS * DAY <= fake_messages.SIX_MONTHS


# ---------------------------------------------------------------------------------------------- walks
def test_extractor_is_discovered_with_its_table():
    assert MessagesExtractor in extractor_classes()
    assert extractor().tables() == [MESSAGES]
    assert MESSAGES.primary_key == ("id",)
    assert MESSAGES.expand == {"metrics": 1, "customer_identifiers": 1}


def test_no_types_is_one_unfiltered_walk_per_window_with_the_maximum_page_size():
    client = RecordingClient()
    walks = list(extractor(client).walks())
    assert len(walks) == len(windows(SINCE, RUN_STARTED, 8)) == 8
    run_all(extractor(client))
    assert all(path == "/messages" and "type" not in params and limit == PAGE_LIMITS["messages"] == 1000
               for path, params, limit in client.calls)


def test_each_type_is_its_own_walk_with_its_type_sent():
    client = RecordingClient([message(SINCE + 10, "email"), message(SINCE + 20, "push"),
                              message(SINCE + 30, "slack")])
    ex = extractor(client, types=["email", "push"])
    labels = [walk.label for walk in ex.walks()]
    assert len(labels) == 2 * len(windows(SINCE, RUN_STARTED, 4)) == 8 and len(set(labels)) == len(labels)
    rows = run_all(ex)
    assert sorted(r["type"] for r in rows) == ["email", "push"]
    assert {params["type"] for _, params, _ in client.calls} == {"email", "push"}


def test_requests_use_inclusive_back_to_back_windows_up_to_run_start():
    client = RecordingClient()
    run_all(extractor(client))
    spans = sorted((params["start_ts"], params["end_ts"]) for _, params, _ in client.calls)
    assert spans == windows(SINCE, RUN_STARTED, 8)


def test_urban_airship_is_skipped_with_one_warning(caplog):
    client = RecordingClient()
    with caplog.at_level(logging.INFO):
        run_all(extractor(client, types=["email", "urban_airship"]))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "urban_airship" in warnings[0].getMessage()
    assert {params.get("type") for _, params, _ in client.calls} == {"email"}


def test_only_urban_airship_reads_nothing_and_says_so(caplog):
    client = RecordingClient()
    with caplog.at_level(logging.INFO):
        assert list(extractor(client, types=["urban_airship"]).walks()) == []
    warning, = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "no messages are downloaded" in warning
    assert client.calls == []


def test_legacy_token_is_ignored_with_one_info_line(caplog):
    state = {"message_last_token": {"email": "abc", "push": "def"}}
    client = RecordingClient()
    with caplog.at_level(logging.INFO):
        run_all(extractor(client, state=state, types=["email", "push"], continue_since_last_run=True))
    lines = [r.getMessage() for r in caplog.records if "message_last_token" in r.getMessage()]
    assert len(lines) == 1 and "never saw new messages" in lines[0]
    assert all("start" not in params for _, params, _ in client.calls)
    assert all(params["start_ts"] >= SINCE for _, params, _ in client.calls)


def test_full_load_with_continue_warns_once(caplog):
    with caplog.at_level(logging.INFO):
        list(extractor(continue_since_last_run=True, incremental=False).walks())
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "only the messages that appeared since the last run" in warnings[0]


def test_full_load_without_continue_does_not_warn(caplog):
    with caplog.at_level(logging.INFO):
        list(extractor(incremental=False).walks())
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# ---------------------------------------------------------------------------------------------- start points
def test_continue_starts_after_the_stored_newest_minus_lookback():
    state = {"messages": {"newest_created": {"email": RUN_STARTED - 1000, "all": 5}}}
    assert extractor(state=state, types=["email"], continue_since_last_run=True).start_for("email")[0] \
        == RUN_STARTED - 999
    assert extractor(state=state, types=["email"], continue_since_last_run=True, lookback_days=3) \
        .start_for("email")[0] == RUN_STARTED - 999 - 3 * DAY


def test_type_without_stored_value_starts_at_since():
    state = {"messages": {"newest_created": {"email": RUN_STARTED - 1000}}}
    assert extractor(state=state, types=["email", "push"], continue_since_last_run=True).start_for("push")[0] \
        == SINCE


def test_without_continue_every_run_starts_at_since():
    state = {"messages": {"newest_created": {"all": RUN_STARTED - 1000}}}
    client = RecordingClient()
    run_all(extractor(client, state=state))
    assert min(params["start_ts"] for _, params, _ in client.calls) == SINCE


def test_nothing_to_read_when_the_last_run_reached_this_second():
    state = {"messages": {"newest_created": {"all": RUN_STARTED}}}
    client = RecordingClient()
    ex = extractor(client, state=state, continue_since_last_run=True)
    assert list(ex.walks()) == [] and client.calls == []
    assert ex.new_state() == {"newest_created": {"all": RUN_STARTED}}


@pytest.mark.parametrize("stored", [None, "x", {"newest_created": "x"}, {"newest_created": {"all": "12"}},
                                    {"newest_created": {"all": True}}])
def test_malformed_state_means_start_at_since(stored):
    state = {"messages": stored} if stored is not None else {}
    ex = extractor(state=state, continue_since_last_run=True)
    assert ex.start_for("all")[0] == SINCE


# ---------------------------------------------------------------------------------------------- new state
def test_state_records_the_newest_created_per_type_and_keeps_others():
    state = {"messages": {"newest_created": {"email": SINCE + 5, "twilio": 77}}}
    client = RecordingClient([message(SINCE + 10, "email"), message(SINCE + 50, "email"),
                              message(SINCE + 30, "push")])
    ex = extractor(client, state=state, types=["email", "push"], continue_since_last_run=True)
    run_all(ex)
    assert ex.new_state() == {"newest_created": {"email": SINCE + 50, "push": SINCE + 30, "twilio": 77}}


def test_state_keeps_the_previous_value_when_nothing_is_seen():
    state = {"messages": {"newest_created": {"all": SINCE + 100}}}
    ex = extractor(RecordingClient(), state=state, continue_since_last_run=True)
    run_all(ex)
    assert ex.new_state() == {"newest_created": {"all": SINCE + 100}}
    fresh = extractor(RecordingClient())
    run_all(fresh)
    assert fresh.new_state() == {"newest_created": {}}


def test_state_never_passes_the_run_start():
    client = RecordingClient([message(RUN_STARTED + 5 * DAY)])
    # A server that ignores end_ts hands out a future-dated message.
    client.paginate = lambda *args, **kwargs: iter([Page(client.records, {})])
    ex = extractor(client, continue_since_last_run=True)
    run_all(ex)
    assert ex.new_state()["newest_created"]["all"] == RUN_STARTED


def test_state_never_moves_back():
    state = {"messages": {"newest_created": {"all": SINCE + 500}}}
    ex = extractor(RecordingClient([message(SINCE + 10)]), state=state)
    run_all(ex)
    assert ex.new_state()["newest_created"]["all"] == SINCE + 500


def test_state_is_recorded_without_continue_too():
    ex = extractor(RecordingClient([message(SINCE + 10)]))
    run_all(ex)
    assert ex.new_state() == {"newest_created": {"all": SINCE + 10}}


# ---------------------------------------------------------------------------------------------- records
def test_records_flatten_metrics_and_identifiers_and_keep_both_template_ids():
    records = [message(SINCE + 1, metrics={"sent": 1, "opened": 2}, msg_template_id=4, campaign_id=None,
                       customer_identifiers={"id": "7", "email": "x@example.com", "cio_id": 3000001}),
               message(SINCE + 2, metrics={"failed": 3}, message_template_id=5, tracked_responses={"a": {"id": 1}})]
    rows = [flatten(r, MESSAGES.expand) for r in run_all(extractor(RecordingClient(records)))]
    by_created = {row["created"]: row for row in rows}
    first, second = by_created[str(SINCE + 1)], by_created[str(SINCE + 2)]
    assert first["metrics_sent"] == "1" and first["metrics_opened"] == "2" and "metrics" not in first
    assert first["customer_identifiers_cio_id"] == "3000001"
    assert first["customer_identifiers_email"] == "x@example.com" and first["msg_template_id"] == "4"
    assert second["message_template_id"] == "5" and second["metrics_failed"] == "3"
    assert second["tracked_responses"] == '{"a":{"id":1}}'


def test_legacy_headers_seed_the_sticky_columns():
    assert extractor(state={"message_headers": ["id", "metrics_sent", "", 5]}).seed_columns() == \
        {"messages": ["id", "metrics_sent"]}
    assert extractor(state={"message_headers": "id"}).seed_columns() == {}
    assert extractor().seed_columns() == {}


# ---------------------------------------------------------------------------------------------- configuration
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


def test_unknown_type_lists_the_valid_ones():
    with pytest.raises(ConfigError) as error:
        parse_settings({"#api_secret": "k", "messages": [{"types": ["email", "sms"], "incremental_output": True}]},
                       now=NOW)
    text = str(error.value)
    assert "sms" in text and all(kind in text for kind in MESSAGE_TYPES + ("urban_airship",))


def test_bad_since_is_a_config_error():
    with pytest.raises(ConfigError, match="messages.since"):
        parse_settings({"#api_secret": "k", "messages": [{"types": [], "since": "last tuesday"}]}, now=NOW)


# ---------------------------------------------------------------------------------------------- the fake API
NOW_TS = 1_900_000_000


@pytest.mark.parametrize("query, expected", [
    ({}, (NOW_TS - fake_messages.SIX_MONTHS, NOW_TS)),
    ({"end_ts": "1000000000"}, (1_000_000_000 - fake_messages.SIX_MONTHS, 1_000_000_000)),
    ({"start_ts": "1"}, (NOW_TS - fake_messages.SIX_MONTHS, NOW_TS)),
    ({"start_ts": str(NOW_TS - 10)}, (NOW_TS - 10, NOW_TS)),
    ({"start_ts": "1", "end_ts": "1000000000"}, (1_000_000_000 - fake_messages.SIX_MONTHS, 1_000_000_000)),
    ({"start_ts": "5", "end_ts": "10"}, (5, 10)),
])
def test_fake_applies_the_six_month_rule(query, expected):
    assert fake_messages.window(query, NOW_TS) == expected


def test_fake_rejects_unknown_type_and_pages_by_limit():
    fake = FakeCustomerIo(Workspace(messages=2500, message_span_days=30))
    with pytest.raises(HttpError) as error:
        fake_messages.list_messages(fake, {"type": "urban_airship"}, None)
    assert error.value.status == 400
    assert len(fake_messages.list_messages(fake, {}, None)["messages"]) == 50
    assert len(fake_messages.list_messages(fake, {"limit": "5000"}, None)["messages"]) == 1000
    typed = fake_messages.list_messages(fake, {"type": "push", "limit": "1000"}, None)["messages"]
    assert typed and {m["type"] for m in typed} == {"push"}
    assert len(typed) == len(list(fake_messages.expected_messages(fake, 0, 2 * 10 ** 9, {"push"})))


def test_fake_added_messages_are_newer_than_all_others():
    fake = FakeCustomerIo(Workspace(messages=100, message_span_days=10))
    newest = fake.workspace.now + 50
    fake_messages.add_messages(fake, 20, newest)
    listed = list(fake_messages.expected_messages(fake, 0, 2 * 10 ** 9))
    assert len(listed) == 120 and len({m[0] for m in listed}) == 120
    assert all(fake.workspace.now - 60 < created <= newest for _, created, _ in listed[:20])
    with pytest.raises(ValueError):
        fake_messages.add_messages(fake, 1, newest)
