"""The wave-2 response examples nobody on the team wrote (tests/fixtures/realworld-corpus/wave2, see its PROVENANCE.md),
replayed through the fake as recorded and run through the component: every example gives the right rows. Where the
examples are field by field (the spec's `embedded_examples`), the record is put together from them; where two sources
disagree, both are served."""
import json
import time
from datetime import datetime, timezone

import pytest

from fake_api import Raw
from helpers import base_parameters, read_corpus

FAST = {"CUSTOMERIO_RATE_LIMIT": "off", "CUSTOMERIO_BACKOFF_BASE": "0.01"}


def corpus(path: str):
    return read_corpus("wave2/" + path)


AIRBYTE = corpus("airbyte/unit_test_fixtures_wave2.json")
RECORDED = {line["stream"]: line["data"] for line in corpus("airbyte/expected_records_wave2.jsonl")}
MANIFEST_040 = corpus("airbyte/manifest_0.4.0_schema_notes.json")
SPEC = corpus("spec_3.0_2025/examples.json")
SPEC_2026 = corpus("spec_3.1_2026_voxgig/excerpts.json")
INGESTR = corpus("ingestr/integration_test_expectations.json")
SINGER_MISSING = corpus("singer-tap-customerio/known_missing_fields.json")["KNOWN_MISSING_FIELDS"]
AMP_PAGE, AMP_EMPTY = corpus("amp-labs-connectors/read-newsletters-1-first-page.json"), \
    corpus("amp-labs-connectors/read-newsletters-2-empty-page.json")
AMP_404 = corpus("amp-labs-connectors/error-404-page-not-found.txt")


def value(name):
    return AIRBYTE[name]["value"]


def assembled(operation: str, prefix: str) -> dict:
    """A record put together from the spec's per-field examples under `prefix` (allOf parts included)."""
    record = {}
    for path, example in SPEC[operation]["embedded_examples"].items():
        if path.startswith(prefix + "."):
            rest = path[len(prefix) + 1:]
            if rest.startswith("allOf["):
                rest = rest.split(".", 1)[1]
            if rest.startswith("properties.") and "." not in rest[len("properties."):]:
                record[rest[len("properties."):]] = example
    return record


def ok(result):
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def rows(result, table, *key):
    found = {}
    for row in result.tables[table]:
        identity = tuple(row[column] for column in key)
        assert identity not in found, (table, identity)
        found[identity] = row
    return found


def run(component, **datasets):
    return ok(component(base_parameters(**datasets), env=FAST))


# ---------------------------------------------------------------------------------------------- campaign actions
def test_campaign_actions_recorded_live_paged_and_typed_as_airbyte_0_4_0_saw_them(component, fake):
    typed = {key: "x" for key in MANIFEST_040["campaigns_actions"]["other_keys"]}
    typed.update({"id": "7", "from_id": "3", "reply_to_id": "4", "campaign_id": 9, "headers": '[{"name":"X"}]',
                  "body_json": '{"a":1}', "multi_language_branch_action_id": 5, "parent_action_id": 6,
                  "recipient_environment_id": 144601, "sender_identity_id": 3, "broadcast_id": None})
    campaign_extras = {key: None for key in MANIFEST_040["campaigns"]["extra_keys_not_in_spec"]}
    fake.serve("GET", "/campaigns", {"campaigns": [{"id": 4, **campaign_extras}, {"id": 1}, {"id": 9}]})
    fake.serve("GET", "/campaigns/4/actions", {"actions": [RECORDED["campaigns_actions"]]})
    fake.serve("GET", "/campaigns/1/actions", *value("campaign_actions_pages"))
    fake.serve("GET", "/campaigns/9/actions", {"actions": [typed], "next": ""})
    result = run(component, campaigns=True, campaign_actions=True)
    actions = rows(result, "campaign_actions", "campaign_id", "id")
    assert set(actions) == {("4", "25"), ("1", "101"), ("1", "102"), ("1", "103"), ("9", "7")}
    assert actions[("4", "25")]["type"] == "attribute_update"
    assert actions[("4", "25")]["recipient_environment_id"] == "144601"
    assert actions[("9", "7")]["headers"] == '[{"name":"X"}]' and actions[("9", "7")]["from_id"] == "3"
    assert set(typed) <= set(result.headers["campaign_actions"])
    assert set(campaign_extras) <= set(result.headers["campaigns"])
    assert [r.query.get("start") for r in fake.requests("^/v1/campaigns/1/actions$")] == [None, "page-2-token"]


@pytest.mark.parametrize("alternative", [0, 1, 2])
def test_campaign_actions_of_the_spec_in_each_documented_form(component, fake, alternative):
    record = assembled("GET /v1/campaigns/{campaign_id}/actions", f"$.properties.actions.items.oneOf[{alternative}]")
    fake.serve("GET", "/campaigns", {"campaigns": [{"id": 5}]})
    fake.serve("GET", "/campaigns/5/actions", {"actions": [record]})
    row = rows(run(component, campaign_actions=True), "campaign_actions", "campaign_id", "id")[("5", "96")]
    assert row["parent_action_id"] == "1" and row["updated"] == "1552341937"
    if "headers" in record:
        assert json.loads(row["headers"]) == {"X-Mailgun-Tag": "my-cool-tag"}


# ---------------------------------------------------------------------------------------------- broadcasts
def test_broadcasts_and_their_actions_as_airbyte_tests_them(component, fake):
    third = {"id": 3, "name": "broadcast-3", "type": "triggered_broadcast", "actions": [{"id": 30, "type": "email"}]}
    fake.serve("GET", "/broadcasts", {"broadcasts": value("broadcasts_list")["broadcasts"] + [third]})
    fake.serve("GET", "/broadcasts/1/actions", *value("broadcast_actions_pages_broadcast_1"))
    fake.serve("GET", "/broadcasts/2/actions", value("broadcast_actions_broadcast_2_no_next_key"))
    fake.serve("GET", "/broadcasts/3/actions", value("broadcast_action_null_id"))
    triggers = assembled("GET /v1/broadcasts/{broadcast_id}/triggers", "$.properties.triggers.items")
    for broadcast in (1, 3):
        fake.serve("GET", f"/broadcasts/{broadcast}/triggers", {"triggers": []})
    fake.serve("GET", "/broadcasts/2/triggers", {"triggers": [triggers]})         # the spec's: no `id` example
    result = run(component, broadcasts=True)
    assert set(rows(result, "broadcasts", "id")) == {("1",), ("2",), ("3",)}
    actions = rows(result, "broadcast_actions", "broadcast_id", "id")
    assert set(actions) == {("1", "11"), ("1", "12"), ("2", "21")}             # the null id is left out
    assert actions[("1", "12")]["broadcast_id"] == "1"                          # from the path, not the record
    assert [r.query.get("start") for r in fake.requests("^/v1/broadcasts/1/actions$")] == [None, "tok-2"]
    assert result.tables["broadcast_triggers"] == []
    assert "broadcast_actions: 1 record without `id` was left out" in result.output
    assert "broadcast_triggers: 1 record without `id` was left out" in result.output
    assert result.manifests["broadcast_actions"]["incremental"] is False         # read for every broadcast: replaced


@pytest.mark.parametrize("alternative", [0, 1, 2])
def test_the_specs_broadcast_and_each_form_of_its_actions(component, fake, alternative):
    broadcast = SPEC["GET /v1/broadcasts"]["embedded_examples"]["$.properties.broadcasts.items"]
    action = assembled("GET /v1/broadcasts/{broadcast_id}/actions", f"$.properties.actions.items.oneOf[{alternative}]")
    fake.serve("GET", "/broadcasts", {"broadcasts": [broadcast]})
    fake.serve("GET", "/broadcasts/2/actions", {"actions": [action]})
    fake.serve("GET", "/broadcasts/2/triggers", {"triggers": []})
    result = run(component, broadcasts=True)
    row = rows(result, "broadcasts", "id")[("2",)]
    assert row["tags"] == "nil" and row["created_by"] == "ExamplePerson"
    assert json.loads(row["actions"]) == [{"id": 3, "type": "email"}, {"id": 4}, {"type": "webhook"}]
    assert rows(result, "broadcast_actions", "broadcast_id", "id")[("2", "96")]["updated"] == "1552341937"


def test_a_live_broadcast_with_its_schedule_as_ingestr_loaded_it(component, fake):
    live = dict(INGESTR["broadcasts"]["row"])
    live.update({column: None for column in INGESTR["broadcasts"]["columns"] if column not in live})
    fake.serve("GET", "/broadcasts", {"broadcasts": [live]})
    fake.serve("GET", "/broadcasts/2/actions", {"actions": []})
    fake.serve("GET", "/broadcasts/2/triggers", {"triggers": []})
    result = run(component, broadcasts=True)
    row = rows(result, "broadcasts", "id")[("2",)]
    assert (row["name"], row["active"], row["state"]) == ("Test Broadcast", "false", "draft")
    assert set(INGESTR["broadcasts"]["columns"]) <= set(result.headers["broadcasts"])


# ---------------------------------------------------------------------------------------------- newsletters
def test_newsletters_pages_contents_and_test_groups(component, fake):
    fake.serve("GET", "/newsletters", *value("newsletters_pages"))
    groups = SPEC["GET /v1/newsletters/{newsletter_id}/test_groups"]["embedded_examples"]["$"]
    for newsletter, contents in value("newsletter_contents").items():
        fake.serve("GET", f"/newsletters/{newsletter}/contents", contents)
        fake.serve("GET", f"/newsletters/{newsletter}/test_groups",
                   groups if newsletter == "1" else {"test_groups": []})
    result = run(component, newsletters=True)
    assert set(rows(result, "newsletters", "id")) == {("1",), ("2",), ("3",)}
    contents = rows(result, "newsletter_contents", "newsletter_id", "id")
    assert set(contents) == {("1", "10"), ("1", "11"), ("2", "20")}
    assert contents[("1", "11")]["language"] == "fr" and contents[("1", "11")]["from_id"] == "1"
    test_groups = rows(result, "newsletter_test_groups", "newsletter_id", "id")
    assert set(test_groups) == {("1", "0"), ("1", "2")}                        # group id 0 is an id
    assert test_groups[("1", "0")]["content_ids"] == "[25,26]" and test_groups[("1", "2")]["winner"] == "false"
    pages = fake.requests("^/v1/newsletters$")
    assert [r.query.get("start") for r in pages] == [None, "tok"] and {r.query["limit"] for r in pages} == {"100"}


def test_the_recorded_newsletter_the_specs_and_contents_with_and_without_an_id(component, fake):
    spec = SPEC["GET /v1/newsletters"]["embedded_examples"]["$.properties.newsletters.items"]
    extra = {key.split(" ")[0]: None for key in MANIFEST_040["newsletters"]["extra_keys_not_in_spec"]}
    content = assembled("GET /v1/newsletters/{newsletter_id}/contents", "$.properties.contents.items")
    assert "id" not in content                                 # the spec gives no example id for a content
    fake.serve("GET", "/newsletters", {"newsletters": [RECORDED["newsletters"], {**spec, **extra}], "next": "x"},
               value("newsletters_last_page_null_next"))
    fake.serve("GET", "/newsletters/1/contents", {"contents": [{**content, "id": 18}, content]})
    for newsletter in (128275, 3):
        fake.serve("GET", f"/newsletters/{newsletter}/contents", {"contents": []})
    for newsletter in (1, 128275, 3):
        fake.serve("GET", f"/newsletters/{newsletter}/test_groups", {"test_groups": []})
    result = run(component, newsletters=True)
    newsletters = rows(result, "newsletters", "id")
    assert set(newsletters) == {("1",), ("128275",), ("3",)}
    assert newsletters[("1",)]["content_ids"] == "[18]" and newsletters[("1",)]["sent_at"] == ""
    assert newsletters[("128275",)]["recipient_segment_ids"] == "[10]"
    assert set(extra) <= set(result.headers["newsletters"])
    contents = rows(result, "newsletter_contents", "newsletter_id", "id")
    assert set(contents) == {("1", "18")}                      # the parent's id, not the example's newsletter_id 10
    assert json.loads(contents[("1", "18")]["headers"]) == {"X-Mailgun-Tag": "my-cool-tag"}
    assert "newsletter_contents: 1 record without `id` was left out" in result.output


def test_amp_labs_pages_and_a_plain_text_404_for_a_child(component, fake):
    fake.serve("GET", "/newsletters", AMP_PAGE, AMP_EMPTY)
    fake.serve("GET", "/newsletters/1/contents", Raw(404, AMP_404))
    fake.serve("GET", "/newsletters/1/test_groups", {"test_groups": []})
    result = run(component, newsletters=True)
    row = rows(result, "newsletters", "id")[("1",)]
    assert row["name"] == "Weekly Update #33" and row["deduplicate_id"] == "1:1724072800"
    for missing in SINGER_MISSING["newsletters"]:                   # live newsletters lack them: empty, not gone
        assert row[missing] == ""
    assert result.tables["newsletter_contents"] == []
    assert "Newsletter 1 disappeared while the run was going (404); its contents are skipped and their rows leave " \
           "Storage." in result.output
    assert len(fake.requests("^/v1/newsletters$")) == 2


# ---------------------------------------------------------------------------------------------- transactional
@pytest.mark.parametrize("source", ["airbyte", "spec"])
def test_transactional_templates_and_contents(component, fake, source):
    if source == "airbyte":
        templates = value("transactional_messages_list")["messages"]
    else:
        templates = [assembled("GET /v1/transactional", "$.properties.messages.items")]
    content = assembled("GET /v1/transactional/{transactional_id}/contents", "$.properties.contents.items")
    fake.serve("GET", "/transactional", {"messages": templates})
    for template in templates:
        fake.serve("GET", f"/transactional/{template['id']}/contents", {"contents": [content]})
    result = run(component, transactional=True)
    listed = rows(result, "transactional_messages", "id")
    assert set(listed) == {(str(t["id"]),) for t in templates}
    if source == "airbyte":
        assert listed[("1",)]["trigger_name"] == "trigger-1"
    contents = rows(result, "transactional_contents", "transactional_id", "id")
    assert set(contents) == {(str(t["id"]), "96") for t in templates}
    assert {row["language"] for row in contents.values()} == {"fr"}


# ---------------------------------------------------------------------------------------------- segment usage
def test_segment_usage_nested_as_airbyte_mocks_it_and_a_deleted_segment(component, fake):
    fake.serve("GET", "/segments", {"segments": [{"id": 7}, {"id": 9}, {"id": 11}]})
    for segment, body in value("segment_used_by_nested").items():
        fake.serve("GET", f"/segments/{segment}/used_by", body)
    fake.serve("GET", "/segments/11/used_by", Raw(404, json.dumps(value("child_404_parent_deleted"))))
    result = run(component, segment_usage=True)
    assert set(rows(result, "segment_usage", "segment_id", "used_by_type", "used_by_id")) == {
        ("7", "campaign", "1"), ("7", "campaign", "2"), ("7", "draft_newsletter", "3")}
    assert result.manifests["segment_usage"]["incremental"] is False             # read for every segment: replaced
    assert "Segment 11 disappeared while the run was going (404)" in result.output
    assert len(fake.requests("^/v1/segments/11/used_by$")) == 1                 # a 404 is not retried


# ---------------------------------------------------------------------------------------------- workspace settings
SETTINGS_PATHS = {"sender_identities": "sender_identities", "snippets": "snippets", "collections": "collections",
                  "subscription_topics": "topics", "subscription_channels": "channels",
                  "reporting_webhooks": "reporting_webhooks", "workspaces": "workspaces"}


def spec_item(operation, key):
    examples = SPEC[operation]["embedded_examples"]
    whole = examples.get(f"$.properties.{key}.items")
    return whole if whole else assembled(operation, f"$.properties.{key}.items")


def settings_bodies(source):
    if source == "airbyte":
        return {"sender_identities": {"sender_identities": []}, "snippets": value("snippets"),
                "collections": value("collections"), "subscription_topics": value("subscription_topics"),
                "subscription_channels": {"channels": []}, "reporting_webhooks": value("reporting_webhooks"),
                "workspaces": value("workspaces")}
    if source == "spec 2025":
        bodies = {path: {key: [spec_item(f"GET /v1/{path}", key)]} for path, key in SETTINGS_PATHS.items()
                  if path != "subscription_channels"}
        fields = SPEC_2026["GET /v1/subscription_channels"]["response_200_schema"]["channels[]"]
        channel = {name: field["example"] for name, field in fields.items()}
        return {**bodies, "subscription_channels": {"channels": [channel]}}
    return {"sender_identities": {"sender_identities": [INGESTR["sender_identities"]["row"]]},   # live: ingestr
            "snippets": {"snippets": []}, "collections": {"collections": []},
            "subscription_topics": value("subscription_topics_empty"), "subscription_channels": {"channels": []},
            "reporting_webhooks": {"reporting_webhooks": []},
            "workspaces": {"workspaces": [INGESTR["workspaces"]["row"]]}}


@pytest.mark.parametrize("source", ["airbyte", "spec 2025", "live"])
def test_workspace_settings_in_every_source(component, fake, source):
    bodies = settings_bodies(source)
    for path, body in bodies.items():
        fake.serve("GET", f"/{path}", body)
    result = run(component, workspace_settings=True)
    for path, body in bodies.items():
        records = body[SETTINGS_PATHS[path]]
        key = "name" if path == "snippets" else "id"
        assert set(rows(result, path, key)) == {(str(record[key]),) for record in records}, path
    if source == "spec 2025":
        assert rows(result, "workspaces", "id")[("13XXXX",)]["people"] == "25666"
        assert rows(result, "sender_identities", "id")[("4534",)]["hidden"] == "false"       # no `hidden` sent
        assert rows(result, "collections", "id")[("1",)]["schema"] == '["eventDate","eventName","presents"]'
        assert rows(result, "subscription_channels", "id")[("1",)]["type"] == "email"
    if source == "live":
        assert rows(result, "workspaces", "id")[("213064",)]["name"] == "Bruin Data"
        assert result.tables["subscription_topics"] == [] and "identifier" in result.headers["subscription_topics"]
        assert "phone" in result.headers["sender_identities"]
    if source == "airbyte":
        assert rows(result, "snippets", "name")[("snippet-1",)]["value"] == "<p>Thanks!</p>"


def test_webhook_endpoints_as_airbyte_expects_them_synced(component, fake):
    cases = value("reporting_webhook_endpoint_cases")
    fake.serve("GET", "/reporting_webhooks", {"reporting_webhooks": [
        {"id": i, "name": f"webhook-{i}", "endpoint": endpoint} for i, (endpoint, _) in enumerate(cases)]})
    result = run(component, workspace_settings=True)
    written = {int(row["id"]): row["endpoint"] for row in result.tables["reporting_webhooks"]}
    assert written == {i: synced or "" for i, (_, synced) in enumerate(cases)}


@pytest.mark.parametrize("case", ["pages", "trailing_token", "last_page_next_empty", "last_page_next_null",
                                  "last_page_no_next", "overlap", "spec_2025", "spec_2026_inclusive", "ingestr"])
def test_sender_identities_in_every_corpus_shape(component, fake, case):
    spec_2026 = SPEC_2026["GET /v1/sender_identities"]["item_example"]
    spec_2025 = SPEC["GET /v1/sender_identities"]["embedded_examples"]["$.properties.sender_identities.items"]
    last = value("sender_identities_last_page_variants")
    bodies, wanted, requests = {
        "pages": (value("sender_identities_pages")["hidden=false"] + value("sender_identities_pages")["hidden=true"],
                  {"1": "false", "3": "false", "2": "true"}, 5),
        "trailing_token": (value("sender_identities_trailing_token")["hidden=false"] +
                           value("sender_identities_trailing_token")["hidden=true"], {"1": "false"}, 3),
        "last_page_next_empty": ([last[0], last[0]], {"1": "false"}, 2),
        "last_page_next_null": ([last[1], last[1]], {"1": "false"}, 2),
        "last_page_no_next": ([last[2], last[2]], {"1": "false"}, 2),
        "overlap": ([value("sender_identities_overlap")[f"hidden={flag}"] for flag in ("false", "true")],
                    {"1": "false", "2": "true"}, 2),
        "spec_2025": ([{"sender_identities": [spec_2025]}, {"sender_identities": []}], {"4534": "false"}, 2),
        "spec_2026_inclusive": ([{"sender_identities": [spec_2026]}, {"sender_identities": [spec_2026]}],
                                {"4534": "false"}, 2),
        "ingestr": ([{"sender_identities": [INGESTR["sender_identities"]["row"]]}, {"sender_identities": []}],
                    {"1": "false"}, 2),
    }[case]
    fake.serve("GET", "/sender_identities", *bodies)
    result = run(component, workspace_settings=True)
    assert {row["id"]: row["hidden"] for row in result.tables["sender_identities"]} == wanted
    asked = fake.requests("^/v1/sender_identities$")
    assert len(asked) == requests and {r.query["limit"] for r in asked} == {"100"}
    assert [r.query["hidden"] for r in asked][-1] == "true" and asked[0].query["hidden"] == "false"


# ---------------------------------------------------------------------------------------------- suppressions, opt-outs
def suppression_items(kind, count, first=1):
    return [{"created": 1701390800 + n, "email": f"{kind}{n:04d}@example.com", "reason": "5.1.1", "status": "550"}
            for n in range(first, first + count)]


def test_esp_suppressions_every_corpus_shape(component, fake):
    spec = assembled("GET /v1/esp/suppression/{suppression_type}", "$.properties.suppressions.items")
    fake.serve("GET", "/esp/suppression/bounces", value("esp_suppressions_page"))
    fake.serve("GET", "/esp/suppression/blocks", {"category": "bounces", "suppressions": [spec]})
    fake.serve("GET", "/esp/suppression/spam_reports", {"suppressions": suppression_items("spam", 1000)},
               value("esp_suppressions_empty"))                        # null past the end (live)
    fake.serve("GET", "/esp/suppression/invalid_emails", value("esp_suppressions_empty"))
    result = run(component, esp_suppressions=True)
    found = rows(result, "esp_suppressions", "suppression_type", "email")
    assert {kind for kind, _ in found} == {"bounces", "blocks", "spam_reports"}
    bounced = {email for kind, email in found if kind == "bounces"}
    assert bounced == {"person0001@example.com", "person0002@example.com"}
    assert found[("blocks", "bounced.person@example.com")]["reason"] == "Uploaded manually via api.customer.io"
    assert sum(1 for kind, _ in found if kind == "spam_reports") == 1000
    assert [r.query.get("offset") for r in fake.requests("^/v1/esp/suppression/spam_reports$")] == [None, "1000"]
    assert result.manifests["esp_suppressions"]["incremental"] is False          # every type read: replaced
    assert "delete_where_column" not in result.manifests["esp_suppressions"]


@pytest.mark.parametrize("status", [400, 404])
def test_the_2025_suppression_enum_without_blocks_and_invalid_emails(component, fake, status):
    fake.serve("GET", "/esp/suppression/bounces", {"suppressions": suppression_items("b", 1000)},
               {"suppressions": suppression_items("b", 1, first=1001)})
    fake.serve("GET", "/esp/suppression/spam_reports", value("esp_suppressions_empty"))
    for kind in ("blocks", "invalid_emails"):
        fake.serve("GET", f"/esp/suppression/{kind}",
                   Raw(status, json.dumps({"errors": [{"detail": "invalid suppression_type", "status": str(status)}]})))
    result = run(component, esp_suppressions=True)
    assert sum(1 for row in result.tables["esp_suppressions"] if row["suppression_type"] == "bounces") == 1001
    assert result.manifests["esp_suppressions"]["delete_where_values"] == ["bounces", "spam_reports"]
    assert result.output.count("this workspace does not offer") == 2


def test_optouts_as_the_2026_spec_shows_them(component, fake):
    example = SPEC_2026["GET /v1/optouts"]["response_200_example"]
    fake.serve("GET", "/optouts", example, {"optouts": [], "next": ""})
    result = run(component, optouts=True)
    assert set(rows(result, "optouts", "cio_id", "channel", "from")) == {
        ("cio_03000001", "sms", "+15551234567"), ("cio_03000001", "whatsapp", "+15559876543")}
    assert {row["customer_id"] for row in result.tables["optouts"]} == {"abc123"}
    assert [r.query.get("start") for r in fake.requests("^/v1/optouts$")] == [None, "MTox"]


# ---------------------------------------------------------------------------------------------- objects
@pytest.mark.parametrize("wrapped", [True, False], ids=["as the spec prints it", "one item per element"])
def test_objects_with_attributes_and_relationships_of_the_spec(component, fake, wrapped):
    types = SPEC["GET /v1/object_types"]["embedded_examples"]["$.properties.types.items"]
    found = SPEC["POST /v1/objects"]["embedded_examples"]
    listed = {"identifiers": [{"cio_object_id": found["$.properties.identifiers.items.properties.cio_object_id"],
                               "object_id": found["$.properties.identifiers.items.properties.object_id"]}],
              "ids": found["$.properties.ids"]}
    attributes = SPEC["GET /v1/objects/{object_type_id}/{object_id}/attributes"]["embedded_examples"]
    identifiers = {path.rsplit(".", 1)[1]: example for path, example in attributes.items() if ".identifiers." in path}
    related = SPEC["GET /v1/objects/{object_type_id}/{object_id}/relationships"]["embedded_examples"][
        "$.properties.cio_relationships.items"]
    fake.serve("GET", "/object_types", {"types": [types] + value("object_types")["types"][1:]})
    fake.serve("POST", "/objects", listed)
    fake.serve("GET", "/objects/1/ae3000/attributes", {"object": {
        "identifiers": identifiers, "object_type_id": "1", "attributes": {"name": "Ae 3000", "seats": 12}}})
    fake.serve("GET", "/objects/1/ae3000/relationships", {"cio_relationships": [related] if wrapped else related})
    result = run(component, objects=[{"types": [], "attributes": True, "relationships": True}])
    assert rows(result, "object_types", "id")[("1",)]["name"] == "Concerts"
    row = rows(result, "objects", "object_type_id", "object_id")[("1", "ae3000")]
    assert (row["cio_object_id"], row["name"], row["seats"]) == ("ob020101", "Ae 3000", "12")
    assert set(rows(result, "object_relationships", "object_type_id", "object_id", "cio_id")) == {
        ("1", "ae3000", "ob020101")}
    assert result.tables["object_relationships"][0]["id"] == "acmeInc"


def test_the_object_types_airbyte_mocks(component, fake):
    fake.serve("GET", "/object_types", value("object_types"))
    fake.serve("POST", "/objects", {"identifiers": [], "next": ""})
    result = run(component, objects=[{"types": [], "attributes": False, "relationships": False}])
    row = rows(result, "object_types", "id")[("1",)]
    assert (row["name"], row["singular_slug"], row["enabled"]) == ("Companies", "company", "true")


# ---------------------------------------------------------------------------------------------- metrics
SERIES_2026 = SPEC_2026["GET /v1/campaigns/{campaign_id}/metrics"]["response_200_schema"]["metric.series"][
    "properties (each: array of integer)"]
WINDOW = SPEC_2026["GET /v1/campaigns/{campaign_id}/metrics"]["response_200_schema"]


def v2_answer(shape: str, values: dict) -> dict:
    body = {"metric": {"series": {name: [number] for name, number in values.items()}}}
    if shape == "2026":
        body.update({"start": WINDOW["start"]["example"], "end": WINDOW["end"]["example"],
                     "res": WINDOW["res"]["example"]})
    return body


@pytest.mark.parametrize("shape", ["2025", "2026"])
def test_metrics_of_both_spec_copies_give_the_same_rows(component, fake, shape):
    """The run is moved to noon of the spec's example day (2025-01-01): the window it asks for is the one the 2026
    answer echoes, so the 2025 answer, which echoes nothing, must give the same rows."""
    noon = int(datetime(2025, 1, 1, 12, tzinfo=timezone.utc).timestamp())
    fake.clock_offset = noon - time.time()
    env = {**FAST, "CUSTOMERIO_CLOCK_OFFSET": str(fake.clock_offset)}
    campaign = {name: n for n, name in enumerate(SERIES_2026)}
    fake.serve("GET", "/campaigns", {"campaigns": [{"id": 5}]})
    fake.serve("GET", "/campaigns/5/metrics", v2_answer(shape, campaign))
    fake.serve("GET", "/campaigns/5/actions", {"actions": [{"id": "96", "type": "email"}]})
    variants = {"language_variants": {"97": {"series": {"sent": [1]}}}}
    fake.serve("GET", "/campaigns/5/actions/96/metrics", {**v2_answer(shape, {"sent": 3, "opened": 2}), **variants})
    v1 = {"metric": {"series": {"2xx": [0, 4], "5xx": [1, 0], "sent": [7, 9]}}}       # 2025: webhook series too
    fake.serve("GET", "/newsletters", {"newsletters": [{"id": 10, "sent_at": noon - 3600}], "next": ""})
    fake.serve("GET", "/newsletters/10/metrics", {**v1, "metric": {**v1["metric"], "type": "email"}})
    fake.serve("GET", "/broadcasts", {"broadcasts": [{"id": 2}]})
    fake.serve("GET", "/broadcasts/2/metrics", v1)
    fake.serve("GET", "/transactional", {"messages": [{"id": 2}]})
    fake.serve("GET", "/transactional/2/metrics", v1)
    parameters = base_parameters(metrics=[{"entities": [], "resolution": "days", "since": "2025-01-01"}])
    result = ok(component(parameters, env=env))
    day = int(datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp())
    found = {(r["metric"], r["value"], r["period_start"], r["api_version"], r["complete"])
             for r in result.tables["campaign_metrics"]}
    assert found == {(name, str(n), str(day), "2", "false") for name, n in campaign.items()}
    actions = {(r["action_id"], r["metric"], r["value"], r["period_start"])
               for r in result.tables["campaign_action_metrics"]}
    assert actions == {("96", "sent", "3", str(day)), ("96", "opened", "2", str(day))}
    for table in ("newsletter_metrics", "broadcast_metrics", "transactional_metrics"):
        found = {(r["metric"], r["value"], r["api_version"]) for r in result.tables[table]}
        assert found == {("2xx", "0", "1"), ("2xx", "4", "1"), ("5xx", "1", "1"), ("5xx", "0", "1"),
                         ("sent", "7", "1"), ("sent", "9", "1")}, table


# ---------------------------------------------------------------------------------------------- what ingestr loaded
def test_live_campaign_and_message_rows_as_ingestr_loaded_them(component, fake):
    campaign = {**INGESTR["campaigns"]["row"], **{column: None for column in INGESTR["campaigns"]["columns_extra"]}}
    fake.serve("GET", "/campaigns", {"campaigns": [campaign]})
    fake.serve("GET", "/messages", {"messages": [{**INGESTR["messages"]["row"], "created": int(time.time()) - 60}],
                                    "next": ""})
    result = run(component, campaigns=True, messages=[{"types": [], "since": "1 day ago"}])
    row = rows(result, "campaigns", "id")[("1",)]
    assert (row["name"], row["state"], row["type"]) == ("Untitled Campaign 1", "running", "seg_attr")
    assert set(INGESTR["campaigns"]["columns_extra"]) <= set(result.headers["campaigns"])
    message = rows(result, "messages", "id")[(INGESTR["messages"]["row"]["id"],)]
    assert (message["campaign_id"], message["action_id"], message["forgotten"]) == ("1", "3", "false")
