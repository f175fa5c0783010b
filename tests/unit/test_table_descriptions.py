"""Every table the component can write says what it is, and every documented column what it holds and its type."""
import copy
import re

import pytest

from config_cases import sample_parameters
from configuration import parse_settings
from customerio.metrics import FAMILIES
from customerio.resources import RESOURCES
from customerio.columns import BASE_TYPES, BOOLEAN, INTEGER, STRING, Column, documented, table_description
from extractors import build_extractors


def every_table():
    """The tables of every extractor with every dataset on, activities in both modes (object types included)."""
    specs = {}
    for mode, types in (("PARSED_DATA", ["event", "opened_email", "_o:1:create", "secondary:clicked_email"]),
                        ("SINGLE_TABLE", [])):
        parameters = copy.deepcopy(sample_parameters())
        parameters["objects"][0]["relationships"] = True
        parameters["segment_sizes"] = True
        parameters["metrics"][0].update(entities=[family.key for family in FAMILIES], links=True, journeys=True)
        parameters["activities"][0].update(mode=mode, types=types)
        for extractor in build_extractors(parse_settings(parameters), None, {}, 0):
            specs.update((spec.name, spec) for spec in extractor.tables())
    return specs


TABLES = every_table()


def test_every_dataset_is_covered():
    catalogue = {resource.table for resource in RESOURCES}
    metrics = {family.table for family in FAMILIES} | {"link_metrics", "journey_metrics"}
    assert catalogue | metrics | {"messages", "customers", "activity_event", "activity_o_1_create",
                                  "activities_all", "object_types", "objects", "object_relationships"} <= set(TABLES)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_table_says_what_a_row_is_its_key_and_its_source(name):
    spec = TABLES[name]
    assert spec.description.startswith(("One row per", "Activities of", "People:", "Delivery metrics of")), name
    assert f"identified by {spec.primary_key[0]}" in spec.description, spec.description
    assert all(column in spec.description for column in spec.primary_key), spec.description
    assert "From Customer.io's App API" in spec.description and spec.description.endswith("."), spec.description


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_documented_column_has_a_type_and_a_description(name):
    spec = TABLES[name]
    names = [column.name for column in spec.columns]
    assert spec.columns and len(names) == len(set(names)), name
    assert set(spec.primary_key) <= set(names), name
    for column in spec.columns:
        assert isinstance(column, Column) and column.type in BASE_TYPES, (name, column)
        assert len(column.description) >= 10 and column.description.rstrip().endswith((".", ")")), (name, column)
        assert "{" not in column.description.replace("{id, type}", "").replace("{{customer.email}}", "") \
            .replace("{attribute: {from, to}}", "").replace("{id, platform, last_used, ...}", ""), (name, column)


def kind(column: Column) -> str:
    text = column.description
    if text.startswith("Unix time (seconds, UTC)"):
        return "time"
    if text.startswith(("Count of", "Number of", "Size of", "Percent")) or column.name in ("api_version",):
        return "count"
    if re.match(r"^(true|false)\b", text):
        return "flag"
    return "text"


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_type_follows_what_the_description_says(name):
    """Unix times and counts are INTEGER, true/false is BOOLEAN, everything else (ids, text, JSON) STRING."""
    expected = {"time": INTEGER, "count": INTEGER, "flag": BOOLEAN, "text": STRING}
    for column in TABLES[name].columns:
        assert column.type == expected[kind(column)], (name, column)
        if column.name.endswith("_id") or column.name == "id" or "JSON" in column.description:
            assert column.type == STRING, (name, column)


def test_shared_fields_are_described_for_their_item():
    created, tags = documented("newsletter", "created", "tags")
    assert created == Column("created", INTEGER, "Unix time (seconds, UTC) the newsletter was created.")
    assert tags.type == STRING and "newsletter's tags" in tags.description
    own = Column("type", STRING, "running or draft.")
    assert documented("broadcast", own) == (own,)
    with pytest.raises(KeyError):
        documented("campaign", "no_such_field")


def test_a_table_description_names_the_key_in_words():
    assert table_description("One row per x", ["a", "b", "c"], "here") == \
        "One row per x, identified by a, b and c. From here."
    assert table_description("One row per x", ["id"], "here") == "One row per x, identified by id. From here."
