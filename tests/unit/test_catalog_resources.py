"""The resource catalogue is consistent, every entry has a route in the fake, and its hooks shape records right."""
import re

import pytest

from customerio import shapes
from customerio.datasets import DATASETS
from customerio.resources import (BY_TABLE, OBJECT_ATTRIBUTES, OBJECT_RELATIONSHIPS, OBJECT_TYPES, OBJECTS,
                                  RESOURCES, CURSOR, NONE, OFFSET, children)
from fake_api.server import API_PREFIX, _ROUTES
import fake_api.endpoints  # noqa: F401 - registers the routes

EVERY = RESOURCES + (OBJECT_TYPES, OBJECTS, OBJECT_ATTRIBUTES, OBJECT_RELATIONSHIPS)


def test_every_dataset_names_existing_tables_and_every_table_one_dataset():
    tables = [table for dataset in DATASETS for table in dataset.tables]
    assert sorted(tables) == sorted(resource.table for resource in RESOURCES)
    assert all(BY_TABLE[table].dataset in (dataset.key, "segment_members", "segment_sizes")
               for dataset in DATASETS for table in dataset.tables)


@pytest.mark.parametrize("resource", EVERY, ids=lambda r: f"{r.table}:{r.path}")
def test_entries_are_complete(resource):
    assert resource.paging in (NONE, CURSOR, OFFSET)
    assert resource.paging != OFFSET or resource.limit
    documented = {column.name for column in resource.columns}
    assert set(resource.primary_key) <= documented or not resource.columns, resource.table
    if resource.parent:
        assert resource.parent in BY_TABLE and resource in children(resource.parent)
        assert set(resource.from_parent) <= set(resource.primary_key)
        assert resource.partition_column == (None if resource.snapshot else next(iter(resource.from_parent)))
    if resource.replace_by:
        assert resource.replace_by in resource.primary_key


@pytest.mark.parametrize("resource", EVERY, ids=lambda r: f"{r.table}:{r.path}")
def test_the_fake_serves_every_catalogue_path(resource):
    sample = re.sub(r"\{(\w+)\}", "7", resource.path)
    for partition in resource.partitions:
        sample = resource.path.format(**{**{k: "7" for k in re.findall(r"\{(\w+)\}", resource.path)},
                                         **partition.path})
    method = "POST" if resource is OBJECTS else "GET"
    assert any(route_method == method and regex.match(API_PREFIX + sample) for route_method, regex, _ in _ROUTES), \
        f"no fake route for {method} {sample}"


def test_membership_reads_identifiers_and_old_ids_only_answers(caplog):
    assert shapes.membership_people({"identifiers": [{"cio_id": "a"}], "ids": ["1"]}) == [{"cio_id": "a"}]
    assert shapes.membership_people({"identifiers": None, "ids": ["1", ""], "segment_id": 4}) == \
        [{"cio_id": None, "id": "1", "email": None}, {"cio_id": None, "id": "", "email": None}]
    assert "Segment 4 membership came without `identifiers`" in caplog.text
    assert shapes.membership_people({"identifiers": None, "ids": None}) == []
    assert list(shapes.member({"cio_id": 3000001, "id": 7, "email": None, "extra": 1})) == \
        [{"cio_id": "3000001", "id": "7", "email": None}]


@pytest.mark.parametrize("body", [
    {"segment_id": 7, "used_by": {"campaigns": [1, 2], "sent_newsletters": [10], "draft_newsletters": []}},
    {"used_by": {"segment_id": 7, "campaigns": ["1", 2], "sent_newsletters": [10]}},
    {"campaigns": [1, 2], "sent_newsletters": [10], "draft_newsletters": None},
])
def test_segment_usage_rows_wherever_the_arrays_are(body):
    assert shapes.segment_usage(body) == [{"used_by_type": "campaign", "used_by_id": "1"},
                                          {"used_by_type": "campaign", "used_by_id": "2"},
                                          {"used_by_type": "sent_newsletter", "used_by_id": "10"}]


@pytest.mark.parametrize("body, rows", [
    ({"segment_id": 7, "count": 1234}, [{"count": 1234}]), ({"count": 0}, [{"count": 0}]),
    ({"segment_id": 7, "count": "12"}, [{"count": 12}]), ({"segment_id": 7, "count": 12.0}, [{"count": 12}]),
    ({"segment_id": 7}, []), ({"segment_id": 7, "count": None}, []), ({"count": True}, []), ({"count": "many"}, []),
    ({"count": 1.5}, []),
])
def test_a_segment_count_is_one_whole_number_or_no_row(body, rows, caplog):
    assert shapes.segment_count(body) == rows
    assert ("without a count" in caplog.text) is (not rows)


def test_optouts_explode():
    rows = list(shapes.optout_rows({"cio_id": 5, "customer_id": None, "optouts": [
        {"channel": "sms", "from": "+1"}, {"channel": "whatsapp", "from": "+2"}, "junk"]}))
    assert rows == [{"cio_id": "5", "customer_id": None, "channel": "sms", "from": "+1"},
                    {"cio_id": "5", "customer_id": None, "channel": "whatsapp", "from": "+2"}]
    assert list(shapes.optout_rows({"cio_id": None, "optouts": [{"channel": "sms"}]})) == []
