"""Segments extractor: segment rows, membership lanes, deleted segments."""
import logging

from configuration import parse_settings
from customerio import CustomerIoClient
from extractors.base import Walk
from extractors.segments import MEMBERSHIP_LANES, SEGMENT_MEMBERS, SEGMENTS, SegmentsExtractor


def run(walk):
    rows, walks = [], []
    for item in walk.run():
        (walks if isinstance(item, Walk) else rows).append(item)
    return rows, walks


def extractor(fake, **parameters):
    settings = parse_settings({"#api_secret": "k", "segments": True, **parameters})
    return SegmentsExtractor(CustomerIoClient("test-app-key", fake.url), settings, {}, 0)


def test_membership_is_read_in_a_bounded_number_of_lanes(fake):
    fake.workspace.people, fake.workspace.segments = 100, 7
    rows, lanes = run(next(iter(extractor(fake).walks())))
    assert [spec for spec, _ in rows] == [SEGMENTS] * 7
    assert len(lanes) == MEMBERSHIP_LANES
    members = [record for lane in lanes for spec, record in run(lane)[0] if spec is SEGMENT_MEMBERS]
    ws = fake.workspace
    assert sorted((m["segment_id"], m["cio_id"]) for m in members) == sorted(
        (s, ws.person(ws.segment_member(s, k))["cio_id"]) for s in ws.segment_ids() for k in range(ws.segment_size(s)))


def test_no_membership_walks_when_members_are_off(fake):
    rows, lanes = run(next(iter(extractor(fake, segment_members=False).walks())))
    assert lanes == [] and len(rows) == fake.workspace.segments


def test_a_segment_deleted_mid_run_is_skipped_with_a_warning(fake, caplog):
    fake.workspace.segments = 3
    fake.force("^/v1/segments/1/membership$", 404)
    caplog.set_level(logging.WARNING)
    _, lanes = run(next(iter(extractor(fake).walks())))
    members = [record for lane in lanes for _, record in run(lane)[0]]
    assert {m["segment_id"] for m in members} == {2}
    assert "Segment 1 disappeared" in caplog.text
