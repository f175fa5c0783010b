"""The generic resource extractor in-process against the fake: roots feeding children, lanes, 404 parents,
replaced partitions, numeric ids; segments (the hardest child, membership) first."""
import logging

import pytest

from configuration import parse_settings
from customerio import ApiError, CustomerIoClient, NotFoundError
from output.cells import flatten
from extractors.base import Kept, Replaced, Walk
from customerio.resources import BY_TABLE
from extractors.resources import ResourceExtractor, spec_of

SEGMENTS, SEGMENT_MEMBERS = spec_of(BY_TABLE["segments"]), spec_of(BY_TABLE["segment_members"])
MEMBERSHIP_LANES = BY_TABLE["segment_members"].lanes


def run(walk, replaced=None):
    rows, walks = [], []
    for item in walk.run():
        if isinstance(item, Replaced):
            assert item.spec == SEGMENT_MEMBERS
            if replaced is not None:
                replaced.append(item.value)
            continue
        (walks if isinstance(item, Walk) else rows).append(item)
    return rows, walks


def extractor(fake, state=None, **parameters):
    settings = parse_settings({"#api_secret": "k", "segments": True, **parameters})
    return ResourceExtractor(BY_TABLE["segments"], CustomerIoClient("test-app-key", fake.url), settings, state or {},
                             0)


def test_membership_is_read_in_a_bounded_number_of_lanes(fake):
    fake.workspace.people, fake.workspace.segments = 100, 7
    rows, lanes = run(next(iter(extractor(fake).walks())))
    assert [spec for spec, _ in rows] == [SEGMENTS] * 7
    assert len(lanes) == MEMBERSHIP_LANES
    members = [record for lane in lanes for spec, record in run(lane)[0] if spec == SEGMENT_MEMBERS]
    ws = fake.workspace
    assert sorted((m["segment_id"], m["cio_id"]) for m in members) == sorted(
        (str(s), ws.person(ws.segment_member(s, k))["cio_id"])
        for s in ws.segment_ids() for k in range(ws.segment_size(s)))


def test_no_membership_walks_when_members_are_off(fake):
    rows, lanes = run(next(iter(extractor(fake, segment_members=False).walks())))
    assert lanes == [] and len(rows) == fake.workspace.segments


def test_a_segment_deleted_mid_run_is_skipped_with_a_warning(fake, caplog):
    fake.workspace.segments = 3
    fake.force("^/v1/segments/1/membership$", 404)
    caplog.set_level(logging.WARNING)
    _, lanes = run(next(iter(extractor(fake).walks())))
    members = [record for lane in lanes for _, record in run(lane)[0]]
    assert {m["segment_id"] for m in members} == {"2"}
    assert "Segment 1 disappeared" in caplog.text


def test_with_deleted_rows_kept_every_segment_read_to_the_end_and_every_vanished_one_is_replaced(fake):
    fake.workspace.segments = 4
    fake.force("^/v1/segments/2/membership$", 404)
    instance = extractor(fake, state={"segments": {"ids": ["1", "2", "9", 17]}}, keep_deleted_rows=True)
    replaced = []
    _, lanes = run(next(iter(instance.walks())), replaced)
    assert replaced == ["9", "17"]                      # remembered, no longer listed: before any membership walk
    for lane in lanes:
        run(lane, replaced)
    assert sorted(replaced, key=int) == ["1", "2", "3", "4", "9", "17"]   # 2 vanished mid-run, 4 is empty
    assert instance.new_state() == {"ids": ["1", "2", "3", "4"]}


def test_segments_and_their_members_are_replaced_whole_and_gone_segments_are_named(fake, caplog):
    fake.workspace.segments = 4
    caplog.set_level(logging.INFO)
    instance = extractor(fake, state={"segments": {"ids": ["1", "2", "9", 17]}})
    assert instance.specs["segments"].load == "replace" and instance.specs["segment_members"].load == "replace"
    replaced = []
    _, lanes = run(next(iter(instance.walks())), replaced)
    for lane in lanes:
        run(lane, replaced)
    assert replaced == [] and instance.new_state() == {"ids": ["1", "2", "3", "4"]}
    assert "2 segments no longer exist in Customer.io (9, 17): their rows and their members leave Storage." \
        in caplog.text


def test_a_failed_membership_walk_replaces_nothing(fake):
    fake.workspace.segments = 2
    fake.force("^/v1/segments/1/membership$", 400)
    replaced = []
    _, lanes = run(next(iter(extractor(fake, keep_deleted_rows=True).walks())), replaced)
    try:
        run(lanes[0], replaced)
    except Exception:  # noqa: B902 - the walk fails, as the runner would see it
        pass
    assert "1" not in replaced


def test_numeric_ids_give_the_same_rows_and_state(fake):
    fake.workspace.people, fake.workspace.cio_id_digits = 60, True

    def everything():
        instance = extractor(fake)
        rows, lanes = run(next(iter(instance.walks())))
        for lane in lanes:
            rows += run(lane)[0]
        return sorted(map(repr, ((spec.name, flatten(record)) for spec, record in rows))), instance.new_state()

    as_text = everything()
    fake.extras["numeric_ids"] = True
    assert everything() == as_text


class OffsetPages:
    """A client whose suppression lists answer full pages, except where `refuse` says (path, offset) -> status."""

    def __init__(self, refuse):
        self.refuse = refuse

    def get(self, path, params=None):
        offset = int((params or {}).get("offset", 0))
        status = self.refuse.get((path, offset))
        if status:
            raise (NotFoundError if status == 404 else ApiError)(f"GET {path}", status, "no such list")
        return {"suppressions": [{"email": f"{path[-6:]}-{offset + i}@example.com"} for i in range(1000)]
                if offset < 1000 else None}


def suppression_walk(refuse, **parameters):
    settings = parse_settings({"#api_secret": "k", "esp_suppressions": True, **parameters})
    instance = ResourceExtractor(BY_TABLE["esp_suppressions"], OffsetPages(refuse), settings, {}, 0)
    return instance, next(iter(instance.walks()))


def test_a_suppression_list_refused_before_its_first_row_is_skipped_and_not_replaced():
    _, walk = suppression_walk({("/esp/suppression/blocks", 0): 404, ("/esp/suppression/invalid_emails", 0): 400})
    items = list(walk.run())
    replaced = [item.value for item in items if isinstance(item, Replaced)]
    rows = [row for item in items if not isinstance(item, Replaced) for row in [item[1]]]
    assert replaced == ["bounces", "spam_reports"]
    assert {row["suppression_type"] for row in rows} == {"bounces", "spam_reports"} and len(rows) == 2000


def test_every_suppression_list_read_replaces_the_table_and_with_rows_kept_each_type():
    instance, walk = suppression_walk({})
    marks = [item for item in walk.run() if isinstance(item, (Replaced, Kept))]
    assert marks == [Kept(instance.specs["esp_suppressions"])]
    assert instance.specs["esp_suppressions"].load is None          # the run decides: a list may be missing
    instance, walk = suppression_walk({}, keep_deleted_rows=True)
    assert [item.value for item in walk.run() if isinstance(item, (Replaced, Kept))] == \
        ["blocks", "bounces", "invalid_emails", "spam_reports"]


def test_a_suppression_list_refused_after_rows_were_read_fails_the_walk():
    _, walk = suppression_walk({("/esp/suppression/blocks", 1000): 400})
    items = []
    with pytest.raises(ApiError) as raised:             # a list that broke off half-way was not read
        for item in walk.run():
            items.append(item)
    assert raised.value.status == 400 and not any(isinstance(item, Replaced) for item in items)


def test_records_without_their_key_are_counted_for_one_warning_per_table(fake):
    fake.extras["null_ids"] = True
    settings = parse_settings({"#api_secret": "k", "campaign_actions": True})
    instance = ResourceExtractor(BY_TABLE["campaigns"], CustomerIoClient("test-app-key", fake.url), settings, {}, 0)
    walks = []
    for item in next(iter(instance.walks())).run():
        if isinstance(item, Walk):
            walks.append(item)
    rows = [item[1] for walk in walks for item in walk.run() if not isinstance(item, Replaced)]
    assert rows and all(row["id"] is not None for row in rows)
    warnings = instance.closing_warnings()
    assert len(warnings) == 1 and warnings[0].startswith("campaign_actions: ")
    assert "without `id` were left out: a row needs its primary key (campaign_id, id)." in warnings[0]


def test_members_listed_only_by_id_have_no_key_and_are_counted(fake, caplog):
    fake.workspace.segments = 1
    fake.serve("GET", "/segments/1/membership", {"segment_id": 1, "identifiers": None, "ids": ["42", "43"],
                                                 "next": ""})
    caplog.set_level(logging.WARNING)
    instance = extractor(fake)
    _, lanes = run(next(iter(instance.walks())))
    assert [record for lane in lanes for _, record in run(lane)[0]] == []
    assert "Segment 1 membership came without `identifiers`" in caplog.text
    assert instance.closing_warnings() == ["segment_members: 2 records without `cio_id` were left out: a row needs "
                                           "its primary key (segment_id, cio_id)."]


# ---------------------------------------------------------------------------------------------- changed parents only
def campaigns_extractor(fake, state, **parameters):
    settings = parse_settings({"#api_secret": "k", "campaigns": True, "campaign_actions": True, **parameters})
    return ResourceExtractor(BY_TABLE["campaigns"], CustomerIoClient("test-app-key", fake.url), settings, state,
                             fake.workspace.now)


def marks_and_walks(instance):
    marks, walks = [], []
    for item in next(iter(instance.walks())).run():
        if isinstance(item, (Replaced, Kept)):
            marks.append(item)
        elif isinstance(item, Walk):
            walks.append(item.label)
    return marks, walks


def test_only_changed_campaigns_are_read_and_one_filter_says_what_leaves(fake, caplog):
    from fake_api.endpoints import campaigns, lifecycle
    caplog.set_level(logging.INFO)
    fake.workspace.campaigns = 6
    updated = {str(n): str(campaigns.campaign(fake.workspace, n)["updated"]) for n in range(1, 7)}
    stored = {"updated": dict(updated, **{"9": "1"}), "rows": {"9": 4}, "full_refresh": fake.workspace.now,
              "exact": True}
    lifecycle.touch_campaign(fake, 2)
    instance = campaigns_extractor(fake, {"campaigns": {"children": {"campaign_actions": stored}}})
    assert instance.specs["campaigns"].load == "replace" and instance.specs["campaign_actions"].load is None
    marks, walks = marks_and_walks(instance)
    spec = instance.specs["campaign_actions"]
    assert marks == [Replaced(spec, "2"), Replaced(spec, "9")] and walks == ["campaign actions of campaign 2"]
    assert "1 campaign no longer exists in Customer.io (9): its rows and its 4 campaign actions leave Storage." \
        in caplog.text

    for n in (3, 4, 5):
        lifecycle.touch_campaign(fake, n)
    marks, walks = marks_and_walks(campaigns_extractor(fake, {"campaigns": {"children": {"campaign_actions": stored}}}))
    assert marks == [Kept(spec, ("1", "6"))] and len(walks) == 4     # 2, 3, 4, 5 re-read; 9 gone: ne is shorter


def test_an_older_state_or_kept_rows_make_one_full_pass_that_replaces_the_table(fake, caplog):
    caplog.set_level(logging.INFO)
    older = {"updated": {"1": "1"}, "full_refresh": fake.workspace.now}
    instance = campaigns_extractor(fake, {"campaigns": {"children": {"campaign_actions": older}}})
    marks, walks = marks_and_walks(instance)
    assert marks == [Kept(instance.specs["campaign_actions"])] and len(walks) == fake.workspace.campaigns
    assert "the last run kept the rows of deleted campaigns" in caplog.text
    assert instance.new_state()["children"]["campaign_actions"]["exact"] is True
    kept = campaigns_extractor(fake, {"campaigns": {"children": {"campaign_actions": older}}}, keep_deleted_rows=True)
    marks, walks = marks_and_walks(kept)
    assert marks == [] and len(walks) == fake.workspace.campaigns       # 1's updated moved; the rest are new
    assert "exact" not in kept.new_state()["children"]["campaign_actions"]
