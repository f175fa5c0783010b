"""The resource catalogue: every list endpoint the generic extractor reads, described as data.

In the spirit of dlt's REST resources and Airbyte's declarative streams: each Resource names its output table and
primary key, how to request it (path, method, wrapper key, paging style, page size), where it hangs (a parent
whose rows fill the `{placeholders}` of the path, and the columns that carry the parent's id), fixed partitions
(one request per suppression type), what a 404 means (the parent went away: skip it with a warning), and an
optional hook that shapes records into rows. What a user switches on (one configuration key, one or more tables)
is in datasets.py. Adding a list endpoint is one entry here, its schema entry, its fake route and its test.

Facts (paths, keys, page sizes, id types, quirks) come from customerio-api.md and customerio-api-wave2.md.
"""
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, Optional, Tuple

from customerio import shapes
from customerio.columns import Column, count, documented, flag, person, text, when

NONE, CURSOR, OFFSET = "none", "cursor", "offset"


@dataclass(frozen=True)
class Partition:
    """One fixed variant of an endpoint: its `{placeholder}` values and query, and the cells that tell it apart."""
    name: str
    path: Dict[str, str] = field(default_factory=dict)
    params: Dict[str, str] = field(default_factory=dict)
    row: Dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Resource:
    table: str
    dataset: str                                   # the configuration key that turns the table on
    path: str                                      # `{name}` is filled from the parent row or the partition
    items: str                                     # the answer's wrapper key
    label: str                                     # for logs and messages: "campaign actions"
    primary_key: Tuple[str, ...] = ("id",)
    paging: str = NONE
    limit: Optional[int] = None                    # `limit` sent on every page (None: the endpoint takes none)
    params: Dict[str, str] = field(default_factory=dict)
    empty_page_ends: bool = True                   # an empty page ends a cursor walk, whatever its `next`
    read_ahead: bool = True
    parent: Optional[str] = None                   # the table of the parent resource
    from_parent: Dict[str, str] = field(default_factory=dict)   # column -> the parent row's field
    partitions: Tuple[Partition, ...] = ()
    partitions_may_be_missing: bool = False        # a partition answering 400/404 is skipped, not a failure
    replace_by: Optional[str] = None               # read completely every run: replace rows per this column
    replace_values: Tuple[str, ...] = ()           # ... for these values besides the partitions' and seen ones
    changes_with_parent: bool = False              # rows change only when the parent's `updated` does
    forget_gone_parents: bool = False              # rows of a parent that no longer exists leave Storage
    lanes: Optional[int] = None                    # at most this many parents read at once (huge pages)
    updated: str = "updated"                       # the field that tells a changed row, for its children
    singular: str = ""                             # "campaign": for "campaign 7 disappeared"
    columns: Tuple[Column, ...] = ()               # documented: always in the header, with type and description
    row: str = ""                                  # what one row is: "One row per campaign (automated workflow)"
    expand: Dict[str, Optional[int]] = field(default_factory=dict)
    select: Optional[Callable[[dict], Iterable[dict]]] = None    # records when the answer is no plain list
    shape: Optional[Callable[[dict, Optional[Partition]], Iterable[dict]]] = None
    deduplicate: bool = False                      # the endpoint repeats records: keep each key once per run
    snapshot: Optional[str] = None                 # a column stamped with the run's start: rows are appended
    #                                                every run and never replaced (a history), even under Full Load

    @property
    def partition_column(self) -> Optional[str]:
        """The column by which this table's rows are replaced: the parent's id, or `replace_by`; none for a
        snapshot history."""
        if self.snapshot:
            return None
        return next(iter(self.from_parent), None) if self.parent else self.replace_by


SUPPRESSION_TYPES = ("bounces", "blocks", "spam_reports", "invalid_emails")
OPTOUT_CHANNELS = ("sms", "whatsapp")
MESSAGE_ACTION_ID = text("id", "Id of the action (messages.action_id).")

RESOURCES: Tuple[Resource, ...] = (
    # ------------------------------------------------------------------ campaigns (automations)
    Resource("campaigns", "campaigns", "/campaigns", "campaigns", "campaigns", singular="campaign",
             row="One row per campaign (automated workflow)", columns=documented(
                 "campaign", "actions", "active", "created", "deduplicate_id", "description",
                 text("filter_segment_ids", "JSON list of the ids of the segments that filter the audience."),
                 "first_started", "id", text("msg_templates", "JSON list of its message templates (deprecated)."),
                 "name", text("state", "State: running, draft or stopped."), "tags",
                 text("trigger_segment_ids", "JSON list of the ids of the segments whose members trigger it."),
                 text("type", "Trigger: segment, event, form, date, ... (deprecated by Customer.io)."), "updated")),
    Resource("campaign_actions", "campaign_actions", "/campaigns/{id}/actions", "actions", "campaign actions",
             primary_key=("campaign_id", "id"), paging=CURSOR, parent="campaigns",
             from_parent={"campaign_id": "id"}, changes_with_parent=True,
             row="One row per step of a campaign, and per language variant of a message", columns=documented(
                 "action", "body", "campaign_id", "created", "deduplicate_id", "from_id", MESSAGE_ACTION_ID,
                 "language", text("multi_language_branch_action_id", "Id the language variants of a message share."),
                 "name", text("parent_action_id", "Id of the parent action (a split or branch), if any."),
                 "recipient", "reply_to_id", text("sending_state", "Sending: automatic, draft (held) or off."),
                 "subject", text("type", "Kind of step: email, twilio (SMS), push, in_app, webhook, ... or one "
                                         "that sends nothing (delay, attribute_update, ...)."), "updated")),
    # ------------------------------------------------------------------ segments
    Resource("segments", "segments", "/segments", "segments", "segments", singular="segment", updated="updated_at",
             row="One row per segment", columns=documented(
                 "segment", "created_at", "deduplicate_id", "description", "id", "name",
                 count("progress", "Percent built while Customer.io builds the segment; empty once finished."),
                 text("state", "Build state: events, build, events_queued, build_queued or finished."), "tags",
                 text("type", "Kind: dynamic (people match its conditions) or manual."), "updated_at")),
    Resource("segment_members", "segment_members", "/segments/{id}/membership", "identifiers", "members",
             primary_key=("segment_id", "cio_id"), paging=CURSOR, limit=30000, empty_page_ends=False,
             read_ahead=False, parent="segments", from_parent={"segment_id": "id"}, forget_gone_parents=True,
             lanes=3, row="One row per person in a segment", select=shapes.membership_people, shape=shapes.member,
             columns=documented("member", *person("the member"), "segment_id")),
    Resource("segment_usage", "segment_usage", "/segments/{id}/used_by", "used_by", "usage",
             primary_key=("segment_id", "used_by_type", "used_by_id"), parent="segments",
             from_parent={"segment_id": "id"}, forget_gone_parents=True, select=shapes.segment_usage,
             row="One row per campaign or newsletter that uses a segment", columns=documented(
                 "usage", "segment_id", text("used_by_id", "Id of the user: campaigns.id or newsletters.id."),
                 text("used_by_type", "Kind of user: campaign, sent_newsletter or draft_newsletter."))),
    # One count per segment and run, appended: the audience's size over time (wave-2 section 10.2).
    Resource("segment_sizes", "segment_sizes", "/segments/{id}/customer_count", "count", "sizes",
             primary_key=("segment_id", "measured_at"), parent="segments", from_parent={"segment_id": "id"},
             snapshot="measured_at", select=shapes.segment_count,
             row="One row per segment and run: how many people the segment held when the run started",
             columns=documented(
                 "segment size", "segment_id",
                 when("measured_at", "the run that asked started (the same for every segment of a run)"),
                 count("count", "Number of people in the segment at measured_at, as Customer.io counted them."))),
    # ------------------------------------------------------------------ newsletters (one-time sends)
    Resource("newsletters", "newsletters", "/newsletters", "newsletters", "newsletters", paging=CURSOR, limit=100,
             singular="newsletter", row="One row per newsletter (one-time send)", columns=documented(
                 "newsletter", "content_ids", "created", "deduplicate_id", "id", "name",
                 text("recipient_segment_ids", "JSON list of the ids of the segments it was sent to, if any."),
                 when("sent_at", "it was last sent", "empty for a draft"),
                 text("subscription_topic_id", "Id of its subscription topic (subscription_topics.id), if any."),
                 "tags", "type", "updated")),
    Resource("newsletter_contents", "newsletters", "/newsletters/{id}/contents", "contents", "contents",
             primary_key=("newsletter_id", "id"), parent="newsletters", from_parent={"newsletter_id": "id"},
             changes_with_parent=True, row="One row per language or A/B variant of a newsletter", columns=documented(
                 "variant", "bcc", "body", "deduplicate_id", "fake_bcc", "from", "from_id", "headers",
                 text("id", "Id of the variant (messages.content_id)."), "language", "name", "newsletter_id",
                 "preheader_text", "recipient", "reply_to", "reply_to_id", "subject", "type")),
    Resource("newsletter_test_groups", "newsletters", "/newsletters/{id}/test_groups", "test_groups",
             "A/B test groups", primary_key=("newsletter_id", "id"), parent="newsletters",
             from_parent={"newsletter_id": "id"}, changes_with_parent=True,
             row="One row per A/B test group of a newsletter", columns=documented(
                 "test group", "content_ids", text("id", "Id of the group in its newsletter (0, 1, ...)."),
                 text("label", "Label of the group."), text("name", "Letter of the group: A, B, ..."),
                 "newsletter_id", flag("winner", "true for the group that won the test."))),
    # ------------------------------------------------------------------ API-triggered broadcasts
    Resource("broadcasts", "broadcasts", "/broadcasts", "broadcasts", "broadcasts", singular="broadcast",
             row="One row per API-triggered broadcast", columns=documented(
                 "broadcast", "actions", "active", "created", "deduplicate_id", "first_started", "id", "name",
                 text("state", "Running or draft."), "tags", text("type", "Kind: triggered_broadcast."), "updated")),
    # Documented without paging; followed when a `next` comes. A broadcast's `updated` is no reliable sign that
    # its actions changed (wave-2 section 3.2), and there are few: read every run.
    Resource("broadcast_actions", "broadcasts", "/broadcasts/{id}/actions", "actions", "broadcast actions",
             primary_key=("broadcast_id", "id"), paging=CURSOR, parent="broadcasts",
             from_parent={"broadcast_id": "id"}, row="One row per action of a broadcast, and per language variant",
             columns=documented("action", "body", "broadcast_id", "created", MESSAGE_ACTION_ID, "language", "name",
                                "subject", "type", "updated")),
    # Triggering a broadcast does not change it: read every run.
    Resource("broadcast_triggers", "broadcasts", "/broadcasts/{id}/triggers", "triggers", "triggers",
             primary_key=("broadcast_id", "id"), parent="broadcasts", from_parent={"broadcast_id": "id"},
             row="One row per time a broadcast was triggered through the API", columns=documented(
                 "trigger", "broadcast_id", when("created_at", "the broadcast was triggered"), "id",
                 when("processed_at", "Customer.io processed the trigger"))),
    # ------------------------------------------------------------------ transactional messages
    Resource("transactional_messages", "transactional", "/transactional", "messages", "transactional messages",
             singular="transactional message", updated="updated_at",
             row="One row per transactional message (a template sent through the API)", columns=documented(
                 "transactional message", "created_at", "description",
                 flag("hide_message_body", "true: message bodies are not kept in the delivery history."),
                 text("id", "Id of the transactional message (messages.transactional_message_id)."),
                 flag("link_tracking", "true: tracks links."), "name", flag("open_tracking", "true: tracks opens."),
                 flag("queue_drafts", "true: messages wait as drafts instead of sending."),
                 flag("send_to_unsubscribed", "true: unsubscribed people receive it too."),
                 text("trigger_name", "Name that API calls can use instead of the id."), "updated_at")),
    Resource("transactional_contents", "transactional", "/transactional/{id}/contents", "contents", "contents",
             primary_key=("transactional_id", "id"), parent="transactional_messages",
             from_parent={"transactional_id": "id"}, changes_with_parent=True,
             row="One row per language variant of a transactional message", columns=documented(
                 "variant", "bcc", "body", "created", "from", "from_id", "id", "language", "name", "recipient",
                 "reply_to", "reply_to_id", "subject", "transactional_id", text("type", "Channel: email or push."),
                 "updated")),
    # ------------------------------------------------------------------ workspace settings
    Resource("sender_identities", "workspace_settings", "/sender_identities", "sender_identities",
             "sender identities", paging=CURSOR, limit=100, shape=shapes.sender_once, deduplicate=True,
             partitions=(Partition("visible", params={"hidden": "false"}),
                         Partition("hidden", params={"hidden": "true"})),
             row="One row per sender identity (from and reply-to addresses, SMS senders)", columns=documented(
                 "sender", text("address", "Name and address as recipients see them."),
                 flag("auto_generated", "true when Customer.io created the sender."), "deduplicate_id",
                 text("email", "Email address of the sender."), flag("hidden", "true when the sender is hidden."),
                 "id", "name", text("phone", "Phone number of the sender (SMS)."),
                 text("template_type", "Kind of sender: email or phone (SMS)."))),
    Resource("snippets", "workspace_settings", "/snippets", "snippets", "snippets", primary_key=("name",),
             row="One row per snippet (reusable content)", columns=documented(
                 "snippet", text("name", "Name of the snippet (unique)."), "updated_at",
                 text("value", "Content of the snippet: text or Liquid."))),
    Resource("collections", "workspace_settings", "/collections", "collections", "collections",
             row="One row per collection (data for personalising messages)", columns=documented(
                 "collection", count("bytes", "Size of its data in bytes."), "created_at", "id", "name",
                 count("rows", "Number of rows."), text("schema", "JSON list of its field names."), "updated_at")),
    Resource("subscription_topics", "workspace_settings", "/subscription_topics", "topics", "subscription topics",
             row="One row per subscription topic", columns=documented(
                 "topic", "description", text("id", "Id of the topic (newsletters.subscription_topic_id)."),
                 text("identifier", "Key of the topic in preferences: topic_3, ..."), "name", "subscribed_by_default")),
    Resource("subscription_channels", "workspace_settings", "/subscription_channels", "channels",
             "subscription channels", row="One row per subscription channel", columns=documented(
                 "channel", "description", "id", "name", "subscribed_by_default", "type")),
    Resource("reporting_webhooks", "workspace_settings", "/reporting_webhooks", "reporting_webhooks",
             "reporting webhooks", shape=shapes.webhook_without_credentials,
             row="One row per reporting webhook (events Customer.io posts to a URL)", columns=documented(
                 "webhook", flag("disabled", "true when no events are sent any more."),
                 text("endpoint", "URL the events go to, without any user name or password."),
                 text("events", "JSON list of the event types sent (email_sent, email_opened, ...)."),
                 flag("full_resolution", "true: every event is sent; false: unique opens and clicks only."), "id",
                 "name", text("type", "Kind: webhook or js."),
                 flag("with_content", "true when sent events carry the message body."))),
    Resource("workspaces", "workspace_settings", "/workspaces", "workspaces", "workspaces",
             row="One row per workspace of the account", columns=documented(
                 "workspace", count("billable_messages_sent", "Number of billed emails sent this billing period."),
                 "id", count("messages_sent", "Number of messages sent this billing period, every channel."), "name",
                 *(count(name, f"Number of {name.replace('_', ' ')} now (Customer.io counts about hourly).")
                   for name in ("object_types", "objects", "people")))),
    # ------------------------------------------------------------------ deliverability and consent
    Resource("esp_suppressions", "esp_suppressions", "/esp/suppression/{type}", "suppressions", "ESP suppressions",
             primary_key=("suppression_type", "email"), paging=OFFSET, limit=1000, replace_by="suppression_type",
             deduplicate=True, partitions=tuple(Partition(kind, path={"type": kind}, row={"suppression_type": kind})
                                                for kind in SUPPRESSION_TYPES),
             partitions_may_be_missing=True,    # the 2025 spec's enum lacks blocks and invalid_emails
             row="One row per email address the mail provider suppresses, and per list", columns=documented(
                 "suppression", when("created", "the address was suppressed"),
                 text("email", "The suppressed email address."), text("reason", "Why, in the provider's words."),
                 text("status", "SMTP status code, e.g. 550."),
                 text("suppression_type", "List: bounces, blocks, spam_reports or invalid_emails."))),
    Resource("optouts", "optouts", "/optouts", "optouts", "SMS and WhatsApp opt-outs",
             primary_key=("cio_id", "channel", "from"), paging=CURSOR, limit=1000, replace_by="channel",
             replace_values=OPTOUT_CHANNELS, deduplicate=True, shape=shapes.optout_rows,
             row="One row per person, channel and sender the person may not be texted from", columns=documented(
                 "opt-out", text("channel", "Channel: sms or whatsapp."), person()[0],
                 text("customer_id", "The id of the person in your workspace, if set."),
                 text("from", "Sender (phone number) the person opted out of."))),
)

BY_TABLE: Dict[str, Resource] = {resource.table: resource for resource in RESOURCES}

# ---------------------------------------------------------------------------------------------- objects
# Read by extractors/objects.py (a one-item settings array of its own: which types, attributes, relationships).
OBJECT_TYPES = Resource("object_types", "objects", "/object_types", "types", "object types",
                        row="One row per object type (companies, accounts, ...)", columns=documented(
                            "object type", flag("enabled", "true when the type is enabled."),
                            text("icon", "Icon or emoji of the type in Customer.io."),
                            text("id", "Id of the object type, a whole number as text (objects.object_type_id)."),
                            text("name", "Name, plural: Companies."), text("singular_name", "Name, singular: Company."),
                            text("singular_slug", "Page slug, singular."), text("slug", "Page slug in Customer.io.")))
#: POST /objects: `start`/`limit` in the query string, the type and a filter in the body; pages repeat objects.
OBJECTS = Resource("objects", "objects", "/objects", "identifiers", "objects",
                   primary_key=("object_type_id", "object_id"), paging=CURSOR, limit=1000, replace_by="object_type_id",
                   row="One row per object, with one column per attribute when attributes are read", columns=documented(
                       "object", text("cio_object_id", "Customer.io's own id of the object."),
                       text("object_id", "Id of the object, as your systems assign it."), "object_type_id"))
OBJECT_ATTRIBUTES = Resource("objects", "objects", "/objects/{type}/{id}/attributes", "object", "object attributes",
                             primary_key=("object_type_id", "object_id"))
OBJECT_RELATIONSHIPS = Resource("object_relationships", "objects", "/objects/{type}/{id}/relationships",
                                "cio_relationships", "object relationships",
                                primary_key=("object_type_id", "object_id", "cio_id"), paging=CURSOR, limit=1000,
                                replace_by="object_type_id", select=shapes.relationship_items,
                                row="One row per object and person related to it",
                                columns=documented("relationship", *person("the related person"),
                                                   text("object_id", "Id of the object (objects.object_id)."),
                                                   "object_type_id"))


def match_all_objects(type_id: str) -> dict:
    """The filter POST /objects needs to list every object of a type (each condition names the type)."""
    return {"and": [{"object_attribute": {"field": "object_id", "operator": "exists", "type_id": type_id}}]}


def children(table: str) -> Tuple[Resource, ...]:
    return tuple(resource for resource in RESOURCES if resource.parent == table)


def roots() -> Tuple[Resource, ...]:
    return tuple(resource for resource in RESOURCES if resource.parent is None)
