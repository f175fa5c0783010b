"""Campaigns, segments and segment members, run as a process against the fake API."""
from helpers import base_parameters


def test_campaigns_segments_and_members(component, fake):
    fake.workspace.people = 60
    result = component(base_parameters(campaigns=True, segments=True))
    assert result.exit_code == 0, result.output
    assert len(result.tables["campaigns"]) == fake.workspace.campaigns
    assert len(result.tables["segments"]) == fake.workspace.segments
    expected = sum(fake.workspace.segment_size(s) for s in fake.workspace.segment_ids())
    assert len(result.tables["segment_members"]) == expected
