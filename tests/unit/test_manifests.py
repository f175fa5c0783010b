"""output/manifests.py through keboola.component, in both manifest formats: what each keeps and what Storage would
refuse."""
import json
import os

import pytest
from keboola.component.interface import CommonInterface

from customerio.columns import Column, flag, text, when
from output.manifests import notes_of, table_definition
from output.tables import OTHER_FIELDS, OutputTables
from storage import (StorageError, base_types, check_manifest, column_descriptions, primary_key,
                     table_description, type_mismatches)

COLUMNS = (text("id", "Id of the thing."), when("created", "the thing was created"), flag("active", "true if on."))
HEADER = ["active", "created", "first_name", "id", OTHER_FIELDS]


@pytest.fixture
def interface(tmp_path):
    os.makedirs(tmp_path / "out" / "tables")
    (tmp_path / "config.json").write_text(json.dumps({"parameters": {}}))
    return CommonInterface(str(tmp_path))


def written(interface, legacy: bool, incremental: bool = True) -> dict:
    definition = table_definition(interface, "things", HEADER, ["id"] if incremental else [], incremental,
                                  {"column": "id", "values": ["1"], "operator": "eq"} if incremental else None,
                                  "One row per thing, identified by id. From here.", notes_of(COLUMNS))
    interface.write_manifest(definition, legacy_manifest=legacy or None)
    with open(definition.full_path + ".manifest") as handle:
        return json.load(handle)


def test_the_new_format_carries_descriptions_and_types_of_documented_columns_only(interface):
    manifest = written(interface, legacy=False)
    check_manifest("things", manifest, HEADER)
    assert "metadata" not in manifest and "column_metadata" not in manifest and "primary_key" not in manifest
    assert table_description(manifest) == "One row per thing, identified by id. From here."
    assert base_types(manifest) == {"active": "BOOLEAN", "created": "INTEGER", "first_name": "STRING",
                                    "id": "STRING", OTHER_FIELDS: "STRING"}
    assert set(column_descriptions(manifest)) == {"active", "created", "id", OTHER_FIELDS}
    assert "max_columns" in column_descriptions(manifest)[OTHER_FIELDS]
    assert all("metadata" not in column for column in manifest["schema"])    # never both description and metadata
    assert primary_key(manifest) == ["id"] and manifest["has_header"] is True


def test_the_legacy_format_carries_the_same_descriptions_no_types_and_the_same_flags(interface):
    new, legacy = written(interface, legacy=False), written(interface, legacy=True)
    check_manifest("things", legacy, HEADER)
    assert "schema" not in legacy and "columns" not in legacy and "has_header" not in legacy
    assert table_description(legacy) == table_description(new)
    assert column_descriptions(legacy) == column_descriptions(new)
    assert base_types(legacy) == {} and primary_key(legacy) == ["id"]
    flags = ("incremental", "delete_where_column", "delete_where_values", "delete_where_operator")
    assert {key: legacy[key] for key in flags} == {key: new[key] for key in flags}


def test_full_load_has_no_key_in_either_format(interface):
    for legacy in (False, True):
        manifest = written(interface, legacy=legacy, incremental=False)
        assert primary_key(manifest) == [] and manifest["incremental"] is False
        assert "delete_where_column" not in manifest and column_descriptions(manifest)


def test_an_unknown_base_type_is_a_bug_caught_before_storage():
    with pytest.raises(ValueError, match="TIMESTAMPTZ is no Keboola base type"):
        notes_of([Column("created", "TIMESTAMPTZ", "When.")])


def test_output_tables_describe_only_what_the_header_has(interface):
    tables = OutputTables(interface, incremental=True)
    tables.declare("t", ["id"], columns=COLUMNS, description="One row per t, identified by id. From here.")
    tables.finish()
    with open(interface.tables_out_path + "/t.csv.manifest") as handle:
        manifest = json.load(handle)
    assert [column["name"] for column in manifest["schema"]] == ["active", "created", "id"]
    assert table_description(manifest) == "One row per t, identified by id. From here."


def test_the_simulator_refuses_what_output_mapping_refuses():
    both = {"incremental": True, "has_header": True,
            "schema": [{"name": "id", "description": "x", "metadata": {"KBC.description": "x"}}]}
    with pytest.raises(StorageError, match="Only one of"):
        check_manifest("t", both, ["id"])
    with pytest.raises(StorageError, match="header row as data"):
        check_manifest("t", {"incremental": True, "columns": ["id"]}, ["id"])
    with pytest.raises(StorageError, match="columns the CSV lacks"):
        check_manifest("t", {"column_metadata": {"gone": [{"key": "KBC.description", "value": "x"}]}}, ["id"])
    with pytest.raises(StorageError, match="schema columns differ"):
        check_manifest("t", {"has_header": True, "schema": [{"name": "b"}, {"name": "a"}]}, ["a", "b"])


def test_the_simulator_finds_values_a_hint_would_lie_about():
    manifest = {"schema": [{"name": "n", "data_type": {"base": {"type": "INTEGER"}}},
                           {"name": "b", "data_type": {"base": {"type": "BOOLEAN"}}},
                           {"name": "s", "data_type": {"base": {"type": "STRING"}}}]}
    assert type_mismatches(manifest, [{"n": "12", "b": "true", "s": "x"}, {"n": "", "b": "", "s": ""}]) == []
    assert type_mismatches(manifest, [{"n": "1.5", "b": "True", "s": "1.5"}]) == [("n", "1.5"), ("b", "True")]
