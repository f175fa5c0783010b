"""Activities extractor without a process: table names, record shape, seeding, incremental stop and state."""
import json
import logging
import re

import pytest

from configuration import ConfigError, parse_settings
from customerio import Page
from customerio.catalog import ACTIVITY_TYPES, LEGACY_ACTIVITY_TYPES
from extractors import extractor_classes
from extractors.activities import (ALL_TYPES, PARSED_EXPAND, SINGLE_TABLE, ActivitiesExtractor, shaped, table_name,
                                   timestamp_of)
from output.cells import flatten

NOW = 1_700_000_000
HOUR = 3600


class StubClient:
    """Serves fixed pages (a list of item lists) and records what each walk asked for."""

    def __init__(self, pages):
        self.pages = pages
        self.calls = []
        self.served = 0

    def paginate(self, path, items_key, *, params=None, limit=None, **_):
        self.calls.append({"path": path, "items_key": items_key, "params": dict(params or {}), "limit": limit})
        for items in self.pages:
            self.served += 1
            yield Page(items, {items_key: items, "next": "x"})


def settings_for(load=1, since_last_run=False, **activities):
    """`load` is the top-level load type; `since_last_run` is the activities' "Continue since last run"."""
    activities.setdefault("types", ["event"])
    activities["incremental_output"] = since_last_run
    return parse_settings({"#api_secret": "key", "incremental_output": load, "activities": [activities]})


def extractor(pages, state=None, load=1, since_last_run=False, **activities):
    client = StubClient(pages)
    settings = settings_for(load, since_last_run, **activities)
    return ActivitiesExtractor(client, settings, state or {}, NOW), client


def run_walks(ex):
    """Every (table name, record) the walks yield, in order."""
    rows = []
    for walk in ex.walks():
        for spec, record in walk.run():
            rows.append((spec.name, record))
    return rows


def act(ident, ts, kind="event", **fields):
    return {"id": ident, "type": kind, "timestamp": ts, "customer_id": "1",
            "customer_identifiers": {"id": "1", "email": "a@example.com", "cio_id": "a1"}, **fields}


# ---------------------------------------------------------------------------------------------- names
def test_every_catalog_type_gets_a_distinct_storage_safe_table_name():
    types = list(ACTIVITY_TYPES) + list(LEGACY_ACTIVITY_TYPES) + [
        f"_o:{n}:{action}" for n in (1, 42) for action in
        ("add_relationship", "attribute_change", "create", "delete", "delete_relationship", "failed_attribute_change")
    ] + [f"_r:{n}:{action}" for n in (1, 42) for action in ("attribute_change", "failed_attribute_change")]
    names = [table_name(t) for t in types]
    for activity_type, name in zip(types, names):
        assert re.fullmatch(r"activity_[a-z0-9]+(_[a-z0-9]+)*", name), (activity_type, name)
        assert len(name) <= 64
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("activity_type, expected", [
    ("event", "activity_event"),
    ("secondary:opened_email", "activity_secondary_opened_email"),
    ("_o:3:create", "activity_o_3_create"),
    ("_r:12:failed_attribute_change", "activity_r_12_failed_attribute_change"),
    ("dropped_whatasapp", "activity_dropped_whatasapp"),
    ("Weird Type!", "activity_weird_type"),
    (":::", "activity_unknown"),
])
def test_table_name(activity_type, expected):
    assert table_name(activity_type) == expected


def test_table_name_is_cut_to_the_storage_limit():
    name = table_name("_r:123456789012345678901234567890:failed_attribute_change")
    assert name == "activity_r_123456789012345678901234567890_failed_attribute_chang" and len(name) == 64


def test_extractor_is_discovered():
    assert ActivitiesExtractor in extractor_classes()


# ---------------------------------------------------------------------------------------------- configuration
def test_unknown_type_is_rejected_with_the_valid_ones_listed():
    with pytest.raises(ConfigError) as error:
        settings_for(types=["event", "clicked_emails"])
    message = str(error.value)
    assert "clicked_emails" in message and "secondary:opened_email" in message and "_o:<object type id>" in message


@pytest.mark.parametrize("key", ["delete", "deleted"])
def test_delete_and_deleted_both_send_deleted_true(key):
    ex, client = extractor([[act("1", NOW)]], **{key: True})
    run_walks(ex)
    assert client.calls == [{"path": "/activities", "items_key": "activities", "limit": 100,
                             "params": {"type": "event", "deleted": "true"}}]


def test_deleted_is_not_sent_by_default():
    ex, client = extractor([[act("1", NOW)]])
    run_walks(ex)
    assert client.calls[0]["params"] == {"type": "event"}


# ---------------------------------------------------------------------------------------------- tables and rows
def test_parsed_mode_declares_one_table_per_type_up_front():
    ex, _ = extractor([], types=["event", "secondary:opened_email", "_o:1:create"])
    assert [spec.name for spec in ex.tables()] == ["activity_event", "activity_secondary_opened_email",
                                                   "activity_o_1_create"]
    assert all(spec.expand == PARSED_EXPAND and spec.primary_key == ("id",) for spec in ex.tables())


def test_single_table_mode_declares_activities_all():
    ex, _ = extractor([], mode="SINGLE_TABLE", types=["event", "page"])
    assert ex.tables() == [SINGLE_TABLE]
    assert SINGLE_TABLE.name == "activities_all" and SINGLE_TABLE.expand == {"customer_identifiers": 1}


def test_each_type_is_its_own_walk():
    ex, client = extractor([[]], types=["event", "page", "_o:1:create"])
    walks = list(ex.walks())
    assert len(walks) == 3
    for walk in walks:
        list(walk.run())
    assert [c["params"]["type"] for c in client.calls] == ["event", "page", "_o:1:create"]


def test_parsed_rows_flatten_data_and_keep_arrays_as_json():
    nested = act("1", NOW, data={"plan": {"name": "pro", "billing": {"period": "monthly"}}, "items": [1, 2],
                                 "empty": {}})
    ex, _ = extractor([[nested]])
    [(table, record)] = run_walks(ex)
    row = flatten(record, PARSED_EXPAND)
    assert table == "activity_event"
    assert row["data_plan_name"] == "pro" and row["data_plan_billing_period"] == "monthly"
    assert row["data_items"] == "[1,2]" and row["data_empty"] == "{}"
    assert row["customer_identifiers_email"] == "a@example.com"
    assert "data" not in row


def test_single_table_rows_keep_data_as_json_and_every_fixed_column():
    activity = {"id": "7", "type": "_o:1:create", "timestamp": NOW, "data": {"object_id": "o1", "n": {"a": 1}},
                "brand_new_field": "x"}
    ex, _ = extractor([[activity]], mode="SINGLE_TABLE", types=["_o:1:create"])
    [(table, record)] = run_walks(ex)
    row = flatten(record, SINGLE_TABLE.expand)
    assert table == "activities_all"
    assert json.loads(row["data"]) == {"object_id": "o1", "n": {"a": 1}}
    assert set(row) == {"customer_id", "data", "delivery_id", "delivery_type", "id", "name", "timestamp", "type",
                        "url", "customer_identifiers_cio_id", "customer_identifiers_email", "customer_identifiers_id",
                        "brand_new_field"}
    assert row["customer_id"] == "" and row["customer_identifiers_email"] == ""


def test_shaped_fills_missing_identifier_keys_and_keeps_odd_values():
    assert shaped({"id": "1", "customer_identifiers": {"email": "e"}}, parsed=False)["customer_identifiers"] == \
        {"cio_id": None, "email": "e", "id": None}
    assert shaped({"id": "1", "customer_identifiers": "odd"}, parsed=False)["customer_identifiers"] == "odd"
    assert shaped({"id": "1", "data": ["a"]}, parsed=True)["data"] == ["a"]
    assert "data" not in shaped({"id": "1"}, parsed=True)
    assert shaped({"id": "1"}, parsed=False)["data"] is None


def test_without_types_one_unfiltered_walk_routes_rows_to_their_own_tables():
    rows = [act("1", NOW, "event"), act("2", NOW, "secondary:opened_email"), act("3", NOW, "_o:2:create"),
            {"id": "4", "timestamp": NOW}]
    ex, client = extractor([rows], types=[])
    assert ex.tables() == []
    assert [table for table, _ in run_walks(ex)] == ["activity_event", "activity_secondary_opened_email",
                                                     "activity_o_2_create", "activity_unknown"]
    assert client.calls[0]["params"] == {}


def test_without_types_single_table_gets_everything():
    ex, _ = extractor([[act("1", NOW, "event"), act("2", NOW, "page")]], types=[], mode="SINGLE_TABLE")
    assert [table for table, _ in run_walks(ex)] == ["activities_all", "activities_all"]


def test_non_object_items_are_skipped():
    ex, _ = extractor([[None, "x", act("1", NOW)]])
    assert len(run_walks(ex)) == 1


# ---------------------------------------------------------------------------------------------- seeding
def test_activity_headers_seed_the_parsed_tables():
    state = {"activity_headers": {"event": ["customer_id", "data_project", "", 5],
                                  "secondary:opened_email": ["data_delivery_id"], "broken": "not a list"}}
    ex, _ = extractor([], state=state)
    assert ex.seed_columns() == {"activity_event": ["customer_id", "data_project"],
                                 "activity_secondary_opened_email": ["data_delivery_id"]}


def test_activity_headers_do_not_seed_single_table_or_garbage():
    ex, _ = extractor([], state={"activity_headers": {"event": ["data_x"]}}, mode="SINGLE_TABLE")
    assert ex.seed_columns() == {}
    ex, _ = extractor([], state={"activity_headers": ["data_x"]})
    assert ex.seed_columns() == {}


# ---------------------------------------------------------------------------------------------- incremental
def previous(mark, key="event"):
    return {"activities": {"newest_timestamp": {key: mark}}}


def test_first_run_reads_everything_and_remembers_the_newest():
    pages = [[act("3", NOW - 10), act("2", NOW - 20)], [act("1", NOW - 99 * HOUR)]]
    ex, client = extractor(pages, since_last_run=True)
    assert len(run_walks(ex)) == 3
    assert client.served == 2
    assert ex.new_state() == {"newest_timestamp": {"event": NOW - 10}}


def test_walk_stops_at_the_first_page_wholly_older_than_the_mark_minus_lookback():
    mark = NOW - 10 * HOUR
    pages = [[act("new2", NOW - HOUR), act("new1", mark + 1)],
             [act("same", mark), act("lookback", mark - HOUR + 1), act("old", mark - 2 * HOUR)],
             [act("older", mark - 3 * HOUR)],
             [act("never", NOW)]]
    ex, client = extractor(pages, state=previous(mark), since_last_run=True, lookback_hours=1)
    assert [r["id"] for _, r in run_walks(ex)] == ["new2", "new1", "same", "lookback"]
    assert client.served == 3
    assert ex.new_state()["newest_timestamp"]["event"] == NOW - HOUR


def test_activities_in_the_same_second_as_the_mark_are_read_again():
    """Another activity may have arrived in that second after the last run read the page."""
    mark = NOW - HOUR
    pages = [[act("late-arrival", mark), act("seen", mark)], [act("old", mark - 1)], [act("never", NOW)]]
    ex, client = extractor(pages, state=previous(mark), since_last_run=True, lookback_hours=0)
    assert [r["id"] for _, r in run_walks(ex)] == ["late-arrival", "seen"]
    assert client.served == 2


def test_without_continue_the_mark_is_ignored_but_still_kept():
    mark = NOW - HOUR
    ex, client = extractor([[act("a", NOW - 5)], [act("b", mark - 100 * HOUR)]], state=previous(mark))
    assert len(run_walks(ex)) == 2
    assert client.served == 2
    assert ex.new_state() == {"newest_timestamp": {"event": NOW - 5}}


def test_future_dated_page_does_not_stop_the_walk_and_the_mark_never_passes_now():
    mark = NOW - 5 * HOUR
    pages = [[act("future1", NOW + 86400), act("future2", NOW + 3600)],
             [act("new", NOW - HOUR)],
             [act("old", mark - 2 * HOUR)],
             [act("never", NOW)]]
    ex, client = extractor(pages, state=previous(mark), since_last_run=True, lookback_hours=0)
    assert [r["id"] for _, r in run_walks(ex)] == ["future1", "future2", "new"]
    assert client.served == 3
    assert ex.new_state()["newest_timestamp"]["event"] == NOW


def test_a_future_mark_from_an_older_state_is_capped_at_now():
    pages = [[act("recent", NOW - 60)], [act("old", NOW - 3 * HOUR)], [act("never", NOW)]]
    ex, client = extractor(pages, state=previous(NOW + 30 * 86400), since_last_run=True, lookback_hours=1)
    assert [r["id"] for _, r in run_walks(ex)] == ["recent"]
    assert client.served == 2


def test_nothing_seen_keeps_the_previous_marks_of_every_type():
    state = {"activities": {"newest_timestamp": {"event": NOW - HOUR, "page": NOW - 2 * HOUR}}}
    ex, _ = extractor([[]], state=state, since_last_run=True)
    assert run_walks(ex) == []
    assert ex.new_state() == {"newest_timestamp": {"event": NOW - HOUR, "page": NOW - 2 * HOUR}}


def test_rows_without_a_readable_timestamp_are_written_and_do_not_stop_the_walk():
    mark = NOW - HOUR
    pages = [[{"id": "a", "type": "event"}, {"id": "b", "type": "event", "timestamp": "soon"}],
             [act("c", str(NOW - 30))], [act("old", mark - 5 * HOUR)], [act("never", NOW)]]
    ex, client = extractor(pages, state=previous(mark), since_last_run=True, lookback_hours=0)
    assert [r["id"] for _, r in run_walks(ex)] == ["a", "b", "c"]
    assert client.served == 3
    assert ex.new_state()["newest_timestamp"]["event"] == NOW - 30


def test_all_types_walk_uses_the_all_key_and_serves_newly_listed_types():
    mark = NOW - HOUR
    ex, _ = extractor([[act("a", NOW - 1, "page")]], types=[], since_last_run=True)
    run_walks(ex)
    assert ex.new_state() == {"newest_timestamp": {ALL_TYPES: NOW - 1}}
    pages = [[act("new", NOW - 1)], [act("old", mark - 5 * HOUR)], [act("never", NOW)]]
    ex, client = extractor(pages, state=previous(mark, ALL_TYPES), since_last_run=True, lookback_hours=0)
    assert [r["id"] for _, r in run_walks(ex)] == ["new"]
    assert client.served == 2


def test_garbage_state_is_ignored():
    for state in ({"activities": "x"}, {"activities": {"newest_timestamp": [1]}},
                  {"activities": {"newest_timestamp": {"event": "yesterday", "page": True}}}):
        ex, client = extractor([[act("a", NOW - 1)], [act("b", NOW - 99 * HOUR)]], state=state,
                               since_last_run=True)
        assert len(run_walks(ex)) == 2, state
        assert ex.new_state() == {"newest_timestamp": {"event": NOW - 1}}


@pytest.mark.parametrize("value, expected", [(5, 5), (5.7, 5), ("12", 12), ("12.5", 12), (None, None),
                                             (True, None), ("x", None), ({"a": 1}, None)])
def test_timestamp_of(value, expected):
    assert timestamp_of({"timestamp": value}) == expected


def test_continue_with_full_load_warns(caplog):
    ex, _ = extractor([[]], load=0, since_last_run=True)
    with caplog.at_level(logging.WARNING):
        list(ex.walks())
    assert "Incremental Update" in caplog.text


def test_full_load_without_continue_does_not_warn(caplog):
    ex, _ = extractor([[]], load=0)
    with caplog.at_level(logging.WARNING):
        list(ex.walks())
    assert caplog.text == ""
