"""Storage equals Customer.io (issue 19): three incremental runs in a row while items, children, people and object
types are created and deleted upstream in between; after each run, loaded the way Storage loads it, every table
that mirrors Customer.io holds exactly what exists now, in both manifest formats. With keep_deleted_rows the rows
of deleted items stay (the behaviour before). A failed run deletes nothing; both formats make the same decisions."""
import pytest

from fake_api.endpoints import campaign_actions, lifecycle, newsletters
from helpers import FORMATS, ComponentRun, base_parameters
from output.cells import flatten
from storage import Storage, primary_key
from workspace_truth import KEYS, truth

FAST = {"CUSTOMERIO_RATE_LIMIT": "off", "CUSTOMERIO_BACKOFF_BASE": "0.01"}
EVERYTHING = dict(campaigns=True, campaign_actions=True, segments=True, segment_usage=True, newsletters=True,
                  broadcasts=True, transactional=True, workspace_settings=True, esp_suppressions=True, optouts=True,
                  customers=[{"filters": "", "attributes": "", "method": "api"}],
                  objects=[{"types": [], "attributes": False, "relationships": True}])
#: Tables that keep_deleted_rows still replaces per parent, type or partition read (as before issue 19).
REPLACED_PER_PART = {"segment_members", "segment_usage", "campaign_actions", "newsletter_contents",
                     "newsletter_test_groups", "broadcast_triggers", "objects", "object_relationships",
                     "esp_suppressions", "optouts"}


def stored(storage, table):
    key = KEYS.get(table, ("id",))
    return {tuple(row[column] for column in key): row for row in storage.rows(table)}


def expected(records, table):
    key = KEYS.get(table, ("id",))
    return {tuple(str(record[column]) for column in key): flatten(record) for record in records}


def assert_holds(storage, table, records, exactly=True):
    """Storage's table holds every record with the API's values; with `exactly`, nothing else."""
    rows, wanted = stored(storage, table), expected(records, table)
    if exactly:
        assert set(rows) == set(wanted), (table, sorted(set(rows) ^ set(wanted))[:10])
    else:
        assert set(wanted) <= set(rows), (table, sorted(set(wanted) - set(rows))[:10])
    for identity, cells in wanted.items():
        assert {column: rows[identity][column] for column in cells} == cells, (table, identity)


def setup(fake):
    ws = fake.workspace
    ws.people, ws.segments, ws.campaigns, ws.newsletters, ws.objects = 60, 4, 5, 6, 12


def first_changes(fake):
    """Between runs 1 and 2: something deleted, created and edited in every family."""
    ws = fake.workspace
    lifecycle.remove(fake, "campaign", 2)
    ws.campaigns = 6                                              # campaign 6 is new
    gone_action = campaign_actions.expected_campaign_actions(fake, 3)[0]["id"]
    lifecycle.remove_child(fake, "campaign_action", 3, gone_action)
    lifecycle.touch_campaign(fake, 3)
    lifecycle.remove(fake, "newsletter", 11)        # (a new one would move every newsletter's `created` in the fake)
    lifecycle.remove_child(fake, "newsletter_content", 10, newsletters.expected_newsletter_contents(fake, 10)[-1]["id"])
    lifecycle.touch_newsletter(fake, 10)
    lifecycle.remove(fake, "broadcast", 21)
    lifecycle.remove_child(fake, "broadcast_trigger", 22, 2201)
    lifecycle.remove(fake, "transactional", 2)
    ws.removed_segments = {2}
    # (fewer sender identities would renumber the senders of unchanged actions: the fake's model, not an edit)
    ws.snippets, ws.collections, ws.subscription_topics, ws.reporting_webhooks = 3, 2, 2, 2
    for q in (3, 4, 8):
        lifecycle.remove_person(fake, q)
    ws.people = 66                                                # people 60..65 are new
    lifecycle.remove(fake, "object_type", 2)
    lifecycle.remove(fake, "object", ("1", "company-0004"))
    ws.suppressions, ws.optouts = 10, 4


def second_changes(fake):
    """Between runs 2 and 3: every campaign deleted, most newsletters edited, an object type back, another gone."""
    ws = fake.workspace
    for n in range(1, ws.campaigns + 1):
        lifecycle.remove(fake, "campaign", n)
    for n in (12, 13, 14):
        lifecycle.touch_newsletter(fake, n)
    lifecycle.remove(fake, "newsletter", 15)
    lifecycle.touch_transactional(fake, 3)
    lifecycle.restore(fake, "object_type", 2)
    lifecycle.remove(fake, "object_type", 1)
    ws.removed_segments = {2, 3}
    ws.snippets = 0
    for q in (0, 61):
        lifecycle.remove_person(fake, q)


def decisions(manifest):
    return (manifest["incremental"], manifest.get("delete_where_operator"), manifest.get("delete_where_values"))


@pytest.mark.parametrize("manifest_format", FORMATS)
def test_three_incremental_runs_leave_storage_equal_to_customer_io(component, fake):
    setup(fake)
    storage, state = Storage(), None

    def run():
        nonlocal state
        result = component(base_parameters(**EVERYTHING), state=state, env=FAST)
        storage.load(result)
        state = result.state
        for table, records in truth(fake).items():
            assert_holds(storage, table, records)
        assert set(truth(fake)) <= set(result.manifests)
        return result

    first = run()
    assert all(m["incremental"] is False for m in first.manifests.values())      # no state yet: all read whole
    actions_of_2 = len(campaign_actions.expected_campaign_actions(fake, 2))

    first_changes(fake)
    second = run()
    manifests = second.manifests
    assert decisions(manifests["campaign_actions"]) == (True, "eq", ["2", "3", "6"])      # 2 gone, 3 and 6 re-read
    assert decisions(manifests["newsletter_contents"]) == (True, "eq", ["10", "11"])
    assert decisions(manifests["transactional_contents"]) == (True, "eq", ["2"])
    for table in ("campaigns", "customers", "objects", "object_relationships", "broadcast_triggers", "snippets"):
        assert decisions(manifests[table]) == (False, None, None), table
    assert f"1 campaign no longer exists in Customer.io (2): its rows and its {actions_of_2} campaign actions " \
           f"leave Storage." in second.output
    assert "1 newsletter no longer exists in Customer.io (11): its rows and its 2 contents leave Storage." \
        in second.output
    assert "objects: object type 2 no longer exists in Customer.io: its 6 objects and " in second.output
    assert "Table customers: 63 rows, replacing the table (the last run wrote 60)." in second.output

    second_changes(fake)
    third = run()
    manifests = third.manifests
    assert decisions(manifests["campaign_actions"]) == (False, None, None)        # every campaign deleted
    assert storage.rows("campaigns") == [] and storage.rows("campaign_actions") == []
    assert storage.rows("snippets") == []
    assert decisions(manifests["newsletter_contents"]) == (True, "ne", ["10"])   # 12-14 re-read, 15 gone
    assert decisions(manifests["newsletter_test_groups"]) == (True, "ne", ["10"])
    assert "5 campaigns no longer exist in Customer.io (1, 3, 4, 5, 6): their rows and their " in third.output
    assert {row["object_type_id"] for row in storage.rows("objects")} == {"2"}


@pytest.mark.parametrize("manifest_format", FORMATS)
def test_with_keep_deleted_rows_the_rows_of_deleted_items_stay(component, fake):
    setup(fake)
    storage, state, before = Storage(), None, {}
    parameters = base_parameters(keep_deleted_rows=True, **EVERYTHING)

    def run():
        nonlocal state
        result = component(parameters, state=state, env=FAST)
        storage.load(result)
        state = result.state
        for table, records in truth(fake).items():
            assert_holds(storage, table, records, exactly=table in ("segment_members", "segment_usage"))
        for name, manifest in result.manifests.items():       # the loads of before: upserts and eq filters
            assert manifest["incremental"] is True and manifest.get("delete_where_operator", "eq") == "eq", name
        return result

    run()
    before = {table: set(stored(storage, table)) for table in truth(fake)}
    first_changes(fake)
    second = run()
    for table, keys in before.items():
        if table not in REPLACED_PER_PART:
            assert keys <= set(stored(storage, table)), table               # no row of a deleted item left
    assert ("2",) in stored(storage, "campaigns")
    assert (fake.workspace.person(3)["cio_id"],) in stored(storage, "customers")
    assert any(row["campaign_id"] == "2" for row in storage.rows("campaign_actions"))
    assert any(row["object_type_id"] == "2" for row in storage.rows("objects"))
    assert "1 campaign no longer exists in Customer.io (2): its rows and its " in second.output
    assert "campaign actions stay in Storage (keep_deleted_rows is on)." in second.output
    assert "objects: object type 2 no longer exists in Customer.io: its 6 objects and " in second.output

    second_changes(fake)
    run()
    assert len(stored(storage, "campaigns")) == 6 and len(stored(storage, "snippets")) == 4


def test_a_run_whose_root_list_fails_deletes_nothing(component, fake):
    setup(fake)
    parameters = base_parameters(campaigns=True, campaign_actions=True, newsletters=True)
    storage = Storage()
    first = component(parameters, env=FAST)
    storage.load(first)
    held = {table: list(storage.rows(table)) for table in first.manifests}
    lifecycle.remove(fake, "campaign", 1)
    lifecycle.remove(fake, "newsletter", 12)
    fake.force("^/v1/campaigns$", 400)
    failed = component(parameters, state=first.state, env=FAST)
    assert failed.exit_code == 1 and "Traceback" not in failed.output
    assert failed.manifests == {} and failed.tables == {} and failed.state is None

    skipped = component(dict(parameters, skip_forbidden=True), state=first.state, env=FAST)
    assert skipped.exit_code == 1                                     # a 400 is no 403: skip_forbidden does not apply
    fake.forced.clear()
    fake.force("^/v1/campaigns$", 403)
    skipped = component(dict(parameters, skip_forbidden=True), state=first.state, env=FAST)
    storage.load(skipped)
    assert "campaigns" not in skipped.manifests and "campaign_actions" not in skipped.manifests
    assert skipped.state["campaigns"] == first.state["campaigns"]     # the skipped dataset keeps its state
    for table in ("campaigns", "campaign_actions"):
        assert storage.rows(table) == held[table], table
    assert ("12",) not in stored(storage, "newsletters")             # the rest of the run did load

    fake.forced.clear()
    storage.load(component(parameters, state=skipped.state, env=FAST))
    assert_holds(storage, "campaigns", truth(fake)["campaigns"])
    assert_holds(storage, "campaign_actions", truth(fake)["campaign_actions"])


def test_both_manifest_formats_make_the_same_decisions(tmp_path, fake):
    """Keboola writes legacy manifests (no native types: KBC_STACKID set, no KBC_DATA_TYPE_SUPPORT) or new ones;
    the same state and the same upstream changes give the same replace and delete decisions in both."""
    setup(fake)
    parameters = base_parameters(**EVERYTHING)
    first = ComponentRun(tmp_path / "first", fake, manifests="hints")(parameters, env=FAST)
    lifecycle.remove(fake, "campaign", 2)
    lifecycle.touch_newsletter(fake, 12)
    new, legacy = (ComponentRun(tmp_path / name, fake, manifests=name)(parameters, state=first.state, env=FAST)
                   for name in ("hints", "legacy"))
    assert new.exit_code == legacy.exit_code == 0, legacy.output
    assert set(new.manifests) == set(legacy.manifests)
    for table, manifest in new.manifests.items():
        assert "schema" in manifest and "schema" not in legacy.manifests[table], table
        assert decisions(legacy.manifests[table]) == decisions(manifest), table
        assert primary_key(legacy.manifests[table]) == primary_key(manifest) and primary_key(manifest), table
    assert decisions(new.manifests["campaign_actions"]) == (True, "eq", ["2"])
    assert decisions(new.manifests["newsletter_contents"]) == (True, "eq", ["12"])
    assert decisions(new.manifests["campaigns"]) == (False, None, None)
    Storage().load(first).load(legacy)


def test_history_tables_are_never_deleted_from(component, fake):
    ws = fake.workspace
    ws.messages, ws.activities, ws.campaigns = 200, 100, 2
    parameters = base_parameters(messages=[{"types": [], "since": "30 days ago"}],
                                 activities=[{"types": [], "mode": "SINGLE_TABLE"}],
                                 metrics=[{"entities": ["campaigns"], "resolution": "days", "since": "5 days ago"}])
    result = component(parameters, env=FAST)
    assert result.exit_code == 0, result.output
    for table in ("messages", "activities_all", "campaign_metrics"):
        assert decisions(result.manifests[table]) == (True, None, None), table
