"""The resource catalogue: every list endpoint the generic extractor reads, described as data.

In the spirit of dlt's REST resources and Airbyte's declarative streams: each Resource names its output table and
primary key, how to request it (path, method, wrapper key, paging style, page size), where it hangs (a parent
whose rows fill the `{placeholders}` of the path, and the columns that carry the parent's id), fixed partitions
(one request per suppression type), what a 404 means (the parent went away: skip it with a warning), and an
optional hook that shapes records into rows. A Dataset is what a user switches on: one configuration key, one
or more tables. Adding a list endpoint is one entry here, its schema entry, its fake route and its test.

Facts (paths, keys, page sizes, id types, quirks) come from customerio-api.md and customerio-api-wave2.md.
"""
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, Optional, Tuple

from customerio import shapes

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
    replace_by: Optional[str] = None               # read completely every run: replace rows per this column
    replace_values: Tuple[str, ...] = ()           # ... for these values besides the partitions' and seen ones
    changes_with_parent: bool = False              # rows change only when the parent's `updated` does
    forget_gone_parents: bool = False              # rows of a parent that no longer exists leave Storage
    lanes: Optional[int] = None                    # at most this many parents read at once (huge pages)
    updated: str = "updated"                       # the field that tells a changed row, for its children
    singular: str = ""                             # "campaign": for "campaign 7 disappeared"
    columns: Tuple[str, ...] = ()                  # documented: always in the header
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


@dataclass(frozen=True)
class Dataset:
    key: str                                       # configuration key (a boolean)
    title: str
    tables: Tuple[str, ...]
    cost: str                                      # requests per run, in plain words, for the docs and the UI


def _ids(*names: str) -> Tuple[str, ...]:
    return tuple(names)


SUPPRESSION_TYPES = ("bounces", "blocks", "spam_reports", "invalid_emails")
OPTOUT_CHANNELS = ("sms", "whatsapp")

RESOURCES: Tuple[Resource, ...] = (
    # ------------------------------------------------------------------ campaigns (automations)
    Resource("campaigns", "campaigns", "/campaigns", "campaigns", "campaigns", singular="campaign", columns=_ids(
        "actions", "active", "created", "deduplicate_id", "description", "filter_segment_ids", "first_started",
        "id", "msg_templates", "name", "state", "tags", "trigger_segment_ids", "type", "updated")),
    Resource("campaign_actions", "campaign_actions", "/campaigns/{id}/actions", "actions", "campaign actions",
             primary_key=("campaign_id", "id"), paging=CURSOR, parent="campaigns",
             from_parent={"campaign_id": "id"}, changes_with_parent=True, columns=_ids(
                 "body", "campaign_id", "created", "deduplicate_id", "from_id", "id", "language",
                 "multi_language_branch_action_id", "name", "parent_action_id", "recipient", "reply_to_id",
                 "sending_state", "subject", "type", "updated")),
    # ------------------------------------------------------------------ segments
    Resource("segments", "segments", "/segments", "segments", "segments", singular="segment", updated="updated_at",
             columns=_ids("created_at", "deduplicate_id", "description", "id", "name", "progress", "state", "tags",
                          "type", "updated_at")),
    Resource("segment_members", "segment_members", "/segments/{id}/membership", "identifiers", "members",
             primary_key=("segment_id", "cio_id"), paging=CURSOR, limit=30000, empty_page_ends=False,
             read_ahead=False, parent="segments", from_parent={"segment_id": "id"}, forget_gone_parents=True,
             lanes=3, columns=_ids("cio_id", "email", "id", "segment_id"), select=shapes.membership_people,
             shape=shapes.member),
    Resource("segment_usage", "segment_usage", "/segments/{id}/used_by", "used_by", "usage",
             primary_key=("segment_id", "used_by_type", "used_by_id"), parent="segments",
             from_parent={"segment_id": "id"}, forget_gone_parents=True,
             columns=_ids("segment_id", "used_by_id", "used_by_type"), select=shapes.segment_usage),
    # One count per segment and run, appended: the audience's size over time (wave-2 section 10.2).
    Resource("segment_sizes", "segment_sizes", "/segments/{id}/customer_count", "count", "sizes",
             primary_key=("segment_id", "measured_at"), parent="segments", from_parent={"segment_id": "id"},
             snapshot="measured_at", columns=_ids("count", "measured_at", "segment_id"),
             select=shapes.segment_count),
    # ------------------------------------------------------------------ newsletters (one-time sends)
    Resource("newsletters", "newsletters", "/newsletters", "newsletters", "newsletters", paging=CURSOR, limit=100,
             singular="newsletter", columns=_ids(
                 "content_ids", "created", "deduplicate_id", "id", "name", "recipient_segment_ids", "sent_at",
                 "subscription_topic_id", "tags", "type", "updated")),
    Resource("newsletter_contents", "newsletters", "/newsletters/{id}/contents", "contents", "contents",
             primary_key=("newsletter_id", "id"), parent="newsletters", from_parent={"newsletter_id": "id"},
             changes_with_parent=True, columns=_ids(
                 "bcc", "body", "deduplicate_id", "fake_bcc", "from", "from_id", "headers", "id", "language", "name",
                 "newsletter_id", "preheader_text", "recipient", "reply_to", "reply_to_id", "subject", "type")),
    Resource("newsletter_test_groups", "newsletters", "/newsletters/{id}/test_groups", "test_groups",
             "A/B test groups", primary_key=("newsletter_id", "id"), parent="newsletters",
             from_parent={"newsletter_id": "id"}, changes_with_parent=True,
             columns=_ids("content_ids", "id", "label", "name", "newsletter_id", "winner")),
    # ------------------------------------------------------------------ API-triggered broadcasts
    Resource("broadcasts", "broadcasts", "/broadcasts", "broadcasts", "broadcasts", singular="broadcast",
             columns=_ids("actions", "active", "created", "deduplicate_id", "first_started", "id", "name", "state",
                          "tags", "type", "updated")),
    # Documented without paging; followed when a `next` comes. A broadcast's `updated` is no reliable sign that
    # its actions changed (wave-2 section 3.2), and there are few: read every run.
    Resource("broadcast_actions", "broadcasts", "/broadcasts/{id}/actions", "actions", "broadcast actions",
             primary_key=("broadcast_id", "id"), paging=CURSOR, parent="broadcasts",
             from_parent={"broadcast_id": "id"},
             columns=_ids("body", "broadcast_id", "created", "id", "language", "name", "subject", "type", "updated")),
    # Triggering a broadcast does not change it: read every run.
    Resource("broadcast_triggers", "broadcasts", "/broadcasts/{id}/triggers", "triggers", "triggers",
             primary_key=("broadcast_id", "id"), parent="broadcasts", from_parent={"broadcast_id": "id"},
             columns=_ids("broadcast_id", "created_at", "id", "processed_at")),
    # ------------------------------------------------------------------ transactional messages
    Resource("transactional_messages", "transactional", "/transactional", "messages", "transactional messages",
             singular="transactional message", updated="updated_at", columns=_ids(
                 "created_at", "description", "hide_message_body", "id", "link_tracking", "name", "open_tracking",
                 "queue_drafts", "send_to_unsubscribed", "trigger_name", "updated_at")),
    Resource("transactional_contents", "transactional", "/transactional/{id}/contents", "contents", "contents",
             primary_key=("transactional_id", "id"), parent="transactional_messages",
             from_parent={"transactional_id": "id"}, changes_with_parent=True, columns=_ids(
                 "bcc", "body", "created", "from", "from_id", "id", "language", "name", "recipient", "reply_to",
                 "reply_to_id", "subject", "transactional_id", "type", "updated")),
    # ------------------------------------------------------------------ workspace settings
    Resource("sender_identities", "workspace_settings", "/sender_identities", "sender_identities",
             "sender identities", paging=CURSOR, limit=100, shape=shapes.sender_in_its_own_list,
             partitions=(Partition("visible", params={"hidden": "false"}),
                         Partition("hidden", params={"hidden": "true"})),
             columns=_ids("address", "auto_generated", "deduplicate_id", "email", "hidden", "id", "name", "phone",
                          "template_type")),
    Resource("snippets", "workspace_settings", "/snippets", "snippets", "snippets", primary_key=("name",),
             columns=_ids("name", "updated_at", "value")),
    Resource("collections", "workspace_settings", "/collections", "collections", "collections",
             columns=_ids("bytes", "created_at", "id", "name", "rows", "schema", "updated_at")),
    Resource("subscription_topics", "workspace_settings", "/subscription_topics", "topics", "subscription topics",
             columns=_ids("description", "id", "identifier", "name", "subscribed_by_default")),
    Resource("subscription_channels", "workspace_settings", "/subscription_channels", "channels",
             "subscription channels", columns=_ids("description", "id", "name", "subscribed_by_default", "type")),
    Resource("reporting_webhooks", "workspace_settings", "/reporting_webhooks", "reporting_webhooks",
             "reporting webhooks", shape=shapes.webhook_without_credentials, columns=_ids(
                 "disabled", "endpoint", "events", "full_resolution", "id", "name", "type", "with_content")),
    Resource("workspaces", "workspace_settings", "/workspaces", "workspaces", "workspaces", columns=_ids(
        "billable_messages_sent", "id", "messages_sent", "name", "object_types", "objects", "people")),
    # ------------------------------------------------------------------ deliverability and consent
    Resource("esp_suppressions", "esp_suppressions", "/esp/suppression/{type}", "suppressions", "ESP suppressions",
             primary_key=("suppression_type", "email"), paging=OFFSET, limit=1000, replace_by="suppression_type",
             deduplicate=True, partitions=tuple(Partition(kind, path={"type": kind}, row={"suppression_type": kind})
                                                for kind in SUPPRESSION_TYPES),
             columns=_ids("created", "email", "reason", "status", "suppression_type")),
    Resource("optouts", "optouts", "/optouts", "optouts", "SMS and WhatsApp opt-outs",
             primary_key=("cio_id", "channel", "from"), paging=CURSOR, limit=1000, replace_by="channel",
             replace_values=OPTOUT_CHANNELS, deduplicate=True, shape=shapes.optout_rows,
             columns=_ids("channel", "cio_id", "customer_id", "from")),
)

BY_TABLE: Dict[str, Resource] = {resource.table: resource for resource in RESOURCES}

# ---------------------------------------------------------------------------------------------- objects
# Read by extractors/objects.py (a one-item settings array of its own: which types, attributes, relationships).
OBJECT_TYPES = Resource("object_types", "objects", "/object_types", "types", "object types", columns=_ids(
    "enabled", "icon", "id", "name", "singular_name", "singular_slug", "slug"))
#: POST /objects: `start`/`limit` in the query string, the type and a filter in the body; pages repeat objects.
OBJECTS = Resource("objects", "objects", "/objects", "identifiers", "objects",
                   primary_key=("object_type_id", "object_id"), paging=CURSOR, limit=1000, replace_by="object_type_id",
                   columns=_ids("cio_object_id", "object_id", "object_type_id"))
OBJECT_ATTRIBUTES = Resource("objects", "objects", "/objects/{type}/{id}/attributes", "object", "object attributes",
                             primary_key=("object_type_id", "object_id"))
OBJECT_RELATIONSHIPS = Resource("object_relationships", "objects", "/objects/{type}/{id}/relationships",
                                "cio_relationships", "object relationships",
                                primary_key=("object_type_id", "object_id", "cio_id"), paging=CURSOR, limit=1000,
                                replace_by="object_type_id",
                                columns=_ids("cio_id", "email", "id", "object_id", "object_type_id"))


def match_all_objects(type_id: str) -> dict:
    """The filter POST /objects needs to list every object of a type (each condition names the type)."""
    return {"and": [{"object_attribute": {"field": "object_id", "operator": "exists", "type_id": type_id}}]}


DATASETS: Tuple[Dataset, ...] = (
    Dataset("campaigns", "Campaigns", ("campaigns",), "1 request"),
    Dataset("campaign_actions", "Campaign actions", ("campaign_actions",),
            "1 request per campaign (and per 10 actions); with Incremental Update only for campaigns changed since "
            "the last run, all of them every full_refresh_days"),
    Dataset("segments", "Segments", ("segments", "segment_members", "segment_sizes"),
            "1 request, plus 1 per segment and per 30,000 members for segment_members, plus 1 per segment for "
            "segment_sizes"),
    Dataset("segment_usage", "Segment usage", ("segment_usage",), "1 request per segment"),
    Dataset("newsletters", "Newsletters", ("newsletters", "newsletter_contents", "newsletter_test_groups"),
            "1 request per 100 newsletters, plus 2 per newsletter changed since the last run (all of them every "
            "full_refresh_days)"),
    Dataset("broadcasts", "API-triggered broadcasts", ("broadcasts", "broadcast_actions", "broadcast_triggers"),
            "1 request plus 2 per broadcast"),
    Dataset("transactional", "Transactional messages", ("transactional_messages", "transactional_contents"),
            "1 request plus 1 per template changed since the last run"),
    Dataset("workspace_settings", "Workspace settings",
            ("sender_identities", "snippets", "collections", "subscription_topics", "subscription_channels",
             "reporting_webhooks", "workspaces"), "about 10 requests"),
    Dataset("esp_suppressions", "ESP suppressions", ("esp_suppressions",),
            "4 requests plus 1 per 1,000 suppressed addresses"),
    Dataset("optouts", "SMS and WhatsApp opt-outs", ("optouts",), "1 request per 1,000 people with opt-outs"),
)

BY_DATASET: Dict[str, Dataset] = {dataset.key: dataset for dataset in DATASETS}


def children(table: str) -> Tuple[Resource, ...]:
    return tuple(resource for resource in RESOURCES if resource.parent == table)


def roots() -> Tuple[Resource, ...]:
    return tuple(resource for resource in RESOURCES if resource.parent is None)
