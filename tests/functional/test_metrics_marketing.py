"""What a marketer reports on, as a process against the fake (issue 21): link clicks of every entity kind, A/B and
language variants, broadcast actions without double counting, journey funnels, bucket for bucket under 429 and
5xx storms; a second run that re-reads only the lookback window, lets late clicks replace earlier values and
marks cohorts `complete` once every journey in them has ended."""
import time
from collections import Counter
from datetime import datetime

from clock import EASTERN, at, noon_eastern_after
from fake_api.endpoints import broadcasts, lifecycle, newsletters, transactional
from fake_api.endpoints.campaign_actions import message_actions
from fake_api.endpoints.journey_metrics import STATES, cohort_closes_at, expected_journey
from fake_api.endpoints.metric_links import NULL_LINKS, expected_link_series, expected_links
from fake_api.endpoints.metrics import expected_metric_value, late_events
from helpers import base_parameters
from storage import Storage

DAY = 86400
EVERY = ["campaigns", "campaign_actions", "newsletters", "newsletter_variants", "broadcasts", "broadcast_actions",
         "transactional"]
LINK_KEY = ["entity_type", "entity_id", "sub_id", "link_id", "unique", "resolution", "period_start", "metric"]


def metrics(**options):
    item = {"entities": EVERY, "resolution": "days", "since": "10 days ago", "lookback_days": 3, "links": True,
            "journeys": True, **options}
    return base_parameters(metrics=[item])


def link_entities(fake):
    """(entity_type, entity_id, sub_id) of every entity the run reads, as the fake's helpers name them."""
    ws = fake.workspace
    sent = [n for n in newsletters.expected_newsletters(fake) if n["sent_at"]]
    found = [("campaign", n, None) for n in range(1, ws.campaigns + 1)]
    found += [("campaign_action", n, a.id) for n in range(1, ws.campaigns + 1)
              for a in message_actions(fake, "campaign", n)]
    found += [("newsletter", n["id"], None) for n in sent]
    found += [("newsletter_variant", n["id"], c) for n in sent if len(n["content_ids"]) > 1 for c in n["content_ids"]]
    found += [("broadcast", b["id"], None) for b in broadcasts.expected_broadcasts(fake)]
    found += [("broadcast_action", b["id"], a.id) for b in broadcasts.expected_broadcasts(fake)
              for a in message_actions(fake, "broadcast", b["id"])]
    found += [("transactional", t["id"], None) for t in transactional.expected_transactional(fake)]
    return found


def check_links(fake, rows, now, kinds=None):
    """Every link of every entity (of these kinds) once per count kind, bucket and series; closed buckets equal
    the fake's."""
    counts = Counter(tuple(row[c] for c in LINK_KEY) for row in rows)
    assert counts and max(counts.values()) == 1
    by_link = {}
    for row in rows:
        by_link.setdefault((row["entity_type"], row["entity_id"], row["sub_id"], row["link_id"], row["unique"]),
                           []).append(row)
    wanted = set()
    for kind, entity_id, sub_id in link_entities(fake):
        if kinds is not None and kind not in kinds:
            continue
        for link_id, href in expected_links(fake, kind, entity_id, sub_id):
            for unique in ("false", "true"):
                wanted.add((kind, str(entity_id), "0" if sub_id is None else str(sub_id), str(link_id), unique))
    assert set(by_link) == wanted
    for (kind, entity_id, sub_id, link_id, unique), link_rows in by_link.items():
        starts = sorted({int(r["period_start"]) for r in link_rows})
        assert datetime.fromtimestamp(starts[-1], EASTERN).strftime("%H:%M") == "00:00"
        series = expected_link_series(fake, kind, int(entity_id), int(link_id), "days", starts, unique == "true",
                                      sub_id=None if sub_id == "0" else int(sub_id), now=now)
        assert {r["metric"] for r in link_rows} == set(series)
        href = dict(expected_links(fake, kind, int(entity_id), None if sub_id == "0" else int(sub_id)))[int(link_id)]
        for row in link_rows:
            i = starts.index(int(row["period_start"]))
            assert row["complete"] == ("false" if i == len(starts) - 1 else "true")
            assert row["href"] == href.replace("reports:s3cret@", "")          # credentials gone, query kept
            if row["complete"] == "true":
                assert int(row["value"]) == series[row["metric"]][i], row
    return by_link


def check_journeys(fake, rows, now, since):
    counts = Counter((r["campaign_id"], r["resolution"], r["period_start"], r["state"]) for r in rows)
    assert counts and max(counts.values()) == 1
    assert {r["campaign_id"] for r in rows} == {str(n) for n in range(1, fake.workspace.campaigns + 1)}
    assert {r["state"] for r in rows} == set(STATES)                     # in_control_group: a state nobody listed
    for campaign_id in {r["campaign_id"] for r in rows}:
        mine = [r for r in rows if r["campaign_id"] == campaign_id]
        starts = sorted({int(r["period_start"]) for r in mine})
        assert starts == list(range(since // DAY * DAY, now // DAY * DAY + 1, DAY))       # UTC days, since to now
        funnel = expected_journey(fake, int(campaign_id), "days", starts, now=now)
        final = expected_journey(fake, int(campaign_id), "days", starts, now=now + 100 * DAY)
        for row in mine:
            i = starts.index(int(row["period_start"]))
            ended = starts[i] + DAY <= now
            closed = now >= cohort_closes_at(fake, int(campaign_id), "days", starts[i]) or \
                final["activated"][i] == 0
            assert row["complete"] == ("true" if ended and closed else "false"), row
            if ended:
                assert int(row["value"]) == funnel[row["state"]][i], row


def test_links_variants_actions_and_journeys_equal_the_fake_under_faults(component, fake):
    now = noon_eastern_after(time.time())
    env = at(fake, now)
    fake.faults.rate_429, fake.faults.rate_5xx, fake.faults.retry_after = 0.10, 0.05, "0"
    result = component(metrics(), env=env)
    assert result.exit_code == 0, result.output
    assert 429 in {r.status for r in fake.requests("/links$")} | {r.status for r in fake.requests("journey_metrics$")}

    check_links(fake, result.tables["link_metrics"], now)
    assert "s3cret" not in open(f"{result.data_dir}/out/tables/link_metrics.csv").read()
    unique_asked = Counter(r.query.get("unique") for r in fake.requests("/links$") if r.status == 200)
    assert unique_asked["true"] == unique_asked["false"] == len(link_entities(fake))
    assert {r.query["period"] for r in fake.requests("/links$")} == {"days"}            # v1, also for campaigns

    variants = result.tables["newsletter_variant_metrics"]
    wanted = {(str(n), str(c)) for kind, n, c in link_entities(fake) if kind == "newsletter_variant"}
    assert wanted and {(r["newsletter_id"], r["content_id"]) for r in variants} == wanted
    starts = sorted({int(r["period_start"]) for r in variants})
    assert len(starts) == 11
    for row in variants:
        if row["complete"] == "true":
            assert int(row["value"]) == expected_metric_value(fake, "newsletter_variant", int(row["newsletter_id"]),
                                                              row["metric"], "days", int(row["period_start"]),
                                                              action_id=row["content_id"], now=now)
    single = [n["id"] for n in newsletters.expected_newsletters(fake) if len(n["content_ids"]) == 1]
    assert single and not fake.requests(f"^/v1/newsletters/({'|'.join(map(str, single))})/contents/")

    actions = result.tables["broadcast_action_metrics"]
    assert {(r["broadcast_id"], r["action_id"]) for r in actions} == \
        {(str(b), str(a)) for kind, b, a in link_entities(fake) if kind == "broadcast_action"}
    for row in actions:
        if row["complete"] == "true" and row["metric"] in ("sent", "opened"):
            assert int(row["value"]) == expected_metric_value(fake, "broadcast_action", int(row["broadcast_id"]),
                                                              row["metric"], "days", int(row["period_start"]),
                                                              action_id=row["action_id"], now=now)

    check_journeys(fake, result.tables["journey_metrics"], now, now - 10 * DAY)
    asked = fake.requests("journey_metrics$")
    assert {r.query["resolution"] for r in asked} == {"days"} and {int(r.query["end"]) - now for r in asked} <= {0, 1}
    journey_key = ["campaign_id", "resolution", "period_start", "state"]
    for table, key in (("link_metrics", LINK_KEY), ("journey_metrics", journey_key)):
        assert sorted(c["name"] for c in result.manifests[table]["schema"] if c.get("primary_key")) == sorted(key)
    answered = [r.path for r in fake.requests("^/v1/(campaigns|newsletters|broadcasts)$") if r.status == 200]
    assert sorted(answered) == ["/v1/broadcasts", "/v1/campaigns", "/v1/newsletters"]   # each list read once


def test_a_second_run_rereads_only_the_lookback_and_completes_cohorts(component, fake):
    first_now = noon_eastern_after(time.time())
    parameters = metrics(entities=["campaigns", "transactional"], lookback_days=3)
    first = component(parameters, env=at(fake, first_now))
    assert first.exit_code == 0, first.output
    storage = Storage().load(first)
    before = len(fake.requests("^/v1/"))

    second_now = first_now + 2 * DAY
    late_events(fake, since=first_now - 5 * DAY, amount=4)               # clicks keep arriving
    second = component(parameters, state=first.state, env=at(fake, second_now))
    assert second.exit_code == 0, second.output
    later = fake.requests("^/v1/")[before:]
    journeys = [r for r in later if r.path.endswith("/journey_metrics")]
    assert {int(r.query["start"]) for r in journeys} == {(first_now - 3 * DAY) // DAY * DAY}
    assert {r.query["steps"] for r in later if r.path.endswith("/links")} == {"6"}   # 3 lookback + 2 new + today
    check_journeys(fake, second.tables["journey_metrics"], second_now, first_now - 3 * DAY)
    check_links(fake, second.tables["link_metrics"], second_now, kinds=("campaign", "transactional"))
    assert set(second.state["metrics"]) >= {"campaigns:days", "campaigns:links:days", "transactional:links:days",
                                            "journeys:days"}

    storage.load(second)
    stored = {(r["campaign_id"], int(r["period_start"]), r["state"]): r for r in storage.rows("journey_metrics")}
    today = first_now // DAY * DAY
    for campaign_id in range(1, fake.workspace.campaigns + 1):
        cohort = stored[(str(campaign_id), today - DAY, "finished")]
        closes = cohort_closes_at(fake, campaign_id, "days", today - DAY)
        was = [r for r in first.tables["journey_metrics"] if r["campaign_id"] == str(campaign_id)
               and int(r["period_start"]) == today - DAY and r["state"] == "finished"][0]
        assert cohort["complete"] == ("true" if closes <= second_now else "false")
        if closes > first_now and was["value"] != "0":
            assert was["complete"] == "false"
        assert int(cohort["value"]) == expected_journey(fake, campaign_id, "days", [today - DAY],
                                                        now=second_now)["finished"][0]
        old = stored[(str(campaign_id), today - 8 * DAY, "finished")]      # outside the lookback: left alone
        assert int(old["value"]) == expected_journey(fake, campaign_id, "days", [today - 8 * DAY],
                                                     now=first_now)["finished"][0]
    assert any(r["complete"] == "false" for r in first.tables["journey_metrics"]
               if int(r["period_start"]) == today - DAY) and \
        all(stored[(str(n), today - DAY, "started")]["complete"] == "true" for n in (1, 4))   # closed within 2 days

    links = {tuple(r[c] for c in LINK_KEY): r for r in storage.rows("link_metrics")}
    day = int(datetime.fromtimestamp(first_now, EASTERN).replace(hour=0).timestamp())
    link_id = expected_links(fake, "transactional", 1)[0][0]
    key = ("transactional", "1", "0", str(link_id), "false", "days", str(day), "clicked")
    assert links[key]["complete"] == "true"
    assert int(links[key]["value"]) == expected_link_series(fake, "transactional", 1, link_id, "days", [day], False,
                                                            now=second_now)["clicked"][0]


def test_entities_without_links_give_no_rows_and_a_deleted_campaign_is_skipped(component, fake):
    env = at(fake, noon_eastern_after(time.time()))
    fake.extras[NULL_LINKS] = True                                        # {"links": null} for entities without
    lifecycle.delete_between(fake, "campaign", 2)
    result = component(metrics(entities=["campaign_actions", "broadcasts"]), env=env)
    assert result.exit_code == 0, result.output
    assert "campaign 2 disappeared while the run was going (404); its journey metrics are skipped" in result.output
    assert "campaign 2 disappeared while the run was going (404); its actions are skipped" in result.output
    assert {r["campaign_id"] for r in result.tables["journey_metrics"]} == {"1", "3", "4", "5"}
    entities_with_links = {(r["entity_type"], r["entity_id"], r["sub_id"]) for r in result.tables["link_metrics"]}
    silent = [(kind, str(n), str(a or 0)) for kind, n, a in link_entities(fake)
              if kind in ("campaign_action", "broadcast") and n != 2 and not expected_links(fake, kind, n, a)]
    assert silent and not entities_with_links & set(silent)
    assert any(r.status == 200 and r.path.endswith("/links") for r in fake.requests("/actions/"))


def test_a_link_without_an_id_is_left_out_with_a_warning(component, fake):
    env = at(fake, noon_eastern_after(time.time()))
    body = {"links": [{"link": {"href": "https://example.com/no-id"}, "metric": {"series": {"clicked": [1, 2]}}},
                      {"link": {"id": "77", "href": "https://u:p@example.com/a?b=c"},
                       "metric": {"series": {"clicked": [3, 4], "new_click_kind": [0, 1]}}},
                      "not a link", {"link": None, "metric": None}]}
    fake.serve("GET", "/transactional/1/metrics/links", body)
    result = component(metrics(entities=["transactional"], journeys=False), env=env)
    assert result.exit_code == 0, result.output
    assert "2 link(s) of transactional message 1 came without an id" in result.output
    rows = [r for r in result.tables["link_metrics"] if r["entity_id"] == "1"]
    assert {(r["link_id"], r["href"], r["metric"]) for r in rows} == \
        {("77", "https://example.com/a?b=c", "clicked"), ("77", "https://example.com/a?b=c", "new_click_kind")}
    assert len(rows) == 2 * 2 * 2                        # two count kinds x two buckets x two series


def test_an_entity_listed_twice_is_read_once(component, fake):
    env = at(fake, noon_eastern_after(time.time()))
    listed = broadcasts.expected_broadcasts(fake)
    fake.serve("GET", "/broadcasts", {"broadcasts": listed + [dict(listed[0], id=str(listed[0]["id"])), {"id": None}]})
    result = component(metrics(entities=["broadcasts", "broadcast_actions"], journeys=False), env=env)
    assert result.exit_code == 0, result.output
    first = listed[0]["id"]
    assert len(fake.requests(f"^/v1/broadcasts/{first}/metrics$")) == 1
    assert len(fake.requests(f"^/v1/broadcasts/{first}/actions$")) == 1
    keys = Counter((r["broadcast_id"], r["period_start"], r["metric"]) for r in result.tables["broadcast_metrics"])
    assert max(keys.values()) == 1 and {k[0] for k in keys} == {str(b["id"]) for b in listed}
