"""Delivery metrics as a process against the fake: every family equals the fake's series bucket for bucket, v2
windows and v1 steps, lookback runs that replace earlier values, `complete` flipping, new metric names, deleted
entities, and the newsletters an incremental run leaves out."""
import time
from collections import Counter
from datetime import datetime

import pytest

from clock import EASTERN, at, noon_eastern_after
from fake_api.endpoints import broadcasts, lifecycle, newsletters, transactional
from fake_api.endpoints.campaign_actions import message_actions
from fake_api.endpoints.metrics import add_metric_names, expected_metric_value, late_events, metric_names
from helpers import FORMATS, base_parameters
from storage import Storage, primary_key

DAY = 86400
KEYS = {"campaign_metrics": ("campaign_id",), "campaign_action_metrics": ("campaign_id", "action_id"),
        "newsletter_metrics": ("newsletter_id",), "broadcast_metrics": ("broadcast_id",),
        "broadcast_action_metrics": ("broadcast_id", "action_id"), "transactional_metrics": ("transactional_id",),
        "newsletter_variant_metrics": ("newsletter_id", "content_id")}
FAMILY = {"campaign_metrics": "campaign", "campaign_action_metrics": "campaign_action",
          "newsletter_metrics": "newsletter", "broadcast_metrics": "broadcast",
          "broadcast_action_metrics": "broadcast_action", "transactional_metrics": "transactional",
          "newsletter_variant_metrics": "newsletter_variant"}
DEFAULT_TABLES = [table for table in KEYS if table != "newsletter_variant_metrics"]


@pytest.fixture
def clock(fake):
    """Moves the fake and the component to the same instant: clock(instant) -> the component's env."""
    return lambda instant: at(fake, instant)


def entities(fake):
    ws = fake.workspace
    sent = [n for n in newsletters.expected_newsletters(fake) if n["sent_at"]]
    return {
        "campaign_metrics": [(str(n),) for n in range(1, ws.campaigns + 1)],
        "campaign_action_metrics": [(str(n), str(a.id)) for n in range(1, ws.campaigns + 1)
                                    for a in message_actions(fake, "campaign", n)],
        "newsletter_metrics": [(str(n["id"]),) for n in sent],
        "newsletter_variant_metrics": [(str(n["id"]), str(c)) for n in sent if len(n["content_ids"]) > 1
                                       for c in n["content_ids"]],
        "broadcast_metrics": [(str(b["id"]),) for b in broadcasts.expected_broadcasts(fake)],
        "broadcast_action_metrics": [(str(b["id"]), str(a.id)) for b in broadcasts.expected_broadcasts(fake)
                                     for a in message_actions(fake, "broadcast", b["id"])],
        "transactional_metrics": [(str(t["id"]),) for t in transactional.expected_transactional(fake)],
    }


def expected(fake, table, entity, metric, start, now):
    family = FAMILY[table]
    if len(KEYS[table]) == 2:
        return expected_metric_value(fake, family, int(entity[0]), metric, "days", start, action_id=entity[1],
                                     now=now)
    return expected_metric_value(fake, family, int(entity[0]), metric, "days", start, now=now)


def check_family(fake, result, table, now):
    """Every (entity, bucket, metric) once, the fake's value in every closed bucket, the open one incomplete."""
    rows = result.tables[table]
    key = KEYS[table]
    identities = Counter((tuple(r[c] for c in key), r["resolution"], r["period_start"], r["metric"]) for r in rows)
    assert max(identities.values()) == 1, table
    assert {tuple(r[c] for c in key) for r in rows} == set(entities(fake)[table]), table
    names = set(metric_names(fake))
    by_entity = {}
    for row in rows:
        by_entity.setdefault(tuple(row[c] for c in key), []).append(row)
    for entity, entity_rows in by_entity.items():
        starts = sorted({int(r["period_start"]) for r in entity_rows})
        assert {r["metric"] for r in entity_rows} == names
        assert len(entity_rows) == len(starts) * len(names)
        for row in entity_rows:
            start = int(row["period_start"])
            is_open = start == starts[-1]
            assert row["complete"] == ("false" if is_open else "true"), (table, entity, row)
            if not is_open:
                assert int(row["value"]) == expected(fake, table, entity, row["metric"], start, now), (table, row)
    return by_entity


def metrics(**options):
    item = {"entities": [], "resolution": "days", "since": "10 days ago", "lookback_days": 3, **options}
    return base_parameters(metrics=[item])


def test_every_family_equals_the_fakes_series_bucket_for_bucket(component, fake, clock):
    now = noon_eastern_after(time.time())
    env = clock(now)
    fake.faults.rate_429, fake.faults.rate_5xx, fake.faults.retry_after = 0.10, 0.05, "0"
    result = component(metrics(), env={**env, "CUSTOMERIO_BACKOFF_BASE": "0.01"})
    assert result.exit_code == 0, result.output
    assert "newsletter_variant_metrics" not in result.tables        # not among the defaults
    for table in DEFAULT_TABLES:
        by_entity = check_family(fake, result, table, now)
        starts = sorted({int(r["period_start"]) for rows in by_entity.values() for r in rows})
        assert sorted(primary_key(result.manifests[table])) == \
            sorted(KEYS[table] + ("resolution", "period_start", "metric"))
        if table.startswith("campaign"):      # v2: UTC days from the start of `since`'s day to now
            assert starts[0] == (now - 10 * DAY) // DAY * DAY and starts[-1] == now // DAY * DAY
            assert {r["api_version"] for rows in by_entity.values() for r in rows} == {"2"}
        else:                                 # v1: New York days counted back from the request
            assert datetime.fromtimestamp(starts[-1], EASTERN).strftime("%H:%M") == "00:00"
            assert datetime.fromtimestamp(starts[-1], EASTERN).date() == datetime.fromtimestamp(now, EASTERN).date()
            assert len(starts) == 11 and {r["api_version"] for rows in by_entity.values() for r in rows} == {"1"}
    v2 = fake.requests("^/v1/campaigns/[0-9]+/metrics$")
    assert v2 and all(r.query["version"] == "2" and r.query["tz"] == "UTC" and r.query["res"] == "days" for r in v2)
    assert all(r.query.get("period") == "days" for r in fake.requests("^/v1/newsletters/[0-9]+/metrics$"))
    for family, table in (("campaigns", "campaign_action_metrics"), ("broadcasts", "broadcast_action_metrics")):
        # every action record once, never a multi-language branch (whose total would count its variants twice)
        asked = [r.path for r in fake.requests(f"^/v1/{family}/[0-9]+/actions/[0-9]+/metrics$") if r.status == 200]
        assert sorted(tuple(path.split("/")[3:6:2]) for path in asked) == sorted(entities(fake)[table])
    assert 429 in {r.status for r in fake.requests("/metrics$")}


@pytest.mark.parametrize("manifest_format", FORMATS)
def test_a_lookback_run_reads_only_its_window_and_replaces_earlier_values(component, fake, clock):
    first_now = noon_eastern_after(time.time())
    parameters = metrics(entities=["campaigns", "newsletters"], lookback_days=3)
    first = component(parameters, env=clock(first_now))
    assert first.exit_code == 0, first.output
    storage = Storage().load(first)
    opened_day = datetime.fromtimestamp(first_now, EASTERN).date()
    before = len(fake.requests("^/v1/"))

    second_now = first_now + 2 * DAY
    late_events(fake, since=first_now - 5 * DAY, amount=7)         # opens and clicks keep arriving
    second = component(parameters, state=first.state, env=clock(second_now))
    assert second.exit_code == 0, second.output
    later = fake.requests("^/v1/")[before:]
    v2 = [r for r in later if r.path.startswith("/v1/campaigns/")]
    assert {int(r.query["start"]) for r in v2} == {(first_now - 3 * DAY) // DAY * DAY}
    assert {int(r.query["end"]) - second_now for r in v2} <= {0, 1, 2}
    v1 = [r for r in later if r.path.endswith("/metrics") and r.path.startswith("/v1/newsletters/")]
    assert v1 and {r.query["steps"] for r in v1} == {"6"}          # 3 lookback days + 2 new + today
    storage.load(second)
    check_family(fake, second, "campaign_metrics", second_now)
    stored = {(r["campaign_id"], int(r["period_start"]), r["metric"]): r for r in storage.rows("campaign_metrics")}
    flipped = stored[("1", first_now // DAY * DAY, "opened")]
    assert flipped["complete"] == "true"
    assert int(flipped["value"]) == expected_metric_value(fake, "campaign", 1, "opened", "days",
                                                          first_now // DAY * DAY, now=second_now)
    old = stored[("1", first_now // DAY * DAY - 8 * DAY, "opened")]      # outside the lookback: left alone
    assert int(old["value"]) == expected_metric_value(fake, "campaign", 1, "opened", "days",
                                                      first_now // DAY * DAY - 8 * DAY, now=first_now)
    reread = {r.path.split("/")[3] for r in v1}
    newsletter_rows = [r for r in storage.rows("newsletter_metrics") if r["metric"] == "opened"
                       and datetime.fromtimestamp(int(r["period_start"]), EASTERN).date() == opened_day]
    assert {r["complete"] for r in newsletter_rows if r["newsletter_id"] in reread} == {"true"}
    # newsletters sent before the window are not read again until the next full pass: their last day stays open
    assert {r["complete"] for r in newsletter_rows if r["newsletter_id"] not in reread} <= {"false"}
    assert second.state["metrics"]["campaigns:days"]["end"] == int(second_now) or \
        abs(second.state["metrics"]["campaigns:days"]["end"] - second_now) <= 2


def test_new_metric_names_become_rows_without_any_change(component, fake, clock):
    env = clock(noon_eastern_after(time.time()))
    add_metric_names(fake, "tracking_consent_revoked")
    result = component(metrics(entities=["broadcasts"]), env=env)
    assert result.exit_code == 0, result.output
    assert {r["metric"] for r in result.tables["broadcast_metrics"]} >= {"tracking_consent_revoked", "sent"}


def test_a_deleted_entity_is_skipped_with_a_warning(component, fake, clock):
    env = clock(noon_eastern_after(time.time()))
    lifecycle.delete_between(fake, "transactional", 2)
    result = component(metrics(entities=["transactional"]), env=env)
    assert result.exit_code == 0, result.output
    assert "transactional message 2 disappeared while the run was going (404)" in result.output
    assert {r["transactional_id"] for r in result.tables["transactional_metrics"]} == {"1", "3"}


def test_incremental_runs_read_only_recently_sent_newsletters(component, fake, clock):
    fake.workspace.newsletters, fake.workspace.newsletter_span_days = 30, 300
    now = noon_eastern_after(time.time())
    parameters = metrics(entities=["newsletters"], since="400 days ago", lookback_days=20)
    first = component(parameters, env=clock(now))
    sent = [n for n in newsletters.expected_newsletters(fake) if n["sent_at"]]
    assert len(fake.requests("^/v1/newsletters/[0-9]+/metrics$")) == len(sent)
    assert "metrics v1) reach back at most 45 days" in first.output
    before = len(fake.requests("^/v1/newsletters/[0-9]+/metrics$"))
    second = component(parameters, state=first.state, env=clock(now + DAY))
    assert second.exit_code == 0, second.output
    read = {r.path.split("/")[3] for r in fake.requests("^/v1/newsletters/[0-9]+/metrics$")[before:]}
    window = now - 20 * DAY
    assert read == {str(n["id"]) for n in sent if n["sent_at"] >= window}
    assert "newsletters sent before the window are not read again" in second.output


def test_unknown_entities_stop_the_run_listing_the_valid_ones(component):
    result = component(metrics(entities=["campaigns", "sms"]))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Unknown metrics entity sms in `metrics.entities`; valid ones are: campaigns, campaign_actions, " \
           "newsletters, newsletter_variants, broadcasts, broadcast_actions, transactional (or none for campaigns, " \
           "campaign_actions, newsletters, broadcasts, broadcast_actions, transactional)" in result.output
