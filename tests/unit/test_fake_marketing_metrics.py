"""The fake's link-click, newsletter-variant, journey-funnel and segment-count routes (issue 21) keep
customerio-api-wave2.md sections 6 and 10.2: links v1 only with `unique`, aggregates answering their leaves'
links, variants only for a newsletter's own contents, journey windows with every parameter required, UTC cohorts
that close once their journeys have ended, and a state nobody listed."""
import time

import pytest

from fake_api.endpoints import lifecycle, newsletters
from fake_api.endpoints.campaign_actions import message_actions
from fake_api.endpoints.journey_metrics import STATES, cohort_closes_at, expected_journey, journey_days
from fake_api.endpoints.metric_links import NULL_LINKS, expected_link_series, expected_links
from fake_api.endpoints.metrics import expected_series, language_variant_ids, late_events, v1_buckets
from helpers import call_fake as call, get_fake as get

DAY = 86400
WINTER = 1736910000            # 2025-01-15 03:00 UTC = 2025-01-14 22:00 EST


def at(fake, moment):
    fake.workspace.now = moment
    fake.clock_offset = moment - time.time()


# ---------------------------------------------------------------------- link clicks
def test_links_are_v1_with_ids_hrefs_and_three_series(fake):
    at(fake, WINTER)
    body = get(fake, "/transactional/3/metrics/links", version="2", res="days", start=str(WINTER - DAY),
               end=str(WINTER))
    assert set(body) == {"links"} and [item["link"] for item in body["links"]] == \
        [{"id": link_id, "href": href} for link_id, href in expected_links(fake, "transactional", 3)]
    assert len(body["links"]) == 3 and "reports:s3cret@" in body["links"][1]["link"]["href"]
    starts = v1_buckets(fake.now(), "days")
    for item in body["links"]:
        assert set(item["metric"]["series"]) == {"clicked", "human_clicked", "machine_clicked"}
        expected = expected_link_series(fake, "transactional", 3, item["link"]["id"], "days", starts, False)
        assert {k: v[:-1] for k, v in item["metric"]["series"].items()} == {k: v[:-1] for k, v in expected.items()}


def test_unique_clicks_are_fewer_and_unique_must_be_a_boolean(fake):
    at(fake, WINTER)
    every = get(fake, "/newsletters/10/metrics/links", period="weeks")["links"]
    unique = get(fake, "/newsletters/10/metrics/links", period="weeks", unique="true")["links"]
    assert every and [i["link"] for i in every] == [i["link"] for i in unique]
    for a, b in zip(every, unique):
        assert all(u <= e for name in a["metric"]["series"]
                   for e, u in zip(a["metric"]["series"][name], b["metric"]["series"][name]))
    assert sum(sum(i["metric"]["series"]["clicked"]) for i in unique) < \
        sum(sum(i["metric"]["series"]["clicked"]) for i in every)
    assert call(fake, "/newsletters/10/metrics/links", unique="yes")[0] == 400
    assert call(fake, "/newsletters/10/metrics/links", type="slack")[0] == 400


def test_aggregates_answer_the_links_of_their_leaves(fake):
    at(fake, WINTER)
    campaign = get(fake, "/campaigns/3/metrics/links")["links"]
    by_action = [item for action in message_actions(fake, "campaign", 3)
                 for item in get(fake, f"/campaigns/3/actions/{action.id}/metrics/links")["links"]]
    assert campaign == by_action and campaign
    branch = get(fake, "/broadcasts/20/actions/200/metrics/links")["links"]
    variants = [item for v in language_variant_ids(fake, "broadcast", 20, 200)
                for item in get(fake, f"/broadcasts/20/actions/{v}/metrics/links")["links"]]
    assert branch == variants
    newsletter = get(fake, "/newsletters/10/metrics/links")["links"]
    contents = [item for c in newsletters.content_ids(fake, 10)
                for item in get(fake, f"/newsletters/10/contents/{c}/metrics/links")["links"]]
    assert newsletter == contents


def test_entities_without_links_answer_an_empty_or_null_list(fake):
    n, webhook = [(n, a) for n in range(1, 6) for a in message_actions(fake, "campaign", n) if a.kind == "webhook"][0]
    assert get(fake, f"/campaigns/{n}/actions/{webhook.id}/metrics/links") == {"links": []}
    assert get(fake, "/campaigns/2/actions/20/metrics/links") == {"links": []}         # a delay step
    fake.extras[NULL_LINKS] = True
    assert get(fake, "/campaigns/2/actions/20/metrics/links") == {"links": None}


def test_late_clicks_raise_link_series(fake):
    at(fake, WINTER)
    before = get(fake, "/transactional/2/metrics/links")["links"][0]["metric"]["series"]
    late_events(fake, since=WINTER - 5 * DAY, amount=3)
    after = get(fake, "/transactional/2/metrics/links")["links"][0]["metric"]["series"]
    assert after["clicked"][:-6] == before["clicked"][:-6]
    assert [a - b for a, b in zip(after["clicked"][-5:-1], before["clicked"][-5:-1])] == [3] * 4
    assert after["machine_clicked"] == before["machine_clicked"]


@pytest.mark.parametrize("path", ["/campaigns/99/metrics/links", "/campaigns/1/actions/20/metrics/links",
                                  "/newsletters/10/contents/1199/metrics/links", "/newsletters/9/metrics/links",
                                  "/transactional/42/metrics/links", "/broadcasts/21/metrics/links"])
def test_links_of_unknown_or_deleted_entities_404(fake, path):
    lifecycle.delete_between(fake, "broadcast", 21)
    assert call(fake, path)[0] == 404


# ---------------------------------------------------------------------- newsletter variants
def test_variant_metrics_exist_only_for_the_newsletters_own_contents(fake):
    at(fake, WINTER)
    contents = newsletters.content_ids(fake, 11)                         # k = 1: two languages
    assert len(contents) == 2
    body = get(fake, f"/newsletters/11/contents/{contents[1]}/metrics")
    assert body["metric"]["type"] == newsletters.newsletter(fake, 11)["type"]
    starts = v1_buckets(fake.now(), "days")
    expected = expected_series(fake, "newsletter_variant", 11, "days", starts, action_id=contents[1])
    assert {k: v[:-1] for k, v in body["metric"]["series"].items()} == {k: v[:-1] for k, v in expected.items()}
    assert call(fake, "/newsletters/11/contents/1000/metrics")[0] == 404    # newsletter 10's content
    lifecycle.remove_child(fake, "newsletter_content", 11, contents[1])
    assert call(fake, f"/newsletters/11/contents/{contents[1]}/metrics")[0] == 404


# ---------------------------------------------------------------------- journey funnels
@pytest.mark.parametrize("params, fragment", [
    (dict(end="1736910000", resolution="days"), "start, end and resolution are required"),
    (dict(start="1736000000", resolution="days"), "start, end and resolution are required"),
    (dict(start="1736000000", end="1736910000"), "start, end and resolution are required"),
    (dict(start="1736000000", end="1736910000", resolution="fortnights"), "resolution must be"),
    (dict(start="yesterday", end="1736910000", resolution="days"), "integer"),
    (dict(start="1736910000", end="1736000000", resolution="days"), "after end"),
    (dict(start="1630000000", end="1736910000", resolution="hours"), "too many buckets"),
])
def test_journey_metrics_reject_what_the_api_rejects(fake, params, fragment):
    status, body = call(fake, "/campaigns/1/journey_metrics", **params)
    assert status == 400 and fragment in body["errors"][0]["detail"]


def test_journey_cohorts_are_utc_buckets_without_an_echo_and_close_when_their_journeys_end(fake):
    at(fake, WINTER)
    start, end = WINTER - 6 * DAY, WINTER
    body = get(fake, "/campaigns/4/journey_metrics", start=str(start), end=str(end), resolution="daily")
    assert set(body) == {"journey_metric"} and list(body["journey_metric"]) == list(STATES)
    starts = [start // DAY * DAY + i * DAY for i in range(7)]
    assert body["journey_metric"] == expected_journey(fake, 4, "days", starts)
    funnel = body["journey_metric"]
    for i, bucket in enumerate(starts[:-1]):
        ended = funnel["never_activated"][i] + funnel["exited_early"][i] + funnel["finished"][i]
        closed = cohort_closes_at(fake, 4, "days", bucket) <= fake.now()
        assert (ended == funnel["started"][i]) is (closed or funnel["activated"][i] == 0), i
        assert funnel["activated"][i] == funnel["started"][i] - funnel["never_activated"][i]
        assert funnel["converted"][i] <= funnel["finished"][i] and funnel["messaged"][i] <= funnel["activated"][i]
    assert journey_days(4) == 1 and funnel["finished"][-1] == 0          # the open bucket: nobody finished yet


def test_an_open_cohort_grows_and_then_closes(fake):
    at(fake, WINTER)
    bucket = WINTER // DAY * DAY - DAY                                   # yesterday (UTC)
    params = dict(start=str(bucket), end=str(bucket + DAY), resolution="days")
    young = get(fake, "/campaigns/2/journey_metrics", **params)["journey_metric"]
    fake.clock_offset += journey_days(2) * DAY
    old = get(fake, "/campaigns/2/journey_metrics", **params)["journey_metric"]
    assert young["started"] == old["started"] and young["finished"][0] <= old["finished"][0]
    assert old["never_activated"][0] + old["exited_early"][0] + old["finished"][0] == old["started"][0]
    assert young["never_activated"][0] + young["exited_early"][0] + young["finished"][0] < young["started"][0]


def test_journeys_of_unknown_or_deleted_campaigns_404(fake):
    lifecycle.delete_between(fake, "campaign", 2)
    params = dict(start="1736000000", end="1736910000", resolution="days")
    assert call(fake, "/campaigns/2/journey_metrics", **params)[0] == 404
    assert call(fake, "/campaigns/99/journey_metrics", **params)[0] == 404


# ---------------------------------------------------------------------- segment counts
def test_segment_counts_follow_membership_and_deletions(fake):
    ws = fake.workspace
    assert get(fake, "/segments/1/customer_count") == {"segment_id": 1, "count": ws.segment_size(1)}
    assert get(fake, f"/segments/{ws.segments}/customer_count")["count"] == 0          # the empty segment
    ws.members_override[2] = [1, 2]
    assert get(fake, "/segments/2/customer_count")["count"] == 2
    lifecycle.delete_between(fake, "segment", 3)
    assert call(fake, "/segments/3/customer_count")[0] == 404
    assert call(fake, "/segments/abc/customer_count")[0] == 400
