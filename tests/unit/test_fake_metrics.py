"""The fake's metrics routes (issue 13) keep customerio-api-wave2.md section 6: v2 only for campaigns and their
actions and only with version=2, v1 everywhere else, US-Eastern v1 buckets ending at the fake's clock."""
import time

import pytest

from fake_api import FakeCustomerIo, Workspace
from fake_api.endpoints import lifecycle
from fake_api.endpoints.metrics import (METRICS, add_metric_names, expected_metric_value, expected_series,
                                        language_variant_ids, late_events, v1_buckets)
from helpers import call_fake as call, get_fake as get

EASTERN = "America/New_York"
DAY = 86400
WINTER = 1736910000            # 2025-01-15 03:00 UTC = 2025-01-14 22:00 EST
SUMMER = 1751596200            # 2025-07-04 02:30 UTC = 2025-07-03 22:30 EDT
JUNE = 1748779200              # 2025-06-01 12:00 UTC


def at(fake, moment):
    """Put the fake's clock (and its workspace's idea of now, which dates the entities) at `moment`."""
    fake.workspace.now = moment
    fake.clock_offset = moment - time.time()


def v2(start, end, res="days", **extra):
    return dict(version="2", res=res, start=str(start), end=str(end), **extra)


def closed_and_open(fake, family, ident, series, starts, res, tz, before, **kw):
    """All buckets but the last equal the model; the open last one lies between its values before and after."""
    after = fake.now()
    low = expected_series(fake, family, ident, res, starts, tz=tz, now=before, **kw)
    high = expected_series(fake, family, ident, res, starts, tz=tz, now=after, **kw)
    for name in series:
        assert series[name][:-1] == low[name][:-1] == high[name][:-1], name
        assert low[name][-1] <= series[name][-1] <= high[name][-1], name


# ---------------------------------------------------------------------- v1 / v2 selection
@pytest.mark.parametrize("version", [None, "1", "3", "v2"])
def test_campaign_metrics_silently_fall_back_to_v1_without_version_2(fake, version):
    at(fake, WINTER)
    window = dict(res="days", start=str(WINTER - 10 * DAY), end=str(WINTER), tz="UTC")
    body = get(fake, "/campaigns/1/metrics", **dict(window, **({"version": version} if version else {})))
    assert set(body) == {"metric"}                                   # no start / end / res: v1
    assert all(len(values) == 45 for values in body["metric"]["series"].values())
    v2_body = get(fake, "/campaigns/1/metrics", version="2", **window)
    assert set(v2_body) == {"start", "end", "res", "metric"} and len(v2_body["metric"]["series"]["sent"]) == 11


@pytest.mark.parametrize("params, fragment", [
    (dict(version="2", res="days", end="1736910000"), "start is required"),
    (dict(version="2", res="days", start="1736000000"), "end is required"),
    (dict(version="2", start="1736000000", end="1736910000"), "res must be"),
    (dict(version="2", res="fortnights", start="1736000000", end="1736910000"), "res must be"),
    (dict(version="2", res="days", start="2025-01-01", end="1736910000"), "integer"),
    (dict(version="2", res="days", start="1736910000", end="1736000000"), "after end"),
    (dict(version="2", res="months", start="1000000000", end="1736910000"), "10 years"),
    (dict(version="2", res="days", start="1736000000", end="1736910000", tz="Mars/Olympus"), "unknown tz"),
    (dict(version="2", res="hours", start="1730000000", end="1736910000"), "too many buckets"),
    (dict(period="fortnights"), "period"),
    (dict(steps="-1"), "steps"),
    (dict(type="carrier_pigeon"), "type must be"),
])
def test_metrics_reject_what_the_api_rejects(fake, params, fragment):
    status, body = call(fake, "/campaigns/1/metrics", **params)
    assert status == 400 and fragment in body["errors"][0]["detail"]


def test_only_campaign_families_speak_v2(fake):
    at(fake, WINTER)
    for path in ("/broadcasts/20/metrics", "/broadcasts/20/actions/200/metrics", "/newsletters/10/metrics",
                 "/transactional/1/metrics"):
        body = get(fake, path, **v2(WINTER - 3 * DAY, WINTER))
        assert "start" not in body and len(body["metric"]["series"]["sent"]) == 45, path
    assert "start" in get(fake, "/campaigns/1/actions/10/metrics", **v2(WINTER - 3 * DAY, WINTER))


# ---------------------------------------------------------------------- v2 alignment
def test_v2_days_align_from_start_in_a_non_utc_tz_across_daylight_saving(fake):
    at(fake, JUNE)
    start, end = 1741446000, 1741651200      # 2025-03-08 10:00 EST .. 2025-03-10 20:00 EDT
    body = get(fake, "/campaigns/2/metrics", **v2(start, end, res="daily", tz=EASTERN))
    assert body["start"] == "2025-03-08 00:00:00 -0500 EST" and body["end"] == "2025-03-11 00:00:00 -0400 EDT"
    assert body["res"] == "daily"                                     # echoed as sent
    starts = [1741410000, 1741496400, 1741579200]                     # local midnights; the last day has 23 h
    assert body["metric"]["series"] == expected_series(fake, "campaign", 2, "days", starts, tz=EASTERN)
    assert body["metric"]["series"]["opened"][1] == expected_metric_value(fake, "campaign", 2, "opened", "days",
                                                                          1741496400, tz=EASTERN)


def test_v2_hours_align_to_local_hours_in_a_half_hour_zone(fake):
    at(fake, JUNE)
    start, end = 1746094200, 1746101400      # 2025-05-01 10:10 .. 12:10 UTC (15:40 .. 17:40 IST)
    body = get(fake, "/campaigns/1/metrics", **v2(start, end, res="hourly", tz="Asia/Kolkata"))
    assert body["start"] == "2025-05-01 15:00:00 +0530 IST" and body["end"] == "2025-05-01 18:00:00 +0530 IST"
    starts = [1746091800, 1746095400, 1746099000]
    assert body["metric"]["series"] == expected_series(fake, "campaign", 1, "hours", starts, tz="Asia/Kolkata")


def test_v2_weeks_start_on_sunday_and_months_on_the_first_in_utc(fake):
    at(fake, JUNE)
    weeks = get(fake, "/campaigns/1/metrics", **v2(1736899200, 1737504000, res="weekly"))   # Wed 15 .. Wed 22 Jan
    assert weeks["start"] == "2025-01-12 00:00:00 +0000 UTC" and weeks["end"] == "2025-01-26 00:00:00 +0000 UTC"
    months = get(fake, "/campaigns/1/metrics", **v2(1736899200, 1743552000, res="months"))   # 15 Jan .. 2 Apr
    assert months["start"] == "2025-01-01 00:00:00 +0000 UTC" and months["end"] == "2025-05-01 00:00:00 +0000 UTC"
    assert len(months["metric"]["series"]["sent"]) == 4
    starts = [1735689600, 1738368000, 1740787200, 1743465600]
    assert months["metric"]["series"] == expected_series(fake, "campaign", 1, "months", starts)


# ---------------------------------------------------------------------- v1 steps and alignment
@pytest.mark.parametrize("period, steps, count", [
    (None, None, 45), ("days", "1", 2), ("days", "0", 45), ("days", "100", 45), ("days", "10", 10),
    ("hours", None, 24), ("hours", "0", 24), ("weeks", None, 12), ("weeks", "0", 12),
    ("months", None, 12), ("months", "0", 121), ("months", "500", 121),
])
def test_v1_steps_rules(fake, period, steps, count):
    params = {k: v for k, v in (("period", period), ("steps", steps)) if v is not None}
    series = get(fake, "/newsletters/10/metrics", **params)["metric"]["series"]
    assert {len(values) for values in series.values()} == {count}


@pytest.mark.parametrize("now, last_day, last_week, last_month", [
    (WINTER, 1736830800, 1736658000, 1735707600),    # Tue 14 Jan EST; Sun 12 Jan; 1 Jan (all -05:00)
    (SUMMER, 1751515200, 1751169600, 1751342400),    # Thu 3 Jul EDT; Sun 29 Jun; 1 Jul (all -04:00)
])
def test_v1_buckets_are_us_eastern_with_daylight_time_and_end_now(fake, now, last_day, last_week, last_month):
    at(fake, now)
    assert v1_buckets(fake.now(), "days")[-1] == last_day
    assert v1_buckets(fake.now(), "weeks")[-1] == last_week
    assert v1_buckets(fake.now(), "months")[-1] == last_month
    before = fake.now()
    series = get(fake, "/newsletters/12/metrics")["metric"]["series"]
    closed_and_open(fake, "newsletter", 12, series, v1_buckets(before, "days"), "days", EASTERN, before)


def test_v1_days_across_the_spring_change_are_23_hours_long(fake):
    at(fake, 1742468400)                              # 2025-03-20 11:00 UTC
    starts = v1_buckets(fake.now(), "days")
    gaps = {b - a for a, b in zip(starts, starts[1:])}
    assert gaps == {DAY, DAY - 3600} and starts[0] % 3600 == 0
    assert 1741496400 in starts and 1741579200 in starts         # 9 Mar 00:00 EST, 10 Mar 00:00 EDT
    before = fake.now()
    series = get(fake, "/campaigns/3/metrics")["metric"]["series"]
    closed_and_open(fake, "campaign", 3, series, starts, "days", EASTERN, before)


def test_the_open_bucket_grows_with_the_clock_and_closed_buckets_agree_between_runs(fake):
    at(fake, 1736953200)                              # 2025-01-15 10:00 EST
    first = get(fake, "/transactional/1/metrics")["metric"]["series"]
    fake.clock_offset += 6 * 3600                     # 16:00 EST, same day
    second = get(fake, "/transactional/1/metrics")["metric"]["series"]
    assert all(first[n][:-1] == second[n][:-1] and first[n][-1] <= second[n][-1] for n in first)
    assert sum(first["sent"][-1:]) < sum(second["sent"][-1:]) or second["sent"][-1] == 0
    fake.clock_offset += 12 * 3600                    # the next day: yesterday's bucket has closed
    third = get(fake, "/transactional/1/metrics")["metric"]["series"]
    assert third["sent"][-2] == expected_metric_value(fake, "transactional", 1, "sent", "days", 1736917200)
    assert third["sent"][-2] >= second["sent"][-1] and third["sent"][:-2] == second["sent"][1:-1]


def test_two_fakes_agree_on_every_closed_bucket():
    values = []
    for _ in range(2):
        with FakeCustomerIo(Workspace()) as other:
            at(other, WINTER)
            values.append(get(other, "/campaigns/5/metrics", **v2(WINTER - 20 * DAY, WINTER - DAY)))
    assert values[0] == values[1]


# ---------------------------------------------------------------------- actions and language variants
def test_a_branch_action_returns_the_total_and_its_language_variants(fake):
    at(fake, WINTER)
    window = v2(WINTER - 5 * DAY, WINTER - DAY)
    body = get(fake, "/campaigns/1/actions/11/metrics", **window)
    variant_ids = language_variant_ids(fake, "campaign", 1, 11)
    assert sorted(body["language_variants"]) == sorted(str(v) for v in variant_ids) and len(variant_ids) == 4
    for name, total in body["metric"]["series"].items():
        parts = [body["language_variants"][str(v)]["series"][name] for v in variant_ids]
        assert total == [sum(column) for column in zip(*parts)], name
    one = get(fake, f"/campaigns/1/actions/{variant_ids[1]}/metrics", **window)
    assert "language_variants" not in one and one["metric"] == body["language_variants"][str(variant_ids[1])]
    assert "language_variants" not in get(fake, "/campaigns/1/actions/10/metrics", **window)
    starts = [WINTER - 5 * DAY + i * DAY - (WINTER % DAY) for i in range(5)]
    assert body["metric"]["series"] == expected_series(fake, "campaign_action", 1, "days", starts, action_id=11)


def test_broadcast_action_metrics_are_v1_with_language_variants(fake):
    body = get(fake, "/broadcasts/20/actions/200/metrics", period="weeks")
    assert set(body) == {"metric", "language_variants"} and len(body["language_variants"]) == 4
    assert len(body["metric"]["series"]["sent"]) == 12


def test_non_message_actions_report_zeros_and_unknown_actions_404(fake):
    series = get(fake, "/campaigns/2/actions/20/metrics")["metric"]["series"]    # a delay step
    assert set(map(sum, series.values())) == {0}
    assert call(fake, "/campaigns/1/actions/20/metrics")[0] == 404                # campaign 2's action
    assert call(fake, "/campaigns/1/actions/abc/metrics")[0] == 404


# ---------------------------------------------------------------------- channels, names, deletions
def test_the_type_filter_keeps_one_channel(fake):
    total = get(fake, "/campaigns/1/metrics")["metric"]["series"]
    assert get(fake, "/campaigns/1/metrics", type="email")["metric"]["series"] == total   # campaign 1 only emails
    assert set(map(sum, get(fake, "/campaigns/1/metrics", type="twilio")["metric"]["series"].values())) == {0}
    newsletter = get(fake, "/newsletters/10/metrics")["metric"]
    assert newsletter["type"] == "email"
    assert get(fake, "/newsletters/10/metrics", type="push")["metric"]["type"] == "push"
    assert call(fake, "/newsletters/10/metrics", type="slack")[0] == 400                   # not in their enum
    assert get(fake, "/transactional/1/metrics", type="nonsense")["metric"]["series"]      # not documented: ignored


def test_new_metric_names_appear_without_notice(fake):
    assert list(get(fake, "/broadcasts/21/metrics")["metric"]["series"]) == list(METRICS)
    add_metric_names(fake, "whatsapp_read", "ai_summarised")
    series = get(fake, "/broadcasts/21/metrics")["metric"]["series"]
    assert list(series)[-2:] == ["whatsapp_read", "ai_summarised"]
    starts = v1_buckets(fake.now(), "days")
    assert series["whatsapp_read"][:-1] == expected_series(fake, "broadcast", 21, "days", starts)["whatsapp_read"][:-1]


def test_late_events_raise_recent_buckets(fake):
    at(fake, WINTER)
    window = v2(WINTER - 10 * DAY, WINTER - 2 * DAY)
    before = get(fake, "/campaigns/1/metrics", **window)["metric"]["series"]     # one channel: one series key
    late_events(fake, since=WINTER - 5 * DAY)
    after = get(fake, "/campaigns/1/metrics", **window)["metric"]["series"]
    assert after["sent"] == before["sent"]
    raised = [b + (1 if i >= 6 and before["sent"][i] else 0) for i, b in enumerate(before["opened"])]
    assert after["opened"] == raised


def test_deleted_or_unknown_entities_answer_404(fake):
    lifecycle.delete_between(fake, "campaign", 2)
    lifecycle.remove(fake, "broadcast", 21)
    lifecycle.delete_between(fake, "transactional", 3)
    for path in ("/campaigns/2/metrics", "/campaigns/2/actions/21/metrics", "/campaigns/99/metrics",
                 "/broadcasts/21/metrics", "/broadcasts/21/actions/210/metrics", "/newsletters/9/metrics",
                 "/transactional/3/metrics", "/transactional/42/metrics"):
        assert call(fake, path)[0] == 404, path
