"""Shapes the API reference does not promise but real answers take (issue 18), as a process against the fake: webhook
credentials in every form, records without an id, sender identities with and without `hidden`, v2 metrics without
their window, ids as floats, and a suppression list the workspace does not offer."""
import json
import time

import pytest

from fake_api.endpoints import broadcasts, campaign_actions, settings, suppressions, transactional
from fake_api.endpoints.metrics import metric_names
from helpers import base_parameters
from storage import Storage

FAST = {"CUSTOMERIO_RATE_LIMIT": "off", "CUSTOMERIO_BACKOFF_BASE": "0.01"}
DAY = 86400


def ok(result):
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


# ---------------------------------------------------------------------------------------------- webhooks
def test_webhook_endpoints_lose_the_userinfo_in_every_form(component, fake):
    fake.workspace.reporting_webhooks = 12                   # every form of the fake twice
    result = ok(component(base_parameters(workspace_settings=True), env=FAST))
    served = {webhook["id"]: webhook["endpoint"] for webhook in settings.expected_reporting_webhooks(fake, strip=False)}
    written = {int(row["id"]): row["endpoint"] for row in result.tables["reporting_webhooks"]}
    assert written == {i: settings.strip_credentials(endpoint) for i, endpoint in served.items()}
    for i, endpoint in served.items():
        for secret in (f"user{i}", f"s3cret{i}", f"pw{i}", f"p%40ss{i}"):
            assert secret not in written[i] or secret not in endpoint, (endpoint, written[i])
    assert written[4].endswith("?next=http://a@b") and written[5].endswith("/a@b")     # not userinfo: kept


# ---------------------------------------------------------------------------------------------- null ids
CHILDREN = {"campaign_actions": "campaign_id", "broadcast_actions": "broadcast_id",
            "transactional_contents": "transactional_id"}


def served_children(fake):
    ws = fake.workspace
    return {
        "campaign_actions": [(str(n), a["id"]) for n in range(1, ws.campaigns + 1)
                             for a in campaign_actions.expected_campaign_actions(fake, n)],
        "broadcast_actions": [(str(b["id"]), a["id"]) for b in broadcasts.expected_broadcasts(fake)
                              for a in broadcasts.expected_broadcast_actions(fake, b["id"])],
        "transactional_contents": [(str(t["id"]), c["id"]) for t in transactional.expected_transactional(fake)
                                   for c in transactional.expected_transactional_contents(fake, t["id"])],
    }


def test_records_without_an_id_never_reach_a_table_and_are_counted_once_per_table(component, fake):
    fake.extras["null_ids"] = True
    parameters = base_parameters(campaign_actions=True, broadcasts=True, transactional=True)
    result = ok(component(parameters, env=FAST))
    storage = Storage().load(result)
    storage.load(ok(component(parameters, state=result.state, env=FAST)))       # Storage after a second run
    served = served_children(fake)
    for table, parent in CHILDREN.items():
        nulls = sum(1 for _, record_id in served[table] if record_id is None)
        assert nulls, f"the fake serves no null id in {table}"
        wanted = sorted((p, str(i)) for p, i in served[table] if i is not None)
        assert sorted((row[parent], row["id"]) for row in result.tables[table]) == wanted
        assert sorted((row[parent], row["id"]) for row in storage.rows(table)) == wanted
        warnings = [line for line in result.output.splitlines() if f"{table}: " in line and "left out" in line]
        assert len(warnings) == 1, (table, warnings)
        assert f"{table}: {nulls} record{'s' if nulls > 1 else ''} without `id`" in warnings[0]


# ---------------------------------------------------------------------------------------------- sender identities
@pytest.mark.parametrize("without_hidden", [False, True])
@pytest.mark.parametrize("includes_all", [False, True])
def test_every_sender_identity_once_with_its_flag_whatever_the_shape(component, fake, without_hidden, includes_all):
    fake.workspace.sender_identities = 23
    fake.extras.update(senders_without_hidden=without_hidden, senders_hidden_includes_all=includes_all)
    result = ok(component(base_parameters(workspace_settings=True), env=FAST))
    rows = result.tables["sender_identities"]
    assert sorted(int(row["id"]) for row in rows) == list(range(1, 24))
    model = {sender["id"]: sender for sender in settings.expected_sender_identities(fake)}
    assert {int(row["id"]): row["hidden"] for row in rows} == \
        {i: "true" if sender["hidden"] else "false" for i, sender in model.items()}
    assert {int(row["id"]): row["email"] for row in rows} == {i: sender["email"] for i, sender in model.items()}


# ---------------------------------------------------------------------------------------------- metrics v2
def test_v2_metrics_rows_are_the_same_whether_or_not_the_answer_names_its_window(component, fake):
    now = int(time.time()) // DAY * DAY + DAY // 2               # the next noon UTC: far from any bucket boundary
    now += DAY if now <= time.time() else 0
    fake.clock_offset = now - time.time()
    env = {**FAST, "CUSTOMERIO_CLOCK_OFFSET": str(fake.clock_offset)}
    parameters = base_parameters(metrics=[{"entities": ["campaigns", "campaign_actions"], "resolution": "days",
                                           "since": "5 days ago"}])
    answers = []
    for series_only in (False, True):
        fake.extras["metrics_v2_series_only"] = series_only
        answers.append(ok(component(parameters, env=env)))
    for table in ("campaign_metrics", "campaign_action_metrics"):
        with_window, series_only = (sorted(map(repr, result.tables[table])) for result in answers)
        assert series_only == with_window and with_window, table
        rows = answers[1].tables[table]
        assert {row["api_version"] for row in rows} == {"2"}
        starts = sorted({int(row["period_start"]) for row in rows})
        assert starts[-1] == now // DAY * DAY and len(starts) in (6, 7)        # `since` reads the real clock
        assert starts == list(range(starts[0], starts[-1] + 1, DAY))               # UTC days, every one
        assert {row["metric"] for row in rows} == set(metric_names(fake))


# ---------------------------------------------------------------------------------------------- ids as floats
EVERYTHING = dict(campaigns=True, campaign_actions=True, segments=True, segment_usage=True, newsletters=True,
                  broadcasts=True, transactional=True, workspace_settings=True, esp_suppressions=True, optouts=True,
                  messages=[{"types": [], "since": "200 days ago"}],
                  customers=[{"filters": "", "attributes": "", "method": "api"}],
                  activities=[{"types": [], "mode": "SINGLE_TABLE"}],
                  objects=[{"types": [], "attributes": True, "relationships": True}])


def comparable(cell: str):
    """A cell as a reader sees it. Columns compare as text; JSON text is compared as the value it holds, with the
    identifiers inside as text: a JSON cell keeps the API's own JSON, where `2.0`, `2` and `"2"` name one id."""
    if cell[:1] in "[{":
        try:
            return _ids_as_text(json.loads(cell))
        except ValueError:
            return cell
    return cell


def _ids_as_text(node, key=""):
    if isinstance(node, dict):
        return {k: _ids_as_text(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_ids_as_text(item, "id" if key == "ids" or key.endswith("_ids") else "") for item in node]
    if (key == "id" or key.endswith("_id")) and isinstance(node, (int, float)) and not isinstance(node, bool):
        return str(int(node))
    return node


def test_ids_sent_as_floats_are_written_as_whole_numbers_everywhere(component, fake):
    ws = fake.workspace
    ws.people, ws.messages, ws.activities, ws.cio_id_digits, ws.objects = 40, 60, 60, True, 6
    as_text = ok(component(base_parameters(**EVERYTHING), env=FAST))
    fake.extras["float_ids"] = True
    as_floats = ok(component(base_parameters(**EVERYTHING), env=FAST))
    assert set(as_floats.tables) == set(as_text.tables)
    for table, rows in as_text.tables.items():
        assert as_floats.headers[table] == as_text.headers[table], table
        expected = sorted(repr({k: comparable(v) for k, v in row.items()}) for row in rows)
        got = sorted(repr({k: comparable(v) for k, v in row.items()}) for row in as_floats.tables[table])
        assert got == expected, table
    assert without_times(as_floats.state) == without_times(as_text.state)
    assert as_floats.tables["campaigns"][0]["id"] == "1"
    assert not any(v.endswith(".0") for row in as_floats.tables["workspaces"] for k, v in row.items() if k == "id")


# ---------------------------------------------------------------------------------------------- suppressions
@pytest.mark.parametrize("status", [400, 404])
def test_a_suppression_list_the_workspace_does_not_offer_is_skipped_and_its_rows_stay(component, fake, status):
    parameters = base_parameters(esp_suppressions=True)
    storage = Storage()
    first = ok(component(parameters, env=FAST))
    storage.load(first)
    blocks = {row["email"] for row in storage.rows("esp_suppressions") if row["suppression_type"] == "blocks"}
    assert blocks

    fake.extras.update(suppression_types=("bounces", "spam_reports"), suppression_unknown_status=status)
    fake.workspace.suppressions = 10                          # lifted suppressions in the lists still offered
    second = ok(component(parameters, state=first.state, env=FAST))
    storage.load(second)
    assert second.manifests["esp_suppressions"]["delete_where_values"] == ["bounces", "spam_reports"]
    for kind in ("blocks", "invalid_emails"):
        assert f"ESP suppressions: this workspace does not offer {kind} (GET /esp/suppression/{kind} answered " \
               f"{status}" in second.output
    stored = {(row["suppression_type"], row["email"]) for row in storage.rows("esp_suppressions")}
    offered = {(kind, item["email"]) for kind in ("bounces", "spam_reports")
               for item in suppressions.expected_suppressions(fake, kind)}
    assert stored == offered | {("blocks", email) for email in blocks}


def without_times(state):
    """The state without the moments of a run (two runs a second apart differ there)."""
    if isinstance(state, dict):
        return {key: without_times(value) for key, value in state.items()
                if key not in ("full_refresh", "newest_created", "newest_timestamp", "end")}
    return state
