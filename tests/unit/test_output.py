"""The output layer: cells, flattening, Storage-safe names, sticky columns, manifests."""
import csv
import json
import os
import threading

import pytest
from keboola.component.interface import CommonInterface

from customerio.columns import text

from output.cells import cell, flatten
from output.names import ColumnNamer, sanitize
from output.csv_lines import CsvLines as _CsvLines
from output.tables import OutputTables, TableWriter


@pytest.fixture
def interface(tmp_path):
    os.makedirs(tmp_path / "out" / "tables")
    (tmp_path / "config.json").write_text(json.dumps({"parameters": {}}))
    return CommonInterface(str(tmp_path))


def read_csv(path):
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def test_cells_are_text_and_nested_values_are_json():
    assert cell(None) == ""
    assert cell(True) == "true" and cell(False) == "false"
    assert cell(5) == "5" and cell(2.5) == "2.5"
    assert cell({"b": 1, "a": "é"}) == '{"a":"é","b":1}'
    assert cell(["x", {"y": None}]) == '["x",{"y":null}]'


def test_flatten_expands_only_named_keys_to_the_given_depth():
    record = {"id": "1", "metrics": {"sent": 5, "deep": {"x": 1}}, "data": {"a": {"b": {"c": 1}}, "l": [1]},
              "tags": ["t"], "other": {"k": "v"}}
    row = flatten(record, {"metrics": 1, "data": None})
    assert row == {"id": "1", "metrics_sent": "5", "metrics_deep": '{"x":1}', "data_a_b_c": "1", "data_l": "[1]",
                   "tags": '["t"]', "other": '{"k":"v"}'}


def test_ids_sent_as_floats_are_written_as_whole_numbers():
    record = {"id": 2.0, "campaign_id": 7.0, "content_ids": [18.0, 19, "20"], "ids": [1.0], "price": 2.0,
              "ratio": 0.5, "parent_action_id": 1.5, "tags": [2.0], "identifiers": {"id": 42.0, "cio_id": "c1"}}
    row = flatten(record, {"identifiers": 1})
    assert row == {"id": "2", "campaign_id": "7", "content_ids": '[18,19,"20"]', "ids": "[1]", "price": "2.0",
                   "ratio": "0.5", "parent_action_id": "1.5", "tags": "[2.0]", "identifiers_id": "42",
                   "identifiers_cio_id": "c1"}


def test_sanitize_follows_storage_rules():
    assert sanitize("Company Name") == "Company_Name"
    assert sanitize("_last_emailed") == "last_emailed"
    assert sanitize("a.b-c") == "a_b_c"
    assert sanitize("___") == "column"
    assert len(sanitize("x" * 100)) == 64


def test_case_collisions_are_resolved_deterministically_and_remembered():
    first = ColumnNamer("t").resolve(["name", "Name", "NAME"])
    second = ColumnNamer("t").resolve(["NAME", "name", "Name"])
    assert first == second
    assert sorted(first.values(), key=str.lower) == ["NAME", "Name_2", "name_3"]
    namer = ColumnNamer("t", sticky=["name"])
    mapping = namer.resolve(["Name", "name"])
    assert mapping == {"name": "name", "Name": "Name_2"}
    again = ColumnNamer("t", sticky=["name", "Name_2"], renamed=namer.renamed).resolve(["Name"])
    assert again == {"Name": "Name_2"}


def test_sticky_column_keeps_its_owner_across_runs():
    namer = ColumnNamer("t", sticky=["Company_Name"])
    assert namer.resolve(["Company Name"]) == {"Company Name": "Company_Name"}


def test_long_names_that_collide_after_truncation_stay_unique():
    names = ColumnNamer("t").resolve(["a" * 70 + "1", "a" * 70 + "2"])
    assert len(set(names.values())) == 2 and all(len(n) <= 64 for n in names.values())


def test_rows_with_different_keys_are_unioned_and_sorted(interface):
    tables = OutputTables(interface, incremental=True)
    writer = tables.declare("people", ["id"])
    writer.write({"id": 1, "b": "x"})
    writer.write({"id": 2, "a": "y", "nested": {"k": [1, 2]}})
    writer.write({"c": True, "id": 3})
    state = tables.finish()
    header, rows = read_csv(interface.tables_out_path + "/people.csv")
    assert header == ["a", "b", "c", "id", "nested"]
    assert rows == [["", "x", "", "1", ""], ["y", "", "", "2", '{"k":[1,2]}'], ["", "", "true", "3", ""]]
    assert state["people"]["columns"] == header


def test_columns_are_sticky_across_runs_and_empty_tables_keep_their_header(interface):
    tables = OutputTables(interface, incremental=True, state={"people": {"columns": ["id", "old"]}})
    tables.declare("people", ["id"])
    tables.declare("empty", ["segment_id", "cio_id"])
    tables.writer("people").write({"id": 1, "new": "n"})
    state = tables.finish()
    header, rows = read_csv(interface.tables_out_path + "/people.csv")
    assert header == ["id", "new", "old"] and rows == [["1", "n", ""]]
    assert read_csv(interface.tables_out_path + "/empty.csv") == (["cio_id", "segment_id"], [])
    assert state["people"]["columns"] == ["id", "new", "old"]
    manifest = json.load(open(interface.tables_out_path + "/empty.csv.manifest"))
    assert manifest["has_header"] is True
    assert [c["name"] for c in manifest["schema"] if c.get("primary_key")] == ["cio_id", "segment_id"]


@pytest.mark.parametrize("incremental", [True, False])
def test_manifest_primary_key_only_for_incremental(interface, incremental):
    tables = OutputTables(interface, incremental=incremental)
    tables.declare("campaigns", ["id"]).write({"id": 1, "name": "x"})
    tables.finish()
    manifest = json.load(open(interface.tables_out_path + "/campaigns.csv.manifest"))
    assert manifest["incremental"] is incremental
    assert manifest["has_header"] is True
    keys = [c["name"] for c in manifest["schema"] if c.get("primary_key")]
    assert keys == (["id"] if incremental else [])


def test_a_history_table_is_loaded_incrementally_even_under_full_load(interface):
    tables = OutputTables(interface, incremental=False)
    tables.declare("segment_sizes", ["segment_id", "measured_at"], load="incremental").write(
        {"segment_id": 1, "measured_at": 1700000000, "count": 5})
    tables.declare("segments", ["id"]).write({"id": 1})
    tables.finish()
    sizes = json.load(open(interface.tables_out_path + "/segment_sizes.csv.manifest"))
    assert sizes["incremental"] is True and "delete_where_column" not in sizes
    assert sorted(c["name"] for c in sizes["schema"] if c.get("primary_key")) == ["measured_at", "segment_id"]
    assert json.load(open(interface.tables_out_path + "/segments.csv.manifest"))["incremental"] is False
    with pytest.raises(ValueError):
        OutputTables(interface, incremental=True).declare("t", ["id"], load="sometimes")


def test_fast_csv_lines_match_the_csv_module(interface):
    cells = ["plain", "", "with,comma", 'with "quote"', "line\nbreak", "cr\rhere", "unit\x1fsep", " spaced ", "é"]
    tables = OutputTables(interface, incremental=False)
    writer = tables.declare("tricky", [])
    rows = [{f"c{i}": value for i, value in enumerate(cells)},
            {f"c{i}": value for i, value in enumerate(cells) if "," not in value and '"' not in value
             and "\n" not in value and "\r" not in value and "\x1f" not in value},
            {"c0": ""}]
    for row in rows:
        writer.write(row)
    tables.declare("single", []).write({"only": ""})
    tables.finish()
    header, written = read_csv(interface.tables_out_path + "/tricky.csv")
    expected = [{f"c{i}": row.get(f"c{i}", "") for i in range(len(cells))} for row in rows]
    assert [dict(zip(header, r)) for r in written] == expected
    assert read_csv(interface.tables_out_path + "/single.csv") == (["only"], [[""]])


def test_batches_before_and_after_a_late_key_come_out_the_same(interface, monkeypatch):
    monkeypatch.setattr(TableWriter, "SPOOL_ROWS", 3)
    paths = []
    for method in ("write", "write_spooled"):
        original = getattr(_CsvLines, method)
        monkeypatch.setattr(_CsvLines, method,
                            lambda self, *args, _m=method, _o=original: (paths.append(_m), _o(self, *args))[1])
    tables = OutputTables(interface, incremental=True, state={"t": {"columns": ["old", "id"]}})
    writer = tables.declare("t", ["id"])
    for i in range(10):
        record = {"id": str(i), "z": f"z{i}", "b": "x,y" if i == 4 else "plain"}
        if i >= 7:
            record["a_late"] = "late"
        writer.write(record)
    tables.finish()
    header, rows = read_csv(interface.tables_out_path + "/t.csv")
    assert header == ["a_late", "b", "id", "old", "z"]
    assert rows == [["late" if i >= 7 else "", "x,y" if i == 4 else "plain", str(i), "", f"z{i}"]
                    for i in range(10)]
    # rows 0-6 were spooled before `a_late` existed and are reordered; rows 7-9 are already in final order
    assert paths == ["write", "write", "write", "write_spooled"]


def test_writes_from_many_threads_lose_nothing(interface):
    tables = OutputTables(interface, incremental=True)
    writer = tables.declare("t", ["id"])

    def work(base):
        for i in range(500):
            writer.write({"id": base + i, f"k{base % 3}": i})

    threads = [threading.Thread(target=work, args=(n * 1000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tables.finish()
    header, rows = read_csv(interface.tables_out_path + "/t.csv")
    ids = sorted(int(r[header.index("id")]) for r in rows)
    assert ids == sorted(n * 1000 + i for n in range(4) for i in range(500))


def test_seeded_columns_from_old_state_are_sanitised(interface):
    tables = OutputTables(interface, incremental=True)
    tables.seed_columns("activity_event", ["data_description", "data.project"])
    tables.declare("activity_event", ["id"]).write({"id": "1"})
    tables.finish()
    header, _ = read_csv(interface.tables_out_path + "/activity_event.csv")
    assert header == ["data_description", "data_project", "id"]


def test_collision_in_data_is_written_under_the_new_name(interface):
    tables = OutputTables(interface, incremental=True)
    writer = tables.declare("people", ["id"])
    writer.write({"id": 1, "name": "lower"})
    writer.write({"id": 2, "Name": "upper"})
    state = tables.finish()
    header, rows = read_csv(interface.tables_out_path + "/people.csv")
    assert header == ["Name", "id", "name_2"]
    assert rows == [["", "1", "lower"], ["upper", "2", ""]]
    assert state["people"]["renamed"] == {"name": "name_2"}


@pytest.mark.parametrize("raw, column", [("revenue ($)", "revenue"), ("Company Name ", "Company_Name"),
                                         ("-score-", "score"), ("_x_", "x"), ("a" * 63 + " b", "a" * 63),
                                         ("a" * 63 + "_b", "a" * 63), ("$", "column"), ("ok_name", "ok_name")])
def test_names_never_start_or_end_with_an_underscore(raw, column):
    assert sanitize(raw) == column


def test_names_that_meet_after_stripping_stay_distinct_and_stable():
    first = ColumnNamer("t").resolve(["Company Name", "Company Name "])
    assert sorted(first.values()) == ["Company_Name", "Company_Name_2"]
    namer = ColumnNamer("t")
    namer.resolve(["Company Name", "Company Name "])
    again = ColumnNamer("t", sticky=sorted(first.values()), renamed=namer.renamed).resolve(["Company Name "])
    assert again == {"Company Name ": first["Company Name "]}


def test_remembered_columns_are_made_valid(interface):
    tables = OutputTables(interface, incremental=True, state={"t": {"columns": ["id", "revenue_", "_old", "revenue"],
                                                                    "renamed": {"x ": "x_2_"}}})
    tables.declare("t", ["id"])
    state = tables.finish()
    assert state["t"] == {"columns": ["id", "old", "revenue"], "rows": 0, "renamed": {"x ": "x_2"}}


def test_a_null_expanded_object_adds_no_column():
    assert flatten({"id": "1", "customer_identifiers": None, "metrics": None, "other": None},
                   {"customer_identifiers": 1, "metrics": 1}) == {"id": "1", "other": ""}


def test_documented_columns_are_in_the_header_of_an_empty_table(interface):
    tables = OutputTables(interface, incremental=True)
    tables.declare("t", ["id"], columns=[text(name, name) for name in ("b", "a", "id")])
    tables.finish()
    assert read_csv(interface.tables_out_path + "/t.csv") == (["a", "b", "id"], [])


def test_the_column_cap_keeps_new_keys_in_other_fields(interface, caplog):
    tables = OutputTables(interface, incremental=True, max_columns=5)
    writer = tables.declare("wide", ["id"])
    for i in range(6):
        writer.write({"id": str(i), f"k{i}": i, "shared": "s", "n": {"x": i}} if i < 4 else {"id": str(i), "k0": "z"})
    state = tables.finish()
    header, rows = read_csv(interface.tables_out_path + "/wide.csv")
    assert header == ["id", "k0", "n", "other_fields", "shared"] and len(header) == 5
    assert state["wide"]["columns"] == header
    values = [dict(zip(header, row)) for row in rows]
    assert values[0] == {"id": "0", "k0": "0", "n": '{"x":0}', "other_fields": "", "shared": "s"}
    for i in (1, 2, 3):
        assert json.loads(values[i]["other_fields"]) == {f"k{i}": str(i)}
    assert values[4]["other_fields"] == "" and values[4]["k0"] == "z"
    assert caplog.text.count("reached max_columns") == 1 and "3 keys without a column" in caplog.text


def test_next_run_keeps_the_capped_header_and_sticky_columns_past_the_cap(interface):
    sticky = [f"c{i}" for i in range(8)] + ["id"]
    tables = OutputTables(interface, incremental=True, state={"t": {"columns": sticky}}, max_columns=5)
    writer = tables.declare("t", ["id"])
    writer.write({"id": "1", "c3": "kept", "new": "n"})
    state = tables.finish()
    header, rows = read_csv(interface.tables_out_path + "/t.csv")
    assert header == sorted(sticky + ["other_fields"])      # never drops a column Storage already has
    row = dict(zip(header, rows[0]))
    assert row["c3"] == "kept" and json.loads(row["other_fields"]) == {"new": "n"}
    assert len(state["t"]["columns"]) == len(sticky) + 1


def test_delete_where_only_for_incremental_and_only_replaced_partitions(interface):
    for incremental in (True, False):
        tables = OutputTables(interface, incremental=incremental)
        tables.declare("members", ["segment_id", "cio_id"], partition="segment_id")
        tables.declare("plain", ["id"])
        for value in (10, "2", 2):
            tables.replaced("members", value)
        tables.finish()
        manifest = json.load(open(interface.tables_out_path + "/members.csv.manifest"))
        if incremental:
            assert (manifest["delete_where_column"], manifest["delete_where_values"],
                    manifest["delete_where_operator"]) == ("segment_id", ["2", "10"], "eq")
        else:
            assert "delete_where_column" not in manifest
        assert "delete_where_column" not in json.load(open(interface.tables_out_path + "/plain.csv.manifest"))
    with pytest.raises(ValueError):
        tables.replaced("plain", 1)
