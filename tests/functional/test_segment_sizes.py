"""segment_sizes as a process against the fake: one count per segment and run, stamped with the run's time, appended
in Storage run after run, also under Full Load (a replace would erase the history it exists for); a segment
deleted mid-run or answering without a count is skipped with a warning; the switch goes with `segments`."""
import time

from clock import at
from fake_api.endpoints import lifecycle
from fake_api.endpoints.segment_counts import MISSING
from helpers import base_parameters
from storage import Storage

HOUR = 3600


def sizes(rows):
    return {(row["segment_id"], int(row["measured_at"])): int(row["count"]) for row in rows}


def measured_at(result) -> int:
    stamps = {int(row["measured_at"]) for row in result.tables["segment_sizes"]}
    assert len(stamps) == 1, stamps               # one moment per run, the same for every segment
    return stamps.pop()


def test_full_load_appends_one_size_per_segment_and_run_under_faults(component, fake):
    fake.faults.rate_429, fake.faults.rate_5xx, fake.faults.retry_after = 0.10, 0.05, "0"
    parameters = base_parameters(incremental_output=0, segments=True, segment_members=False, segment_sizes=True)
    start = int(time.time()) + 5 * HOUR
    first = component(parameters, env=at(fake, start))
    assert first.exit_code == 0, first.output
    ws = fake.workspace
    first_at = measured_at(first)
    assert abs(first_at - start) <= 2
    assert sizes(first.tables["segment_sizes"]) == {(str(s), first_at): ws.segment_size(s) for s in ws.segment_ids()}
    manifest = first.manifests["segment_sizes"]
    assert manifest["incremental"] is True and "delete_where_column" not in manifest
    assert sorted(c["name"] for c in manifest["schema"] if c.get("primary_key")) == ["measured_at", "segment_id"]
    assert first.manifests["segments"]["incremental"] is False          # the rest of a Full Load still replaces

    ws.members_override[1] = [0, 3, 5]                                  # segment 1 shrinks between runs
    second = component(parameters, state=first.state, env=at(fake, start + 24 * HOUR))
    assert second.exit_code == 0, second.output
    second_at = measured_at(second)
    assert second_at - first_at >= 24 * HOUR - 2
    storage = Storage().load(first).load(second)
    history = sizes(storage.rows("segment_sizes"))
    assert history == {**{(str(s), first_at): count for (s, _), count in sizes(first.tables["segment_sizes"]).items()},
                       **{(str(s), second_at): ws.segment_size(s) for s in ws.segment_ids()}}
    assert history[("1", second_at)] == 3 and history[("1", first_at)] != 3
    assert 429 in {r.status for r in fake.requests("/customer_count$")}


def test_incremental_runs_append_and_a_segment_deleted_mid_run_is_skipped(component, fake):
    parameters = base_parameters(segments=True, segment_sizes=True)
    start = int(time.time()) + 2 * HOUR
    first = component(parameters, env=at(fake, start))
    lifecycle.delete_between(fake, "segment", 2)                         # listed, but customer_count answers 404
    fake.extras[MISSING] = {3}                                          # a segment answering without a count
    second = component(parameters, state=first.state, env=at(fake, start + HOUR))
    assert second.exit_code == 0, second.output
    assert "Segment 2 disappeared while the run was going (404); its sizes are skipped." in second.output
    assert "Segment 3 answered customer_count without a count" in second.output
    second_at = measured_at(second)
    assert {row["segment_id"] for row in second.tables["segment_sizes"]} == \
        {str(s) for s in fake.workspace.segment_ids()} - {"2", "3"}
    storage = Storage().load(first).load(second)
    rows = storage.rows("segment_sizes")
    assert len(rows) == len(first.tables["segment_sizes"]) + len(second.tables["segment_sizes"])
    assert {int(r["measured_at"]) for r in rows} == {measured_at(first), second_at}
    assert "segment_sizes" in second.state["tables"]
    assert len(fake.requests("^/v1/segments/[0-9]+/customer_count$")) == 2 * len(fake.workspace.segment_ids())


def test_segment_sizes_need_the_switch_and_segments(component, fake):
    without_switch = component(base_parameters(segments=True))
    assert without_switch.exit_code == 0, without_switch.output
    assert "segment_sizes" not in without_switch.tables
    without_segments = component(base_parameters(segments=False, segment_sizes=True))
    assert without_segments.exit_code == 0, without_segments.output
    assert "segment_sizes" not in without_segments.tables
    assert not fake.requests("customer_count")
