"""The metrics calendar: v2 start times in Go's format, US-Eastern v1 buckets across daylight-time changes, steps."""
from datetime import datetime

import pytest

from customerio.metrics import (EASTERN, UTC, buckets_back, buckets_between, buckets_from, cohort_closed, floor,
                                following, parse_start, v1_steps, v2_buckets, windows)

DAY = 86400


@pytest.mark.parametrize("text, expected", [
    ("2025-01-01 00:00:00 +0000 UTC", 1735689600), ("2025-03-09 00:00:00 -0500 EST", 1741496400),
    ("2025-01-01T00:00:00Z", 1735689600), ("2025-01-01T01:00:00+01:00", 1735689600), (1735689600, 1735689600),
    ("2025-01-01 00:00:00.123 +0000 UTC", 1735689600), ("yesterday", None), (None, None), ("", None),
])
def test_v2_start_is_read_in_every_spelling(text, expected):
    assert parse_start(text) == expected


def test_eastern_days_follow_daylight_time():
    spring = int(datetime(2025, 3, 10, 12, tzinfo=EASTERN).timestamp())       # the day after the change
    days = buckets_back(spring, 3, "days")
    assert [datetime.fromtimestamp(d, EASTERN).strftime("%m-%d %H:%M") for d in days] == \
        ["03-08 00:00", "03-09 00:00", "03-10 00:00"]
    assert days[2] - days[1] == 23 * 3600 and following(days[1], "days", EASTERN) == days[2]


def test_weeks_start_on_sunday_and_months_on_the_first():
    moment = int(datetime(2025, 7, 3, 22, 30, tzinfo=EASTERN).timestamp())     # a Thursday
    assert datetime.fromtimestamp(floor(moment, "weeks", EASTERN), EASTERN).strftime("%a %d %H") == "Sun 29 00"
    months = buckets_from(int(datetime(2025, 1, 31, tzinfo=UTC).timestamp()), 3, "months")
    assert [datetime.fromtimestamp(m, UTC).strftime("%Y-%m-%d") for m in months] == \
        ["2025-01-01", "2025-02-01", "2025-03-01"]


@pytest.mark.parametrize("days_back, steps, short", [(0, 2, False), (1, 2, False), (10, 11, False), (44, 45, False),
                                                     (80, 45, True)])
def test_v1_steps_cover_the_window_within_the_maximum(days_back, steps, short):
    now = int(datetime(2025, 6, 15, 12, tzinfo=EASTERN).timestamp())
    start = floor(now, "days", EASTERN) - days_back * DAY
    assert v1_steps(start, now, "days") == (steps, short)


def test_windows_split_at_the_bucket_limit_and_end_at_the_end():
    start = int(datetime(2025, 1, 1, 7, tzinfo=UTC).timestamp())
    end = start + 2500 * 3600
    chunks = windows(start, end, "hours", limit=1000)
    assert [(b - a) // 3600 for a, b in chunks] == [1000, 1000, 500]
    assert chunks[0][0] == start and chunks[-1][1] == end
    assert all(chunks[i][1] == chunks[i + 1][0] for i in range(len(chunks) - 1))
    assert windows(start, start + 60, "days") == [(start - 7 * 3600, start + 60)]      # floored to the UTC day


def test_buckets_between_start_on_the_first_bucket_and_stop_before_the_end():
    start = int(datetime(2025, 3, 30, 15, tzinfo=UTC).timestamp())
    days = buckets_between(start, start + 2 * DAY, "days")
    assert [datetime.fromtimestamp(d, UTC).strftime("%m-%d %H") for d in days] == ["03-30 00", "03-31 00", "04-01 00"]
    assert buckets_between(start, start, "months") == [int(datetime(2025, 3, 1, tzinfo=UTC).timestamp())]


@pytest.mark.parametrize("funnel, closed", [
    ({"started": [10], "never_activated": [1], "exited_early": [2], "finished": [7]}, True),
    ({"started": [10], "never_activated": [1], "exited_early": [2], "finished": [6]}, False),     # one still open
    ({"started": [0], "never_activated": [0], "exited_early": [0], "finished": [0]}, True),       # nobody started
    ({"started": [10], "never_activated": [1], "finished": [9]}, False),                          # a state missing
    ({"started": [10], "never_activated": [1], "exited_early": [None], "finished": [9]}, False),
    ({"started": [10], "never_activated": [1], "exited_early": [True], "finished": [9]}, False),
    ({"started": [], "never_activated": [], "exited_early": [], "finished": []}, False),          # past the arrays
])
def test_a_cohort_is_closed_when_its_ended_journeys_add_up_to_its_started_ones(funnel, closed):
    assert cohort_closed(funnel, 0) is closed


@pytest.mark.parametrize("body", [
    {"start": "2025-01-01 00:00:00 +0000 UTC", "end": "2025-01-04 00:00:00 +0000 UTC", "res": "days",
     "metric": {"series": {"sent": [1, 2, 3]}}},                                    # the 2026 spec's answer
    {"metric": {"series": {"sent": [1, 2, 3]}}},                                    # the 2025 spec's: series alone
])
def test_v2_buckets_are_the_same_whether_the_answer_echoes_its_start_or_not(body):
    asked = int(datetime(2025, 1, 1, 15, tzinfo=UTC).timestamp())                  # floored to its UTC day
    assert [datetime.fromtimestamp(b, UTC).strftime("%m-%d %H:%M") for b in v2_buckets(asked, body, 3, "days")] == \
        ["01-01 00:00", "01-02 00:00", "01-03 00:00"]
