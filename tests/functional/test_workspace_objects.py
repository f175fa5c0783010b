"""Every workspace object of the resource catalogue, as a process against the fake: complete and duplicate-free
tables, through fault storms, 404 parents, children read only where needed, rows that stay true in Storage, and
datasets the key may not read."""
import pytest

from fake_api.endpoints import campaign_actions, lifecycle, newsletters, optouts, suppressions
from helpers import FORMATS, base_parameters
from output.cells import flatten
from storage import Storage, primary_key
from workspace_truth import KEYS, truth

FAST = {"CUSTOMERIO_RATE_LIMIT": "off", "CUSTOMERIO_BACKOFF_BASE": "0.01"}
ALL = dict(campaigns=True, campaign_actions=True, segments=True, segment_usage=True, newsletters=True,
           broadcasts=True, transactional=True, workspace_settings=True, esp_suppressions=True, optouts=True)
TABLES = {"campaigns", "campaign_actions", "segments", "segment_members", "segment_usage", "newsletters",
          "newsletter_contents", "newsletter_test_groups", "broadcasts", "broadcast_actions", "broadcast_triggers",
          "transactional_messages", "transactional_contents", "sender_identities", "snippets", "collections",
          "subscription_topics", "subscription_channels", "reporting_webhooks", "workspaces", "esp_suppressions",
          "optouts"}


def keyed(rows, key):
    result = {}
    for row in rows:
        identity = tuple(row[column] for column in key)
        assert identity not in result, f"{identity} came twice"
        result[identity] = row
    return result


def assert_table(result, table, key, expected):
    """The table holds exactly `expected` (API records, parent columns added), each cell as the API sent it."""
    rows = keyed(result.tables[table], key)
    wanted = {tuple(str(record[column]) for column in key): flatten(record) for record in expected}
    assert set(rows) == set(wanted), (table, set(rows) ^ set(wanted))
    for identity, cells in wanted.items():
        got = rows[identity]
        assert {column: got[column] for column in cells} == cells, (table, identity)
    assert primary_key(result.manifests[table]) == sorted(key)


def expected_everything(fake):
    """The workspace objects as the fake holds them (tests/workspace_truth.py)."""
    return {table: records for table, records in truth(fake).items() if table in TABLES}


def check_everything(fake, result):
    assert result.exit_code == 0, result.output
    assert TABLES <= set(result.tables)
    for table, records in expected_everything(fake).items():
        assert_table(result, table, KEYS.get(table, ("id",)), records)


def test_every_workspace_object_is_complete_and_duplicate_free(component, fake):
    result = component(base_parameters(**ALL), env=FAST)
    check_everything(fake, result)
    assert not any("@" in row["endpoint"].split("//", 1)[-1].split("/", 1)[0]
                   for row in result.tables["reporting_webhooks"])
    assert {row["hidden"] for row in result.tables["sender_identities"]} == {"true", "false"}
    assert sum(1 for r in fake.requests("^/v1/campaigns$")) == 1          # one list serves both tables
    assert {r.query.get("limit") for r in fake.requests("^/v1/newsletters$")} == {"100"}
    assert not any("limit" in r.query for r in fake.requests("^/v1/campaigns/[0-9]+/actions$"))
    pages = fake.requests("^/v1/campaigns/3/actions$")
    assert len(pages) == 2 and pages[1].query.get("start")                 # 10 actions a page, cursor followed
    assert len(fake.requests("^/v1/broadcasts/22/actions$")) > 1          # `next` followed where it comes


def test_a_storm_of_429s_and_5xx_changes_nothing_and_stays_within_the_limit(component, fake):
    fake.faults.rate_429, fake.faults.rate_5xx, fake.faults.retry_after = 0.10, 0.05, "0"
    fake.workspace.newsletters = 40
    result = component(base_parameters(**ALL), env={"CUSTOMERIO_BACKOFF_BASE": "0.01"})
    check_everything(fake, result)
    statuses = {r.status for r in fake.requests("^/v1/")}
    assert 429 in statuses and statuses & {500, 502, 503}
    assert fake.peak_per_second() <= 10


def test_only_campaign_actions_still_reads_the_campaign_list_but_writes_no_campaigns(component, fake):
    result = component(base_parameters(campaign_actions=True), env=FAST)
    assert result.exit_code == 0, result.output
    assert "campaigns" not in result.tables and result.tables["campaign_actions"]
    assert len(fake.requests("^/v1/campaigns$")) == 1


def test_a_parent_deleted_between_listing_and_reading_is_skipped_with_a_warning(component, fake):
    lifecycle.delete_between(fake, "newsletter", 11)
    lifecycle.delete_between(fake, "campaign", 2)
    lifecycle.delete_between(fake, "transactional", 2)
    result = component(base_parameters(newsletters=True, campaign_actions=True, transactional=True), env=FAST)
    assert result.exit_code == 0, result.output
    assert {row["newsletter_id"] for row in result.tables["newsletter_contents"]} == \
        {str(n) for n in newsletters.newsletter_ids(fake) if n != 11}
    assert "Newsletter 11 disappeared while the run was going (404); its contents are skipped and their rows leave " \
           "Storage." in result.output
    assert "Campaign 2 disappeared" in result.output and "Transactional message 2 disappeared" in result.output
    assert result.manifests["newsletter_contents"]["incremental"] is False       # a full pass: replaced


@pytest.mark.parametrize("manifest_format", FORMATS)
def test_second_incremental_run_reads_children_only_of_changed_parents(component, fake):
    fake.workspace.newsletters = 30
    parameters = base_parameters(newsletters=True, campaign_actions=True, transactional=True)
    first = component(parameters, env=FAST)
    assert first.exit_code == 0, first.output
    first_requests = len(fake.requests("^/v1/"))
    lifecycle.touch_newsletter(fake, 12)
    lifecycle.touch_campaign(fake, 1)
    second = component(parameters, state=first.state, env=FAST)
    assert second.exit_code == 0, second.output
    later = fake.requests("^/v1/")[first_requests:]
    children = sorted(r.path for r in later if r.path.count("/") > 3)
    assert children == ["/v1/campaigns/1/actions", "/v1/newsletters/12/contents", "/v1/newsletters/12/test_groups"]
    assert "29 newsletters unchanged since the last run are not read again" in second.output
    assert second.manifests["newsletter_contents"]["delete_where_values"] == ["12"]
    assert set(second.state["newsletters"]["children"]["newsletter_contents"]["updated"]) == \
        {str(n) for n in newsletters.newsletter_ids(fake)}

    storage = Storage().load(first).load(second)
    stored = {(r["newsletter_id"], r["id"]) for r in storage.rows("newsletter_contents")}
    assert stored == {(str(n), str(c["id"])) for n in newsletters.newsletter_ids(fake)
                      for c in newsletters.expected_newsletter_contents(fake, n)}


@pytest.mark.parametrize("manifest_format", FORMATS)
def test_a_child_deleted_upstream_leaves_storage(component, fake):
    parameters = base_parameters(newsletters=True, campaign_actions=True)
    storage = Storage()
    first = component(parameters, env=FAST)
    storage.load(first)
    gone_content = newsletters.expected_newsletter_contents(fake, 10)[-1]["id"]
    gone_action = campaign_actions.expected_campaign_actions(fake, 3)[0]["id"]
    lifecycle.remove_child(fake, "newsletter_content", 10, gone_content)
    lifecycle.touch_newsletter(fake, 10)
    lifecycle.remove_child(fake, "campaign_action", 3, gone_action)
    lifecycle.touch_campaign(fake, 3)
    second = component(parameters, state=first.state, env=FAST)
    storage.load(second)
    assert ("10", str(gone_content)) not in {(r["newsletter_id"], r["id"]) for r in storage.rows("newsletter_contents")}
    assert ("3", str(gone_action)) not in {(r["campaign_id"], r["id"]) for r in storage.rows("campaign_actions")}
    assert len(storage.rows("campaign_actions")) == len(first.tables["campaign_actions"]) - 1


@pytest.mark.any_hour
def test_full_refresh_days_reads_every_child_again(component, fake):
    parameters = base_parameters(newsletters=True, full_refresh_days=0)
    first = component(parameters, env=FAST)
    count = len(fake.requests("/contents$"))
    second = component(parameters, state=first.state, env=FAST)
    assert second.exit_code == 0 and len(fake.requests("/contents$")) == 2 * count
    week_later = {**first.state}
    for entry in week_later["newsletters"]["children"].values():
        entry["full_refresh"] -= 8 * 86400
    third = component(base_parameters(newsletters=True), state=week_later, env=FAST)
    assert len(fake.requests("/contents$")) == 3 * count and "not read again" not in third.output


def test_full_load_always_reads_every_child(component, fake):
    parameters = base_parameters(newsletters=True, incremental_output=0)
    first = component(parameters, env=FAST)
    second = component(parameters, state=first.state, env=FAST)
    assert len(fake.requests("/contents$")) == 2 * len(newsletters.newsletter_ids(fake))
    assert "delete_where_column" not in second.manifests["newsletter_contents"]


@pytest.mark.parametrize("manifest_format", FORMATS)
@pytest.mark.parametrize("keep", [False, True])
def test_suppressions_and_optouts_stay_exact_under_incremental_update(component, fake, keep):
    parameters = base_parameters(esp_suppressions=True, optouts=True, keep_deleted_rows=keep)
    storage = Storage()
    first = component(parameters, env=FAST)
    storage.load(first)
    if keep:                                                 # replaced per type and channel, as before
        assert first.manifests["esp_suppressions"]["delete_where_values"] == sorted(suppressions.TYPES)
        assert first.manifests["optouts"]["delete_where_values"] == ["sms", "whatsapp"]
    else:                                                    # read whole: replaced
        assert first.manifests["esp_suppressions"]["incremental"] is False
        assert first.manifests["optouts"]["incremental"] is False
    fake.workspace.suppressions, fake.workspace.optouts = 10, 4          # lifted suppressions, opt-ins
    second = component(parameters, state=first.state, env=FAST)
    storage.load(second)
    suppressed = {(kind, item["email"]) for kind in suppressions.TYPES
                  for item in suppressions.expected_suppressions(fake, kind)}
    assert {(r["suppression_type"], r["email"]) for r in storage.rows("esp_suppressions")} == suppressed
    assert {(r["cio_id"], r["channel"], r["from"]) for r in storage.rows("optouts")} == \
        set(optouts.expected_optout_rows(fake))
    offsets = [r.query.get("offset") for r in fake.requests("^/v1/esp/suppression/bounces$")]
    assert offsets[0] is None and all(r.query["limit"] == "1000" for r in fake.requests("^/v1/esp/"))


@pytest.mark.parametrize("skip", [True, False])
def test_a_dataset_the_key_may_not_read(component, fake, skip):
    fake.force("^/v1/newsletters$", 403)
    fake.force("^/v1/campaigns/[0-9]+/actions$", 403)
    parameters = base_parameters(campaigns=True, campaign_actions=True, newsletters=True, broadcasts=True,
                                 skip_forbidden=skip)
    result = component(parameters, env=FAST)
    if not skip:
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "403" in result.output and result.state is None
        return
    assert result.exit_code == 0, result.output
    assert {"campaigns", "broadcasts", "broadcast_actions"} <= set(result.tables)
    for table in ("newsletters", "newsletter_contents", "newsletter_test_groups", "campaign_actions"):
        assert table not in result.tables and table not in result.manifests
    assert "Skipping newsletters: GET /newsletters answered 403" in result.output
    summary = [line for line in result.output.splitlines() if "skip_forbidden is on" in line]
    assert len(summary) == 1 and "campaign_actions" in summary[0] and "newsletters" in summary[0]
    assert "newsletters" not in result.state and "campaigns" not in result.state


def test_numeric_ids_give_the_same_workspace_objects(component, fake):
    as_text = component(base_parameters(**ALL), env=FAST)
    fake.extras["numeric_ids"] = True
    as_numbers = component(base_parameters(**ALL), env=FAST)
    assert as_numbers.exit_code == 0, as_numbers.output
    for table in TABLES:
        assert sorted(map(repr, as_numbers.tables[table])) == sorted(map(repr, as_text.tables[table])), table
    assert without_times(as_numbers.state) == without_times(as_text.state)


def without_times(state):
    """The state without the moment of each full pass (two runs a second apart differ there)."""
    if isinstance(state, dict):
        return {key: without_times(value) for key, value in state.items() if key != "full_refresh"}
    return state
