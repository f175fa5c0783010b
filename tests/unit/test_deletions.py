"""What leaves Storage, in-process: how each table loads (output/tables.py), the parents a child table remembers and
the one delete filter it sends (extractors/parents.py), and the Storage simulator's own rules (tests/storage.py)."""
import json
import os

import pytest
from keboola.component.interface import CommonInterface

from extractors.parents import MAX_COUNTED_PARENTS, MAX_DELETE_VALUES, ParentLedger, Removal, gone_message
from customerio.resources import BY_TABLE
from output.tables import OutputTables
from storage import Storage, StorageError


@pytest.fixture
def interface(tmp_path):
    os.makedirs(tmp_path / "out" / "tables")
    (tmp_path / "config.json").write_text(json.dumps({"parameters": {}}))
    return CommonInterface(str(tmp_path))


def manifest(interface, name):
    with open(os.path.join(interface.tables_out_path, f"{name}.csv.manifest")) as handle:
        return json.load(handle)


def primary_key(found):
    return [c["name"] for c in found.get("schema", []) if c.get("primary_key")] or found.get("primary_key", [])


def decisions(found):
    return (found["incremental"], primary_key(found), found.get("delete_where_column"),
            found.get("delete_where_operator"), found.get("delete_where_values"))


def write(interface, incremental, marks, load=None, state=None):
    """One table `t` (partition column `p`) with one row and the given marks; its manifest."""
    tables = OutputTables(interface, incremental=incremental, state=state)
    tables.declare("t", ["p", "id"], partition="p", load=load).write({"p": "1", "id": "a"})
    for kind, value in marks:
        getattr(tables, kind)("t", value)
    tables.state = tables.finish()
    return tables, manifest(interface, "t")


# ---------------------------------------------------------------------------------------------- load decisions
@pytest.mark.parametrize("marks, load, expected", [
    ([], None, (True, ["id", "p"], None, None, None)),
    ([("replaced", 10), ("replaced", "2")], None, (True, ["id", "p"], "p", "eq", ["2", "10"])),
    ([("kept", ["7", "3"])], None, (True, ["id", "p"], "p", "ne", ["3", "7"])),
    ([("kept", [])], None, (False, ["id", "p"], None, None, None)),
    ([("replaced", "2")], "replace", (False, ["id", "p"], None, None, None)),
    ([], "incremental", (True, ["id", "p"], None, None, None)),
    ([("kept", ["3"])], "incremental", (True, ["id", "p"], "p", "ne", ["3"])),
])
def test_incremental_update_loads_each_table_the_cheapest_exact_way(interface, marks, load, expected):
    assert decisions(write(interface, True, marks, load)[1]) == expected


@pytest.mark.parametrize("marks, load, expected", [
    ([("replaced", "2")], None, (False, [], None, None, None)),
    ([("kept", ["3"])], None, (False, [], None, None, None)),
    ([("kept", [])], "replace", (False, [], None, None, None)),
    ([("replaced", "2")], "incremental", (True, ["id", "p"], "p", "eq", ["2"])),
])
def test_full_load_is_unchanged_except_for_tables_always_loaded_incrementally(interface, marks, load, expected):
    assert decisions(write(interface, False, marks, load)[1]) == expected


@pytest.mark.parametrize("marks, load", [([("replaced", "2"), ("kept", ["3"])], None),
                                         ([("kept", [])], "incremental")])
def test_contradicting_marks_are_a_bug(interface, marks, load):
    with pytest.raises(ValueError):
        write(interface, True, marks, load)


def test_an_unknown_load_mode_and_kept_values_without_a_partition_are_bugs(interface):
    tables = OutputTables(interface, incremental=True)
    with pytest.raises(ValueError):
        tables.declare("x", ["id"], load="sometimes")
    tables.declare("plain", ["id"])
    with pytest.raises(ValueError):
        tables.kept("plain", ["1"])
    tables.kept("plain")                                    # the whole table: fine without a partition
    tables.finish()
    assert manifest(interface, "plain")["incremental"] is False


def test_both_manifest_formats_carry_the_same_decisions(interface, monkeypatch):
    new = {}
    for marks in ([("kept", [])], [("kept", ["3"])], [("replaced", "2")]):
        new[str(marks)] = decisions(write(interface, True, marks)[1])
    monkeypatch.setenv("KBC_STACKID", "connection.keboola.com")
    monkeypatch.delenv("KBC_DATA_TYPE_SUPPORT", raising=False)
    legacy = CommonInterface(interface.data_folder_path)
    for marks in ([("kept", [])], [("kept", ["3"])], [("replaced", "2")]):
        _, found = write(legacy, True, marks)
        assert "schema" not in found and sorted(found["primary_key"]) == ["id", "p"]
        assert decisions(found) == new[str(marks)]


def test_the_job_log_line_says_what_each_load_does(interface):
    state = {"t": {"columns": ["id", "p"], "rows": 12}}
    assert write(interface, True, [("kept", [])], state=state)[0].summaries()["t"] == \
        "1 row, replacing the table (the last run wrote 12)"
    assert write(interface, True, [("kept", [])], state={"t": {"rows": "x"}})[0].summaries()["t"] == \
        "1 row, replacing the table"
    assert write(interface, True, [("kept", ["3", "4"])])[0].summaries()["t"] == \
        "1 row; first every row leaves Storage except those of 2 p values"
    assert write(interface, True, [("replaced", "3")])[0].summaries()["t"] == \
        "1 row; first the rows of 1 p values leave Storage"
    assert write(interface, False, [("kept", [])])[0].summaries()["t"] == "1 row"
    tables, _ = write(interface, True, [])
    assert tables.state["t"]["rows"] == 1


# ---------------------------------------------------------------------------------------------- the ledger
STORED = {"updated": {"1": "100", "2": "200", "3": "300", "4": "400", "5": None},
          "rows": {"1": 4, "2": 1, "3": 0, "4": 7}, "full_refresh": 1000, "exact": True}


def test_unchanged_parents_carry_their_memory_and_changed_ones_are_replaced():
    ledger = ParentLedger(STORED)
    assert ledger.unchanged("1", "100") and ledger.unchanged("4", "400")
    assert not ledger.unchanged("2", "201") and not ledger.unchanged("5", None) and not ledger.unchanged("9", "1")
    ledger.read("2", "201", 3)
    ledger.read("5", None, 2)
    state = ledger.state({"1", "2", "4", "5"}, 1000, exact=True)
    assert state == {"updated": {"1": "100", "2": "201", "4": "400", "5": None},
                     "rows": {"1": 4, "2": 3, "4": 7, "5": 2}, "full_refresh": 1000, "exact": True}
    assert ledger.gone({"1", "2", "4", "5"}) == ["3"] and ledger.rows_of(["3", "4"]) == 7
    assert ledger.rows_of(["5"]) is None                      # never counted: unknown, not zero


@pytest.mark.parametrize("listed, reread, expected", [
    (["1", "2", "3", "4", "5"], {"2"}, Removal("eq", ("2",))),
    (["1", "2", "3", "4"], {"2"}, Removal("eq", ("2", "5"))),                # 5 is gone
    (["1", "2", "3", "6"], {"2", "6"}, Removal("ne", ("1", "3"))),           # 4, 5 gone, 2 and 6 re-read
    (["1", "2", "3", "4", "5"], set(), Removal("eq", ())),
    (["2", "6"], {"2", "6"}, Removal("replace")),                            # nothing unchanged
    ([], set(), Removal("replace")),                                         # every parent deleted
])
def test_the_shorter_of_two_exact_lists(listed, reread, expected):
    assert ParentLedger(STORED).removal(listed, reread) == expected


def test_a_list_longer_than_the_bound_is_too_long():
    listed = [str(n) for n in range(2 * MAX_DELETE_VALUES + 4)]
    ledger = ParentLedger({"updated": {n: "1" for n in listed}, "exact": True})
    plan = ledger.removal(listed, set(listed[:MAX_DELETE_VALUES + 2]))
    assert plan.operator == "eq" and plan.too_long
    assert not ledger.removal(listed, set(listed[:10])).too_long


def test_row_counts_are_kept_only_for_a_bounded_number_of_parents():
    ledger = ParentLedger({})
    parents = [str(n) for n in range(MAX_COUNTED_PARENTS + 1)]
    for parent_id in parents:
        ledger.read(parent_id, "1", 2)
    state = ledger.state(set(parents), None, exact=True)
    assert len(state["updated"]) == MAX_COUNTED_PARENTS + 1 and "rows" not in state
    assert ParentLedger(state).rows_of(["1"]) is None                 # unknown: the log names, does not count
    assert len(ledger.state(set(parents[:MAX_COUNTED_PARENTS]), None, exact=True)["rows"]) == MAX_COUNTED_PARENTS


@pytest.mark.parametrize("stored, inexact", [({}, False), ({"updated": {"1": "2"}}, True),
                                             ({"updated": {}, "exact": True}, False), ("junk", False),
                                             ({"updated": "junk", "rows": {"1": -1, "2": True}, "exact": 1}, True)])
def test_a_state_that_does_not_say_storage_is_exact_is_inexact(stored, inexact):
    ledger = ParentLedger(stored)
    assert ledger.inexact is inexact and ledger.previous_rows == {}


def test_gone_messages_say_only_what_the_run_knows():
    campaigns = BY_TABLE["campaigns"]
    assert gone_message(campaigns, ["2", "7", "9"], [("campaign actions", 41)], True, True) == \
        "3 campaigns no longer exist in Customer.io (2, 7, 9): their rows and their 41 campaign actions leave Storage."
    assert gone_message(campaigns, ["2"], [("campaign actions", None)], False, False) == "1 campaign no longer " \
        "exists in Customer.io (2): its campaign actions stay in Storage (keep_deleted_rows is on)."
    assert gone_message(campaigns, ["2"], [("campaign actions", 0)], False, True) is None
    many = [str(n) for n in range(12)]
    assert "(0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 2 more)" in gone_message(campaigns, many, [], True, True)


# ---------------------------------------------------------------------------------------------- the simulator
def loaded(storage, manifest_, rows, header=("id", "p")):
    storage.load_table("t", manifest_, list(header), [dict(zip(header, row)) for row in rows])
    return sorted(tuple(row[c] for c in header) for row in storage.rows("t"))


KEYED = {"incremental": True, "primary_key": ["p", "id"]}


def test_storage_deletes_with_eq_and_ne_then_upserts():
    storage = Storage()
    loaded(storage, KEYED, [("a", "1"), ("b", "2"), ("c", "3")])
    assert loaded(storage, {**KEYED, "delete_where_column": "p", "delete_where_values": ["1"],
                            "delete_where_operator": "eq"}, [("d", "2")]) == [("b", "2"), ("c", "3"), ("d", "2")]
    assert loaded(storage, {**KEYED, "delete_where_column": "p", "delete_where_values": ["3"],
                            "delete_where_operator": "ne"}, [("e", "4")]) == [("c", "3"), ("e", "4")]
    assert loaded(storage, {"incremental": False, "primary_key": ["p", "id"]}, []) == []


@pytest.mark.parametrize("bad", [
    {"incremental": False, "primary_key": ["id"]},                               # a replace may not change the key
    {"incremental": True, "primary_key": ["id"]},
    {**KEYED, "delete_where_column": "p"},                                       # a filter without values
    {**KEYED, "delete_where_column": "p", "delete_where_values": [], "delete_where_operator": "eq"},
    {**KEYED, "delete_where_column": "p", "delete_where_values": ["1"], "delete_where_operator": "gt"},
    {**KEYED, "delete_where_column": "x", "delete_where_values": ["1"]},         # no such column
])
def test_storage_refuses_what_storage_refuses(bad):
    storage = Storage()
    loaded(storage, KEYED, [("a", "1")])
    with pytest.raises(StorageError):
        loaded(storage, bad, [("b", "1")])


def test_storage_refuses_a_replace_that_lacks_a_column_of_the_table():
    storage = Storage()
    loaded(storage, KEYED, [("a", "1", "x")], header=("id", "p", "extra"))
    with pytest.raises(StorageError):
        loaded(storage, {"incremental": False, "primary_key": ["p", "id"]}, [("b", "1")])
