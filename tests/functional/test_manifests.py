"""Both manifest formats as production writes them, run as a process: the legacy one (a project without native
data types) and the new one with type hints. The same keys, load flags and descriptions in both; types in the new
one only, each describing what its column really holds; nothing for the columns that come from the data."""
import copy

import pytest

from config_cases import sample_parameters
from helpers import API_KEY, FORMATS, ComponentRun
from storage import (Storage, base_types, column_descriptions, manifest_format, primary_key, table_description,
                     type_mismatches)

FAST = {"CUSTOMERIO_RATE_LIMIT": "off"}
#: Histories loaded incrementally even under Full Load: replacing them would erase what they exist for.
ALWAYS_APPENDED = {"segment_sizes"}
FLAGS = ("incremental", "delete_where_column", "delete_where_values", "delete_where_operator")


def everything(**top) -> dict:
    """Every dataset on (the sample configuration, plus related people of objects)."""
    parameters = copy.deepcopy(sample_parameters())
    parameters["#api_secret"] = API_KEY
    parameters["objects"][0]["relationships"] = True
    parameters.update(top)
    return parameters


@pytest.fixture
def runs(tmp_path, fake):
    """One run per format against the same fake workspace: {format: RunResult}."""
    fake.workspace.people, fake.workspace.messages, fake.workspace.activities = 40, 200, 150

    def run(parameters):
        results = {}
        for name in FORMATS:
            results[name] = ComponentRun(tmp_path / name, fake, manifests=name)(parameters, env=FAST)
            assert results[name].exit_code == 0, results[name].output
        return results
    return run


@pytest.mark.parametrize("incremental", [1, 0])
def test_both_formats_carry_the_same_keys_flags_and_descriptions(runs, incremental):
    results = runs(everything(incremental_output=incremental))
    legacy, hints = results["legacy"], results["hints"]
    assert set(legacy.manifests) == set(hints.manifests) and len(hints.manifests) >= 35
    for table, new in hints.manifests.items():
        old = legacy.manifests[table]
        assert (manifest_format(old), manifest_format(new)) == ("legacy", "new"), table
        assert legacy.headers[table] == hints.headers[table], table
        # Full Load drops the key, except in a table that is a history appended whatever the load type
        keyed = bool(incremental) or table in ALWAYS_APPENDED
        assert primary_key(old) == primary_key(new) == (primary_key(new) if keyed else []), table
        assert bool(primary_key(new)) is keyed, table
        assert keyed or new["incremental"] is False, table
        assert {flag: old.get(flag) for flag in FLAGS} == {flag: new.get(flag) for flag in FLAGS}, table
        assert table_description(old) == table_description(new) and "identified by" in table_description(new)
        assert column_descriptions(old) == column_descriptions(new) and column_descriptions(new), table
        assert base_types(old) == {} and set(base_types(new)) == set(hints.headers[table]), table
        assert "column_metadata" not in new and "schema" not in old and "columns" not in old, table
    if incremental:                          # read whole: replaced, keeping the key; history: upserted
        assert hints.manifests["segment_members"]["incremental"] is False
        assert hints.manifests["messages"]["incremental"] is True
    assert hints.manifests["segment_sizes"]["incremental"] is True
    for result in results.values():
        Storage().load(result)


def test_documented_columns_are_described_and_typed_and_data_columns_are_not(runs):
    hints = runs(everything())["hints"]
    manifests = hints.manifests
    messages = manifests["messages"]
    assert base_types(messages)["metrics_opened"] == "INTEGER" and base_types(messages)["forgotten"] == "BOOLEAN"
    assert column_descriptions(messages)["metrics_opened"] == \
        "Unix time (seconds, UTC) the message was first opened; empty if it never did."
    assert base_types(messages)["id"] == base_types(messages)["campaign_id"] == "STRING"
    metrics = manifests["campaign_metrics"]
    assert column_descriptions(metrics)["value"] == "Count of the metric in this bucket."
    assert base_types(metrics)["value"] == base_types(metrics)["period_start"] == "INTEGER"
    assert base_types(metrics)["complete"] == "BOOLEAN"
    customers = manifests["customers"]
    documented = {"cio_id", "id", "email", "unsubscribed", "devices"}
    attributes = [column for column in hints.headers["customers"] if column not in documented]
    assert attributes and not set(attributes) & set(column_descriptions(customers))
    assert {base_types(customers)[column] for column in attributes} == {"STRING"}
    data_columns = {(table, column) for table, header in hints.headers.items() if table.startswith("activity_")
                    for column in header if column.startswith("data_")}
    assert data_columns
    for table, column in data_columns:
        assert column not in column_descriptions(manifests[table]) and base_types(manifests[table])[column] == \
            "STRING", (table, column)
    object_attributes = set(hints.headers["objects"]) - {"cio_object_id", "object_id", "object_type_id"}
    assert object_attributes and not object_attributes & set(column_descriptions(manifests["objects"]))


def test_every_hint_describes_what_its_column_holds(runs):
    hints = runs(everything())["hints"]
    for table, manifest in hints.manifests.items():
        assert type_mismatches(manifest, hints.tables[table]) == [], table
    typed = {(table, column) for table, manifest in hints.manifests.items()
             for column, base in base_types(manifest).items() if base != "STRING"}
    filled = {(table, column) for table, column in typed if any(row[column] for row in hints.tables[table])}
    assert len(typed) >= 80 and len(filled) >= 50     # the check saw real values, not only empty columns
